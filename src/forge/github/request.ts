import { ForgeError } from '../types.js';

/** How the GitHub forge retries: bounded, and with injectable time so tests never really wait. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  max: number;
  /** First backoff for 5xx and network failures; doubles each retry (default 1000). */
  baseDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** Clock for `x-ratelimit-reset` (default `Date.now`). */
  now?: () => number;
  /** A rate-limit wait longer than this fails at once instead of blocking the run (default 15 minutes). */
  maxWaitMs?: number;
}

/** What the wrapper needs to build messages: which repository, and every secret that must never be printed. */
export interface RequestContext {
  repository: string;
  apiUrl: string;
  secrets: string[];
}

interface HttpFailure {
  status: number;
  headers: Record<string, string | number | undefined>;
  data: unknown;
}

const SECONDARY_LIMIT_FLOOR_MS = 60_000;
/** GitHub token shapes (classic, fine-grained, app, OAuth): redacted even when we were not told the value. */
const TOKEN_PATTERN = /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g;

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every form in which a token can travel: as is, and inside the Basic header git uses. */
export function secretForms(token: string): string[] {
  if (token === '') return [];
  return [token, Buffer.from(`x-access-token:${token}`).toString('base64'), encodeURIComponent(token)];
}

/** Replaces anything shaped like a GitHub token (for logs, where length and lines are kept). */
export function scrubTokenShapes(text: string): string {
  return text.replace(TOKEN_PATTERN, '***');
}

/** One line, no secrets, bounded length: the only kind of text a ForgeError may carry. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  out = out.replace(TOKEN_PATTERN, '***').replace(/\s+/g, ' ').trim();
  return out.length > 300 ? `${out.slice(0, 297)}...` : out;
}

function asHttpFailure(error: unknown): HttpFailure | null {
  if (typeof error !== 'object' || error === null) return null;
  const { status, response } = error as { status?: unknown; response?: { headers?: unknown; data?: unknown } };
  // Octokit reports a failed fetch as status 500 without a response: that is the network, not GitHub.
  if (typeof status !== 'number' || response === undefined) return null;
  const headers = (typeof response.headers === 'object' && response.headers !== null ? response.headers : {}) as HttpFailure['headers'];
  return { status, headers, data: response.data };
}

/** GitHub's own explanation: `message` plus the per-field errors of a 422. */
function githubMessage(data: unknown): string {
  if (typeof data === 'string') return data;
  if (typeof data !== 'object' || data === null) return '';
  const { message, errors } = data as { message?: unknown; errors?: unknown };
  const parts: string[] = [];
  if (typeof message === 'string') parts.push(message);
  if (Array.isArray(errors)) {
    const details = errors
      .map((entry: unknown) => {
        if (typeof entry === 'string') return entry;
        if (typeof entry !== 'object' || entry === null) return '';
        const { message: detail, code, field } = entry as { message?: unknown; code?: unknown; field?: unknown };
        if (typeof detail === 'string') return detail;
        return [field, code].filter((part) => typeof part === 'string').join(' ');
      })
      .filter((detail) => detail !== '');
    if (details.length > 0) return `${parts.join('')}: ${details.join('; ')}`;
  }
  return parts.join('');
}

function header(failure: HttpFailure, name: string): string | undefined {
  const value = failure.headers[name];
  return value === undefined ? undefined : String(value);
}

interface Judgement {
  error: ForgeError;
  /** How long to wait before trying again; null when trying again cannot help. */
  waitMs: number | null;
}

function judge(error: unknown, attempt: number, operation: string, context: RequestContext, retry: Required<RetryOptions>): Judgement {
  const backoff = retry.baseDelayMs * 2 ** attempt;
  const clean = (text: string): string => redact(text, context.secrets);
  const failure = asHttpFailure(error);
  if (failure === null) {
    const reason = error instanceof Error ? error.message : String(error);
    return { error: new ForgeError(clean(`could not reach GitHub at ${context.apiUrl} (${operation}): ${reason}`), 'network'), waitMs: backoff };
  }
  const { status } = failure;
  const said = clean(githubMessage(failure.data)) || `HTTP ${status}`;
  if (status === 403 || status === 429) {
    const retryAfter = Number(header(failure, 'retry-after'));
    const remaining = header(failure, 'x-ratelimit-remaining');
    const reset = Number(header(failure, 'x-ratelimit-reset'));
    if (Number.isFinite(retryAfter) && header(failure, 'retry-after') !== undefined) {
      return rateLimited(`GitHub asked shipshape to slow down (${said}); retried ${attempt} times`, retryAfter * 1000, status, retry);
    }
    if (remaining === '0' && Number.isFinite(reset)) {
      // One second of slack: the reset time is in whole seconds and clocks drift.
      const waitMs = Math.max(0, reset * 1000 - retry.now()) + 1000;
      return rateLimited(`GitHub API rate limit for ${context.repository} is used up until ${new Date(reset * 1000).toISOString()}`, waitMs, status, retry);
    }
    // Secondary limits sometimes come without headers; GitHub asks for at least a minute then.
    if (status === 429 || /secondary rate limit|abuse/i.test(said)) {
      return rateLimited(`GitHub secondary rate limit hit (${said})`, Math.max(SECONDARY_LIMIT_FLOOR_MS, backoff), status, retry);
    }
    return { error: new ForgeError(clean(`GitHub refused ${operation} (403 ${said}): the token lacks permission on ${context.repository}`), 'forbidden', status), waitMs: null };
  }
  if (status >= 500) {
    return { error: new ForgeError(clean(`GitHub failed with ${status} on ${operation} (${said}); gave up after ${attempt + 1} attempts`), 'server', status), waitMs: backoff };
  }
  if (status === 401) {
    return { error: new ForgeError(clean(`GitHub rejected the token (401 ${said}); check GITHUB_TOKEN`), 'forbidden', status), waitMs: null };
  }
  if (status === 404) {
    return { error: new ForgeError(clean(`${context.repository} not found, or the token cannot see it (${operation})`), 'not-found', status), waitMs: null };
  }
  if (status === 422) {
    return { error: new ForgeError(clean(`GitHub refused ${operation}: ${said}`), 'invalid', status), waitMs: null };
  }
  return { error: new ForgeError(clean(`GitHub refused ${operation} with ${status}: ${said}`), 'rejected', status), waitMs: null };
}

function rateLimited(message: string, waitMs: number, status: number, retry: Required<RetryOptions>): Judgement {
  const error = new ForgeError(message, 'rate-limited', status);
  return { error, waitMs: waitMs > retry.maxWaitMs ? null : waitMs };
}

export function retryDefaults(options: Partial<RetryOptions> | undefined): Required<RetryOptions> {
  return {
    max: options?.max ?? 3,
    baseDelayMs: options?.baseDelayMs ?? 1000,
    sleep: options?.sleep ?? defaultSleep,
    now: options?.now ?? Date.now,
    maxWaitMs: options?.maxWaitMs ?? 15 * 60_000,
  };
}

/**
 * The one place where GitHub failures are retried and translated: rate limits
 * wait (Retry-After or the reset time), 5xx and network failures back off
 * exponentially, everything else fails at once; whatever escapes is a
 * ForgeError whose message has been scrubbed of every secret. POSTs are
 * retried too: a PR that GitHub created before a 5xx comes back as 422
 * "already exists", which createPr adopts; a comment could in rare cases be
 * posted twice, which is cheaper than losing it.
 */
export async function withRetries<T>(call: () => Promise<T>, operation: string, context: RequestContext, retry: Required<RetryOptions>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ForgeError) throw error;
      const judgement = judge(error, attempt, redact(operation, context.secrets), context, retry);
      if (judgement.waitMs === null || attempt >= retry.max) throw judgement.error;
      await retry.sleep(judgement.waitMs);
    }
  }
}
