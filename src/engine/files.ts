import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants as fsConstants, existsSync, lstatSync, openSync, readFileSync, realpathSync, type Dirent, type Stats } from 'node:fs';
import { access, chmod, chown, lstat, open, readdir, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
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
  /** Directories under a given path that could not be listed (outside git), with why. */
  unlisted?: { path: string; message: string }[];
}

/**
 * Whether git may see a work tree at `dir`: a `.git` (folder, or file for a
 * worktree or submodule) in it or a folder above, or git told where to look
 * by the environment. When not, git is not asked: starting it is a good part
 * of a small run's time.
 */
function mayBeInGit(dir: string): boolean {
  if (process.env.GIT_DIR || process.env.GIT_WORK_TREE) return true;
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, '.git'))) return true;
    if (dirname(at) === at) return false;
  }
}

async function gitTopLevel(dir: string): Promise<string | null> {
  if (!mayBeInGit(dir)) return null;
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

/** Whether a path runs through a `.git` directory (git's own files, never sources). */
function insideGitDir(path: string): boolean {
  return path.split(sep).includes('.git');
}

/** The deepest directory containing every one of `dirs` (absolute, real paths). */
function commonAncestor(dirs: readonly string[]): string {
  let common = dirs[0]!;
  for (const dir of dirs.slice(1)) {
    while (!isInside(common, dir)) {
      const parent = dirname(common);
      if (parent === common) break;
      common = parent;
    }
  }
  return common;
}

async function walk(root: string, dir: string, out: string[], unlisted: NonNullable<Discovery['unlisted']>): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // One directory that cannot be listed is reported; the rest of the tree is still read.
    unlisted.push({ path: toPosix(relative(root, dir)) || '.', message: `cannot list this directory (${errorCode(error)}); its files were not read` });
    return;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) await walk(root, full, out, unlisted);
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
  const reals: string[] = [];
  for (const [i, target] of targets.entries()) {
    try {
      reals.push(await realpath(target));
    } catch {
      throw new UsageError(`cannot read ${paths[i] ?? relative(cwd, target)}: no such file or directory`);
    }
  }
  for (const [i, target] of targets.entries()) {
    if (insideGitDir(target) || insideGitDir(reals[i]!)) {
      throw new UsageError(`${relative(cwd, target) || target} is inside a .git directory; shipshape never edits git's own files`);
    }
  }
  const dirs = await Promise.all(reals.map(async (real) => ((await stat(real)).isDirectory() ? real : dirname(real))));
  const top = await gitTopLevel(dirs[0]!);
  if (top) {
    const root = await realpath(top);
    const specs: string[] = [];
    for (const [i, real] of reals.entries()) {
      if (!isInside(root, real)) throw new UsageError(`${targets[i]} is outside the git work tree ${root}`);
      specs.push(relative(root, real) || '.');
    }
    // Literal pathspecs: a file named `a[1].py`, `*.py` or `:x.py` means that file, not a pattern.
    const { stdout } = await execFileAsync(
      'git',
      ['--literal-pathspecs', '-C', root, '-c', 'core.quotepath=off', 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...specs],
      { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } },
    );
    const files = [...new Set(stdout.split('\0').filter(Boolean))].sort();
    return { root, files, git: true };
  }
  // Several targets (`src tests`) share the nearest directory holding them all.
  const root = commonAncestor(dirs);
  const files: string[] = [];
  const unlisted: NonNullable<Discovery['unlisted']> = [];
  for (const [i, real] of reals.entries()) {
    if (dirs[i] === real) await walk(root, real, files, unlisted);
    else files.push(toPosix(relative(root, real)));
  }
  return { root, files: [...new Set(files)].sort(), git: false, unlisted };
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

/** Index of the first carriage return that is not part of a CRLF, or -1. */
function loneCr(text: string): number {
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) {
    if (text.charCodeAt(i + 1) !== 10) return i;
  }
  return -1;
}

export function decodeSource(path: string, bytes: Uint8Array): ReadResult {
  // The whole file is in memory anyway, so look at all of it, not just a prefix:
  // a NUL anywhere means the file is not the text the codemods expect.
  if (bytes.includes(0)) return { ok: false, reason: 'binary', message: 'binary file (contains NUL bytes)' };
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'not-utf8', message: 'not valid UTF-8; left untouched' };
  }
  const bom = decoded.startsWith(BOM);
  const text = bom ? decoded.slice(1) : decoded;
  // Python and JavaScript both end a line at a lone "\r", but line numbers, inserted
  // lines and the codemods' helpers only know "\n" and "\r\n": such a file would be misread.
  const cr = loneCr(text);
  if (cr !== -1) {
    const line = text.slice(0, cr).split('\n').length;
    return { ok: false, reason: 'lone-cr', message: `line ${line} ends with a lone carriage return (old Mac line ending); only LF and CRLF files are edited` };
  }
  return { ok: true, file: { path, text, eol: detectEol(text) }, bom, mode: 0, size: bytes.length };
}

/** Reads one repository file, refusing symlinks, huge, binary and non-UTF-8 files with a reason. */
export async function readSource(root: string, path: string, maxBytes = DEFAULT_MAX_BYTES): Promise<ReadResult> {
  const full = join(root, path);
  try {
    const info = await lstat(full);
    const target = info.isSymbolicLink() ? await realpath(full).catch(() => null) : null;
    const problem = entryProblem(root, info, target, maxBytes);
    if (problem) return problem;
    const handle = await open(full, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    try {
      const result = decodeSource(path, await handle.readFile());
      if (result.ok) result.mode = info.mode & 0o7777;
      return result;
    } finally {
      await handle.close();
    }
  } catch (error) {
    return readError(path, error);
  }
}

/**
 * `readSource` with synchronous calls: over many small files it is several
 * times faster than the promise API (no round trip through the thread pool
 * per call), and a worker thread has nothing else to do meanwhile.
 */
export function readSourceSync(root: string, path: string, maxBytes = DEFAULT_MAX_BYTES): ReadResult {
  const full = join(root, path);
  try {
    const info = lstatSync(full);
    let target: string | null = null;
    if (info.isSymbolicLink()) {
      try {
        target = realpathSync(full);
      } catch {
        target = null;
      }
    }
    const problem = entryProblem(root, info, target, maxBytes);
    if (problem) return problem;
    const fd = openSync(full, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    try {
      const result = decodeSource(path, readFileSync(fd));
      if (result.ok) result.mode = info.mode & 0o7777;
      return result;
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return readError(path, error);
  }
}

/** Why a directory entry is not read as a source (a symlink, not a file, too large), or null; `target` is a symlink's real path, null when it dangles. */
function entryProblem(root: string, info: Stats, target: string | null, maxBytes: number): ReadResult | null {
  if (info.isSymbolicLink()) {
    if (target === null) return { ok: false, reason: 'unreadable', message: 'dangling symlink' };
    if (!isInside(root, target)) {
      return { ok: false, reason: 'symlink-outside-root', message: `symlink to ${target}, outside the repository` };
    }
    return { ok: false, reason: 'symlink', message: `symlink to ${toPosix(relative(root, target))}; the target is processed on its own` };
  }
  if (!info.isFile()) return { ok: false, reason: 'unreadable', message: 'not a regular file' };
  if (info.size > maxBytes) {
    return { ok: false, reason: 'too-large', message: `${info.size} bytes is over the ${maxBytes}-byte limit (--max-bytes)` };
  }
  return null;
}

function readError(path: string, error: unknown): ReadResult {
  const code = errorCode(error);
  // Names are decoded as UTF-8; a name that is not cannot be opened again by its decoded form.
  if (code === 'ENOENT' && path.includes('\uFFFD')) return { ok: false, reason: 'unreadable', message: 'the file name is not valid UTF-8' };
  return { ok: false, reason: 'unreadable', message: `cannot read (${code})` };
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error';
}

export function encodeSource(text: string, bom: boolean): string {
  return bom ? BOM + text : text;
}

/**
 * A temporary name next to `full`. The original name is shortened so the
 * temporary one stays within the usual 255-byte limit on a name.
 */
function temporaryPath(full: string): string {
  let name = basename(full);
  while (Buffer.byteLength(name) > 200) name = [...name].slice(0, -1).join('');
  return join(dirname(full), `.${name}.shipshape-${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Replaces a file atomically: the new content goes to a temporary file in the
 * same directory, is flushed, given the old mode, then renamed over the
 * original. A crash leaves either the old or the new file, never half of one.
 */
export async function writeFileAtomic(full: string, content: string, mode: number): Promise<void> {
  const tmp = temporaryPath(full);
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

export type ReplaceResult = { ok: true } | { ok: false; reason: Extract<SkipReason, 'unwritable' | 'changed-during-run'>; message: string };

/**
 * Replaces a source file that was read as `expected` with `content`, the way
 * `writeFileAtomic` does, but never by force: a read-only file, a directory
 * that refuses new files, a file owned by someone else (replacing it would
 * change its owner) is `unwritable`; a file deleted, replaced or edited since
 * it was read is `changed-during-run` and keeps what is on disk now. Never
 * throws for those, and never leaves the temporary file behind.
 */
export async function replaceFile(full: string, expected: string, content: string): Promise<ReplaceResult> {
  const changed = (message: string): ReplaceResult => ({ ok: false, reason: 'changed-during-run', message });
  const unwritable = (message: string): ReplaceResult => ({ ok: false, reason: 'unwritable', message });
  let info: Stats;
  try {
    info = await lstat(full);
  } catch (error) {
    return errorCode(error) === 'ENOENT' ? changed('deleted since it was read; not recreated') : unwritable(`cannot check it (${errorCode(error)})`);
  }
  if (!info.isFile()) return changed('no longer a regular file since it was read; left as it is');
  const mode = info.mode & 0o7777;
  // Root may write anything, so the mode bits themselves say "read-only" for every user alike.
  if ((mode & 0o222) === 0) return unwritable(`read-only file (mode ${mode.toString(8).padStart(4, '0')}); not written`);
  try {
    await access(full, fsConstants.W_OK);
  } catch (error) {
    return unwritable(`no permission to write it (${errorCode(error)})`);
  }
  const tmp = temporaryPath(full);
  let handle: FileHandle;
  try {
    handle = await open(tmp, 'wx', 0o600);
  } catch (error) {
    return unwritable(`cannot create a file in its directory (${errorCode(error)}); not written`);
  }
  let renamed = false;
  try {
    let owner: { uid: number; gid: number };
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
      owner = await handle.stat();
    } finally {
      await handle.close();
    }
    if (owner.uid !== info.uid || owner.gid !== info.gid) {
      try {
        await chown(tmp, info.uid, info.gid);
      } catch {
        return unwritable(`owned by uid ${info.uid}, gid ${info.gid}; replacing it would change its owner or group`);
      }
    }
    // After chown, which clears set-id bits.
    await chmod(tmp, mode);
    // Last look before the rename: someone may have edited the file since it was read.
    let now: Buffer;
    try {
      const current = await open(full, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
      try {
        now = await current.readFile();
      } finally {
        await current.close();
      }
    } catch (error) {
      return errorCode(error) === 'ENOENT' ? changed('deleted since it was read; not recreated') : changed(`no longer readable as it was (${errorCode(error)}); left as it is`);
    }
    if (!now.equals(Buffer.from(expected, 'utf8'))) return changed('changed on disk since it was read; left as it is now');
    await rename(tmp, full);
    renamed = true;
    return { ok: true };
  } catch (error) {
    return unwritable(`write failed (${errorCode(error)}); not written`);
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
}
