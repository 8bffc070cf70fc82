import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/findings/types.js';
import {
  decodePlan,
  extractRefs,
  indexRepoFiles,
  loadSprintPlan,
  lookupRef,
  type PlanRef,
  type PlanWarning,
} from '../../src/plan/markdown/index.js';

function refs(text: string): { found: [string, string, number | undefined, number | undefined][]; warnings: PlanWarning[] } {
  const warnings: PlanWarning[] = [];
  const found = extractRefs(text, 1, (w) => warnings.push(w)).map(
    (r) => [r.raw, r.path, r.startLine, r.endLine] as [string, string, number | undefined, number | undefined],
  );
  return { found, warnings };
}

describe('extractRefs: what is a file reference', () => {
  it.each([
    ['Fix hardcoded SECRET_KEY (backend/core/config.py:57)', [['backend/core/config.py:57', 'backend/core/config.py', 57, undefined]]],
    ['Fix innerHTML XSS in aws-utilities.js:110-122', [['aws-utilities.js:110-122', 'aws-utilities.js', 110, 122]]],
    ['in changes.py:184-186, status.py:109-113', [
      ['changes.py:184-186', 'changes.py', 184, 186],
      ['status.py:109-113', 'status.py', 109, 113],
    ]],
    ['`backend/db/session.py:9-13`', [['backend/db/session.py:9-13', 'backend/db/session.py', 9, 13]]],
    ['en dash a.ts:3\u20135 and spaced b.ts:3 - 5', [['a.ts:3\u20135', 'a.ts', 3, 5], ['b.ts:3 - 5', 'b.ts', 3, 5]]],
    ['`Dockerfile:10-19` and Dockerfile.prod', [['Dockerfile:10-19', 'Dockerfile', 10, 19], ['Dockerfile.prod', 'Dockerfile.prod', undefined, undefined]]],
    ['Fix .coderabbit.yaml and pyproject.toml', [
      ['.coderabbit.yaml', '.coderabbit.yaml', undefined, undefined],
      ['pyproject.toml', 'pyproject.toml', undefined, undefined],
    ]],
    ['See /docs/CodeRabbit-Issues-Analysis.md.', [['/docs/CodeRabbit-Issues-Analysis.md', 'docs/CodeRabbit-Issues-Analysis.md', undefined, undefined]]],
    ['[config](backend/core/config.py)', [
      ['backend/core/config.py', 'backend/core/config.py', undefined, undefined],
    ]],
    ['every extension: a.mjs b.cjs c.jsx d.tsx e.html f.yml g.json h.sh i.cfg j.ini k.txt', [
      ['a.mjs', 'a.mjs', undefined, undefined], ['b.cjs', 'b.cjs', undefined, undefined], ['c.jsx', 'c.jsx', undefined, undefined],
      ['d.tsx', 'd.tsx', undefined, undefined], ['e.html', 'e.html', undefined, undefined], ['f.yml', 'f.yml', undefined, undefined],
      ['g.json', 'g.json', undefined, undefined], ['h.sh', 'h.sh', undefined, undefined], ['i.cfg', 'i.cfg', undefined, undefined],
      ['j.ini', 'j.ini', undefined, undefined], ['k.txt', 'k.txt', undefined, undefined],
    ]],
    ['sch\u00E9ma_\u00E9t\u00E9.py:2', [['sch\u00E9ma_\u00E9t\u00E9.py:2', 'sch\u00E9ma_\u00E9t\u00E9.py', 2, undefined]]],
    ['src/Chart.js:12 is ours', [['src/Chart.js:12', 'src/Chart.js', 12, undefined]]],
  ])('%j', (text, expected) => {
    expect(refs(text)).toEqual({ found: expected, warnings: [] });
  });

  it.each([
    ['Sprint 1.2, port 8500, 30min, Day 5.5'],
    ['use threading.Event and model_config = ConfigDict()'],
    ['Replace 15 print() statements'],
    ['https://example.com/docs/guide.md'],
    ['<https://github.com/o/r/blob/main/a.py#L3>'],
    ['mail ops@example.md'],
    ['a Node.js and Vue.js app'],
    ['all .md files'],
    ['.env.example and .env'],
    ['a.py.bak, b.pyc, c.json5, d.js_old'],
    ['uvicorn backend.main:app'],
  ])('%j has no file reference', (text) => {
    expect(refs(text)).toEqual({ found: [], warnings: [] });
  });

  it('numbers lines from the node it scans (CRLF, LF and lone CR alike)', () => {
    const found = extractRefs('a.py\r\nb.py\nc.py\rd.py', 10, () => {}).map((r) => [r.raw, r.line]);
    expect(found).toEqual([['a.py', 10], ['b.py', 11], ['c.py', 12], ['d.py', 13]]);
  });

  it.each([
    ['a.py:20-10', 'reference a.py:20-10 has an invalid line range; using the file without lines', [['a.py:20-10', 'a.py', undefined, undefined]]],
    ['a.py:0', 'reference a.py:0 has an invalid line range; using the file without lines', [['a.py:0', 'a.py', undefined, undefined]]],
    ['../secrets.txt', 'reference ../secrets.txt points outside the repository; ignored', []],
    ['/../etc/x.sh', 'reference /../etc/x.sh points outside the repository; ignored', []],
  ])('%j is reported, never guessed', (text, message, expected) => {
    expect(refs(text)).toEqual({ found: expected, warnings: [{ line: 1, message }] });
  });

  it('normalises ./ and inner .. segments', () => {
    expect(refs('./backend/x/../main.py').found).toEqual([['./backend/x/../main.py', 'backend/main.py', undefined, undefined]]);
  });
});

describe('lookupRef', () => {
  const index = indexRepoFiles([
    'backend/core/config.py',
    'backend/core/utils/session_store.py',
    'backend/db/models/session_store.py',
    'backend/db/session.py',
    'session.py',
    'README.md',
    'docs/README.md',
    '.\\scripts\\deploy.sh',
  ]);
  const ref = (raw: string, path: string): PlanRef => ({ raw, path, line: 1 });

  it.each([
    ['exact path', ref('backend/core/config.py:57', 'backend/core/config.py'), { ok: true, file: 'backend/core/config.py' }],
    ['exact path beats a suffix match', ref('session.py', 'session.py'), { ok: true, file: 'session.py' }],
    ['unique suffix path', ref('db/session.py', 'db/session.py'), { ok: true, file: 'backend/db/session.py' }],
    ['unique bare name', ref('config.py', 'config.py'), { ok: true, file: 'backend/core/config.py' }],
    ['Windows-style list entry', ref('deploy.sh', 'deploy.sh'), { ok: true, file: 'scripts/deploy.sh' }],
    ['rooted and present', ref('/README.md', 'README.md'), { ok: true, file: 'README.md' }],
    ['rooted and absent', ref('/config.py', 'config.py'), { ok: false, reason: 'missing', candidates: [] }],
    ['a name that is only a suffix of a file name', ref('store.py', 'store.py'), { ok: false, reason: 'missing', candidates: [] }],
    ['case differs', ref('Config.py', 'Config.py'), { ok: false, reason: 'missing', candidates: [] }],
    ['two files', ref('session_store.py', 'session_store.py'), {
      ok: false, reason: 'ambiguous', candidates: ['backend/core/utils/session_store.py', 'backend/db/models/session_store.py'],
    }],
    ['two files, partial directory', ref('models/session_store.py', 'models/session_store.py'), { ok: true, file: 'backend/db/models/session_store.py' }],
  ])('%s', (_name, r, expected) => {
    expect(lookupRef(r, index)).toEqual(expected);
  });
});

describe('loadSprintPlan / decodePlan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-plan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads and parses a file, naming it as the source', async () => {
    const file = join(dir, 'plan.md');
    writeFileSync(file, '\uFEFF**Sprint 1.1: A**\n- [ ] x.py:1\n');
    const plan = await loadSprintPlan(file);
    expect(plan.source).toBe(file);
    expect(plan.sections.map((s) => [s.key, s.tasks[0]!.refs[0]!.path])).toEqual([['1.1', 'x.py']]);
  });

  it.each([
    ['a lone continuation byte', Buffer.from([0x61, 0x0a, 0x62, 0x63, 0x80, 0x0a]), 'line 2, column 3'],
    ['a sequence cut short by ASCII', Buffer.from([0x0a, 0x0a, 0xc3, 0xa9, 0xe2, 0x82, 0x41]), 'line 3, column 2'],
    ['a truncated sequence at the end', Buffer.from([0x61, 0xf0, 0x9f]), 'line 1, column 2'],
  ])('rejects %s with its line and column', (_name, bytes, where) => {
    expect(() => decodePlan('p.md', bytes)).toThrow(InputError);
    expect(() => decodePlan('p.md', bytes)).toThrow(`p.md: ${where}: not valid UTF-8`);
  });

  it('accepts mojibake, which is valid UTF-8', () => {
    expect(decodePlan('p.md', Buffer.from('ðŸ”´ âœ…', 'utf8'))).toBe('ðŸ”´ âœ…');
  });

  it('reports a missing file as an input error', async () => {
    await expect(loadSprintPlan(join(dir, 'nope.md'))).rejects.toThrow(`${join(dir, 'nope.md')}: cannot read the plan (ENOENT)`);
  });
});
