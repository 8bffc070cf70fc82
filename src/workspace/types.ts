import type { GitRemote } from '../forge/types.js';

export interface BotIdentity {
  name: string;
  email: string;
}

export interface WorkspaceOptions {
  /** Where to clone from and push to; credentials travel in `remote.env`, never in the URL. */
  remote: GitRemote;
  /** The branch pull requests target. */
  base: string;
  bot: BotIdentity;
  /** Directory for per-repository lock files (default: `<tmpdir>/shipshape-locks`). */
  lockDir?: string;
  /** How long to wait for another run on the same repository, in ms (default 10 minutes). */
  lockTimeoutMs?: number;
}

export interface RemoteBranch {
  sha: string;
  /** Commits on the branch, after the base, whose author or committer is not the bot (`<sha> <author email>`). */
  foreignCommits: string[];
}

export interface DiffStatEntry {
  path: string;
  added: number;
  removed: number;
}

/** A branch to push a commit to, and what the branch must hold on the remote for the push to go ahead (null: it must not exist). */
export interface PushUpdate {
  branch: string;
  commit: string;
  expected: string | null;
}

/**
 * Commits built on the base commit with git's plumbing: HEAD, the index and
 * the clone's branches never move. Files are edited in the work tree, hashed
 * from there (with the repository's own attributes, as `git add` would), and
 * put back as they were by `restore()`.
 */
export interface CommitChain {
  /** The last commit of the chain (the base commit until the first commit). */
  readonly tip: string;
  readonly tree: string;
  /**
   * Commits the work tree's content of `paths` (files of the base commit, their modes kept)
   * on top of the chain, as the bot; null when that changes nothing.
   */
  commit(message: string, paths: readonly string[]): Promise<string | null>;
  /** Writes the files given to `chain()` back as they were (bytes and mode). */
  restore(): Promise<void>;
}

/** A throwaway clone: nothing from the repository is ever executed in it. */
export interface Workspace {
  /** Absolute path of the clone's work tree. */
  readonly dir: string;
  /** Commit the base branch pointed at when cloned. */
  readonly baseSha: string;
  /** The branch on the remote, if it exists, fetched into the clone. */
  remoteBranch(branch: string): Promise<RemoteBranch | null>;
  /**
   * `remoteBranch` for many branches at once: one listing, one fetch and one log for all of
   * them in the usual case. A branch whose state could not be found gets its own error.
   */
  remoteBranches(branches: readonly string[]): Promise<Map<string, RemoteBranch | null | WorkspaceError>>;
  /** The base commit's files (blobs, symlinks, submodules), sorted: what `git ls-files` lists in the fresh clone, read from its trees. */
  files(): Promise<string[]>;
  /** Starts a chain of commits on the base; the work tree files `files` are put back by its `restore()`. */
  chain(files: readonly string[]): Promise<CommitChain>;
  /** The tree of a commit, or null when the clone does not have it. */
  treeOf(commit: string): Promise<string | null>;
  /** `diffStat()` from the base to each of these commits, in one git call. */
  diffStats(commits: readonly string[]): Promise<DiffStatEntry[][]>;
  /** Pushes every update in one push, each with its own lease; per branch, null when it went through, else why not. */
  pushCommits(updates: readonly PushUpdate[]): Promise<Map<string, WorkspaceError | null>>;
  /** Creates (or resets) `branch` at the base commit and checks it out; the work tree is clean afterwards. */
  startBranch(branch: string): Promise<void>;
  /** Stages every change and commits it as the bot; returns the new commit, or null when nothing changed. */
  commitAll(message: string): Promise<string | null>;
  /** The tree of HEAD equals the tree of `sha` (used to skip pushes that change nothing). */
  sameTree(sha: string): Promise<boolean>;
  /** Patch from the base commit to `commit` (default HEAD), `git format-patch` style, one entry per commit. */
  patch(commit?: string): Promise<string>;
  diffStat(): Promise<DiffStatEntry[]>;
  /**
   * Reverts `commit` (a merge commit against its first parent, or a plain or squash commit) on top
   * of HEAD as the bot; the commit must lie in the base's recent history. Returns the new commit.
   */
  revert(commit: string): Promise<string>;
  /** Pushes HEAD to `branch` with --force-with-lease against `expected` (null: the branch must not exist yet). */
  push(branch: string, expected: string | null): Promise<void>;
}

/** A git operation failed; `message` is one line for the user and never contains a credential. */
export class WorkspaceError extends Error {
  constructor(
    message: string,
    readonly kind: 'clone' | 'push-rejected' | 'lock-timeout' | 'git',
  ) {
    super(message);
  }
}
