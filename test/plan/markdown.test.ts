import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSprintPlan, resolvePlanRefs, type ParsedPlan, type PlanSection } from '../../src/plan/markdown/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PLANS = join(ROOT, 'fixtures', 'plans');
const PCM_OPS = join(ROOT, 'fixtures', 'repos', 'pcm-ops');

function plan(name: string): ParsedPlan {
  return parseSprintPlan(readFileSync(join(PLANS, name), 'utf8'), name);
}

function section(p: ParsedPlan, key: string): PlanSection {
  const found = p.sections.find((s) => s.key === key);
  if (!found) throw new Error(`no section ${key} in ${p.source}; have ${p.sections.map((s) => s.key).join(', ')}`);
  return found;
}

/** Repository-relative paths of the demo repository, as `git ls-files` would list them. */
function pcmOpsFiles(): string[] {
  return readdirSync(PCM_OPS, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(PCM_OPS, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((f) => !f.split('/').some((part) => part === '__pycache__' || part === 'node_modules'))
    .sort();
}

describe('seed 000: the PRD (prd-pcm-ops.md)', () => {
  const prd = plan('prd-pcm-ops.md');

  it('reads the Implementation Plan sprints, in order, and nothing from Requirements', () => {
    expect(prd.title).toBe('Product Requirements Document (PRD)');
    expect(prd.sections.map((s) => s.key)).toEqual([
      '1.1', '1.2', '1.3', '1.4', '2.1', '2.2', '2.3', '3.1', '3.2', '3.3', '4.1', '5.1', '6.1',
    ]);
    expect(prd.warnings).toEqual([]);
  });

  it.each([
    ['1.1', 188, 'Immediate Security', 'Days 1-2', 'Phase 1: Critical Security Fixes (Week 1)', 'Keep old key as fallback'],
    ['1.2', 194, 'XSS Prevention', 'Days 3-4', 'Phase 1: Critical Security Fixes (Week 1)', 'Feature flag to use old rendering'],
    ['1.3', 201, 'CSRF & Credential Security', 'Day 5', 'Phase 1: Critical Security Fixes (Week 1)', 'Feature flag for old credential flow'],
    ['1.4', 207, 'Logging Standardization', 'Day 5.5', 'Phase 1: Critical Security Fixes (Week 1)', 'Simple commit revert (no functional impact)'],
    ['2.1', 216, 'Threading & Database Safety', 'Days 1-3', 'Phase 2: Medium Risk Issues (Week 2)', 'Keep old implementations with feature flag'],
    ['2.2', 223, 'Error Handling & Memory Leaks', 'Days 4-5', 'Phase 2: Medium Risk Issues (Week 2)', 'Original error handling patterns'],
    ['2.3', 230, 'Pydantic v2 Migration', 'Day 5.5', 'Phase 2: Medium Risk Issues (Week 2)', 'Individual file reverts (low coupling)'],
    ['3.1', 239, 'Configuration Cleanup', undefined, 'Phase 3: Configuration & Infrastructure (Week 3)', 'Original configurations'],
    ['3.2', 246, 'Production Preparation', undefined, 'Phase 3: Configuration & Infrastructure (Week 3)', 'Development configurations'],
    ['3.3', 253, 'Code Deduplication', 'Day 4.5', 'Phase 3: Configuration & Infrastructure (Week 3)', 'Feature flag for old credential logic'],
    ['4.1', 262, 'Template & UI Improvements', undefined, 'Phase 4: Cosmetic & Polish (Week 4)', 'Original templates (low risk)'],
    ['5.1', 272, 'Container & Deploy', undefined, 'Phase 5: Production Deployment (Week 5)', 'Blue-green deployment'],
    ['6.1', 282, 'Quality Assurance', undefined, 'Phase 6: Testing & Documentation (Week 6)', undefined],
  ])('sprint %s (line %i): %s, %s, %s, rollback %j', (key, line, title, when, phase, rollback) => {
    const s = section(prd, key);
    expect(s.line).toBe(line);
    expect(s.title).toBe(title);
    expect(s.when).toBe(when);
    expect(s.phase).toBe(phase);
    expect(s.rollback).toBe(rollback);
    expect(s.priority).toBeUndefined();
    expect(s.issues).toEqual([]);
    // The Rollback item is the section's rollback, never one of its tasks.
    expect(s.tasks.some((t) => /Rollback/.test(t.text))).toBe(false);
    expect(s.tasks.every((t) => t.checkbox && !t.done)).toBe(true);
  });

  it.each([
    ['1.1', [[189, 'backend/core/config.py', 57, undefined]]],
    ['1.2', [
      [195, 'aws-utilities.js', 110, 122],
      [196, 'sft-fixer.js', 323, 324],
      [197, 'linux-qc-patching-prep.js', 165, 180],
    ]],
    ['2.1', [
      [217, 'session_store.py', 30, 40],
      [218, 'session_store.py', 46, 57],
      [219, 'init_db.py', 12, 15],
    ]],
    ['2.2', [
      [224, 'changes.py', 184, 186],
      [224, 'status.py', 109, 113],
      [225, 'aws-execution.js', 96, 159],
    ]],
    ['3.1', [[240, '.coderabbit.yaml', undefined, undefined], [242, 'pyproject.toml', undefined, undefined]]],
    ['5.1', [[273, 'Dockerfile', undefined, undefined]]],
    ['1.3', []],
    ['1.4', []],
    ['2.3', []],
    ['6.1', []],
  ] as const)('sprint %s task refs', (key, expected) => {
    const refs = section(prd, key).tasks.flatMap((t) => t.refs.map((r) => [r.line, r.path, r.startLine, r.endLine]));
    expect(refs).toEqual(expected);
  });

  it('keeps both references of "changes.py:184-186, status.py:109-113" in one task', () => {
    const task = section(prd, '2.2').tasks[0]!;
    expect(task.text).toBe('Fix unhandled exceptions in changes.py:184-186, status.py:109-113');
    expect(task.line).toBe(224);
    expect(task.refs.map((r) => r.raw)).toEqual(['changes.py:184-186', 'status.py:109-113']);
  });

  it('reads task text as written, numbers and all', () => {
    expect(section(prd, '1.1').tasks.map((t) => t.text)).toEqual([
      'Fix hardcoded SECRET_KEY (backend/core/config.py:57)',
      'Add environment variable fallback with dev mode',
      'Test session functionality after change',
    ]);
    expect(section(prd, '1.4').tasks[0]!.text).toBe('Replace 15 print() statements with proper logging');
  });
});

describe('the demo repository plan (fixtures/repos/pcm-ops/SPRINT_PLAN.md, seed 000 format)', () => {
  const sprintPlan = parseSprintPlan(readFileSync(join(PCM_OPS, 'SPRINT_PLAN.md'), 'utf8'), 'SPRINT_PLAN.md');

  it('has the same sprints and rollback notes as the PRD', () => {
    const prd = plan('prd-pcm-ops.md');
    const summary = (p: ParsedPlan) => p.sections.map((s) => [s.key, s.title, s.when, s.rollback]);
    expect(summary(sprintPlan)).toEqual(summary(prd));
    expect(section(sprintPlan, '2.2').tasks[0]!.refs.map((r) => r.raw)).toEqual(['changes.py:184-186', 'status.py:109-113']);
  });
});

describe('seed 001: the action plan (action-plan-pcm-ops.md)', () => {
  const action = plan('action-plan-pcm-ops.md');

  it('reads the Day sections under their Week, plus Week 4 which has items but no days', () => {
    expect(action.title).toBe('Implementation Action Plan');
    expect(action.sections.map((s) => [s.key, s.line, s.title, s.when, s.phase])).toEqual([
      ['w1-d1-2', 12, 'SECRET_KEY Fix', 'Day 1-2', 'Week 1: Critical Security Fixes'],
      ['w1-d3-4', 40, 'XSS Prevention (3 locations)', 'Day 3-4', 'Week 1: Critical Security Fixes'],
      ['w1-d5', 79, 'CSRF & Credential Security', 'Day 5', 'Week 1: Critical Security Fixes'],
      ['w2-d1-3', 103, 'Threading & Database Safety', 'Day 1-3', 'Week 2: Medium Risk Issues'],
      ['w2-d4-5', 166, 'Error Handling & Memory Leaks', 'Day 4-5', 'Week 2: Medium Risk Issues'],
      ['w3-d1-2', 194, 'Configuration Cleanup', 'Day 1-2', 'Week 3: Configuration Issues'],
      ['w3-d3-4', 219, 'Database & Production Config', 'Day 3-4', 'Week 3: Configuration Issues'],
      ['w4', 250, 'Cosmetic Issues', 'Week 4', 'Week 4: Cosmetic Issues'],
    ]);
    expect(action.warnings).toEqual([]);
  });

  it('takes HIGHEST PRIORITY out of the title into priority', () => {
    expect(section(action, 'w1-d1-2').priority).toBe('HIGHEST PRIORITY');
    expect(action.sections.filter((s) => s.priority !== undefined).map((s) => s.key)).toEqual(['w1-d1-2']);
  });

  it.each([
    ['w1-d1-2', [[14, 'backend/core/config.py', 57, undefined, 'Hardcoded SECRET_KEY']]],
    ['w1-d3-4', [
      [42, 'backend/static/js/aws-utilities.js', 110, 122, 'XSS Fix 1'],
      [53, 'backend/static/js/sft-fixer.js', 323, 324, 'XSS Fix 2'],
      [66, 'backend/static/js/linux-qc-patching-prep.js', 165, 180, 'XSS Fix 3'],
    ]],
    ['w1-d5', [
      [81, 'backend/templates/aws/auth.html', 391, 392, 'CSRF Protection'],
      [87, 'backend/web/aws/auth.py', 106, 115, 'Credential Security'],
    ]],
    ['w2-d1-3', [
      [105, 'backend/core/utils/session_store.py', 30, 40, 'Thread Safety'],
      [122, 'backend/core/utils/session_store.py', 46, 57, 'Database Races'],
      [147, 'backend/db/init_db.py', 12, 15, 'Missing Imports'],
    ]],
    // "#### Exception Handling: Multiple Files" names no file; the path in its code block is an example, not a reference.
    ['w2-d4-5', [[177, 'backend/static/js/aws-execution.js', 96, 159, 'Memory Leaks']]],
    ['w3-d1-2', [
      [196, '.coderabbit.yaml', undefined, undefined, 'CodeRabbit Config'],
      [202, 'Dockerfile', 10, 19, 'Docker Security'],
      [212, 'pyproject.toml', undefined, undefined, 'Version Alignment'],
    ]],
    ['w3-d3-4', [
      [221, 'backend/db/session.py', 9, 13, 'Database Connection'],
      [236, 'start.sh', 146, undefined, 'Production Flags'],
    ]],
    ['w4', []],
  ] as const)('%s issues', (key, expected) => {
    const issues = section(action, key).issues.map((r) => [r.line, r.path, r.startLine, r.endLine, r.note]);
    expect(issues).toEqual(expected);
  });

  it('reads the Rollback Plan paragraph, and only where there is one', () => {
    expect(action.sections.map((s) => [s.key, s.rollback])).toEqual([
      ['w1-d1-2', 'Keep old hardcoded key as commented fallback'],
      ['w1-d3-4', undefined],
      ['w1-d5', undefined],
      ['w2-d1-3', undefined],
      ['w2-d4-5', undefined],
      ['w3-d1-2', undefined],
      ['w3-d3-4', undefined],
      ['w4', undefined],
    ]);
  });

  it.each([
    ['w1-d1-2', [[15, 'python']]],
    ['w1-d3-4', [[43, 'javascript'], [54, 'javascript'], [67, 'javascript']]],
    ['w1-d5', []],
    ['w2-d1-3', [[106, 'python'], [123, 'python'], [148, 'python']]],
    ['w2-d4-5', [[169, 'python'], [178, 'javascript']]],
    ['w3-d1-2', [[203, 'dockerfile']]],
    ['w3-d3-4', [[222, 'python'], [237, 'bash']]],
  ] as const)('%s code blocks', (key, expected) => {
    expect(section(action, key).code.map((c) => [c.line, c.lang])).toEqual(expected);
  });

  it('keeps code block text byte for byte', () => {
    const [before] = section(action, 'w1-d1-2').code;
    expect(before!.value).toBe(
      [
        '# Current (INSECURE)',
        'SECRET_KEY: str = "your-secret-key-here-change-in-production"',
        '',
        '# Target (SECURE)',
        'SECRET_KEY: str = os.getenv("SECRET_KEY") or (secrets.token_urlsafe(32) if DEBUG else RuntimeError("SECRET_KEY required"))',
      ].join('\n'),
    );
    expect(section(action, 'w3-d3-4').code[0]!.value).toContain("connect_args['check_same_thread'] = False");
  });

  it('turns the Testing Checklist into checkbox tasks and the numbered steps into plain tasks', () => {
    const tasks = section(action, 'w1-d1-2').tasks;
    expect(tasks.map((t) => [t.line, t.checkbox, t.text])).toEqual([
      [24, false, 'Add `import os, secrets` to top of file'],
      [25, false, 'Update SECRET_KEY line with environment variable'],
      [26, false, 'Add fallback for dev mode only'],
      [27, false, 'Update .env.example with generation instructions'],
      [28, false, 'Test session functionality'],
      [31, true, 'Sessions still work with new key'],
      [32, true, 'Dev mode generates temporary key'],
      [33, true, 'Production fails fast without SECRET_KEY'],
      [34, true, 'All authentication flows preserved'],
    ]);
  });

  it('reads nothing from Testing Strategy, Risk Mitigation or Success Criteria', () => {
    const lastLine = Math.max(...action.sections.flatMap((s) => [s.line, ...s.tasks.map((t) => t.line)]));
    expect(lastLine).toBeLessThan(268); // "## Testing Strategy by Week"
  });
});

describe('resolving references against fixtures/repos/pcm-ops', () => {
  const files = pcmOpsFiles();

  it('lists the demo repository the way git does', () => {
    expect(files).toContain('backend/static/js/aws-utilities.js');
    expect(files.filter((f) => f.endsWith('/session_store.py'))).toEqual([
      'backend/core/utils/session_store.py',
      'backend/db/models/session_store.py',
    ]);
  });

  it('resolves the PRD: bare names to their one path, session_store.py as ambiguous, .coderabbit.yaml as missing', () => {
    const { resolved, problems } = resolvePlanRefs(plan('prd-pcm-ops.md'), files);
    expect(resolved.map((r) => [r.section, r.ref.raw, r.file])).toEqual([
      ['1.1', 'backend/core/config.py:57', 'backend/core/config.py'],
      ['1.2', 'aws-utilities.js:110-122', 'backend/static/js/aws-utilities.js'],
      ['1.2', 'sft-fixer.js:323-324', 'backend/static/js/sft-fixer.js'],
      ['1.2', 'linux-qc-patching-prep.js:165-180', 'backend/static/js/linux-qc-patching-prep.js'],
      ['2.1', 'init_db.py:12-15', 'backend/db/init_db.py'],
      ['2.2', 'changes.py:184-186', 'backend/providers/aws/script_runner/api/changes.py'],
      ['2.2', 'status.py:109-113', 'backend/providers/aws/script_runner/api/status.py'],
      ['2.2', 'aws-execution.js:96-159', 'backend/static/js/aws-execution.js'],
      ['3.1', 'pyproject.toml', 'pyproject.toml'],
      ['5.1', 'Dockerfile', 'Dockerfile'],
    ]);
    const both = ['backend/core/utils/session_store.py', 'backend/db/models/session_store.py'];
    expect(problems.map((p) => [p.section, p.kind, p.ref.raw, p.reason, p.candidates])).toEqual([
      ['2.1', 'task', 'session_store.py:30-40', 'ambiguous', both],
      ['2.1', 'task', 'session_store.py:46-57', 'ambiguous', both],
      ['3.1', 'task', '.coderabbit.yaml', 'missing', []],
    ]);
  });

  it('resolves every issue of the action plan except the .coderabbit.yaml the demo does not have', () => {
    const { resolved, problems } = resolvePlanRefs(plan('action-plan-pcm-ops.md'), files);
    expect(resolved).toHaveLength(14); // 15 issues, one of them missing
    expect(resolved.every((r) => r.kind === 'issue' && r.file === r.ref.path)).toBe(true);
    expect(problems.map((p) => [p.section, p.ref.raw, p.reason])).toEqual([['w3-d1-2', '.coderabbit.yaml', 'missing']]);
  });

  it.each([
    ['backend/core/config.py:57', 'backend/core/config.py'],
    ['aws-utilities.js:110-122', 'backend/static/js/aws-utilities.js'],
    ['db/session.py:9-13', 'backend/db/session.py'],
    ['utils/session_store.py:46-57', 'backend/core/utils/session_store.py'],
    ['/README.md', 'README.md'],
  ])('ambiguous.md: %s → %s', (raw, file) => {
    const { resolved } = resolvePlanRefs(plan('ambiguous.md'), files);
    expect(resolved.find((r) => r.ref.raw === raw)?.file).toBe(file);
  });

  it('ambiguous.md: problems carry every candidate and never a guess', () => {
    const { resolved, problems } = resolvePlanRefs(plan('ambiguous.md'), files);
    expect(resolved).toHaveLength(5);
    const inits = files.filter((f) => f.endsWith('__init__.py'));
    expect(inits.length).toBeGreaterThan(2);
    expect(problems.map((p) => [p.ref.raw, p.reason, p.candidates])).toEqual([
      ['session_store.py:30-40', 'ambiguous', ['backend/core/utils/session_store.py', 'backend/db/models/session_store.py']],
      ['__init__.py', 'ambiguous', inits],
      ['missing_module.py:3', 'missing', []],
      // Written from the root, so backend/db/session.py is not a candidate.
      ['/session.py', 'missing', []],
    ]);
  });
});
