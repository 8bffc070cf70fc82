import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HARDENING_CONFIG,
  failureLine,
  gitEnvironment,
  hardeningArgs,
  isSecretEnv,
  isSafeBranchName,
  remoteUrl,
  runGit,
  scrubSecrets,
  type GitResult,
} from './git.js';
import { acquireRepoLock, type RepoLock } from './lock.js';
import { WorkspaceError, type DiffStatEntry, type RemoteBranch, type Workspace, type WorkspaceOptions } from './types.js';

export type DisposableWorkspace = Workspace & { dispose(): Promise<void> };

/** git commands that reach the remote, and so need valid credentials. */
const NETWORK_COMMANDS = new Set(['clone', 'fetch', 'ls-remote', 'push']);
const DEFAULT_LOCK_TIMEOUT_MS = 10 * 60 * 1000;
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** How far back the base is searched for a branch that looks merged. */
const MERGED_SEARCH_DEPTH = 200;

/**
 * Opens a workspace, runs `fn` in it and always removes it again (also when
 * `fn` throws); the repository stays locked for the whole time.
 */
export async function withWorkspace<T>(options: WorkspaceOptions, fn: (ws: Workspace) => Promise<T>): Promise<T> {
  const workspace = await openWorkspace(options);
  try {
    return await fn(workspace);
  } finally {
    await workspace.dispose();
  }
}

/**
 * Locks the repository and clones `options.base` shallowly into a fresh
 * temporary directory. `dispose()` removes the directory and releases the
 * lock; until then an exit or SIGINT/SIGTERM/SIGHUP removes them too.
 */
export async function openWorkspace(options: WorkspaceOptions): Promise<DisposableWorkspace> {
  if (!isSafeBranchName(options.base)) throw new WorkspaceError(`invalid base branch name ${JSON.stringify(options.base)}`, 'clone');
  const remote = remoteUrl(options.remote.url);
  const lock = await acquireRepoLock(remote.url.replace(/\/+$/, ''), {
    lockDir: options.lockDir ?? join(tmpdir(), 'shipshape-locks'),
    timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
  });
  let root: string;
  try {
    root = await mkdtemp(join(tmpdir(), 'shipshape-'));
  } catch (error) {
    await lock.release();
    throw error;
  }
  const workspace = new GitWorkspace(options, root, remote.local, lock);
  try {
    await workspace.clone(remote.url);
  } catch (error) {
    await workspace.dispose();
    throw error;
  }
  return workspace;
}

class GitWorkspace implements DisposableWorkspace {
  readonly dir: string;
  private sha = '';
  private readonly children = new Set<ChildProcess>();
  private env: Record<string, string>;
  /** Every credential this workspace was ever given (a refreshed token does not make the old one printable). */
  private secrets: Record<string, string>;
  private refreshes = 0;
  private readonly cleanup: () => void;
  private disposed = false;

  constructor(
    private readonly options: WorkspaceOptions,
    private readonly root: string,
    private readonly localRemote: boolean,
    private readonly lock: RepoLock,
  ) {
    this.dir = join(root, 'repo');
    this.secrets = options.remote.env;
    this.env = gitEnvironment(options.remote.env, options.bot);
    this.cleanup = () => {
      // git may be writing into the directory; stop it first so the removal is complete.
      for (const child of this.children) child.kill('SIGKILL');
      rmSync(this.root, { recursive: true, force: true, maxRetries: 5 });
      this.lock.releaseSync();
    };
    registerCleanup(this.cleanup);
  }

  get baseSha(): string {
    return this.sha;
  }

  async clone(url: string): Promise<void> {
    const persisted = HARDENING_CONFIG.flatMap((entry) => ['--config', entry]);
    const args = [
      'clone',
      '--quiet',
      // No template: not even sample hooks land in the clone.
      '--template=',
      '--depth=1',
      '--single-branch',
      `--branch=${this.options.base}`,
      '--no-tags',
      '--no-recurse-submodules',
      ...persisted,
      '--',
      url,
      this.dir,
    ];
    const result = await this.git(args, { cwd: this.root });
    if (result.code !== 0) throw new WorkspaceError(`cloning ${this.options.base} failed: ${failureLine(result, this.secrets)}`, 'clone');
    this.sha = (await this.ok(['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
  }

  async remoteBranch(branch: string): Promise<RemoteBranch | null> {
    checkBranch(branch);
    const ref = `refs/heads/${branch}`;
    const tracking = `refs/remotes/origin/${branch}`;
    const baseRef = `refs/heads/${this.options.base}`;
    const listed = await this.ok(['ls-remote', 'origin', ref, baseRef]);
    const tips = new Map(listed.split('\n').map((entry) => [entry.split('\t')[1], entry.split('\t')[0]] as const));
    const tip = tips.get(ref);
    if (tip === undefined) return null;
    if (tip === this.sha || tip === tips.get(baseRef)) {
      await this.fetchTip(ref, tracking);
      return { sha: await this.revParse(tracking), foreignCommits: [] };
    }

    // Only the branch's own commits: history the base also has is not fetched (bounded, and never mistaken for foreign work).
    const fetch = await this.git(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', `--shallow-exclude=${baseRef}`, 'origin', `+${ref}:${tracking}`]);
    if (fetch.code !== 0) return this.mergedBranch(branch, ref, tracking, failureLine(fetch, this.secrets));
    const sha = await this.revParse(tracking);
    const log = await this.ok(['log', '--format=%H%x09%ae%x09%ce', tracking, '--not', this.sha, '--']);
    const bot = this.options.bot.email.toLowerCase();
    const foreignCommits = log
      .split('\n')
      .filter((entry) => entry !== '')
      .map((entry) => entry.split('\t'))
      .filter(([, author, committer]) => author?.toLowerCase() !== bot || committer?.toLowerCase() !== bot)
      .map(([commit, author]) => `${commit} ${author ?? ''}`);
    return { sha, foreignCommits };
  }

  /**
   * The exclusion fetch selects nothing, and fails, when every commit of the
   * branch is already on the base (a merged branch). Confirm that within a
   * bounded stretch of the base's history; anything else is a real failure.
   */
  private async mergedBranch(branch: string, ref: string, tracking: string, failure: string): Promise<RemoteBranch> {
    await this.fetchTip(ref, tracking);
    const baseTracking = `refs/remotes/origin/${this.options.base}`;
    await this.ok(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', `--deepen=${MERGED_SEARCH_DEPTH}`, 'origin', `+refs/heads/${this.options.base}:${baseTracking}`]);
    const sha = await this.revParse(tracking);
    const merged = await this.git(['merge-base', '--is-ancestor', sha, baseTracking]);
    if (merged.code === 0) return { sha, foreignCommits: [] };
    throw new WorkspaceError(`listing the commits of ${branch} failed: ${failure}`, 'git');
  }

  private async fetchTip(ref: string, tracking: string): Promise<void> {
    await this.ok(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', '--depth=1', 'origin', `+${ref}:${tracking}`]);
  }

  async startBranch(branch: string): Promise<void> {
    checkBranch(branch);
    await this.ok(['checkout', '--quiet', '--force', '--no-recurse-submodules', '-B', branch, this.sha, '--']);
    // -x as well: ignored files left by an earlier codemod must not survive into the next branch.
    await this.ok(['clean', '-ffdxq']);
  }

  async commitAll(message: string): Promise<string | null> {
    if (message.trim() === '') throw new WorkspaceError('a commit needs a message', 'git');
    await this.ok(['add', '--all']);
    const staged = await this.git(['diff', '--cached', '--quiet', '--no-ext-diff']);
    if (staged.code === 0) return null;
    if (staged.code !== 1) throw new WorkspaceError(`git diff failed: ${failureLine(staged, this.secrets)}`, 'git');
    // --cleanup=whitespace keeps lines starting with '#' (issue references) that the default would drop.
    await this.ok(['commit', '--quiet', '--no-verify', '--no-gpg-sign', '--cleanup=whitespace', '--file=-'], message);
    return this.revParse('HEAD');
  }

  async sameTree(sha: string): Promise<boolean> {
    if (!SHA.test(sha)) return false;
    const other = await this.git(['rev-parse', '--verify', '--quiet', `${sha}^{tree}`]);
    if (other.code !== 0) return false;
    return other.stdout.trim() === (await this.revParse('HEAD^{tree}'));
  }

  async patch(): Promise<string> {
    // No signature: the patch must not change with the git version that made it.
    return this.ok(['format-patch', '--stdout', '--no-signature', `${this.sha}..HEAD`, '--']);
  }

  async diffStat(): Promise<DiffStatEntry[]> {
    const output = await this.ok(['diff', '--numstat', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', this.sha, 'HEAD', '--']);
    const entries: DiffStatEntry[] = [];
    for (const record of output.split('\0')) {
      const match = /^(\d+|-)\t(\d+|-)\t(.+)$/s.exec(record);
      if (!match) continue;
      // Binary files have no line counts ('-').
      entries.push({ path: match[3] ?? '', added: count(match[1]), removed: count(match[2]) });
    }
    return entries;
  }

  async revert(commit: string): Promise<string> {
    if (!SHA.test(commit)) throw new WorkspaceError(`invalid commit ${JSON.stringify(commit)}`, 'git');
    const base = this.options.base;
    // The clone is shallow: deepen the base (bounded) until the commit and its parents are there.
    await this.ok(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', `--deepen=${MERGED_SEARCH_DEPTH}`, 'origin', `+refs/heads/${base}:refs/remotes/origin/${base}`]);
    const present = await this.git(['merge-base', '--is-ancestor', commit, `refs/remotes/origin/${base}`]);
    if (present.code !== 0) throw new WorkspaceError(`commit ${commit.slice(0, 12)} is not among the last ${MERGED_SEARCH_DEPTH} commits of ${base}; revert it by hand`, 'git');
    const parents = (await this.ok(['rev-list', '--parents', '--max-count=1', commit, '--'])).trim().split(' ').length - 1;
    const reverted = await this.git(['revert', '--no-edit', '--no-gpg-sign', ...(parents > 1 ? ['--mainline=1'] : []), commit]);
    if (reverted.code !== 0) {
      await this.git(['revert', '--abort']);
      throw new WorkspaceError(`reverting ${commit.slice(0, 12)} does not apply cleanly on ${base} (later changes touch the same lines); revert it by hand`, 'git');
    }
    return this.revParse('HEAD');
  }

  async push(branch: string, expected: string | null): Promise<void> {
    checkBranch(branch);
    if (expected !== null && !SHA.test(expected)) throw new WorkspaceError(`invalid expected commit ${JSON.stringify(expected)}`, 'git');
    const ref = `refs/heads/${branch}`;
    const result = await this.git([
      'push',
      '--porcelain',
      '--no-verify',
      '--recurse-submodules=no',
      // An empty expected value means the branch must not exist yet.
      `--force-with-lease=${ref}:${expected ?? ''}`,
      'origin',
      `HEAD:${ref}`,
    ]);
    if (result.code === 0) return;
    const rejected = result.stdout.split('\n').find((line) => line.startsWith('!'));
    if (!rejected) throw new WorkspaceError(`pushing ${branch} failed: ${failureLine(result, this.secrets)}`, 'git');
    const reason = rejected.split('\t')[2]?.trim() ?? 'rejected';
    const remoteLines = result.stderr
      .split(/\r?\n|\r/)
      .filter((entry) => entry.startsWith('remote:'))
      .map((entry) => entry.slice('remote:'.length).trim())
      .filter((entry) => entry !== '');
    const detail = remoteLines.length > 0 ? ` (remote: ${remoteLines.join('; ')})` : '';
    throw new WorkspaceError(scrubSecrets(`push of ${branch} was rejected: ${reason}${detail}`, this.secrets).slice(0, 500), 'push-rejected');
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      await rm(this.root, { recursive: true, force: true, maxRetries: 5 });
    } finally {
      unregisterCleanup(this.cleanup);
      await this.lock.release();
    }
  }

  /** Asks the remote for fresh credentials before a command that talks to it. */
  private async freshen(command: string | undefined): Promise<void> {
    const refresh = this.options.remote.refresh;
    if (!refresh || !NETWORK_COMMANDS.has(command ?? '')) return;
    const env = await refresh();
    this.refreshes += 1;
    this.env = gitEnvironment(env, this.options.bot);
    const renamed = Object.entries(env).map(([key, value]) => [isSecretEnv(key) ? `${key}#${this.refreshes}` : key, value] as const);
    this.secrets = { ...this.secrets, ...Object.fromEntries(renamed) };
  }

  private async git(args: string[], options: { cwd?: string; input?: string } = {}): Promise<GitResult> {
    if (this.disposed) throw new WorkspaceError('the workspace was disposed', 'git');
    await this.freshen(args[0]);
    return runGit([...hardeningArgs(this.localRemote), ...args], {
      cwd: options.cwd ?? this.dir,
      env: this.env,
      input: options.input,
      children: this.children,
    });
  }

  /** Runs git and returns its output, or throws a scrubbed one-line WorkspaceError. */
  private async ok(args: string[], input?: string): Promise<string> {
    const result = await this.git(args, { input });
    if (result.code !== 0) throw new WorkspaceError(`git ${args[0] ?? ''} failed: ${failureLine(result, this.secrets)}`, 'git');
    return result.stdout;
  }

  private async revParse(rev: string): Promise<string> {
    return (await this.ok(['rev-parse', '--verify', rev])).trim();
  }
}

function checkBranch(branch: string): void {
  if (!isSafeBranchName(branch)) throw new WorkspaceError(`invalid branch name ${JSON.stringify(branch)}`, 'git');
}

function count(value: string | undefined): number {
  return value === undefined || value === '-' ? 0 : Number(value);
}

/*
 * Cleanup on the way out. One listener per signal serves every open
 * workspace; it is installed while at least one is open and removed with the
 * last, so a process without workspaces keeps Node's default behaviour.
 */
const cleanups = new Set<() => void>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function registerCleanup(cleanup: () => void): void {
  if (cleanups.size === 0) {
    for (const signal of SIGNALS) process.on(signal, onSignal);
    process.on('exit', runCleanups);
  }
  cleanups.add(cleanup);
}

function unregisterCleanup(cleanup: () => void): void {
  if (!cleanups.delete(cleanup) || cleanups.size > 0) return;
  removeListeners();
}

function removeListeners(): void {
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  process.removeListener('exit', runCleanups);
}

function runCleanups(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // Best effort while the process goes down; the next cleanup must still run.
    }
  }
  cleanups.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  runCleanups();
  removeListeners();
  // With no other listener, raising the signal again gives its default action (the process ends by that signal,
  // exit status 128+n); if the program has its own handler, that handler decides.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
