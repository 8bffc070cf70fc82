import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, lstat, open, readdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import type { SkipReason, SourceFile } from './types.js';

const execFileAsync = promisify(execFile);

export const DEFAULT_MAX_BYTES = 1024 * 1024;
const BOM = '\uFEFF';

/** Directories a plain walk never enters: VCS data, dependencies, virtualenvs, caches, build output. */
const SKIPPED_DIRS = new Set([
  '.git', '.hg', '.svn', 'node_modules', 'bower_components', '.venv', 'venv', 'env', '.env',
  '__pycache__', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.tox', '.nox', 'site-packages',
  'dist', 'build', 'out', '.next', '.nuxt', 'coverage', '.cache', '.eggs',
]);

export class UsageError extends Error {}

export interface Discovery {
  /** Absolute directory every reported path is relative to. */
  root: string;
  /** Repository-relative paths, sorted, forward slashes. */
  files: string[];
  git: boolean;
}

async function gitTopLevel(dir: string): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], {
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function walk(root: string, dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) await walk(root, full, out);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      out.push(toPosix(relative(root, full)));
    }
  }
}

/**
 * Lists candidate files under `paths`. Inside a git work tree: tracked files
 * plus untracked files that are not ignored. Elsewhere: a walk that skips
 * dependency, virtualenv, cache and build directories.
 */
export async function discoverFiles(paths: readonly string[], cwd = process.cwd()): Promise<Discovery> {
  const targets = (paths.length ? paths : ['.']).map((p) => resolve(cwd, p));
  for (const target of targets) {
    try {
      await stat(target);
    } catch {
      throw new UsageError(`cannot read ${relative(cwd, target) || target}: no such file or directory`);
    }
  }
  const first = targets[0]!;
  const firstDir = (await stat(first)).isDirectory() ? first : dirname(first);
  const top = await gitTopLevel(firstDir);
  if (top) {
    const root = await realpath(top);
    const specs: string[] = [];
    for (const target of targets) {
      const real = await realpath(target);
      if (!isInside(root, real)) throw new UsageError(`${target} is outside the git work tree ${root}`);
      specs.push(relative(root, real) || '.');
    }
    const { stdout } = await execFileAsync(
      'git',
      ['-C', root, '-c', 'core.quotepath=off', 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...specs],
      { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } },
    );
    const files = [...new Set(stdout.split('\0').filter(Boolean))].sort();
    return { root, files, git: true };
  }
  const root = await realpath(firstDir);
  const files: string[] = [];
  for (const target of targets) {
    const real = await realpath(target);
    if (!isInside(root, real)) throw new UsageError(`${target} is outside ${root}; run on one directory at a time`);
    if ((await stat(real)).isDirectory()) await walk(root, real, files);
    else files.push(toPosix(relative(root, real)));
  }
  return { root, files: [...new Set(files)].sort(), git: false };
}

export type ReadResult =
  | { ok: true; file: SourceFile; bom: boolean; mode: number; size: number }
  | { ok: false; reason: SkipReason; message: string };

/** Most common line ending of a text; a file with no line break gets "\n". */
export function detectEol(text: string): '\n' | '\r\n' {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

export function decodeSource(path: string, bytes: Uint8Array): ReadResult {
  const probe = bytes.subarray(0, 8000);
  if (probe.includes(0)) return { ok: false, reason: 'binary', message: 'binary file (contains NUL bytes)' };
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'not-utf8', message: 'not valid UTF-8; left untouched' };
  }
  const bom = decoded.startsWith(BOM);
  const text = bom ? decoded.slice(1) : decoded;
  return { ok: true, file: { path, text, eol: detectEol(text) }, bom, mode: 0, size: bytes.length };
}

/** Reads one repository file, refusing symlinks, huge, binary and non-UTF-8 files with a reason. */
export async function readSource(root: string, path: string, maxBytes = DEFAULT_MAX_BYTES): Promise<ReadResult> {
  const full = join(root, path);
  try {
    const info = await lstat(full);
    if (info.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(full);
      } catch {
        return { ok: false, reason: 'unreadable', message: 'dangling symlink' };
      }
      if (!isInside(root, target)) {
        return { ok: false, reason: 'symlink-outside-root', message: `symlink to ${target}, outside the repository` };
      }
      return { ok: false, reason: 'symlink', message: `symlink to ${toPosix(relative(root, target))}; the target is processed on its own` };
    }
    if (!info.isFile()) return { ok: false, reason: 'unreadable', message: 'not a regular file' };
    if (info.size > maxBytes) {
      return { ok: false, reason: 'too-large', message: `${info.size} bytes is over the ${maxBytes}-byte limit (--max-bytes)` };
    }
    const handle = await open(full, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    try {
      const bytes = await handle.readFile();
      const result = decodeSource(path, bytes);
      if (result.ok) result.mode = info.mode & 0o7777;
      return result;
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, reason: 'unreadable', message: `cannot read (${code})` };
  }
}

export function encodeSource(text: string, bom: boolean): string {
  return bom ? BOM + text : text;
}

/**
 * Replaces a file atomically: the new content goes to a temporary file in the
 * same directory, is flushed, given the old mode, then renamed over the
 * original. A crash leaves either the old or the new file, never half of one.
 */
export async function writeFileAtomic(full: string, content: string, mode: number): Promise<void> {
  const tmp = join(dirname(full), `.${basename(full)}.shipshape-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(tmp, mode);
    await rename(tmp, full);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}
