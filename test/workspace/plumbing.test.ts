import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { gitAuthEnv, withWorkspace, WorkspaceError, type WorkspaceOptions } from '../../src/workspace/index.js';
import { GitPipe, readLine, readObject } from '../../src/workspace/objects.js';
import { git, startGitHttpServer, testGitEnv, type GitHttpServer } from '../helpers/git-http-server.js';

const BOT = { name: 'shipshape[bot]', email: 'bot@shipshape.test' };
const BOM = '\uFEFF';

/** Files of the base commit: line endings, a BOM, an executable, a symlink, names git has to quote, attributes that convert. */
const BASE: Record<string, string | Buffer> = {
  'app.py': 'print("hi")\n',
  'crlf.py': 'a = 1\r\nb = 2\r\n',
  'bom.py': `${BOM}x = 1\n`,
  'run.sh': '#!/bin/sh\necho run\n',
  'pkg/deep/mod.py': 'y = 2\n',
  'pkg/other.py': 'z = 3\n',
  'caf\u00e9/n\u00e4me.py': 'w = 4\n',
  '"quoted".py': 'q = 5\n',
  'back\\slash.py': 'b = 6\n',
  'notes.txt': 'one\ntwo\n',
  '.gitattributes': 'notes.txt text eol=crlf\n',
  'blob.bin': Buffer.from([0, 1, 2, 3, 255]),
};

let root: string;
let reposDir: string;
let server: GitHttpServer;
let counter = 0;
const token = `ghs_${randomBytes(16).toString('hex')}`;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'shipshape-plumbing-'));
  reposDir = join(root, 'repos');
  mkdirSync(reposDir);
  server = await startGitHttpServer({ reposDir, token, protectedBranches: ['shipshape/guarded'] });
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** A bare repository holding BASE (plus `run.sh` executable and `link` a symlink) on main; its URL over HTTP or as a path. */
function newRemote(http: boolean): { options: WorkspaceOptions; bare: string; base: string } {
  const name = `plumb${++counter}.git`;
  const bare = join(reposDir, name);
  git(root, ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  const work = mkdtempSync(join(root, 'seed-'));
  git(work, ['init', '--quiet', '--initial-branch=main']);
  writeTree(work, BASE);
  chmodSync(join(work, 'run.sh'), 0o755);
  symlinkSync('app.py', join(work, 'link'));
  git(work, ['add', '--all']);
  git(work, ['commit', '--quiet', '-m', 'initial']);
  git(work, ['push', '--quiet', bare, 'HEAD:refs/heads/main']);
  const base = git(work, ['rev-parse', 'HEAD']).trim();
  const options: WorkspaceOptions = http
    ? { remote: { url: server.url(name), env: gitAuthEnv(token) }, base: 'main', bot: BOT, lockDir: join(root, 'locks') }
    : { remote: { url: bare, env: {} }, base: 'main', bot: BOT, lockDir: join(root, 'locks') };
  return { options, bare, base };
}

/** What a person gets by checking the base out, writing `files` and committing with `git add --all`: the tree to match. */
function treeByHand(bare: string, files: Record<string, string | Buffer>): string {
  const work = mkdtempSync(join(root, 'hand-'));
  git(root, ['clone', '--quiet', bare, work]);
  writeTree(work, files);
  git(work, ['add', '--all']);
  return git(work, ['write-tree']).trim();
}

function lsTree(bare: string, rev: string): string {
  return git(bare, ['ls-tree', '-r', '-z', rev]);
}

describe.each([
  ['over HTTP with a token', true],
  ['at a local path', false],
])('commit chains and batched pushes %s', (_name, http) => {
  it('builds commits with the exact tree `git add` would make, pushes them, and leaves HEAD, index and files as they were', async () => {
    const { options, bare, base } = newRemote(http);
    const first: Record<string, string | Buffer> = {
      'app.py': 'import logging\nlogging.info("hi")\n',
      'crlf.py': 'a = 10\r\nb = 2\r\n',
      'bom.py': `${BOM}x = 10\n`,
      'run.sh': '#!/bin/sh\necho changed\n',
      'pkg/deep/mod.py': 'y = 20\n',
      'caf\u00e9/n\u00e4me.py': 'w = 40\n',
      '"quoted".py': 'q = 50\n',
      'back\\slash.py': 'b = 60\n',
      // Written with CRLF as the checkout has it; the attribute stores it with LF.
      'notes.txt': 'one\r\ntwo\r\nthree\r\n',
    };
    const second: Record<string, string | Buffer> = { 'pkg/deep/mod.py': 'y = 200\n', 'pkg/other.py': 'z = 30\n' };
    let tips: string[] = [];
    await withWorkspace(options, async (ws) => {
      expect(ws.baseSha).toBe(base);
      expect(readFileSync(join(ws.dir, 'notes.txt'), 'utf8')).toBe('one\r\ntwo\r\n');
      // The base commit's files, as git lists them in the clone.
      const listed = git(ws.dir, ['-c', 'core.quotepath=off', 'ls-files', '-z']).split('\0').filter(Boolean).sort();
      expect(await ws.files()).toEqual(listed);
      expect(listed).toEqual(expect.arrayContaining(['link', 'run.sh', 'caf\u00e9/n\u00e4me.py', '"quoted".py', 'pkg/deep/mod.py']));
      const touched = [...new Set([...Object.keys(first), ...Object.keys(second)])];
      const chain = await ws.chain(touched);
      expect(chain.tip).toBe(base);

      writeTree(ws.dir, first);
      const one = await chain.commit('Sprint 1.1: first\n\n#12 keeps its hash line   \n\n\n', Object.keys(first));
      expect(one).toMatch(/^[0-9a-f]{40}$/);
      writeTree(ws.dir, second);
      const two = await chain.commit('second', Object.keys(second));
      expect(chain.tip).toBe(two);
      // The same content again: no commit.
      expect(await chain.commit('nothing new', Object.keys(second))).toBeNull();
      await chain.restore();

      // The clone itself never moved: same HEAD, clean index and work tree, files byte for byte as checked out.
      expect(git(ws.dir, ['rev-parse', 'HEAD']).trim()).toBe(base);
      expect(git(ws.dir, ['status', '--porcelain', '--ignored'])).toBe('');
      expect(readFileSync(join(ws.dir, 'crlf.py'), 'utf8')).toBe(BASE['crlf.py']);
      expect(readFileSync(join(ws.dir, 'bom.py'), 'utf8')).toBe(BASE['bom.py']);
      expect(statSync(join(ws.dir, 'run.sh')).mode & 0o777).toBe(0o755);

      expect(await ws.treeOf(two!)).toBe(chain.tree);
      expect(await ws.diffStats([one!, two!, base])).toEqual([
        [
          { path: '"quoted".py', added: 1, removed: 1 },
          { path: 'app.py', added: 2, removed: 1 },
          { path: 'back\\slash.py', added: 1, removed: 1 },
          { path: 'bom.py', added: 1, removed: 1 },
          { path: 'caf\u00e9/n\u00e4me.py', added: 1, removed: 1 },
          { path: 'crlf.py', added: 1, removed: 1 },
          { path: 'notes.txt', added: 1, removed: 0 },
          { path: 'pkg/deep/mod.py', added: 1, removed: 1 },
          { path: 'run.sh', added: 1, removed: 1 },
        ],
        expect.arrayContaining([{ path: 'pkg/other.py', added: 1, removed: 1 }]),
        [],
      ]);
      const patch = await ws.patch(two!);
      expect(patch).toContain('Subject: [PATCH 1/2] Sprint 1.1: first');
      expect(patch).toContain('Subject: [PATCH 2/2] second');

      const pushed = await ws.pushCommits([
        { branch: 'shipshape/1.1-one', commit: one!, expected: null },
        { branch: 'shipshape/1.1-two', commit: two!, expected: null },
      ]);
      expect([...pushed]).toEqual([
        ['shipshape/1.1-one', null],
        ['shipshape/1.1-two', null],
      ]);
      tips = [one!, two!];
    });

    const [one, two] = tips;
    expect(git(bare, ['rev-parse', 'shipshape/1.1-one', 'shipshape/1.1-two']).trim().split('\n')).toEqual([one, two]);
    // Exactly the trees a person committing with git would have made.
    expect(git(bare, ['rev-parse', `${one}^{tree}`]).trim()).toBe(treeByHand(bare, first));
    expect(git(bare, ['rev-parse', `${two}^{tree}`]).trim()).toBe(treeByHand(bare, { ...first, ...second }));
    const entries = lsTree(bare, two!).split('\0').filter(Boolean);
    expect(entries).toContain(`100755 blob ${git(bare, ['rev-parse', `${two}:run.sh`]).trim()}\trun.sh`);
    expect(entries).toContain(`120000 blob ${git(bare, ['rev-parse', `${base}:link`]).trim()}\tlink`);
    expect(entries).toContain(`100644 blob ${git(bare, ['rev-parse', `${base}:blob.bin`]).trim()}\tblob.bin`);
    expect(git(bare, ['cat-file', 'blob', `${two}:crlf.py`])).toBe('a = 10\r\nb = 2\r\n');
    expect(git(bare, ['cat-file', 'blob', `${two}:bom.py`])).toBe(`${BOM}x = 10\n`);
    expect(git(bare, ['cat-file', 'blob', `${two}:notes.txt`])).toBe('one\ntwo\nthree\n');
    // Untouched directories keep their tree objects.
    expect(git(bare, ['rev-parse', `${two}:blob.bin`]).trim()).toBe(git(bare, ['rev-parse', `${base}:blob.bin`]).trim());
    // Authored and committed by the bot, message cleaned as `git commit --cleanup=whitespace` does, one parent each.
    expect(git(bare, ['log', '--format=%an|%ae|%cn|%ce|%P', `${base}..${two}`]).trim().split('\n')).toEqual([
      `${BOT.name}|${BOT.email}|${BOT.name}|${BOT.email}|${one}`,
      `${BOT.name}|${BOT.email}|${BOT.name}|${BOT.email}|${base}`,
    ]);
    expect(git(bare, ['log', '-1', '--format=%B', one!])).toBe('Sprint 1.1: first\n\n#12 keeps its hash line\n\n');
    expect(git(bare, ['fsck', '--strict', '--no-dangling'])).toBe('');
  });

  it('pushes many branches at once, each under its own lease; a refused one does not hold back the others', async () => {
    const { options, bare } = newRemote(http);
    const human = mkdtempSync(join(root, 'human-'));
    await withWorkspace(options, async (ws) => {
      const commits: string[] = [];
      for (const file of ['app.py', 'pkg/other.py', 'crlf.py']) {
        const chain = await ws.chain([file]);
        writeFileSync(join(ws.dir, file), `# ${file}\n`);
        commits.push((await chain.commit(`change ${file}`, [file]))!);
        await chain.restore();
      }
      const [a, b, c] = commits as [string, string, string];
      await ws.pushCommits([{ branch: 'shipshape/a', commit: a, expected: null }]);

      // Someone moves shipshape/a after we looked; shipshape/guarded is protected by a hook (HTTP only).
      git(root, ['clone', '--quiet', '--branch', 'shipshape/a', bare, human]);
      writeFileSync(join(human, 'human.txt'), 'mine\n');
      git(human, ['add', '--all']);
      git(human, ['commit', '--quiet', '-m', 'human'], testGitEnv('Ann', 'ann@example.com'));
      git(human, ['push', '--quiet', 'origin', 'shipshape/a']);
      const humanTip = git(human, ['rev-parse', 'HEAD']).trim();

      const results = await ws.pushCommits([
        { branch: 'shipshape/a', commit: b, expected: a },
        { branch: 'shipshape/guarded', commit: b, expected: null },
        { branch: 'shipshape/c', commit: c, expected: null },
      ]);
      expect(results.get('shipshape/a')).toBeInstanceOf(WorkspaceError);
      expect(results.get('shipshape/a')!.message).toMatch(/push of shipshape\/a was rejected: .*stale info/);
      expect(results.get('shipshape/c')).toBeNull();
      expect(git(bare, ['rev-parse', 'shipshape/a']).trim()).toBe(humanTip);
      expect(git(bare, ['rev-parse', 'shipshape/c']).trim()).toBe(c);
      if (http) {
        expect(results.get('shipshape/guarded')!.message).toContain('protected branch hook declined');
        expect(git(bare, ['for-each-ref', 'refs/heads/shipshape/guarded'])).toBe('');
      } else {
        expect(results.get('shipshape/guarded')).toBeNull();
      }

      // The branch states, asked together, are the ones asked one by one.
      const asked = ['shipshape/a', 'shipshape/c', 'shipshape/none', 'main'];
      const together = await ws.remoteBranches(asked);
      for (const branch of asked) expect(together.get(branch), branch).toEqual(await ws.remoteBranch(branch));
      expect(together.get('shipshape/a')).toEqual({ sha: humanTip, foreignCommits: [`${humanTip} ann@example.com`] });
      expect(together.get('shipshape/c')).toEqual({ sha: c, foreignCommits: [] });
      expect(together.get('shipshape/none')).toBeNull();
    });
  });
});

describe('commit chains refuse what they cannot build faithfully', () => {
  it('a path that is not a file of the base, or climbs out, is an error; files are still put back', async () => {
    const { options } = newRemote(false);
    await withWorkspace(options, async (ws) => {
      const chain = await ws.chain(['app.py']);
      writeFileSync(join(ws.dir, 'app.py'), 'changed\n');
      writeFileSync(join(ws.dir, 'new.py'), 'new\n');
      await expect(chain.commit('adds a file', ['new.py'])).rejects.toThrow(/new\.py is not in the base commit/);
      await expect(chain.commit('through a symlink', ['link'])).rejects.toThrow(/not a regular file/);
      await expect(chain.commit('climbs', ['../outside.py'])).rejects.toThrow(/invalid path/);
      await expect(chain.commit('', ['app.py'])).rejects.toThrow(/needs a message/);
      expect(chain.tip).toBe(ws.baseSha);
      await chain.restore();
      expect(readFileSync(join(ws.dir, 'app.py'), 'utf8')).toBe(BASE['app.py']);
    });
  });

  it('starts a handful of git processes for many commits', async () => {
    const { options } = newRemote(false);
    const bin = mkdtempSync(join(root, 'bin-'));
    const log = join(bin, 'calls.log');
    const real = git(root, ['--exec-path']).trim();
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}/git' "$@"\n`, { mode: 0o755 });
    writeFileSync(log, '');
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved ?? ''}`;
    try {
      await withWorkspace(options, async (ws) => {
        const chain = await ws.chain(['app.py', 'pkg/deep/mod.py', 'pkg/other.py']);
        for (let i = 0; i < 20; i++) {
          writeTree(ws.dir, { 'app.py': `a = ${i}\n`, 'pkg/deep/mod.py': `b = ${i}\n`, 'pkg/other.py': `c = ${i}\n` });
          await chain.commit(`commit ${i}`, ['app.py', 'pkg/deep/mod.py', 'pkg/other.py']);
        }
        await chain.restore();
        expect(git(ws.dir, ['rev-list', '--count', `${ws.baseSha}..${chain.tip}`]).trim()).toBe('20');
      });
    } finally {
      process.env.PATH = saved;
    }
    const commands = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.replace(/(^| )-c \S+/g, '').trim().split(' ')[0]);
    // The clone, the object reader, and one writer each for blobs, trees and commits (the test's own rev-list aside).
    expect(commands.sort()).toEqual(['cat-file', 'clone', 'hash-object', 'hash-object', 'mktree', 'rev-list']);
  });
});

describe('a long-lived git process', () => {
  it('answers many requests in order, and one that dies fails what it was asked and is started again', async () => {
    const repo = mkdtempSync(join(root, 'pipe-'));
    git(repo, ['init', '--quiet']);
    writeTree(repo, { 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const children = new Set<ChildProcess>();
    const env = { PATH: process.env.PATH ?? '', HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    const secret = 'hunter2-secret';
    const writer = new GitPipe(['hash-object', '-w', '--stdin-paths'], () => ({ cwd: repo, env, children }), () => ({ TOKEN: secret }));
    const reader = new GitPipe(['cat-file', '--batch'], () => ({ cwd: repo, env, children }), () => ({}));
    const [a, b] = await Promise.all([writer.request('a.txt\n', readLine), writer.request('b.txt\n', readLine)]);
    expect(a).toBe(git(repo, ['hash-object', 'a.txt']).trim());
    expect(b).toBe(git(repo, ['hash-object', 'b.txt']).trim());
    expect((await reader.request(`${a}\n`, readObject))?.data.toString()).toBe('a\n');
    expect(await reader.request(`${'0'.repeat(40)}\n`, readObject)).toBeNull();
    expect(children.size).toBe(2);

    // A path git cannot read ends the writer: that request fails with git's reason, scrubbed.
    const failure = await writer.request(`missing-${secret}.txt\n`, readLine).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkspaceError);
    expect((failure as Error).message).toMatch(/^git hash-object stopped: .*missing-\*\*\*\.txt/);
    // Killed from outside: what was waiting fails, the next request starts a fresh process.
    const [cat] = children;
    const waiting = reader.request(`${b}\n`, () => null);
    cat!.kill('SIGKILL');
    await expect(waiting).rejects.toThrow(/git cat-file stopped/);
    expect((await reader.request(`${b}\n`, readObject))?.data.toString()).toBe('b\n');
    expect(await writer.request('b.txt\n', readLine)).toBe(b);
    await Promise.all([writer.close(), reader.close()]);
    expect(children.size).toBe(0);
  });
});
