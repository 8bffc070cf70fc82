import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { schemaErrors } from '../helpers/schema.js';

const DEMO = join(import.meta.dirname, '..', '..', 'fixtures', 'repos', 'pcm-ops');

describe('shipshape demo', () => {
  it('opens the five sprint PRs with the local forge, and a second run changes nothing', async () => {
    const r = await runCli(['demo'], { cwd: tmpdir(), env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    expect(r.code).toBe(0);
    const titles = [...r.stdout.matchAll(/^PR (Sprint [\d.]+): /gm)].map((m) => m[1]);
    expect(titles).toEqual(['Sprint 1.1', 'Sprint 1.2', 'Sprint 1.4', 'Sprint 2.3', 'Sprint 3.1']);
    expect(r.stdout).toContain('rollback Keep old key as fallback');
    expect(r.stdout).toContain('Second run: 5 of 5 pull requests unchanged');
    const repo = /the repository is (\S+);/.exec(r.stdout)![1]!;
    try {
      expect(execFileSync('git', ['branch', '--list', 'shipshape/*'], { cwd: repo, encoding: 'utf8' }).trim().split('\n')).toHaveLength(5);
    } finally {
      rmSync(join(repo, '..'), { recursive: true, force: true });
    }
  });
});

describe('shipshape apply', () => {
  let repo: string;
  beforeAll(() => {
    repo = join(mkdtempSync(join(tmpdir(), 'shipshape-apply-cli-')), 'app');
    cpSync(DEMO, repo, { recursive: true });
    const env = { ...process.env, GIT_AUTHOR_NAME: 'D', GIT_AUTHOR_EMAIL: 'd@example.com', GIT_COMMITTER_NAME: 'D', GIT_COMMITTER_EMAIL: 'd@example.com' };
    execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q'], { cwd: repo, env });
    execFileSync('git', ['add', '-A'], { cwd: repo, env });
    execFileSync('git', ['commit', '-qm', 'init'], { cwd: repo, env });
  });
  afterAll(() => rmSync(join(repo, '..'), { recursive: true, force: true }));

  it('--json --dry-run prints a result in its schema and pushes nothing', async () => {
    const r = await runCli(['apply', '--repo', '.', '--plan', 'SPRINT_PLAN.md', '--item', '3.1', '--dry-run', '--json'], { cwd: repo, env: { PATH: process.env.PATH } });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { items: { key: string; action: string }[] };
    expect(schemaErrors('apply.schema.json', result)).toBe('');
    expect(result.items).toMatchObject([{ key: '3.1', action: 'dry-run' }]);
    expect(execFileSync('git', ['branch', '--list', 'shipshape/*'], { cwd: repo, encoding: 'utf8' })).toBe('');
  });

  it.each([
    [['apply', '--forge', 'github', '--repo', 'acme/app'], 2, 'needs a token in GITHUB_TOKEN'],
    [['apply', '--forge', 'github', '--repo', './local'], 2, 'needs --repo owner/name'],
    [['apply', '--repo', 'backend', '--plan', 'SPRINT_PLAN.md'], 2, '--repo backend: not the top of a git repository'],
    [['apply', '--repo', 'no/such/dir', '--plan', 'SPRINT_PLAN.md'], 2, '--repo no/such/dir: no such directory'],
    [['apply', '--repo', 'acme/app', '--plan', 'SPRINT_PLAN.md'], 2, '--repo acme/app: no such directory (for a GitHub repository add --forge github)'],
    [['apply', '--repo', 'SPRINT_PLAN.md', '--plan', 'SPRINT_PLAN.md'], 2, '--repo SPRINT_PLAN.md: not a directory'],
    [['plan', '--repo', 'missing', '--plan', 'SPRINT_PLAN.md'], 2, '--repo missing: no such directory'],
    [['plan', '--repo', 'SPRINT_PLAN.md'], 2, '--repo SPRINT_PLAN.md: not a directory'],
    [['apply', '--plan', 'SPRINT_PLAN.md', '--item', '9.9'], 2, 'no sprint item 9.9'],
    [['apply', '--forge', 'gitlab'], 2, "argument 'gitlab' is invalid"],
  ])('%j exits %i with one clear line', async (argv, code, message) => {
    const r = await runCli(argv, { cwd: repo, env: { PATH: process.env.PATH } });
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help'))).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('shipshape apply: every finding accounted for, and a dry run that shows what a real run pushes', () => {
  let repo: string;
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'shipshape-account-'));
    repo = join(dir, 'app');
    const tree: Record<string, string> = {
      'app/jobs.py': 'def run(n):\n    print("ran", n)\n',
      'app/cli.py': 'import argparse\n\n\ndef main():\n    argparse.ArgumentParser().parse_args()\n    print("starting")\n',
      'tests/test_jobs.py': 'def test_run():\n    print("debug")\n',
    };
    for (const [path, text] of Object.entries(tree)) {
      mkdirSync(join(repo, path, '..'), { recursive: true });
      writeFileSync(join(repo, path), text);
    }
    const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'D', GIT_AUTHOR_EMAIL: 'd@example.com', GIT_COMMITTER_NAME: 'D', GIT_COMMITTER_EMAIL: 'd@example.com' };
    execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q'], { cwd: repo, env: gitEnv });
    execFileSync('git', ['add', '-A'], { cwd: repo, env: gitEnv });
    execFileSync('git', ['commit', '-qm', 'init'], { cwd: repo, env: gitEnv });
    const result = (rule: string, path: string, line: number) => ({ ruleId: rule, message: { text: rule }, locations: [{ physicalLocation: { artifactLocation: { uri: path }, region: { startLine: line } } }] });
    // Fixable, a CLI print (not confirmed), a test (out of scope) and a rule no codemod handles.
    const results = [result('T201', 'app/jobs.py', 2), result('T201', 'app/cli.py', 6), result('T201', 'tests/test_jobs.py', 2), result('E501', 'app/jobs.py', 1)];
    writeFileSync(join(dir, 'ruff.sarif'), JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'ruff' } }, results }] }));
  });
  afterAll(() => rmSync(join(repo, '..'), { recursive: true, force: true }));

  const args = ['apply', '--findings', '../ruff.sarif'];

  it('plan, apply --json and the human summary give the same four outcomes', async () => {
    const plan = JSON.parse((await runCli(['plan', '--findings', '../ruff.sarif', '--json'], { cwd: repo, env })).stdout) as { notConfirmed: { reason: string }[] };
    expect(plan.notConfirmed).toHaveLength(2);
    const dry = await runCli([...args, '--dry-run', '--json'], { cwd: repo, env });
    expect(dry.code, dry.stderr).toBe(0);
    const result = JSON.parse(dry.stdout) as { findings: { total: number; inItems: number; notConfirmed: { path: string; reason: string }[]; noCodemod: { ruleId: string }[] }; items: { findings: number }[] };
    expect(schemaErrors('apply.schema.json', result)).toBe('');
    expect(result.findings).toMatchObject({ total: 4, inItems: 1, items: 1, rejected: 0 });
    expect(result.findings.notConfirmed.map((n) => n.path)).toEqual(['app/cli.py', 'tests/test_jobs.py']);
    expect(result.findings.notConfirmed.map((n) => n.reason)).toEqual(plan.notConfirmed.map((n) => n.reason));
    expect(result.findings.notConfirmed[1]!.reason).toMatch(/^out of scope: tests\/test_jobs\.py is tests/);
    expect(result.findings.noCodemod).toEqual([{ path: 'app/jobs.py', line: 1, tool: 'ruff', ruleId: 'E501' }]);
    expect(result.items.map((i) => i.findings)).toEqual([1]);
    const human = await runCli([...args, '--dry-run'], { cwd: repo, env });
    expect(human.stdout).toContain('4 findings: 1 would be fixed in 1 PR, 2 not confirmed, 1 with no codemod');
    expect(human.stdout).toMatch(/^not confirmed app\/cli\.py:6 \[ruff T201\] /m);
    expect(human.stdout).toMatch(/^no codemod ruff E501: no codemod handles this rule \(1 finding: app\/jobs\.py:1\)$/m);
  });

  it('--dry-run prints the diff a real apply then pushes, and --output writes the drafts instead', async () => {
    const dry = await runCli([...args, '--dry-run'], { cwd: repo, env });
    const printed = dry.stdout.slice(dry.stdout.indexOf('diff --git'), dry.stdout.indexOf('\n\n0 opened'));
    expect(printed).toContain('+    logger.info("ran %s", n)');
    expect(execFileSync('git', ['branch', '--list', 'shipshape/*'], { cwd: repo, encoding: 'utf8' })).toBe('');
    const out = join(repo, '..', 'drafts');
    const drafts = await runCli([...args, '--dry-run', '--output', out], { cwd: repo, env });
    expect(drafts.stdout).not.toContain('diff --git');
    const files = readdirSync(out).sort();
    expect(files).toEqual([expect.stringMatching(/^shipshape--s1-.*\.md$/), expect.stringMatching(/^shipshape--s1-.*\.patch$/)]);
    const real = await runCli([...args, '--dashboard'], { cwd: repo, env });
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toContain('4 findings: 1 fixed in 1 PR, 2 not confirmed, 1 with no codemod');
    // The PR and the dashboard give the same account.
    const prs = join(repo, '.shipshape', 'prs');
    const draft = readdirSync(prs).find((f) => f.endsWith('.md'))!;
    expect(readFileSync(join(prs, draft), 'utf8')).toContain('closing 1 finding');
    const dashboard = readFileSync(join(repo, '.shipshape', 'dashboard.md'), 'utf8');
    expect(dashboard).toContain('4 findings: 1 in 1 item(s) above, 2 not confirmed, 1 with no codemod.');
    expect(dashboard).toMatch(/^- `app\/cli\.py:6` ruff T201: /m);
    expect(dashboard).toMatch(/^- `app\/jobs\.py:1` ruff E501: no codemod handles this rule$/m);
    const branch = execFileSync('git', ['branch', '--list', 'shipshape/*', '--format=%(refname:short)'], { cwd: repo, encoding: 'utf8' }).trim();
    const pushed = execFileSync('git', ['diff', 'main', branch], { cwd: repo, encoding: 'utf8' });
    expect(`${printed}\n`).toBe(pushed);
    expect(readFileSync(join(out, files[1]!), 'utf8')).toContain(pushed);
    expect((await runCli([...args, '--output', out], { cwd: repo, env })).stderr).toContain('--output goes with --dry-run');
  });
});
