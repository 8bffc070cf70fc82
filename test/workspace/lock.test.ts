import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireRepoLock, withWorkspace, WorkspaceError, type WorkspaceOptions } from '../../src/workspace/index.js';
import { lockPath } from '../../src/workspace/lock.js';
import { createBareRepo } from '../helpers/git-http-server.js';

let root: string;
let reposDir: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'shipshape-locktest-'));
  reposDir = join(root, 'repos');
  mkdirSync(reposDir);
  createBareRepo(reposDir, 'a.git', { 'a.txt': 'a\n' });
  createBareRepo(reposDir, 'b.git', { 'b.txt': 'b\n' });
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function options(name: string, lockDir: string): WorkspaceOptions {
  return { remote: { url: join(reposDir, name), env: {} }, base: 'main', bot: { name: 'bot', email: 'bot@example.com' }, lockDir, lockTimeoutMs: 30_000 };
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  const pid = child.pid ?? 0;
  expect(() => process.kill(pid, 0)).toThrow();
  return pid;
}

function locksIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.lock')) : [];
}

describe('the repository lock', () => {
  it('runs two workspaces on the same repository one after the other', async () => {
    const lockDir = join(root, 'locks-serial');
    const events: string[] = [];
    async function run(id: string): Promise<void> {
      await withWorkspace(options('a.git', lockDir), async (ws) => {
        events.push(`enter ${id}`);
        expect(existsSync(ws.dir)).toBe(true);
        await sleep(150);
        events.push(`exit ${id}`);
      });
    }
    await Promise.all([run('first'), run('second'), run('third')]);
    expect(events).toEqual(['enter first', 'exit first', 'enter second', 'exit second', 'enter third', 'exit third']);
    expect(locksIn(lockDir)).toEqual([]);
  });

  it('lets workspaces on different repositories overlap', async () => {
    const lockDir = join(root, 'locks-parallel');
    const events: string[] = [];
    async function run(name: string): Promise<void> {
      await withWorkspace(options(name, lockDir), async () => {
        events.push(`enter ${name}`);
        await sleep(150);
        events.push(`exit ${name}`);
      });
    }
    await Promise.all([run('a.git'), run('b.git')]);
    expect(events.slice(0, 2).sort()).toEqual(['enter a.git', 'enter b.git']);
  });

  it('takes over a lock whose owner is dead', async () => {
    const lockDir = join(root, 'locks-stale');
    mkdirSync(lockDir);
    const path = lockPath(lockDir, 'repo-key');
    writeFileSync(path, `${deadPid()}\nold-nonce\n`);
    const started = Date.now();
    const lock = await acquireRepoLock('repo-key', { lockDir, timeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe(String(process.pid));
    await lock.release();
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(lockDir)).toEqual([]);
  });

  it('takes over a dead owner’s lock on a workspace', async () => {
    const lockDir = join(root, 'locks-stale-ws');
    let name = '';
    await withWorkspace(options('a.git', lockDir), async () => {
      name = locksIn(lockDir)[0] ?? '';
    });
    expect(name).not.toBe('');
    // The same lock file, now left behind by a process that died.
    writeFileSync(join(lockDir, name), `${deadPid()}\n`);
    let entered = false;
    await withWorkspace({ ...options('a.git', lockDir), lockTimeoutMs: 2_000 }, async () => {
      entered = true;
      expect(readFileSync(join(lockDir, name), 'utf8').split('\n')[0]).toBe(String(process.pid));
    });
    expect(entered).toBe(true);
    expect(locksIn(lockDir)).toEqual([]);
  });

  it('gives up after the timeout while a live process holds the lock', async () => {
    const lockDir = join(root, 'locks-live');
    mkdirSync(lockDir);
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const path = lockPath(lockDir, 'repo-key');
      writeFileSync(path, `${holder.pid}\nnonce\n`);
      const started = Date.now();
      const error = await acquireRepoLock('repo-key', { lockDir, timeoutMs: 400 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WorkspaceError);
      expect((error as WorkspaceError).kind).toBe('lock-timeout');
      expect((error as WorkspaceError).message).toContain(`process ${holder.pid}`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(380);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(readFileSync(path, 'utf8')).toBe(`${holder.pid}\nnonce\n`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('times out a waiter in the same process and keeps the queue working', async () => {
    const lockDir = join(root, 'locks-queue');
    const first = await acquireRepoLock('k', { lockDir, timeoutMs: 1_000 });
    const error = await acquireRepoLock('k', { lockDir, timeoutMs: 200 }).catch((caught: unknown) => caught);
    expect((error as WorkspaceError).kind).toBe('lock-timeout');
    const third = acquireRepoLock('k', { lockDir, timeoutMs: 5_000 });
    await first.release();
    const lock = await third;
    expect(readFileSync(lock.path, 'utf8').split('\n')[0]).toBe(String(process.pid));
    await lock.release();
    expect(locksIn(lockDir)).toEqual([]);
  });
});
