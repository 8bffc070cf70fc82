import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitAuthEnv, openWorkspace, scrubSecrets, withWorkspace, WorkspaceError, type WorkspaceOptions } from '../../src/workspace/index.js';
import { createBareRepo, git, startGitHttpServer, testGitEnv, type GitHttpServer } from '../helpers/git-http-server.js';

const BOT = { name: 'shipshape[bot]', email: 'bot@shipshape.test' };
const FILES = { 'app.py': 'print("hi")\n', 'README.md': '# demo\n', 'lib/util.py': 'x = 1\n' };

let root: string;
let reposDir: string;
let server: GitHttpServer;
const token = `ghs_${randomBytes(16).toString('hex')}`;
const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
let repoCounter = 0;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'shipshape-wstest-'));
  reposDir = join(root, 'repos');
  mkdirSync(reposDir);
  server = await startGitHttpServer({ reposDir, token, protectedBranches: ['release'] });
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

interface Remote {
  name: string;
  /** A fresh bare repository with FILES on main; the remote options and the bare path. */
  create(): { options: WorkspaceOptions; bare: string; initial: string };
}

function newRepo(): { name: string; bare: string; initial: string } {
  const name = `repo${++repoCounter}.git`;
  const initial = createBareRepo(reposDir, name, FILES);
  return { name, bare: join(reposDir, name), initial };
}

function options(url: string, env: Record<string, string>): WorkspaceOptions {
  return { remote: { url, env }, base: 'main', bot: BOT, lockDir: join(root, 'locks') };
}

const remotes: Remote[] = [
  {
    name: 'over HTTP with a token',
    create() {
      const repo = newRepo();
      return { options: options(server.url(repo.name), gitAuthEnv(token)), bare: repo.bare, initial: repo.initial };
    },
  },
  {
    name: 'at a local path',
    create() {
      const repo = newRepo();
      return { options: options(repo.bare, {}), bare: repo.bare, initial: repo.initial };
    },
  },
];

function remoteSha(bare: string, branch: string): string | null {
  const line = git(bare, ['ls-remote', bare, `refs/heads/${branch}`]).trim();
  return line === '' ? null : (line.split('\t')[0] ?? null);
}

/** A human's clone of the bare repository, outside any workspace. */
function humanClone(bare: string): string {
  const dir = mkdtempSync(join(root, 'human-'));
  git(root, ['clone', '--quiet', bare, dir]);
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<WorkspaceError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WorkspaceError);
  return error as WorkspaceError;
}

describe.each(remotes)('workspace on a remote $name', (remote) => {
  it('clones the base shallowly into a temp dir, commits as the bot and pushes a new branch', async () => {
    const { options: opts, bare, initial } = remote.create();
    let dir = '';
    await withWorkspace(opts, async (ws) => {
      dir = ws.dir;
      expect(ws.dir.startsWith(tmpdir())).toBe(true);
      expect(ws.baseSha).toBe(initial);
      expect(git(ws.dir, ['rev-parse', '--is-shallow-repository']).trim()).toBe('true');
      expect(git(ws.dir, ['rev-parse', '--abbrev-ref', 'HEAD']).trim()).toBe('main');

      await ws.startBranch('shipshape/1.1-logging');
      writeFileSync(join(ws.dir, 'app.py'), 'import logging\nlogging.info("hi")\n');
      writeFileSync(join(ws.dir, 'lib', 'new.py'), 'y = 2\n');
      const commit = await ws.commitAll('Sprint 1.1: print to logging\n\n#12 fixed by python/print-to-logging');
      expect(commit).toMatch(/^[0-9a-f]{40}$/);
      expect(await ws.commitAll('nothing to say')).toBeNull();

      const who = git(ws.dir, ['log', '-1', '--format=%an|%ae|%cn|%ce|%B']);
      expect(who).toContain(`${BOT.name}|${BOT.email}|${BOT.name}|${BOT.email}|`);
      // '#' lines are part of the message, not comments to strip.
      expect(who).toContain('#12 fixed by python/print-to-logging');

      expect(await ws.diffStat()).toEqual([
        { path: 'app.py', added: 2, removed: 1 },
        { path: 'lib/new.py', added: 1, removed: 0 },
      ]);
      const patch = await ws.patch();
      expect(patch).toContain('Subject: [PATCH] Sprint 1.1: print to logging');
      expect(patch).toContain('-print("hi")\n+import logging\n+logging.info("hi")\n');
      expect(patch).toContain(`From: "${BOT.name}" <${BOT.email}>`);

      expect(await ws.sameTree(commit ?? '')).toBe(true);
      expect(await ws.sameTree(ws.baseSha)).toBe(false);

      expect(remoteSha(bare, 'shipshape/1.1-logging')).toBeNull();
      await ws.push('shipshape/1.1-logging', null);
      expect(remoteSha(bare, 'shipshape/1.1-logging')).toBe(commit);
    });
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
  });

  it('rejects a push whose lease is stale', async () => {
    const { options: opts, bare } = remote.create();
    await withWorkspace(opts, async (ws) => {
      await ws.startBranch('shipshape/2.1-x');
      writeFileSync(join(ws.dir, 'README.md'), '# changed\n');
      const first = await ws.commitAll('first');
      await ws.push('shipshape/2.1-x', null);
      // Pushing what is already there changes nothing and is fine.
      await ws.push('shipshape/2.1-x', null);

      // null means "must not exist yet": it exists now.
      writeFileSync(join(ws.dir, 'README.md'), '# changed twice\n');
      await ws.commitAll('another');
      const exists = await rejection(ws.push('shipshape/2.1-x', null));
      expect(exists.kind).toBe('push-rejected');
      expect(exists.message).toMatch(/push of shipshape\/2\.1-x was rejected: .*stale info/);

      // Someone moves the branch after we looked at it.
      const human = humanClone(bare);
      git(human, ['checkout', '--quiet', 'shipshape/2.1-x']);
      writeFileSync(join(human, 'human.txt'), 'mine\n');
      git(human, ['add', '--all']);
      git(human, ['commit', '--quiet', '-m', 'human work']);
      git(human, ['push', '--quiet', 'origin', 'shipshape/2.1-x']);
      const humanSha = git(human, ['rev-parse', 'HEAD']).trim();

      writeFileSync(join(ws.dir, 'README.md'), '# changed again\n');
      await ws.commitAll('second');
      const stale = await rejection(ws.push('shipshape/2.1-x', first));
      expect(stale.kind).toBe('push-rejected');
      expect(stale.message).toContain('stale info');
      expect(stale.message).not.toContain('\n');
      expect(remoteSha(bare, 'shipshape/2.1-x')).toBe(humanSha);

      // With the right lease the force-push goes through.
      await ws.push('shipshape/2.1-x', humanSha);
      expect(remoteSha(bare, 'shipshape/2.1-x')).toBe(git(ws.dir, ['rev-parse', 'HEAD']).trim());
    });
  });

  it('sees commits by others on a remote branch as foreign, and only those', async () => {
    const { options: opts, bare } = remote.create();
    await withWorkspace(opts, async (ws) => {
      expect(await ws.remoteBranch('shipshape/3.1-none')).toBeNull();
      // The base itself: nothing after the base.
      expect(await ws.remoteBranch('main')).toEqual({ sha: ws.baseSha, foreignCommits: [] });

      await ws.startBranch('shipshape/3.1-y');
      writeFileSync(join(ws.dir, 'app.py'), 'pass\n');
      const botCommit = await ws.commitAll('bot change');
      await ws.push('shipshape/3.1-y', null);
      expect(await ws.remoteBranch('shipshape/3.1-y')).toEqual({ sha: botCommit, foreignCommits: [] });
    });

    // The base moves on (a human commit on main) and a human commits on the bot's branch.
    const human = humanClone(bare);
    writeFileSync(join(human, 'main.txt'), 'main moves\n');
    git(human, ['add', '--all']);
    git(human, ['commit', '--quiet', '-m', 'main moves on']);
    git(human, ['push', '--quiet', 'origin', 'main']);
    // A branch whose only commit is now on the base (merged by fast-forward).
    git(human, ['push', '--quiet', 'origin', 'HEAD~1:refs/heads/shipshape/3.2-merged']);
    git(human, ['checkout', '--quiet', 'shipshape/3.1-y']);
    writeFileSync(join(human, 'fix.txt'), 'a fix\n');
    git(human, ['add', '--all']);
    git(human, ['commit', '--quiet', '-m', 'human fix'], testGitEnv('Ann', 'ann@example.com'));
    git(human, ['push', '--quiet', 'origin', 'shipshape/3.1-y']);
    const humanSha = git(human, ['rev-parse', 'HEAD']).trim();

    await withWorkspace(opts, async (ws) => {
      const branch = await ws.remoteBranch('shipshape/3.1-y');
      // The base's own history (the initial commit and "main moves on", both by humans) is not the branch's work.
      expect(branch).toEqual({ sha: humanSha, foreignCommits: [`${humanSha} ann@example.com`] });
      expect(git(ws.dir, ['rev-parse', 'refs/remotes/origin/shipshape/3.1-y']).trim()).toBe(humanSha);
      expect(await ws.sameTree(humanSha)).toBe(false);

      const merged = await ws.remoteBranch('shipshape/3.2-merged');
      expect(merged).toEqual({ sha: git(human, ['rev-parse', 'main~1']).trim(), foreignCommits: [] });
    });
  });

  it('resets a branch to the base with a clean work tree', async () => {
    const { options: opts } = remote.create();
    await withWorkspace(opts, async (ws) => {
      await ws.startBranch('shipshape/4.1-z');
      writeFileSync(join(ws.dir, 'app.py'), 'changed\n');
      await ws.commitAll('change');
      writeFileSync(join(ws.dir, '.gitignore'), 'ignored.log\n');
      writeFileSync(join(ws.dir, 'ignored.log'), 'left over\n');
      writeFileSync(join(ws.dir, 'untracked.txt'), 'left over\n');
      writeFileSync(join(ws.dir, 'README.md'), 'dirty\n');

      await ws.startBranch('shipshape/4.1-z');
      expect(git(ws.dir, ['rev-parse', 'HEAD']).trim()).toBe(ws.baseSha);
      expect(git(ws.dir, ['status', '--porcelain', '--ignored'])).toBe('');
      expect(readFileSync(join(ws.dir, 'app.py'), 'utf8')).toBe(FILES['app.py']);
      expect(await ws.diffStat()).toEqual([]);
      expect(await ws.patch()).toBe('');
    });
  });

  it('removes the temp dir and releases the lock when the callback throws', async () => {
    const { options: opts } = remote.create();
    let dir = '';
    const listeners = process.listenerCount('SIGINT');
    await expect(
      withWorkspace(opts, async (ws) => {
        dir = ws.dir;
        // A Ctrl-C handler is installed only while a workspace is open.
        expect(process.listenerCount('SIGINT')).toBe(listeners + 1);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
    expect(readdirSync(join(root, 'locks')).filter((name) => name.endsWith('.lock'))).toEqual([]);
    // The lock is free: a second run gets it at once.
    await withWorkspace({ ...opts, lockTimeoutMs: 500 }, async (ws) => expect(existsSync(ws.dir)).toBe(true));
  });

  it('refuses names git could read as options or ranges', async () => {
    const { options: opts } = remote.create();
    await expect(openWorkspace({ ...opts, base: '--upload-pack=touch' })).rejects.toThrow(WorkspaceError);
    await withWorkspace(opts, async (ws) => {
      for (const name of ['-f', 'a..b', 'x y', 'a/.hidden', 'refs/heads/x:y', 'x.lock', '']) {
        await expect(ws.startBranch(name)).rejects.toThrow(/invalid branch name/);
        await expect(ws.push(name, null)).rejects.toThrow(/invalid branch name/);
      }
      await expect(ws.push('ok', 'HEAD~1')).rejects.toThrow(/invalid expected commit/);
    });
  });
});

describe('workspace on a GitHub-like server', () => {
  it('reports a push to a protected branch with the hook reason', async () => {
    const name = `repo${++repoCounter}.git`;
    const initial = createBareRepo(reposDir, name, FILES, 'release');
    const opts = { ...options(server.url(name), gitAuthEnv(token)), base: 'release' };
    await withWorkspace(opts, async (ws) => {
      await ws.startBranch('release');
      writeFileSync(join(ws.dir, 'app.py'), 'pass\n');
      await ws.commitAll('direct to release');
      const error = await rejection(ws.push('release', ws.baseSha));
      expect(error.kind).toBe('push-rejected');
      expect(error.message).toContain('pre-receive hook declined');
      expect(error.message).toContain('GH006: Protected branch update failed for refs/heads/release');
      expect(error.message).not.toContain('\n');
      // Other branches are not protected.
      await ws.push('shipshape/6.1-ok', null);
    });
    expect(remoteSha(join(reposDir, name), 'release')).toBe(initial);
  });

  it('keeps the token out of .git, URLs and the clone config, and sends it on every request', async () => {
    const repo = newRepo();
    const before = server.requests.length;
    await withWorkspace(options(server.url(repo.name), gitAuthEnv(token)), async (ws) => {
      await ws.startBranch('shipshape/5.1-secret');
      writeFileSync(join(ws.dir, 'app.py'), 'pass\n');
      await ws.commitAll('change');
      await ws.push('shipshape/5.1-secret', null);
      await ws.remoteBranch('shipshape/5.1-secret');

      const config = readFileSync(join(ws.dir, '.git', 'config'), 'utf8');
      expect(config).toContain(`url = ${server.url(repo.name)}`);
      expect(config).not.toMatch(/extraheader|authorization/i);
      for (const file of filesUnder(join(ws.dir, '.git'))) {
        const bytes = readFileSync(file);
        expect(bytes.includes(token), file).toBe(false);
        expect(bytes.includes(basic), file).toBe(false);
      }
      // The clone's own config, read by a plain git (no extra env), carries no credentials either.
      expect(git(ws.dir, ['config', '--list'])).not.toMatch(/authorization|extraheader/i);
    });
    const ours = server.requests.slice(before);
    expect(ours.length).toBeGreaterThan(3);
    expect(ours.every((request) => request.authorized)).toBe(true);
    expect(ours.some((request) => request.path.endsWith('/git-receive-pack'))).toBe(true);
  });

  it('fails to clone with a wrong token, with a scrubbed message and no temp dir left', async () => {
    const repo = newRepo();
    const wrong = `ghs_${randomBytes(16).toString('hex')}`;
    const wrongBasic = Buffer.from(`x-access-token:${wrong}`).toString('base64');
    const privateTmp = mkdtempSync(join(root, 'tmp-'));
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    const before = server.requests.length;
    try {
      const error = await rejection(openWorkspace(options(server.url(repo.name), gitAuthEnv(wrong))));
      expect(error.kind).toBe('clone');
      expect(error.message).toBe('cloning main failed: authentication failed: the remote refused the credentials (or none were given)');
      expect(error.message).not.toContain('\n');
      expect(error.message).not.toContain(wrong);
      expect(error.message).not.toContain(wrongBasic);
      expect(String(error.stack)).not.toContain(wrong);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
    expect(server.requests.slice(before).some((request) => !request.authorized)).toBe(true);
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  it('scrubs remote environment values that git itself prints', async () => {
    const repo = newRepo();
    const env = {
      ...gitAuthEnv(token),
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_1: 'http.postBuffer',
      // git echoes an invalid value in its complaint: the scrubber has to catch it.
      GIT_CONFIG_VALUE_1: `not-a-number-${token}`,
    };
    const error = await rejection(openWorkspace(options(server.url(repo.name), env)));
    expect(error.message).toMatch(/bad numeric config value '\*\*\*' for 'http\.postbuffer'/);
    expect(error.message).not.toContain(token);
  });

  it('refuses a URL with credentials in it without echoing them', async () => {
    const url = server.url('x.git').replace('http://', `http://x-access-token:${token}@`);
    const error = await rejection(openWorkspace(options(url, {})));
    expect(error.kind).toBe('clone');
    expect(error.message).not.toContain(token);
  });
});

describe('scrubSecrets', () => {
  const env = gitAuthEnv('s3cr3t-token');
  const header = env.GIT_CONFIG_VALUE_0 ?? '';
  const encoded = header.replace('Authorization: Basic ', '');
  it.each([
    ['the header value', `fatal: bad header ${header}`],
    ['the base64 credential alone', `trace: ${encoded} sent`],
    ['the decoded token', 'token s3cr3t-token leaked'],
    ['a header from elsewhere', 'Authorization: Bearer other-token-123'],
    ['user-info in a URL', "fatal: unable to access 'https://user:pw-123@github.com/o/r.git/'"],
  ])('replaces %s', (_name, text) => {
    const scrubbed = scrubSecrets(text, env);
    expect(scrubbed).toContain('***');
    for (const secret of ['s3cr3t-token', encoded, 'other-token-123', 'pw-123']) expect(scrubbed).not.toContain(secret);
  });

  it('leaves config key names alone', () => {
    expect(scrubSecrets('GIT_CONFIG_COUNT=1 http.extraHeader', env)).toBe('GIT_CONFIG_COUNT=1 http.extraHeader');
  });
});

function filesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...filesUnder(path));
    else files.push(path);
  }
  return files;
}
