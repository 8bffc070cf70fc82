import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createForge } from '../../src/forge/registry.js';
import { ForgeError } from '../../src/forge/types.js';
import { withWorkspace } from '../../src/workspace/index.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { createBareRepo, git, startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';

// Shaped like installation tokens; only `current` is accepted by the servers at any moment.
const FIRST = 'ghs_FirstInstallationToken0123456789abcd';
const SECOND = 'ghs_SecondInstallationToken0123456789abc';

let current = FIRST;
let asked = 0;
let github: FakeGitHub;
let gitServer: GitHttpServer;
let reposDir: string;
let lockDir: string;

beforeEach(async () => {
  current = FIRST;
  asked = 0;
  reposDir = mkdtempSync(join(tmpdir(), 'shipshape-token-repos-'));
  lockDir = mkdtempSync(join(tmpdir(), 'shipshape-token-locks-'));
  createBareRepo(reposDir, 'acme/app.git', { 'README.md': 'hello\n' });
  github = await startFakeGitHub({ owner: 'acme', repo: 'app', defaultBranch: 'main', token: (t) => t === current });
  gitServer = await startGitHttpServer({ reposDir, token: (t) => t === current });
});

afterEach(async () => {
  expect(github.violations).toEqual([]);
  await github.close();
  await gitServer.close();
  rmSync(reposDir, { recursive: true, force: true });
  rmSync(lockDir, { recursive: true, force: true });
});

/** Like an App's installation-token cache: hands out the token that is valid now. */
async function provider(): Promise<string> {
  asked += 1;
  return current;
}

function forge() {
  return createForge({ forge: 'github', repository: 'acme/app', token: provider, apiUrl: github.apiUrl, serverUrl: gitServer.url('').replace(/\/$/, '') });
}

describe('the GitHub forge with a token provider', () => {
  it('asks for the token before each API call, so a token that expires between calls is replaced', async () => {
    const gh = forge();
    expect(await gh.defaultBranch()).toBe('main');
    current = SECOND; // the first token expired; the provider now returns a fresh one
    expect(await gh.defaultBranch()).toBe('main');
    expect(asked).toBe(2);
  });

  it('asks again before each git network command: a push after the token rotated goes through', async () => {
    const gh = forge();
    await withWorkspace({ remote: gh.remote(), base: 'main', bot: { name: 'shipshape[bot]', email: 'bot@example.com' }, lockDir }, async (ws) => {
      await ws.startBranch('shipshape/token-test');
      writeFileSync(join(ws.dir, 'README.md'), 'hello again\n');
      await ws.commitAll('change');
      current = SECOND;
      await ws.push('shipshape/token-test', null);
    });
    expect(git(join(reposDir, 'acme/app.git'), ['rev-parse', '--verify', 'refs/heads/shipshape/token-test']).trim()).toMatch(/^[0-9a-f]{40}$/);
    const pushes = gitServer.requests.filter((r) => r.path.endsWith('git-receive-pack'));
    expect(pushes.length).toBeGreaterThan(0);
    expect(pushes.every((r) => r.authorized)).toBe(true);
  });

  it('a provider that fails is one clear ForgeError without the token', async () => {
    const gh = createForge({
      forge: 'github',
      repository: 'acme/app',
      apiUrl: github.apiUrl,
      token: async () => {
        throw new Error(`installation suspended (last token ${FIRST})`);
      },
    });
    const error = await gh.defaultBranch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect((error as ForgeError).message).toMatch(/could not get a GitHub token for acme\/app: installation suspended/);
    expect((error as ForgeError).message).not.toContain(FIRST);
  });
});
