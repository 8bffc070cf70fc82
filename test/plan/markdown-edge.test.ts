import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSprintPlan, type ParsedPlan } from '../../src/plan/markdown/index.js';

const PLANS = join(import.meta.dirname, '..', '..', 'fixtures', 'plans');

function plan(name: string): ParsedPlan {
  return parseSprintPlan(readFileSync(join(PLANS, name), 'utf8'), name);
}

describe('crlf.md (CRLF line endings)', () => {
  const bytes = readFileSync(join(PLANS, 'crlf.md'), 'utf8');
  const p = plan('crlf.md');
  const [s] = p.sections;

  it('is really a CRLF file', () => {
    expect(bytes.split('\r\n').length).toBeGreaterThan(10);
    expect(bytes.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('reads the sprint with the lines of the file', () => {
    expect(p.sections).toHaveLength(1);
    expect([s!.key, s!.title, s!.when, s!.phase, s!.line, s!.rollback]).toEqual([
      '1.1', 'Secrets', 'Days 1-2', 'Phase 1: Security (Week 1)', 5, 'Revert the commit',
    ]);
  });

  it('folds a two-line task into one line and puts the ref on the line it is written on', () => {
    expect(s!.tasks.map((t) => [t.line, t.done, t.text])).toEqual([
      [6, true, 'Remove the key in backend/core/config.py:57'],
      [7, false, 'Check that login still works, also in `backend/web/aws/auth.py:106-115`'],
    ]);
    expect(s!.tasks[1]!.refs).toEqual([{ raw: 'backend/web/aws/auth.py:106-115', path: 'backend/web/aws/auth.py', startLine: 106, endLine: 115, line: 8 }]);
  });

  it('keeps code blocks as written, CRLF included', () => {
    expect(s!.code).toEqual([{ lang: 'python', value: 'SECRET_KEY = os.environ["SECRET_KEY"]\r\nDEBUG = False', line: 11 }]);
  });

  it('gives the same sections as the LF version, apart from code bytes', () => {
    const lf = parseSprintPlan(bytes.replace(/\r\n/g, '\n'), 'lf.md');
    const strip = (q: ParsedPlan) => q.sections.map((x) => ({ ...x, code: x.code.map((c) => ({ ...c, value: c.value.replace(/\r\n/g, '\n') })) }));
    expect(strip(lf)).toEqual(strip(p));
  });
});

describe('heading-sprints.md (## Sprint n.m headings)', () => {
  const p = plan('heading-sprints.md');

  it('reads Sprint headings, their when/priority suffixes and trailing emoji', () => {
    expect(p.sections.map((s) => [s.key, s.line, s.title, s.when, s.priority, s.phase])).toEqual([
      ['2.3', 5, 'Pydantic v2 Migration', '2 days', 'P1', undefined],
      // No marker of its own, so the enclosing "Priority 1" heading applies.
      ['2.4', 18, 'Logging', undefined, 'Priority 1: Security', undefined],
    ]);
  });

  it('takes tasks from lists under sub-headings, and issues from sub-headings that name a file', () => {
    const [s] = p.sections;
    expect(s!.tasks.map((t) => [t.line, t.checkbox, t.done, t.text])).toEqual([
      [9, true, false, 'Convert the Config classes in `backend/schemas/account.py:8-12`'],
      [10, true, true, 'Compare the OpenAPI schema before and after'],
      [14, false, false, 'Keep the field aliases'],
    ]);
    expect(s!.issues).toEqual([{ raw: 'backend/schemas/change.py', path: 'backend/schemas/change.py', line: 12, note: 'Notes on' }]);
  });

  it('ignores references in plain prose paragraphs', () => {
    const refs = p.sections.flatMap((s) => [...s.issues, ...s.tasks.flatMap((t) => t.refs)]).map((r) => r.raw);
    expect(refs).not.toContain('models.py:3');
  });

  it('reads a **Rollback Plan:** paragraph as Markdown, and leaves a sprint without one without', () => {
    expect(p.sections.map((s) => s.rollback)).toEqual(['Revert the `backend/schemas/` changes file by file', undefined]);
  });

  it('stops at the next ## heading (Success Metrics tasks are no sprint)', () => {
    expect(p.sections[1]!.tasks.map((t) => t.text)).toEqual(['Replace print() in cli.py:10']);
  });
});

describe('no-rollback.md', () => {
  const p = plan('no-rollback.md');

  it('has no rollback: a Rollback label after --- belongs to no sprint', () => {
    expect(p.sections.map((s) => [s.key, s.when, s.rollback, s.tasks.length])).toEqual([['1.1', 'Day 1', undefined, 2]]);
    expect(p.warnings).toEqual([]);
  });
});

describe('two-refs.md', () => {
  const p = plan('two-refs.md');
  const tasks = p.sections[0]!.tasks;

  it.each([
    [0, ['changes.py:184-186', 'status.py:109-113']],
    // A URL, a library name, a version, a port and a duration are not files.
    [1, []],
    [2, ['/docs/CodeRabbit-Issues-Analysis.md', './README.md']],
    // Emphasis would render __init__.py as "init.py"; references come from the source.
    [3, ['__init__.py', 'backend/__init__.py:1']],
    [4, ['a.py:20-10']],
  ])('task %i has refs %j', (index, raws) => {
    expect(tasks[index]!.refs.map((r) => r.raw)).toEqual(raws);
  });

  it('normalises paths and reports bad ranges and escaping paths as warnings', () => {
    expect(tasks[2]!.refs.map((r) => r.path)).toEqual(['docs/CodeRabbit-Issues-Analysis.md', 'README.md']);
    expect(tasks[4]!.refs).toEqual([{ raw: 'a.py:20-10', path: 'a.py', line: 8 }]);
    expect(p.warnings).toEqual([
      { line: 8, message: 'reference a.py:20-10 has an invalid line range; using the file without lines' },
      { line: 8, message: 'reference ../secrets.txt points outside the repository; ignored' },
    ]);
  });
});

describe('nested-lists.md', () => {
  const [s] = plan('nested-lists.md').sections;

  it('flattens nested task, plain and numbered items in document order', () => {
    expect(s!.tasks.map((t) => [t.line, t.checkbox, t.done, t.text, t.refs.map((r) => r.raw)])).toEqual([
      [4, true, false, 'Parent task for backend/db/session.py:9-13', ['backend/db/session.py:9-13']],
      [5, true, true, 'Child done in backend/db/base.py', ['backend/db/base.py']],
      [6, false, false, 'plain grandchild', []],
      [7, false, false, 'numbered child', []],
      [8, true, false, 'Second parent', []],
    ]);
  });

  it('finds code inside a quote inside an item', () => {
    expect(s!.code).toEqual([{ lang: 'sh', value: 'echo hi', line: 10 }]);
  });

  it('reads a Rollback item with a nested list as one line per item, not as tasks', () => {
    expect(s!.rollback).toBe('Revert the merge commit\nRe-enable the old flag');
  });
});

describe('not-sections.md (what must not become a section)', () => {
  const p = plan('not-sections.md');

  it('keeps only the Day with work and the nested sprint', () => {
    expect(p.sections.map((s) => [s.key, s.title, s.phase])).toEqual([
      ['w2-d4', 'Real work', 'Week 2: Stability'],
      ['7.1', 'Child', undefined],
    ]);
  });

  it('warns about a Day heading with nothing to do, not about grouping headings', () => {
    expect(p.warnings).toEqual([
      { line: 19, message: '"Day 3: Empty day" looks like a work item but lists no tasks or file references; not read as a section' },
    ]);
  });
});

describe('duplicates.md', () => {
  const p = plan('duplicates.md');

  it('keeps keys unique: title slug first, then a counter', () => {
    expect(p.sections.map((s) => [s.key, s.line])).toEqual([
      ['1.1', 3],
      ['1.1-second-try', 6],
      ['d1', 11],
      ['d1-alpha', 14],
      ['d1-2', 17],
    ]);
  });

  it('uses the first rollback note and says so', () => {
    expect(p.sections[1]!.rollback).toBe('one');
    expect(p.sections[1]!.tasks.map((t) => t.text)).toEqual(['b']);
  });

  it('reports each problem on its line', () => {
    expect(p.warnings.map((w) => [w.line, w.message])).toEqual([
      [6, 'section key 1.1 is already used on line 3; this one is keyed 1.1-second-try'],
      [9, 'second rollback note in the section on line 6; keeping the first'],
      [14, 'section key d1 is already used on line 11; this one is keyed d1-alpha'],
      [17, 'section key d1 is already used on line 11; this one is keyed d1-2'],
      [20, 'Issue label without a file reference; nothing to fix is known'],
    ]);
  });
});

describe('small inline plans', () => {
  it.each([
    ['a BOM', '\uFEFF**Sprint 1.1: A**\n- [ ] x\n', [['1.1', 'A', 1]]],
    ['an empty plan', '', []],
    ['prose only', '# Title\n\nNothing to do here.\n', []],
    ['a sprint paragraph with a description line', '**Sprint 2: Two**\nWhy we do it.\n- [ ] y\n', [['2', 'Two', 1]]],
    ['bold Sprint in running prose', 'We start with **Sprint 1.1: A** tomorrow.\n- [ ] x\n', []],
    ['a Sprint heading without separator', '## Sprint 4 Cleanup\n- [ ] z\n', [['4', 'Cleanup', 1]]],
    ['Days with an en dash', '## Week 2: W\n### Days 1\u20132: D\n- [ ] z\n', [['w2-d1-2', 'D', 2]]],
    ['a Week with tasks of its own', '## Week 3: Three\n- [ ] z\n', [['w3', 'Three', 1]]],
    ['a Phase with tasks (context, not a section)', '### Phase 0: Preparation (Week 0)\n- [x] Review\n', []],
  ])('%s', (_name, markdown, expected) => {
    const p = parseSprintPlan(markdown, 'inline.md');
    expect(p.sections.map((s) => [s.key, s.title, s.line])).toEqual(expected);
  });

  it.each([
    ['Sprint 1: A (Days 3-4)', 'A', 'Days 3-4', undefined],
    ['Sprint 1: A (4h)', 'A', '4h', undefined],
    ['Sprint 1: A (Days 1-2) (HIGH PRIORITY)', 'A', 'Days 1-2', 'HIGH PRIORITY'],
    ['Sprint 1: A (low risk) (Days 1-2)', 'A (low risk)', 'Days 1-2', undefined],
    ['Sprint 1: A (3 locations)', 'A (3 locations)', undefined, undefined],
    ['Sprint 1: A \u{1F534}', 'A', undefined, undefined],
    ['Sprint 1: A \u00F0\u0178\u201D\u00B4', 'A', undefined, undefined],
    ['Sprint 1: A \u00E2\u0153\u2026', 'A', undefined, undefined],
    ['Sprint 1: Caf\u00E9 \u00FCber', 'Caf\u00E9 \u00FCber', undefined, undefined],
  ])('title %j → %j, when %j, priority %j', (heading, title, when, priority) => {
    const [s] = parseSprintPlan(`## ${heading}\n- [ ] x\n`, 'inline.md').sections;
    expect([s!.title, s!.when, s!.priority]).toEqual([title, when, priority]);
  });

  it('keeps mojibake in task text as written', () => {
    const [s] = parseSprintPlan('**Sprint 1: A**\n- [ ] Address \u00F0\u0178\u201D\u00B4 issues \u00E2\u0153\u2026\n', 'm.md').sections;
    expect(s!.tasks[0]!.text).toBe('Address \u00F0\u0178\u201D\u00B4 issues \u00E2\u0153\u2026');
  });

  it('reads Issue and Priority labels in list items too', () => {
    const [s] = parseSprintPlan('## Sprint 1: A\n- **Issue**: `a.py:3` - bad\n- **Priority:** High\n- [ ] fix\n', 'l.md').sections;
    expect(s!.issues).toEqual([{ raw: 'a.py:3', path: 'a.py', startLine: 3, line: 2, note: 'bad' }]);
    expect(s!.priority).toBe('High');
    expect(s!.tasks.map((t) => t.text)).toEqual(['fix']);
  });
});
