import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkspaceError } from './types.js';

export interface RepoLock {
  /** The lock file. */
  readonly path: string;
  release(): Promise<void>;
  /** For exit and signal handlers, where nothing asynchronous runs any more. */
  releaseSync(): void;
}

export interface LockOptions {
  lockDir: string;
  timeoutMs: number;
}

/** Nonces of the lock files this process holds: a file with our pid but another nonce is a leftover. */
const heldNonces = new Set<string>();

/**
 * Lock files some caller in this process holds or is acquiring, each with
 * the callers waiting for it in order: they wait on a promise instead of
 * polling the file.
 */
const turns = new Map<string, Array<() => void>>();

/** The lock file for a repository: named by a hash, so any URL gives a safe file name. */
export function lockPath(lockDir: string, key: string): string {
  return join(lockDir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.lock`);
}

/**
 * Serialises work on one repository across processes (an exclusive lock
 * file holding the owner's pid) and within this process (a queue). A lock
 * whose owner is no longer alive is taken over. Gives up with a
 * `lock-timeout` WorkspaceError after `timeoutMs`.
 */
export async function acquireRepoLock(key: string, options: LockOptions): Promise<RepoLock> {
  const deadline = Date.now() + options.timeoutMs;
  const path = lockPath(options.lockDir, key);
  // Queued before anything asynchronous, so callers in this process are served in the order they called.
  await takeTurn(path, deadline, options.timeoutMs);
  const nonce = randomBytes(12).toString('hex');
  const content = `${process.pid}\n${nonce}\n`;
  try {
    // Private to the user: a shared temp dir must not let others plant or remove our locks.
    await mkdir(options.lockDir, { recursive: true, mode: 0o700 });
    await createLockFile(path, content, deadline, options.timeoutMs);
  } catch (error) {
    passTurn(path);
    throw error;
  }
  heldNonces.add(nonce);
  let released = false;
  function finish(): boolean {
    if (released) return false;
    released = true;
    heldNonces.delete(nonce);
    return true;
  }
  return {
    path,
    async release() {
      if (!finish()) return;
      try {
        if ((await readHolder(path)) === content) await unlink(path);
      } finally {
        passTurn(path);
      }
    },
    releaseSync() {
      if (!finish()) return;
      try {
        if (readFileSync(path, 'utf8') === content) unlinkSync(path);
      } catch {
        // Already gone: nothing to release.
      }
      passTurn(path);
    },
  };
}

async function takeTurn(path: string, deadline: number, timeoutMs: number): Promise<void> {
  const waiters = turns.get(path);
  if (!waiters) {
    turns.set(path, []);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        const index = waiters.indexOf(grant);
        if (index >= 0) waiters.splice(index, 1);
        reject(timeoutError(timeoutMs, 'another run in this process'));
      },
      Math.max(0, deadline - Date.now()),
    );
    function grant(): void {
      clearTimeout(timer);
      resolve();
    }
    waiters.push(grant);
  });
}

function passTurn(path: string): void {
  const next = turns.get(path)?.shift();
  if (next) {
    next();
    return;
  }
  turns.delete(path);
}

async function createLockFile(path: string, content: string, deadline: number, timeoutMs: number): Promise<void> {
  let delay = 25;
  for (;;) {
    if (await tryCreate(path, content)) return;
    const holder = await readHolder(path);
    if (holder === null) continue;
    if (!holderAlive(holder)) {
      await removeStale(path, holder);
      continue;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw timeoutError(timeoutMs, `process ${pidOf(holder)}`);
    await sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, 500);
  }
}

/**
 * Creates the lock with its content in one step: written to a private file
 * first, then hard-linked into place (link fails if the lock exists), so no
 * one ever reads a half-written lock.
 */
async function tryCreate(path: string, content: string): Promise<boolean> {
  const staging = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(staging, content, { flag: 'wx', mode: 0o600 });
  try {
    await link(staging, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(staging).catch(() => undefined);
  }
}

async function readHolder(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function pidOf(holder: string): number {
  return Number.parseInt(holder.split('\n')[0] ?? '', 10);
}

function holderAlive(holder: string): boolean {
  const pid = pidOf(holder);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return heldNonces.has(holder.split('\n')[1] ?? '');
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes a dead owner's lock away. Renaming is atomic, so of two processes
 * taking over at once only one moves the file; the content check catches the
 * rare case where what we moved was already a fresh lock, which is put back.
 */
async function removeStale(path: string, holder: string): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if ((await readHolder(aside)) !== holder) await link(aside, path).catch(() => undefined);
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

function timeoutError(timeoutMs: number, holder: string): WorkspaceError {
  const seconds = Math.round(timeoutMs / 100) / 10;
  return new WorkspaceError(`gave up after ${seconds}s waiting for ${holder} working on the same repository`, 'lock-timeout');
}
