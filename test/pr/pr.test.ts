import type { Blockquote, Heading, Html, Link, Nodes, Root, RootContent, Table } from 'mdast';
import { toString } from 'mdast-util-to-string';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { codemods as registry } from '../../codemods/index.js';
import type { Finding } from '../../src/findings/types.js';
import type { SprintItem } from '../../src/plan/types.js';
import {
  BodyLimitError,
  CLOSE_NOTE,
  findingsDigest,
  parseMetadata,
  prBody,
  prTitle,
  REVERT_COMMAND,
  type PrCodemod,
  type PrInput,
} from '../../src/pr/index.js';

const SHA = '3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39';

function finding(fields: Partial<Finding> & Pick<Finding, 'path' | 'startLine'>): Finding {
  return {
    id: `f${fields.path.length}${fields.startLine}`.padEnd(12, '0'),
    tool: 'codeql',
    ruleId: 'js/xss',
    message: 'Cross-site scripting vulnerability due to user-provided value.',
    severity: 'error',
    source: 'codeql.sarif',
    ...fields,
  };
}

function item(fields: Partial<SprintItem> & Pick<SprintItem, 'key' | 'title'>): SprintItem {
  return {
    origin: 'plan',
    codemods: [],
    files: [],
    findings: [],
    rollback: null,
    prerequisites: [],
    security: false,
    automatable: true,
    manualTasks: [],
    ...fields,
  };
}

/** A codemod entry with the registry's real metadata. */
function codemod(id: string, fields: Partial<PrCodemod>): PrCodemod {
  const meta = registry.find((c) => c.meta.id === id)?.meta;
  if (!meta) throw new Error(`no codemod ${id}`);
  return {
    id,
    version: meta.version,
    title: meta.title,
    safety: meta.safety,
    summary: meta.summary,
    rollback: meta.rollback,
    prerequisites: [...meta.prerequisites],
    files: [],
    changes: 0,
    review: [],
    leftAlone: [],
    ...fields,
  };
}

const VERIFIED = [
  { name: 'reparse', ok: true, detail: 'no syntax errors' },
  { name: 'idempotent', ok: true },
  { name: 'edits confined', ok: true },
];

function secretInput(): PrInput {
  const findings = [
    finding({
      id: 'a1b2c3d4e5f6',
      tool: 'bandit',
      ruleId: 'B105',
      message: "Possible hardcoded password: 'dev-secret-key-change-in-production'",
      path: 'backend/core/config.py',
      startLine: 57,
      url: 'https://github.com/acme/pcm-ops/security/code-scanning/12',
    }),
  ];
  return {
    item: item({
      key: '1.1',
      title: 'Immediate Security',
      phase: 'Phase 1: Critical Security Fixes',
      when: 'Days 1-2',
      codemods: ['python/secret-from-env'],
      files: ['backend/core/config.py'],
      findings,
      rollback: 'Keep old key as fallback',
      prerequisites: ['Set SECRET_KEY in every environment before merging'],
      security: true,
      manualTasks: ['Test session functionality after change'],
    }),
    branch: 'shipshape/1.1-immediate-security',
    base: { branch: 'main', sha: SHA },
    codemods: [
      codemod('python/secret-from-env', {
        phrase: 'hardcoded SECRET_KEY read from the environment',
        files: ['backend/core/config.py'],
        changes: 2,
        review: [],
      }),
    ],
    diffStat: [{ path: 'backend/core/config.py', added: 14, removed: 1 }],
    verification: [...VERIFIED, { name: 'python3 compile', ok: true }],
    findings,
  };
}

function innerHtmlInput(): PrInput {
  const findings = [
    finding({ id: '111111111111', path: 'backend/static/js/aws-utilities.js', startLine: 110, endLine: 122, url: 'https://github.com/acme/pcm-ops/security/code-scanning/3' }),
    finding({ id: '222222222222', path: 'backend/static/js/sft-fixer.js', startLine: 323, endLine: 324 }),
    finding({ id: '333333333333', path: 'backend/static/js/linux-qc-patching-prep.js', startLine: 165, endLine: 180 }),
  ];
  return {
    item: item({
      key: '1.2',
      title: 'XSS Prevention',
      phase: 'Phase 1: Critical Security Fixes',
      when: 'Days 3-4',
      codemods: ['js/innerhtml-to-textcontent'],
      files: findings.map((f) => f.path),
      findings,
      rollback: 'Feature flag to use old rendering',
      security: true,
    }),
    branch: 'shipshape/1.2-xss-prevention',
    base: { branch: 'main', sha: SHA },
    codemods: [
      codemod('js/innerhtml-to-textcontent', {
        phrase: 'innerHTML values escaped or set as text',
        files: findings.map((f) => f.path),
        changes: 5,
        review: [],
        leftAlone: [{ path: 'backend/static/js/sft-fixer.js', line: 40, message: 'constant HTML string: nothing to escape' }],
      }),
    ],
    diffStat: [
      { path: 'backend/static/js/aws-utilities.js', added: 9, removed: 7 },
      { path: 'backend/static/js/linux-qc-patching-prep.js', added: 12, removed: 10 },
      { path: 'backend/static/js/sft-fixer.js', added: 3, removed: 2 },
    ],
    verification: VERIFIED,
    findings,
  };
}

function parse(markdown: string): Root {
  return unified().use(remarkParse).use(remarkGfm).parse(markdown);
}

/** The top-level nodes under each `## ` heading, by heading text; `''` holds what comes before the first. */
function sections(markdown: string): Map<string, RootContent[]> {
  const out = new Map<string, RootContent[]>([['', []]]);
  let current = '';
  for (const node of parse(markdown).children) {
    if (node.type === 'heading' && (node as Heading).depth === 2) {
      current = toString(node);
      out.set(current, []);
      continue;
    }
    out.get(current)!.push(node);
  }
  return out;
}

function text(nodes: RootContent[] | undefined): string {
  return (nodes ?? []).map((n) => toString(n)).join('\n');
}

function find<T extends Nodes>(nodes: readonly Nodes[], type: T['type']): T[] {
  const out: T[] = [];
  function walk(node: Nodes): void {
    if (node.type === type) out.push(node as T);
    if ('children' in node) for (const child of node.children) walk(child as Nodes);
  }
  for (const node of nodes) walk(node);
  return out;
}

function tableCells(table: Table): string[][] {
  return table.children.map((row) => row.children.map((c) => toString(c)));
}

const HEADINGS = ['Sprint item', 'Findings closed', 'What changed', 'Diff stat', 'Verification', 'Deploy prerequisites', 'Rollback', 'Not in this PR'];

describe('prTitle', () => {
  const twoMods: PrInput = {
    ...secretInput(),
    codemods: [
      codemod('python/print-to-logging', { phrase: 'print() replaced with logging' }),
      codemod('python/pydantic-configdict', {}),
      codemod('python/print-to-logging', { phrase: 'print() replaced with logging' }),
    ],
  };
  it.each<[string, PrInput, string]>([
    ['secret item', secretInput(), 'Sprint 1.1: Immediate Security — hardcoded SECRET_KEY read from the environment'],
    ['innerHTML item', innerHtmlInput(), 'Sprint 1.2: XSS Prevention — innerHTML values escaped or set as text'],
    ['a part', { ...innerHtmlInput(), part: { index: 1, total: 2 } }, 'Sprint 1.2 (part 1/2): XSS Prevention — innerHTML values escaped or set as text'],
    [
      'phrases once, title when no phrase',
      twoMods,
      `Sprint 1.1: Immediate Security — print() replaced with logging; ${registry.find((c) => c.meta.id === 'python/pydantic-configdict')!.meta.title}`,
    ],
    ['no codemods', { ...secretInput(), codemods: [] }, 'Sprint 1.1: Immediate Security'],
    ['title on one line', { ...secretInput(), item: item({ key: '1.1', title: 'Immediate\n  Security' }), codemods: [] }, 'Sprint 1.1: Immediate Security'],
  ])('%s', (_name, input, expected) => {
    expect(prTitle(input)).toBe(expected);
  });

  it.each([100, 255, 256, 300, 1000])('caps a title of %i characters at 256 without splitting a character', (length) => {
    const input = { ...secretInput(), item: item({ key: '1.1', title: '😀'.repeat(length) }), part: { index: 2, total: 3 } };
    const title = prTitle(input);
    expect(title.length).toBeLessThanOrEqual(256);
    expect(title.startsWith('Sprint 1.1 (part 2/3): 😀')).toBe(true);
    // No lone surrogate: the cut never falls inside an emoji.
    expect(title).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    if (`Sprint 1.1 (part 2/3): ${'😀'.repeat(length)}`.length > 256) expect(title.endsWith('…')).toBe(true);
  });
});

describe('prBody', () => {
  it('carries every section for a secret-from-env item, with the prerequisite alert', () => {
    const input = secretInput();
    const body = prBody(input, 65_536);
    const s = sections(body);
    expect([...s.keys()].slice(1)).toEqual(HEADINGS);

    expect(text(s.get(''))).toContain('sprint item 1.1 — Immediate Security');
    expect(text(s.get(''))).toContain('Before merging, do the deploy prerequisites below.');

    const itemText = text(s.get('Sprint item'));
    for (const part of ['Key: 1.1', 'Title: Immediate Security', 'Phase: Phase 1: Critical Security Fixes', 'When: Days 1-2', 'Security: yes', SHA]) {
      expect(itemText).toContain(part);
    }

    const [table] = find<Table>(s.get('Findings closed')!, 'table');
    expect(tableCells(table!)).toEqual([
      ['Tool', 'Rule', 'Location', 'Message'],
      ['bandit', 'B105', 'backend/core/config.py:57', "Possible hardcoded password: 'dev-secret-key-change-in-production'"],
    ]);
    const [link] = find<Link>([table!], 'link');
    expect(link!.url).toBe('https://github.com/acme/pcm-ops/security/code-scanning/12');

    const changed = text(s.get('What changed'));
    const mod = input.codemods[0]!;
    for (const part of [mod.title, `${mod.id}@${mod.version}`, 'safety review', 'a reviewer should read it', mod.summary, '2 changes in 1 file', 'backend/core/config.py']) {
      expect(changed).toContain(part);
    }

    const [stat] = find<Table>(s.get('Diff stat')!, 'table');
    expect(tableCells(stat!)).toEqual([
      ['File', '+', '−'],
      ['backend/core/config.py', '14', '1'],
    ]);
    expect(text(s.get('Diff stat'))).toContain('1 file changed, 14 insertions(+), 1 deletion(−)');

    expect(find<Nodes>(s.get('Verification')!, 'listItem').map((n) => toString(n))).toEqual(['✅ reparse — no syntax errors', '✅ idempotent', '✅ edits confined', '✅ python3 compile']);

    const [alert] = find<Blockquote>(s.get('Deploy prerequisites')!, 'blockquote');
    const alertText = toString(alert!);
    expect(alertText.startsWith('[!IMPORTANT]')).toBe(true);
    expect(alertText).toContain('Set SECRET_KEY in every environment before merging');
    for (const p of mod.prerequisites) expect(alertText).toContain(p);

    const rollback = s.get('Rollback')!;
    const [planQuote] = find<Blockquote>(rollback, 'blockquote');
    expect(toString(planQuote!)).toBe('Keep old key as fallback');
    expect(text(rollback)).toContain(mod.rollback);
    expect(body).toContain(REVERT_COMMAND);
    expect(body).toContain(CLOSE_NOTE);

    expect(text(s.get('Not in this PR'))).toContain('Test session functionality after change');

    // The metadata comment is the last thing in the body and reads back.
    expect(body.trimEnd().endsWith('-->')).toBe(true);
    const last = parse(body).children.at(-1) as Html;
    expect(last.type).toBe('html');
    expect(parseMetadata(body)).toEqual({
      schema: 1,
      item: '1.1',
      codemods: [{ id: 'python/secret-from-env', version: mod.version }],
      baseSha: SHA,
      findings: ['a1b2c3d4e5f6'],
      findingsCount: 1,
      findingsDigest: findingsDigest(['a1b2c3d4e5f6']),
    });
    expect(body).not.toContain('(body limit)');
  });

  it('has no alert for an innerHTML item without prerequisites, and a row per finding', () => {
    const input = innerHtmlInput();
    const body = prBody(input, 65_536);
    const s = sections(body);
    expect([...s.keys()].slice(1)).toEqual(HEADINGS);
    expect(body).not.toContain('[!IMPORTANT]');
    expect(find<Blockquote>(s.get('Deploy prerequisites')!, 'blockquote')).toHaveLength(0);
    expect(text(s.get('Deploy prerequisites'))).toMatch(/^None/);
    expect(text(s.get(''))).not.toContain('deploy prerequisites');

    const [table] = find<Table>(s.get('Findings closed')!, 'table');
    expect(tableCells(table!).slice(1).map((r) => r[2])).toEqual([
      'backend/static/js/aws-utilities.js:110-122',
      'backend/static/js/linux-qc-patching-prep.js:165-180',
      'backend/static/js/sft-fixer.js:323-324',
    ]);
    expect(find<Link>([table!], 'link')).toHaveLength(1);

    const changed = text(s.get('What changed'));
    expect(changed).toContain('backend/static/js/sft-fixer.js:40 — constant HTML string: nothing to escape');
    expect(text(s.get('Diff stat'))).toContain('3 files changed, 24 insertions(+), 19 deletions(−)');
    expect(toString(find<Blockquote>(s.get('Rollback')!, 'blockquote')[0]!)).toBe('Feature flag to use old rendering');
    expect(text(s.get('Not in this PR'))).toMatch(/^Nothing/);
  });

  it('describes a part, and its metadata names the part', () => {
    const whole = innerHtmlInput();
    const input: PrInput = { ...whole, part: { index: 2, total: 2 }, findings: whole.findings.slice(2) };
    const body = prBody(input, 65_536);
    expect(body).toContain('(part 2 of 2)');
    expect(body).toContain('1 of the item\'s 3 are closed here');
    expect(body).toContain('This reverts this part only');
    expect(parseMetadata(body)).toMatchObject({ item: '1.2', part: { index: 2, total: 2 }, findings: ['333333333333'] });
  });

  it('says what each safety level means and marks failed checks', () => {
    const input = secretInput();
    input.codemods = [codemod('python/print-to-logging', { safety: 'safe' }), codemod('python/sqlite-connect-args', { safety: 'unsafe' })];
    input.verification = [{ name: 'reparse', ok: true }, { name: 'python3 compile', ok: false, detail: 'SyntaxError in app.py line 3' }];
    const s = sections(prBody(input, 65_536));
    const changed = text(s.get('What changed'));
    expect(changed).toContain('safety safe: behaviour is kept');
    expect(changed).toContain('safety unsafe: the edit may change behaviour');
    expect(text(s.get('Verification'))).toContain('❌ python3 compile — SyntaxError in app.py line 3');
    expect(text(s.get(''))).toContain('1 of 2 verification checks failed');
  });

  it('dedupes prerequisites from the item and the codemods', () => {
    const input = secretInput();
    input.item = { ...input.item, prerequisites: ['Set SECRET_KEY everywhere', '  set secret_key   EVERYWHERE '] };
    input.codemods = [codemod('python/secret-from-env', { prerequisites: ['Set SECRET_KEY everywhere', 'Rotate the old key'] })];
    const [alert] = find<Blockquote>(sections(prBody(input, 65_536)).get('Deploy prerequisites')!, 'blockquote');
    expect(find<Nodes>([alert!], 'listItem').map((n) => toString(n))).toEqual(['Set SECRET_KEY everywhere', 'Rotate the old key']);
  });

  it('escapes table cells: pipes, newlines, HTML, mentions, backticks, unsafe links', () => {
    const input = innerHtmlInput();
    input.findings = [
      finding({ id: 'e1', path: 'a|b.js', startLine: 1, message: 'first | line\nsecond line', ruleId: 'rule|x' }),
      finding({ id: 'e2', path: 'c.js', startLine: 2, message: '<!-- hides everything', url: 'javascript:alert(1)' }),
      finding({ id: 'e3', path: 'we`ird.js', startLine: 3, message: 'ping @octocat about `a|b` and <img src=x onerror=alert(1)>' }),
      finding({ id: 'e4', path: 'd.js', startLine: 4, message: '\n\n  leading blank lines', url: 'https://example.com/a b(c)' }),
    ];
    const body = prBody(input, 65_536);
    const s = sections(body);
    const [table] = find<Table>(s.get('Findings closed')!, 'table');
    const rows = tableCells(table!);
    expect(rows.every((r) => r.length === 4)).toBe(true);
    expect(rows.slice(1)).toEqual([
      ['codeql', 'rule|x', 'a|b.js:1', 'first | line'],
      ['codeql', 'js/xss', 'c.js:2', '<!-- hides everything'],
      ['codeql', 'js/xss', 'd.js:4', 'leading blank lines'],
      ['codeql', 'js/xss', 'we`ird.js:3', 'ping @\u200boctocat about a|b and <img src=x onerror=alert(1)>'],
    ]);
    // Nothing inside the table is raw HTML: the only HTML node of the whole body is the metadata comment.
    expect(find<Html>(parse(body).children, 'html').map((h) => h.value.slice(0, 24))).toEqual(['<!-- shipshape:metadata ']);
    const links = find<Link>([table!], 'link');
    expect(links.map((l) => l.url)).toEqual(['https://example.com/a%20b%28c%29']);
    expect(Object.keys(Object.fromEntries(s)).slice(1)).toEqual(HEADINGS);
  });

  it("links each finding's location to its lines at the base commit and its rule to the rule's page", () => {
    const input = innerHtmlInput();
    input.findings = [
      finding({ id: 'l1', path: 'static/my app.js', startLine: 10, endLine: 12, url: 'https://docs.example/rules/xss' }),
      finding({ id: 'l2', path: 'static/b.js', startLine: 4 }),
    ];
    const blob = (path: string, start: number, end?: number) => `https://github.com/acme/app/blob/${SHA}/${path.replace(/ /g, '%20')}#L${start}${end ? `-L${end}` : ''}`;
    const linksOf = (i: typeof input) => find<Link>([find<Table>(sections(prBody(i, 65_536)).get('Findings closed')!, 'table')[0]!], 'link').map((l) => [toString(l), l.url]);
    expect(linksOf({ ...input, fileLink: blob })).toEqual([
      ['static/b.js:4', `https://github.com/acme/app/blob/${SHA}/static/b.js#L4`],
      ['js/xss', 'https://docs.example/rules/xss'],
      ['static/my app.js:10-12', `https://github.com/acme/app/blob/${SHA}/static/my%20app.js#L10-L12`],
    ]);
    // Local drafts link relative to the draft; a link with a scheme other than http(s) is dropped.
    expect(linksOf({ ...input, fileLink: (p) => `../../${p}` }).filter(([t]) => t!.includes(':'))).toEqual([
      ['static/b.js:4', '../../static/b.js'],
      ['static/my app.js:10-12', '../../static/my%20app.js'],
    ]);
    expect(linksOf({ ...input, fileLink: () => 'javascript:alert(1)' })).toEqual([['js/xss', 'https://docs.example/rules/xss']]);
  });

  it('lists remarks on changes made as notes, apart from the places left alone', () => {
    const input = innerHtmlInput();
    input.codemods[0]!.caveats = [{ path: 'app/models.py', line: 10, message: 'class Event: json_encoders is deprecated in pydantic v2 but still honoured' }];
    input.codemods[0]!.leftAlone = [];
    const changed = text(sections(prBody(input, 65_536)).get('What changed'));
    expect(changed).toContain('Notes on these changes (1):');
    expect(changed).toContain('app/models.py:10 — class Event: json_encoders is deprecated');
    expect(changed).not.toContain('Left alone');
  });

  it('folds long lists of places left alone into <details>', () => {
    const input = innerHtmlInput();
    input.codemods[0]!.leftAlone = Array.from({ length: 8 }, (_, i) => ({ path: 'x.js', line: i + 1, message: `reason ${i}` }));
    const body = prBody(input, 65_536);
    expect(body).toMatch(/<details>\n<summary>Left alone \(8\), with the reason<\/summary>\n\n- `x\.js:1` — reason 0\n[\s\S]*- `x\.js:8` — reason 7\n\n<\/details>/);
  });

  it('lists the changes to review with their place, so the reviewer reads those first', () => {
    const mod = codemod('python/print-to-logging', {
      files: ['app/a.py'],
      changes: 2,
      review: [{ path: 'app/a.py', line: 12, description: 'print() -> logger.error()', safety: 'review' }],
    });
    const input = secretInput();
    input.codemods = [mod];
    const body = prBody(input, 65_536);
    expect(body).toContain('To review (1): these change behaviour on purpose, read them before merging:\n\n- `app/a.py:12` — print() -> logger.error() (**review**)');
  });

  it('folds more than ten changed files into <details>, and lists ten or fewer openly', () => {
    const input = innerHtmlInput();
    input.codemods[0]!.files = Array.from({ length: 11 }, (_, i) => `f${String(i).padStart(2, '0')}.js`);
    expect(prBody(input, 65_536)).toContain('<details>\n<summary>5 changes in 11 files</summary>\n\n- `f00.js`');
    input.codemods[0]!.files = input.codemods[0]!.files.slice(0, 10);
    expect(prBody(input, 65_536)).toContain('5 changes in 10 files:\n\n- `f00.js`');
  });

  it('gives the same body for the same findings in any order', () => {
    const a = innerHtmlInput();
    const b = innerHtmlInput();
    b.findings = [...b.findings].reverse();
    b.diffStat = [...b.diffStat].reverse();
    expect(prBody(b, 65_536)).toBe(prBody(a, 65_536));
  });
});

/**
 * An item far over any body limit: 5000 findings, 300 files, 400 places left
 * alone, 50 manual tasks; `withSecret` adds a second codemod with long
 * rollback and prerequisite notes, which are never cut.
 */
function hugeInput(withSecret: boolean): PrInput {
  const findings = Array.from({ length: 5000 }, (_, i) =>
    finding({
      id: i.toString(16).padStart(12, '0'),
      path: `backend/module_${String(i % 300).padStart(3, '0')}.py`,
      startLine: i + 1,
      tool: 'ruff',
      ruleId: 'T201',
      message: `\`print\` found (call ${i})`,
    }),
  );
  const files = Array.from({ length: 300 }, (_, i) => `backend/module_${String(i).padStart(3, '0')}.py`);
  const logging = codemod('python/print-to-logging', {
    phrase: 'print() replaced with logging',
    files,
    changes: 5000,
    review: [],
    leftAlone: Array.from({ length: 400 }, (_, i) => ({ path: files[i % 300]!, line: 9000 + i, message: 'print under `if __name__ == "__main__":` is the program\'s output' })),
  });
  const secret = codemod('python/secret-from-env', { files: files.slice(0, 1), changes: 2 });
  return {
    item: item({
      key: '1.4',
      title: 'Logging Standardization',
      findings,
      rollback: 'Simple commit revert (no functional impact)',
      prerequisites: withSecret ? ['Set SECRET_KEY in every environment before merging'] : [],
      manualTasks: Array.from({ length: 50 }, (_, i) => `Manual task ${i}`),
    }),
    branch: 'shipshape/1.4-logging-standardization',
    base: { branch: 'main', sha: SHA },
    codemods: withSecret ? [secret, logging] : [logging],
    diffStat: files.map((path) => ({ path, added: 20, removed: 17 })),
    verification: [...VERIFIED, { name: 'python3 compile', ok: true }],
    findings,
  };
}

describe.each([
  ['one codemod', false, [2000, 2500, 3000, 6000, 10_000, 65_536, 262_144]],
  ['two codemods with long notes', true, [3000, 4000, 10_000, 65_536, 262_144]],
])('prBody within a body limit, 5000 findings, %s', (_name, withSecret, limits) => {
  const input = hugeInput(withSecret);
  const prerequisites = [...new Set([...input.item.prerequisites, ...input.codemods.flatMap((c) => c.prerequisites)])];

  it.each(limits)('limit %i: fits, keeps rollback, prerequisites and metadata', (limit) => {
    const body = prBody(input, limit);
    expect(body.length).toBeLessThanOrEqual(limit);

    const s = sections(body);
    const rollback = text(s.get('Rollback'));
    expect(rollback).toContain('Simple commit revert (no functional impact)');
    for (const c of input.codemods) expect(rollback).toContain(c.rollback);
    expect(body).toContain(REVERT_COMMAND);
    expect(body).toContain(CLOSE_NOTE);
    const [alert] = find<Blockquote>(s.get('Deploy prerequisites')!, 'blockquote');
    for (const p of prerequisites) expect(toString(alert!)).toContain(p);

    const meta = parseMetadata(body);
    expect(meta).toMatchObject({ schema: 1, item: '1.4', baseSha: SHA, findingsCount: 5000, findingsDigest: findingsDigest(input.findings.map((f) => f.id)) });
    expect(meta!.codemods).toEqual(input.codemods.map((c) => ({ id: c.id, version: c.version })));
    // 5000 ids never take a quarter of these limits: they give way to what people read.
    expect(meta!.findings).toEqual([]);

    // What is shown plus what the note says is left out is every finding.
    const note = /_(?:… )?(\d+) (?:more )?findings? not shown \(body limit\)_/.exec(body);
    expect(note).not.toBeNull();
    const [table] = find<Table>(s.get('Findings closed') ?? [], 'table');
    const shown = table ? table.children.length - 1 : 0;
    expect(shown + Number(note![1])).toBe(5000);
    if (limit >= 65_536) expect(shown).toBeGreaterThan(100);
  });

  it('fits every limit from the smallest that works upwards', () => {
    let smallest = 0;
    for (let limit = 500; limit <= 4000; limit += 100) {
      try {
        const body = prBody(input, limit);
        smallest ||= limit;
        expect(body.length).toBeLessThanOrEqual(limit);
        expect(parseMetadata(body)?.findingsCount).toBe(5000);
        expect(body).toContain(CLOSE_NOTE);
      } catch (error) {
        expect(error).toBeInstanceOf(BodyLimitError);
        // Once a limit works, every larger one must work too.
        expect(smallest).toBe(0);
      }
    }
    expect(smallest).toBeGreaterThan(0);
    expect(smallest).toBeLessThanOrEqual(limits[0]!);
  });

  it('refuses a limit that cannot hold the parts never cut', () => {
    expect(() => prBody(input, 400)).toThrow(BodyLimitError);
    expect(() => prBody(input, 0)).toThrow(RangeError);
    expect(() => prBody(input, Number.NaN)).toThrow(RangeError);
  });
});

describe('prBody shortening', () => {
  it('shortens the longest list first', () => {
    const body = prBody(hugeInput(false), 65_536);
    const s = sections(body);
    // The diff stat (300 short rows) is shorter than the findings table and survives whole.
    expect(text(s.get('Diff stat'))).not.toContain('(body limit)');
    expect(tableCells(find<Table>(s.get('Diff stat')!, 'table')[0]!)).toHaveLength(301);
    expect(text(s.get('Diff stat'))).toContain('300 files changed, 6000 insertions(+), 5100 deletions(−)');
    expect(text(s.get('Not in this PR'))).toContain('Manual task 49');
    expect(body).toMatch(/more findings not shown \(body limit\)/);
  });

  it('keeps every finding id while they take at most a quarter of the limit', () => {
    expect(parseMetadata(prBody(secretInput(), 2000))!.findings).toEqual(['a1b2c3d4e5f6']);
    const huge = hugeInput(false);
    const ids = huge.findings.map((f) => f.id);
    const body = prBody(huge, 1_000_000);
    expect(parseMetadata(body)!.findings).toEqual([...ids].sort());
    expect(body).not.toContain('(body limit)');
  });

  it.each([2000, 2500, 3000])('fits the realistic items in %i characters', (limit) => {
    for (const input of [secretInput(), innerHtmlInput()]) {
      const body = prBody(input, limit);
      expect(body.length).toBeLessThanOrEqual(limit);
      expect(body).toContain(REVERT_COMMAND);
      expect(parseMetadata(body)?.findings).toEqual(input.findings.map((f) => f.id).sort());
    }
  });
});
