import { Octokit } from '@octokit/rest';
import { TOOL_VERSION } from '../../version.js';
import { encodePath, ForgeError, type Forge, type GitRemote, type Issue, type NewPullRequest, type PullRequest } from '../types.js';
import { gitAuthEnv } from '../../workspace/git.js';
import { redact, retryDefaults, secretForms, withRetries, type RequestContext, type RetryOptions } from './request.js';

export interface GitHubForgeOptions {
  /** `owner/name`. */
  repository: string;
  /**
   * A fixed token (a personal token for the CLI), or a provider asked before every API call and
   * git command: an App's installation token lasts an hour, so a long job needs fresh ones.
   */
  token: string | TokenProvider;
  /** REST API base (empty or unset: `GITHUB_API_URL`, then `https://api.github.com`; GHES: `https://host/api/v3`). */
  apiUrl?: string;
  /** Web and git base (empty or unset: `GITHUB_SERVER_URL`, then `https://github.com`). */
  serverUrl?: string;
  fetch?: typeof globalThis.fetch;
  retry?: Partial<RetryOptions>;
  /** Page size for listings (default 100, GitHub's maximum). */
  perPage?: number;
}

/** Returns a currently valid token; called often, so it should cache until the token nears expiry. */
export type TokenProvider = () => Promise<string>;

/** GitHub's limit for pull request and issue bodies, in characters. */
export const GITHUB_MAX_BODY_LENGTH = 65_536;

const REPOSITORY_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const ALREADY_EXISTS = /a pull request already exists/i;

/** The fields of GitHub's pull request objects (full and simple) that the forge reads. */
interface GitHubPull {
  number: number;
  html_url: string;
  state: string;
  merged_at: string | null;
  merge_commit_sha?: string | null;
  title: string;
  body: string | null;
  head: { ref: string; repo: { full_name: string } | null };
  base: { ref: string };
  labels: { name?: string }[];
}

// Octokit's own logger would print request lines to the console; shipshape reports failures itself, as ForgeErrors.
const silentLog = {
  debug(): void {},
  info(): void {},
  warn(): void {},
  error(): void {},
};

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function toPullRequest(pr: GitHubPull): PullRequest {
  return {
    number: pr.number,
    url: pr.html_url,
    state: pr.merged_at ? 'merged' : pr.state === 'open' ? 'open' : 'closed',
    branch: pr.head.ref,
    base: pr.base.ref,
    title: pr.title,
    body: pr.body ?? '',
    labels: pr.labels.flatMap((label) => (label.name === undefined ? [] : [label.name])),
    ...(pr.merged_at && pr.merge_commit_sha ? { mergeCommit: pr.merge_commit_sha } : {}),
  };
}

/**
 * The GitHub forge: translates Forge calls into REST calls through
 * @octokit/rest. Every request passes through one wrapper (request.ts) that
 * retries rate limits and 5xx and turns failures into ForgeErrors without
 * secrets. Works against github.com, GHES and the test server alike: only the
 * API and server URLs differ.
 */
export function createGitHubForge(options: GitHubForgeOptions): Forge {
  const { repository, token } = options;
  const fixed = typeof token === 'string' ? token : '';
  if (!REPOSITORY_PATTERN.test(repository)) {
    throw new ForgeError(`"${redact(repository, secretForms(fixed))}" is not a GitHub repository; expected owner/name`, 'invalid');
  }
  if (typeof token === 'string' && token.trim() === '') throw new ForgeError('a GitHub token is required (set GITHUB_TOKEN)', 'forbidden');
  const [owner = '', repo = ''] = repository.split('/');
  const apiUrl = trimSlash(options.apiUrl || process.env.GITHUB_API_URL || 'https://api.github.com');
  const serverUrl = trimSlash(options.serverUrl || process.env.GITHUB_SERVER_URL || 'https://github.com');
  const perPage = options.perPage ?? 100;
  const context: RequestContext = { repository, apiUrl, secrets: secretForms(fixed) };
  const retry = retryDefaults(options.retry);

  /** The current token; every token ever handed out joins the secrets that messages are scrubbed of. */
  async function currentToken(): Promise<string> {
    if (typeof token === 'string') return token;
    let value: string;
    try {
      value = await token();
    } catch (error) {
      const reason = redact(error instanceof Error ? error.message : String(error), context.secrets);
      throw new ForgeError(`could not get a GitHub token for ${repository}: ${reason}`, 'forbidden');
    }
    if (value.trim() === '') throw new ForgeError(`the token provider gave an empty token for ${repository}`, 'forbidden');
    if (!context.secrets.includes(value)) context.secrets.push(...secretForms(value));
    return value;
  }

  const octokit = new Octokit({
    baseUrl: apiUrl,
    userAgent: `shipshape/${TOOL_VERSION}`,
    log: silentLog,
    request: options.fetch ? { fetch: options.fetch } : {},
  });
  octokit.hook.wrap('request', (request, endpoint) => {
    const operation = `${endpoint.method} ${String(endpoint.url).replace(apiUrl, '')}`;
    // Asked on every attempt: a retry after a long rate-limit wait must not reuse an expired token.
    return withRetries(
      async () => {
        // Set in place: Octokit drops headers from a copied options object.
        endpoint.headers.authorization = `token ${await currentToken()}`;
        return request(endpoint);
      },
      operation,
      context,
      retry,
    );
  });

  async function addLabels(number: number, labels: string[]): Promise<string[] | null> {
    if (labels.length === 0) return null;
    const { data } = await octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels });
    return data.map((label) => label.name);
  }

  async function findPr(branch: string): Promise<PullRequest | null> {
    // `head` filters on owner:branch exactly; newest first so a re-created PR wins over an old closed one.
    const { data } = await octokit.rest.pulls.list({
      owner,
      repo,
      head: `${owner}:${branch}`,
      state: 'all',
      sort: 'created',
      direction: 'desc',
      per_page: 10,
    });
    const newest = data[0];
    return newest ? toPullRequest(newest) : null;
  }

  async function updatePr(number: number, changes: { title?: string; body?: string; base?: string }): Promise<PullRequest> {
    const { data } = await octokit.rest.pulls.update({ owner, repo, pull_number: number, ...changes });
    return toPullRequest(data);
  }

  async function createPr(pr: NewPullRequest): Promise<PullRequest> {
    let created: PullRequest;
    try {
      const { data } = await octokit.rest.pulls.create({ owner, repo, head: pr.branch, base: pr.base, title: pr.title, body: pr.body });
      created = toPullRequest(data);
    } catch (error) {
      // A crash between push and bookkeeping, or a second run, finds GitHub already holding the PR: adopt it.
      if (!(error instanceof ForgeError) || error.kind !== 'invalid' || !ALREADY_EXISTS.test(error.message)) throw error;
      const existing = await findPr(pr.branch);
      if (existing === null || existing.state !== 'open') throw error;
      created = await updatePr(existing.number, { title: pr.title, body: pr.body, base: pr.base });
    }
    const labels = await addLabels(created.number, pr.labels);
    return labels === null ? created : { ...created, labels };
  }

  async function openPrs(prefix: string): Promise<PullRequest[]> {
    const pulls = await octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: 'open', per_page: perPage });
    const own = repository.toLowerCase();
    // A fork's branch can carry the same name; only branches in this repository are shipshape's.
    return pulls
      .filter((pull) => pull.head.ref.startsWith(prefix) && pull.head.repo?.full_name.toLowerCase() === own)
      .map(toPullRequest);
  }

  async function ensureIssue(title: string, body: string, marker: string): Promise<Issue> {
    // No `creator` filter: an installation token cannot ask who it is, and the marker is specific enough.
    const pages = octokit.paginate.iterator(octokit.rest.issues.listForRepo, { owner, repo, state: 'open', per_page: perPage });
    for await (const { data } of pages) {
      const found = data.find((issue) => issue.pull_request === undefined && (issue.body ?? '').includes(marker));
      if (found === undefined) continue;
      if (found.title === title && found.body === body) return { number: found.number, url: found.html_url };
      const { data: updated } = await octokit.rest.issues.update({ owner, repo, issue_number: found.number, title, body });
      return { number: updated.number, url: updated.html_url };
    }
    const { data: created } = await octokit.rest.issues.create({ owner, repo, title, body });
    return { number: created.number, url: created.html_url };
  }

  return {
    name: 'github',
    maxBodyLength: GITHUB_MAX_BODY_LENGTH,
    repository,
    remote(): GitRemote {
      return {
        url: `${serverUrl}/${owner}/${repo}.git`,
        env: gitAuthEnv(fixed),
        refresh: typeof token === 'string' ? undefined : async () => gitAuthEnv(await currentToken()),
      };
    },
    fileLink(path, sha, startLine, endLine) {
      const lines = endLine !== undefined && endLine !== startLine ? `#L${startLine}-L${endLine}` : `#L${startLine}`;
      return `${serverUrl}/${owner}/${repo}/blob/${sha}/${encodePath(path)}${lines}`;
    },
    async defaultBranch(): Promise<string> {
      const { data } = await octokit.rest.repos.get({ owner, repo });
      return data.default_branch;
    },
    findPr,
    createPr,
    updatePr: (number, changes) => updatePr(number, { title: changes.title, body: changes.body }),
    async closePr(number: number): Promise<void> {
      await octokit.rest.pulls.update({ owner, repo, pull_number: number, state: 'closed' });
    },
    async comment(number: number, body: string): Promise<void> {
      await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body });
    },
    openPrs,
    ensureIssue,
  };
}
