import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../engine/files.js';

/**
 * A `--repo` directory argument, checked before any work: one line for each
 * way it can be wrong (missing, a file, not a git repository), as the user
 * wrote it.
 */
export function repoDirectory(arg: string, cwd: string, opts: { needGit: boolean; purpose: string }): string {
  const dir = resolve(cwd, arg);
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`--repo ${arg}: no such directory`);
  }
  if (!isDir) throw new UsageError(`--repo ${arg}: not a directory`);
  if (opts.needGit && !existsSync(join(dir, '.git'))) {
    throw new UsageError(`--repo ${arg}: not the top of a git repository (${opts.purpose})`);
  }
  return dir;
}
