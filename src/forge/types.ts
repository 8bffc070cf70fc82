/**
 * A forge is where branches are pushed and pull requests live. Policy (what
 * to open, update, skip, cap) lives above, in src/apply; a forge only
 * translates these calls. Two implementations: `local` (no network; PRs are
 * Markdown files) and `github` (REST API).
 */

export type PrState = 'open' | 'closed' | 'merged';

export interface PullRequest {
  number: number;
  url: string;
  state: PrState;
  /** Head branch name (without `refs/heads/`). */
  branch: string;
  base: string;
  title: string;
  body: string;
  labels: string[];
  /** The commit that landed it on the base (merge or squash commit), when merged and the forge knows it. */
  mergeCommit?: string;
}

export interface NewPullRequest {
  branch: string;
  base: string;
  title: string;
  body: string;
  labels: string[];
}

export interface Issue {
  number: number;
  url: string;
}

/** Where `git push` goes and what environment it needs (credentials travel in the environment, never in the URL). */
export interface GitRemote {
  url: string;
  env: Record<string, string>;
  /**
   * Fresh credentials for the next network command (clone, fetch, push). Short-lived tokens
   * (GitHub App installation tokens last an hour) are asked for again before each one.
   */
  refresh?: () => Promise<Record<string, string>>;
}

export interface Forge {
  readonly name: 'local' | 'github';
  /** The longest PR body the forge accepts, in characters. */
  readonly maxBodyLength: number;
  /** The repository, for messages: `owner/name` or a local path. */
  readonly repository: string;
  /** Where to clone from and push to. */
  remote(): GitRemote;
  defaultBranch(): Promise<string>;
  /** The most recent pull request whose head is `branch`, in any state; null when there is none. */
  findPr(branch: string): Promise<PullRequest | null>;
  createPr(pr: NewPullRequest): Promise<PullRequest>;
  updatePr(number: number, changes: { title?: string; body?: string }): Promise<PullRequest>;
  closePr(number: number): Promise<void>;
  comment(number: number, body: string): Promise<void>;
  /** Open pull requests whose head branch starts with `prefix` (the caps count shipshape's own). */
  openPrs(prefix: string): Promise<PullRequest[]>;
  /** Creates or updates the issue that carries `marker` in its body (the dashboard). */
  ensureIssue(title: string, body: string, marker: string): Promise<Issue>;
  /**
   * A link to lines of a file as of commit `sha`, for PR bodies: a blob URL
   * on GitHub, a path relative to the draft in the local forge.
   */
  fileLink?(path: string, sha: string, startLine: number, endLine?: number): string;
}

/** `a/b c.py` → `a/b%20c.py`: each segment URL-encoded, the slashes kept. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** A forge call that failed in a way the user must act on; `message` is one clear line, never a token. */
export class ForgeError extends Error {
  constructor(
    message: string,
    readonly kind: 'not-found' | 'forbidden' | 'rate-limited' | 'rejected' | 'server' | 'network' | 'invalid',
    readonly status?: number,
  ) {
    super(message);
  }
}
