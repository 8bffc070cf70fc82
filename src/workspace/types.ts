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

/** A throwaway clone: nothing from the repository is ever executed in it. */
export interface Workspace {
  /** Absolute path of the clone's work tree. */
  readonly dir: string;
  /** Commit the base branch pointed at when cloned. */
  readonly baseSha: string;
  /** The branch on the remote, if it exists, fetched into the clone. */
  remoteBranch(branch: string): Promise<RemoteBranch | null>;
  /** Creates (or resets) `branch` at the base commit and checks it out; the work tree is clean afterwards. */
  startBranch(branch: string): Promise<void>;
  /** Stages every change and commits it as the bot; returns the new commit, or null when nothing changed. */
  commitAll(message: string): Promise<string | null>;
  /** The tree of HEAD equals the tree of `sha` (used to skip pushes that change nothing). */
  sameTree(sha: string): Promise<boolean>;
  /** Patch from the base commit to HEAD (`git format-patch` style, one entry per commit). */
  patch(): Promise<string>;
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
