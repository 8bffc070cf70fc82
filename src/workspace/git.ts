import { spawn, type ChildProcess } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkspaceError } from './types.js';

/**
 * Config that keeps a clone inert: no hooks, no fsmonitor daemon, no
 * submodules, no signing programs, no background gc, no user-level ignore or
 * attribute files, no redirects (they would carry the auth header along). It is passed with `-c` on every command and also written
 * into the clone's own config, so a later `git` run in the directory by hand
 * stays just as inert.
 */
export const HARDENING_CONFIG: readonly string[] = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.excludesFile=/dev/null',
  'core.attributesFile=/dev/null',
  'core.autocrlf=false',
  'submodule.recurse=false',
  'fetch.recurseSubmodules=false',
  'push.recurseSubmodules=no',
  'commit.gpgSign=false',
  'tag.gpgSign=false',
  'gc.auto=0',
  'maintenance.auto=false',
  'safe.bareRepository=explicit',
  'advice.detachedHead=false',
  // The token travels as an extra header; a redirect must not carry it to another host.
  'http.followRedirects=false',
];

/**
 * Variables from the caller's environment that git may keep: how to reach a
 * server (ssh, CA bundle). Every other `GIT_*` variable is dropped, above all
 * GIT_DIR / GIT_WORK_TREE / GIT_INDEX_FILE (set when shipshape runs inside a
 * hook: they would point our commands at the user's repository) and GIT_TRACE*.
 */
const KEPT_GIT_VARIABLES = new Set(['GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_SSH_VARIANT', 'GIT_SSL_CAINFO', 'GIT_SSL_CAPATH', 'GIT_PROXY_COMMAND']);

/** Config keys that name settings, not values: safe to leave in messages. */
const NON_SECRET_ENV = /^GIT_CONFIG_(COUNT|KEY_\d+)$/;

/** Whether a remote's environment variable carries a credential (config values do; counts and keys do not). */
export function isSecretEnv(key: string): boolean {
  return !NON_SECRET_ENV.test(key);
}

/**
 * The environment that authenticates git over HTTPS with a GitHub token:
 * an `http.extraHeader` given through environment-provided config, so it is
 * never written to `.git/config` and never part of a URL.
 */
export function gitAuthEnv(token: string): Record<string, string> {
  const basic = Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

export interface GitIdentity {
  name: string;
  email: string;
}

/**
 * The environment for every git command: the caller's environment without
 * its git settings, the remote's credentials, and the hardening that no
 * credential env may override (system and global config off, no prompts,
 * no askpass program, no LFS smudging, English messages for parsing).
 */
export function gitEnvironment(remoteEnv: Record<string, string>, identity?: GitIdentity): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (key.startsWith('GIT_') && !KEPT_GIT_VARIABLES.has(key)) continue;
    env[key] = value;
  }
  Object.assign(env, remoteEnv);
  delete env.GIT_ASKPASS;
  delete env.SSH_ASKPASS;
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_CONFIG_GLOBAL = '/dev/null';
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_LFS_SKIP_SMUDGE = '1';
  env.LC_ALL = 'C';
  env.LANGUAGE = 'C';
  if (identity) {
    env.GIT_AUTHOR_NAME = identity.name;
    env.GIT_AUTHOR_EMAIL = identity.email;
    env.GIT_COMMITTER_NAME = identity.name;
    env.GIT_COMMITTER_EMAIL = identity.email;
  }
  return env;
}

/** `-c` arguments for every command; `file://` needs an explicit allow only for local remotes. */
export function hardeningArgs(localRemote: boolean): string[] {
  const config = localRemote ? [...HARDENING_CONFIG, 'protocol.file.allow=always'] : HARDENING_CONFIG;
  return config.flatMap((entry) => ['-c', entry]);
}

export interface RemoteUrl {
  url: string;
  local: boolean;
}

/**
 * Normalises where to clone from. A local path becomes a `file://` URL
 * because git ignores `--depth` for plain-path clones (and hard-links the
 * objects instead). A URL carrying credentials is refused: they would be
 * written to `.git/config` and printed in git's messages.
 */
export function remoteUrl(url: string): RemoteUrl {
  if (url.startsWith('file://')) return { url, local: true };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new WorkspaceError('the remote URL is not a valid URL', 'clone');
    }
    if (parsed.username !== '' || parsed.password !== '') {
      throw new WorkspaceError('the remote URL carries credentials; pass them in the remote environment instead', 'clone');
    }
    return { url, local: false };
  }
  // scp-like ssh address (`git@host:owner/repo.git`), not a path.
  if (/^[^/\\]+@[^/\\:]+:/.test(url)) return { url, local: false };
  const path = isAbsolute(url) ? url : resolve(url);
  return { url: pathToFileURL(path).href, local: true };
}

/**
 * Replaces every credential with `***`: each value of the remote environment
 * (and, for a Basic header, its base64 and decoded forms), any
 * `Authorization:` header content and any user-info in a URL.
 */
export function scrubSecrets(text: string, remoteEnv: Record<string, string>): string {
  const secrets = new Set<string>();
  for (const [key, value] of Object.entries(remoteEnv)) {
    if (NON_SECRET_ENV.test(key) || value === '') continue;
    secrets.add(value);
    const header = /^\s*authorization:\s*(\S+)\s+(\S+)\s*$/i.exec(value);
    if (header?.[2]) {
      secrets.add(header[2]);
      if (header[1]?.toLowerCase() === 'basic') addBasicParts(header[2], secrets);
    }
  }
  let result = text;
  // Longest first, so a value containing another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    result = result.split(secret).join('***');
  }
  return result
    .replace(/(authorization:\s*)[^\r\n]*/gi, '$1***')
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

function addBasicParts(encoded: string, secrets: Set<string>): void {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return;
  secrets.add(decoded);
  const password = decoded.slice(colon + 1);
  if (password !== '') secrets.add(password);
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitRun {
  cwd: string;
  env: Record<string, string>;
  /** Written to git's standard input (commit messages). */
  input?: string;
  /** Running children, so a signal handler can stop them before removing their directory. */
  children?: Set<ChildProcess>;
}

/** Runs git and resolves with its exit code and output, whatever the code; callers decide what failure means. */
export function runGit(args: readonly string[], run: GitRun): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', args, { cwd: run.cwd, env: run.env, stdio: ['pipe', 'pipe', 'pipe'] });
    run.children?.add(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      run.children?.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      run.children?.delete(child);
      resolvePromise({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    // git may exit before reading its input (e.g. on a bad argument); that is reported by the exit code.
    child.stdin.on('error', () => undefined);
    child.stdin.end(run.input ?? '');
  });
}

/** git's complaint in one scrubbed line: the `fatal:`/`error:` lines if any, else the last lines of output. */
export function failureLine(result: GitResult, remoteEnv: Record<string, string>): string {
  const lines = `${result.stderr}\n${result.stdout}`
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('hint:'));
  // With prompts off, git words a refused or missing credential as a failed prompt; say what it means.
  if (lines.some((line) => /could not read (Username|Password)|Authentication failed/i.test(line))) {
    return 'authentication failed: the remote refused the credentials (or none were given)';
  }
  const important = lines.filter((line) => /^(fatal|error):/.test(line));
  const chosen = important.length > 0 ? important : lines.slice(-3);
  const text = chosen.join('; ') || `exit code ${result.code}`;
  return scrubSecrets(text, remoteEnv).slice(0, 500);
}

/** A branch name git accepts and that cannot be read as an option or a revision range. */
export function isSafeBranchName(name: string): boolean {
  if (name === '' || name.startsWith('-') || name.includes('..') || name.endsWith('.lock')) return false;
  if (name === '@' || name.endsWith('.') || name.includes('@{')) return false;
  if (name.split('/').some((part) => part === '' || part.startsWith('.'))) return false;
  // eslint-disable-next-line no-control-regex
  return !/[\x00-\x20\x7f~^:?*[\\]/.test(name);
}
