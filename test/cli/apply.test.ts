import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
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
