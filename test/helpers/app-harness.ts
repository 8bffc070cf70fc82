import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/app/log.js';
import { startServer, type AppTuning, type RunningApp } from '../../src/app/server.js';
import { startFakeGitHub, type FakeGitHub } from './fake-github.js';
import { startGheFront, type GheFront } from './ghe-front.js';
import { createBareRepo, filesOf, git, startGitHttpServer, type GitHttpServer } from './git-http-server.js';
import { deliver, payload, type Delivery } from './webhooks.js';

export const OWNER = 'acme';
export const REPO = 'pcm-ops';
export const APP_ID = 4242;
export const INSTALLATION_ID = 777;
export const WEBHOOK_SECRET = 'whsec-test-0123456789abcdef';
export const CONFIG = 'plan: SPRINT_PLAN.md\nlabels: [automated]\n';

/** A repository with one sprint item, for tests that run many jobs. */
export const TINY = {
  'app/service.py': 'import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef load(path):\n    print("loading", path)\n    return path\n',
  'SPRINT_PLAN.md': '# Plan\n\n## Phase 1: Cleanup\n\n**Sprint 1.1: Logging Standardization (Day 1)**\n- [ ] Replace print() statements with logging (app/service.py:7)\n- **Rollback**: revert the commit\n',
};

const DEMO = join(import.meta.dirname, '..', '..', 'fixtures', 'repos', 'pcm-ops');

// One key for the whole run: generating RSA keys is slow. PKCS#1, the form GitHub hands out.
const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });
export const PRIVATE_KEY = keys.privateKey;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface HarnessOptions {
  files?: Record<string, string>;
  config?: string;
  tokenLifetimeMs?: number;
  /** Wait before serving each git request (see startGitHttpServer). */
  gitLatencyMs?: number;
  permissions?: Record<string, 'admin' | 'write' | 'read' | 'none'>;
  /** Extra environment (REDIS_URL, queue settings). */
  env?: Record<string, string>;
  tuning?: AppTuning;
  /** Start the App server (default true). */
  server?: boolean;
}

export interface Harness {
  github: FakeGitHub;
  gitServer: GitHttpServer;
  front: GheFront;
  app: RunningApp | null;
  env: Record<string, string>;
  reposDir: string;
  lockDir: string;
  /** Every log line the App wrote. */
  logs: string[];
  webhookUrl: string;
  send(event: string, action: string | undefined, patch?: Record<string, unknown>, extra?: Partial<Delivery>): Promise<{ status: number; id: string; text: string }>;
  branches(): string[];
  comments(): string[];
  close(): Promise<void>;
}

/**
 * The App as users run it, on loopback: its real server (Probot), a fake
 * GitHub REST API checked against GitHub's OpenAPI description (App JWT,
 * installation tokens), a real git remote behind `git http-backend`, both
 * behind one host that the App reaches through GHE_HOST.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const reposDir = mkdtempSync(join(tmpdir(), 'shipshape-app-repos-'));
  const lockDir = mkdtempSync(join(tmpdir(), 'shipshape-app-locks-'));
  const config = options.config ?? CONFIG;
  createBareRepo(reposDir, `${OWNER}/${REPO}.git`, { ...(options.files ?? filesOf(DEMO)), '.github/shipshape.yml': config });
  const github = await startFakeGitHub({
    owner: OWNER,
    repo: REPO,
    defaultBranch: 'main',
    app: { id: APP_ID, publicKey: keys.publicKey, installationId: INSTALLATION_ID, tokenLifetimeMs: options.tokenLifetimeMs },
    permissions: options.permissions ?? { alice: 'write', bob: 'read' },
  });
  github.state.files['.github/shipshape.yml'] = config;
  const gitServer = await startGitHttpServer({ reposDir, token: (token) => github.accepts(token), latencyMs: options.gitLatencyMs });
  const front = await startGheFront({ api: github.serverUrl, git: gitServer.url('') });
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    APP_ID: String(APP_ID),
    PRIVATE_KEY: PRIVATE_KEY,
    WEBHOOK_SECRET,
    GHE_HOST: front.host,
    GHE_PROTOCOL: 'http',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const app =
    options.server === false
      ? null
      : await startServer(env, { plainOctokit: true, lockDir, alertBatchMs: 300, log: createLogger({ destination: sink, secrets: [PRIVATE_KEY, WEBHOOK_SECRET] }), ...options.tuning });
  const webhookUrl = `http://127.0.0.1:${port}/api/github/webhooks`;
  const where = { owner: OWNER, repo: REPO, installationId: INSTALLATION_ID };
  return {
    github,
    gitServer,
    front,
    app,
    env,
    reposDir,
    lockDir,
    logs,
    webhookUrl,
    send: (event, action, patch = {}, extra = {}) => deliver(webhookUrl, WEBHOOK_SECRET, { event, payload: payload(event, action, where, patch), ...extra }),
    branches: () =>
      git(join(reposDir, `${OWNER}/${REPO}.git`), ['for-each-ref', '--format=%(refname:short)', 'refs/heads/shipshape'])
        .trim()
        .split('\n')
        .filter(Boolean),
    comments: () => github.state.comments.map((c) => c.body),
    async close() {
      await app?.close();
      await front.close();
      await github.close();
      await gitServer.close();
      rmSync(reposDir, { recursive: true, force: true });
      rmSync(lockDir, { recursive: true, force: true });
    },
  };
}

/** A comment event by `login` with `body` on issue `issue`. */
export function commentPatch(login: string, body: string, issue: number, commentId = 9001): Record<string, unknown> {
  return { comment: { id: commentId, body, user: { login, type: 'User' } }, issue: { number: issue, pull_request: undefined }, sender: { login, type: 'User' } };
}
