import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { codemods } from '../../codemods/index.js';
import { applyPlan, type ApplyOptions } from '../../src/apply/index.js';
import type { EngineContext } from '../../src/engine/transform.js';
import { createGitHubForge } from '../../src/forge/github/forge.js';
import { planRepository } from '../../src/plan/index.js';
import { runCli } from '../helpers/cli.js';
import { testEngine } from '../helpers/fixtures.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { createBareRepo, filesOf, git, startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import { schemaErrors } from '../helpers/schema.js';

const DEMO = join(import.meta.dirname, '..', '..', 'fixtures', 'repos', 'pcm-ops');
const TOKEN = 'ghs_TestToken0123456789abcdefABCDEF0123';

let engine: EngineContext;
let reposDir: string;
let lockDir: string;
let github: FakeGitHub;
let gitServer: GitHttpServer;
const serverBase = () => gitServer.url('').replace(/\/$/, '');

beforeAll(async () => {
  engine = await testEngine();
});

beforeEach(async () => {
  reposDir = mkdtempSync(join(tmpdir(), 'shipshape-gh-repos-'));
  lockDir = mkdtempSync(join(tmpdir(), 'shipshape-gh-locks-'));
  createBareRepo(reposDir, 'acme/pcm-ops.git', filesOf(DEMO));
  github = await startFakeGitHub({ owner: 'acme', repo: 'pcm-ops', defaultBranch: 'main', token: TOKEN });
  gitServer = await startGitHttpServer({ reposDir, token: TOKEN, protectedBranches: ['shipshape/3.1-configuration-cleanup'] });
});

afterEach(async () => {
  expect(github.violations).toEqual([]);
  await github.close();
  await gitServer.close();
  rmSync(reposDir, { recursive: true, force: true });
  rmSync(lockDir, { recursive: true, force: true });
});

afterAll(() => undefined);

function options(extra: Partial<ApplyOptions> = {}): ApplyOptions {
  const forge = createGitHubForge({ repository: 'acme/pcm-ops', token: TOKEN, apiUrl: github.apiUrl, serverUrl: serverBase(), retry: { sleep: async () => undefined } });
  return {
    forge,
    codemods,
    engine,
    lockDir,
    caps: { openPrs: 10 },
    plan: (dir) => planRepository({ repo: dir, planFile: join(dir, 'SPRINT_PLAN.md'), codemods, engine }),
    ...extra,
  };
}

function remoteBranches(): string[] {
  return git(join(reposDir, 'acme/pcm-ops.git'), ['for-each-ref', '--format=%(refname:short)', 'refs/heads/shipshape']).trim().split('\n').filter(Boolean);
}

describe('apply with the GitHub forge (fake API checked against the OpenAPI description, real git over HTTP)', () => {
  it('through the CLI: opens a labelled PR per item, pushes real branches, and a re-run changes nothing; the token leaks nowhere', async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.apiUrl, GITHUB_SERVER_URL: serverBase() };
    const cwd = mkdtempSync(join(tmpdir(), 'shipshape-gh-cwd-'));
    try {
      const first = await runCli(['apply', '--forge', 'github', '--repo', 'acme/pcm-ops', '--plan', join(DEMO, 'SPRINT_PLAN.md'), '--max-open', '10', '--json'], { cwd, env });
      expect(first.stderr).toBe('');
      expect(first.code).toBe(3); // 3.1's branch is protected on this server: that item fails, the rest go through
      const result = JSON.parse(first.stdout) as { items: { key: string; action: string; reason?: string }[] };
      expect(schemaErrors('apply.schema.json', result)).toBe('');
      expect(result.items.map((i) => `${i.key}:${i.action}`)).toEqual(['1.1:created', '1.2:created', '1.4:created', '2.3:created', '3.1:failed']);
      expect(result.items[4]!.reason).toMatch(/rejected.*protected branch hook declined/);
      expect(github.state.prs.map((p) => p.head)).toEqual([
        'shipshape/1.1-immediate-security',
        'shipshape/1.2-xss-prevention',
        'shipshape/1.4-logging-standardization',
        'shipshape/2.3-pydantic-v2-migration',
      ]);
      expect(github.state.prs[0]!.labels.sort()).toEqual(['security', 'shipshape']);
      expect(github.state.prs[2]!.labels).toEqual(['shipshape']);
      expect(github.state.prs[0]!.body).toContain('shipshape:metadata');
      expect(remoteBranches()).toHaveLength(4);
      expect(gitServer.requests.every((r) => r.authorized)).toBe(true);

      const second = await runCli(['apply', '--forge', 'github', '--repo', 'acme/pcm-ops', '--plan', join(DEMO, 'SPRINT_PLAN.md'), '--max-open', '10', '--item', '1.1', '--item', '1.2', '--json'], { cwd, env });
      expect(JSON.parse(second.stdout).items.map((i: { action: string }) => i.action)).toEqual(['unchanged', 'unchanged']);
      expect(github.state.prs).toHaveLength(4);
      for (const text of [first.stdout, first.stderr, second.stdout, second.stderr, JSON.stringify(github.state)]) expect(text).not.toContain(TOKEN);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('retries a 5xx and a rate limit on PR creation, then succeeds once', async () => {
    github.failNext('POST', '/repos/{owner}/{repo}/pulls', 502);
    github.failNext('POST', '/repos/{owner}/{repo}/pulls', 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 5) }, { message: 'API rate limit exceeded' });
    const result = await applyPlan(options({ items: ['1.4'] }));
    expect(result.items.map((i) => i.action)).toEqual(['created']);
    expect(github.state.prs).toHaveLength(1);
  });

  it('a crash between push and PR creation: the re-run opens the PR once, nothing lost', async () => {
    for (let i = 0; i < 4; i++) github.failNext('POST', '/repos/{owner}/{repo}/pulls', 500);
    const first = await applyPlan(options({ items: ['1.4'] }));
    expect(first.items[0]).toMatchObject({ action: 'failed' });
    expect(remoteBranches()).toEqual(['shipshape/1.4-logging-standardization']);
    expect(github.state.prs).toHaveLength(0);
    const second = await applyPlan(options({ items: ['1.4'] }));
    expect(second.items[0]).toMatchObject({ action: 'created' });
    expect(github.state.prs).toHaveLength(1);
  });

  it('a 404 for the repository is one clear line', async () => {
    const forge = createGitHubForge({ repository: 'acme/missing', token: TOKEN, apiUrl: github.apiUrl, serverUrl: serverBase(), retry: { sleep: async () => undefined } });
    await expect(applyPlan(options({ forge }))).rejects.toThrow(/acme\/missing.*not found/);
  });

  it('an existing PR is updated in place when the base moves', async () => {
    await applyPlan(options({ items: ['1.4'] }));
    const work = mkdtempSync(join(tmpdir(), 'shipshape-gh-work-'));
    try {
      git(work, ['clone', '-q', join(reposDir, 'acme/pcm-ops.git'), 'c']);
      git(join(work, 'c'), ['commit', '-q', '--allow-empty', '-m', 'base moves']);
      git(join(work, 'c'), ['push', '-q', 'origin', 'HEAD:main']);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const again = await applyPlan(options({ items: ['1.4'] }));
    expect(again.items.map((i) => i.action)).toEqual(['updated']);
    expect(github.state.prs).toHaveLength(1);
  });
});
