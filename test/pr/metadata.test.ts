import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/types.js';
import type { SprintItem } from '../../src/plan/types.js';
import { findingsDigest, parseMetadata, prBody, prMetadata, renderMetadata, type PrInput, type PrMetadata } from '../../src/pr/index.js';

const SHA = 'c0ffee0000000000000000000000000000000001';

function input(key: string, part?: PrInput['part']): PrInput {
  const findings: Finding[] = ['9f86d081884c', '2c26b46b68ff', 'fcde2b2edba5'].map((id, i) => ({
    id,
    tool: 'ruff',
    ruleId: 'T201',
    message: '`print` found',
    path: `backend/api/v${i}.py`,
    startLine: 10 + i,
    severity: 'warning',
    source: 'ruff.sarif',
  }));
  const item: SprintItem = {
    key,
    title: 'Logging Standardization',
    origin: 'plan',
    codemods: ['python/print-to-logging'],
    files: findings.map((f) => f.path),
    findings,
    rollback: 'Simple commit revert (no functional impact)',
    prerequisites: [],
    security: false,
    automatable: true,
    manualTasks: [],
  };
  return {
    item,
    part,
    branch: 'shipshape/1.4-logging-standardization',
    base: { branch: 'main', sha: SHA },
    codemods: [
      {
        id: 'python/print-to-logging',
        version: '1.0.0',
        title: 'Replace print() with a module logger',
        safety: 'review',
        summary: 'print() calls become logger calls.',
        rollback: 'Revert the commit.',
        prerequisites: [],
        files: item.files,
        changes: 3,
        review: [],
        leftAlone: [],
      },
    ],
    diffStat: item.files.map((path) => ({ path, added: 3, removed: 1 })),
    verification: [{ name: 'reparse', ok: true }],
    findings,
  };
}

const EXPECTED: PrMetadata = {
  schema: 1,
  item: '1.4',
  codemods: [{ id: 'python/print-to-logging', version: '1.0.0' }],
  baseSha: SHA,
  findings: ['2c26b46b68ff', '9f86d081884c', 'fcde2b2edba5'],
  findingsCount: 3,
  findingsDigest: findingsDigest(['9f86d081884c', '2c26b46b68ff', 'fcde2b2edba5']),
};

describe('metadata round trip', () => {
  it('reads back what prBody wrote, with and without a part', () => {
    expect(parseMetadata(prBody(input('1.4'), 65_536))).toEqual(EXPECTED);
    expect(parseMetadata(prBody(input('1.4', { index: 2, total: 3 }), 65_536))).toEqual({ ...EXPECTED, part: { index: 2, total: 3 } });
  });

  it.each<[string, (body: string) => string]>([
    ['text added before and after', (b) => `Reviewer note: looks good.\n\n${b}\n\nThanks!`],
    ['CRLF line ends (the web editor)', (b) => b.replace(/\n/g, '\r\n')],
    ['the visible sections deleted', (b) => b.slice(b.indexOf('<!-- shipshape:metadata'))],
    ['an earlier copy quoted above it', (b) => `> ${renderMetadata({ ...EXPECTED, item: 'old' })}\n\n${b}`],
    ['a broken copy after it', (b) => `${b}\n<!-- shipshape:metadata {"schema":1,"item": -->`],
    ['an unterminated marker after it', (b) => `${b}\n<!-- shipshape:metadata {`],
  ])('survives %s', (_name, edit) => {
    expect(parseMetadata(edit(prBody(input('1.4'), 65_536)))).toEqual(EXPECTED);
  });

  it('keeps a key that looks like the end of a comment inside the comment', () => {
    const key = '1.4 --> <b>x</b> --!>';
    const comment = renderMetadata(prMetadata(input(key)));
    expect(comment.indexOf('-->')).toBe(comment.length - 3);
    // Between the comment's own delimiters there is no `<` or `>` (so no `-->` or `--!>` either).
    expect(comment.slice('<!--'.length, -'-->'.length)).not.toMatch(/[<>]/);
    expect(parseMetadata(prBody(input(key), 65_536))?.item).toBe(key);
  });

  it('gives the same digest for the same findings in any order', () => {
    expect(findingsDigest(['b', 'a', 'c'])).toBe(findingsDigest(['c', 'b', 'a', 'a']));
    expect(findingsDigest(['a', 'b'])).not.toBe(findingsDigest(['a', 'b', 'c']));
    expect(findingsDigest([])).toMatch(/^[0-9a-f]{16}$/);
  });
});

const valid = { schema: 1, item: '1.2', codemods: [{ id: 'a', version: '1' }], baseSha: 'abc', findings: ['x'] };
const wrap = (json: string): string => `<!-- shipshape:metadata ${json} -->`;

describe('parseMetadata on garbage', () => {
  it('accepts the minimal valid shape (the guard for the cases below)', () => {
    expect(parseMetadata(wrap(JSON.stringify(valid)))).toEqual(valid);
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['no comment', 'Just a pull request description.'],
    ['another tool', '<!-- renovate:metadata {"schema":1} -->'],
    ['empty comment', wrap('')],
    ['not JSON', wrap('{not json}')],
    ['JSON null', wrap('null')],
    ['JSON array', wrap(JSON.stringify([valid]))],
    ['JSON string', wrap('"hello"')],
    ['schema 2', wrap(JSON.stringify({ ...valid, schema: 2 }))],
    ['schema as text', wrap(JSON.stringify({ ...valid, schema: '1' }))],
    ['no item', wrap(JSON.stringify({ ...valid, item: undefined }))],
    ['empty item', wrap(JSON.stringify({ ...valid, item: '' }))],
    ['codemods not a list', wrap(JSON.stringify({ ...valid, codemods: 'a@1' }))],
    ['codemod without version', wrap(JSON.stringify({ ...valid, codemods: [{ id: 'a' }] }))],
    ['findings not strings', wrap(JSON.stringify({ ...valid, findings: [1, 2] }))],
    ['no base sha', wrap(JSON.stringify({ ...valid, baseSha: null }))],
    ['part 0', wrap(JSON.stringify({ ...valid, part: { index: 0, total: 2 } }))],
    ['part past the total', wrap(JSON.stringify({ ...valid, part: { index: 3, total: 2 } }))],
    ['part not integers', wrap(JSON.stringify({ ...valid, part: { index: 1.5, total: 2 } }))],
    ['negative count', wrap(JSON.stringify({ ...valid, findingsCount: -1 }))],
    ['digest not text', wrap(JSON.stringify({ ...valid, findingsDigest: 42 }))],
    ['unterminated', `<!-- shipshape:metadata ${JSON.stringify(valid)}`],
    ['huge junk', `<!-- shipshape:metadata ${'{'.repeat(200_000)} -->`],
    ['many markers', '<!-- shipshape:metadata '.repeat(20_000)],
    ['not a string', 42],
    ['null', null],
  ])('%s -> null', (_name, body) => {
    expect(parseMetadata(body as string)).toBeNull();
  });

  it('drops unknown fields and is not fooled by __proto__', () => {
    const json = `{"__proto__":{"polluted":true},"extra":1,${JSON.stringify(valid).slice(1)}`;
    const meta = parseMetadata(wrap(json));
    expect(meta).toEqual(valid);
    expect(Object.keys(meta!)).not.toContain('extra');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
