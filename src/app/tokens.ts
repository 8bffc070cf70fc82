import type { TokenProvider } from '../forge/github/index.js';

/** The part of an App-authenticated (JWT) Octokit the provider uses. */
export interface AppRequester {
  request(route: 'POST /app/installations/{installation_id}/access_tokens', params: { installation_id: number; repositories: string[] }): Promise<{ data: { token: string; expires_at: string } }>;
}

export interface InstallationTokenOptions {
  /** Octokit authenticated as the App (a fresh JWT per request). */
  app: AppRequester;
  installationId: number;
  /** The one repository the token is for: a job's token can reach nothing else. */
  repo: string;
  now?: () => number;
  /** Renew this long before expiry (default 5 minutes, at most half the token's life). */
  marginMs?: number;
}

const DEFAULT_MARGIN_MS = 5 * 60_000;

/**
 * Installation tokens for one job: created through
 * `POST /app/installations/{id}/access_tokens`, scoped to the job's
 * repository, kept until shortly before `expires_at`, then replaced. A job
 * running longer than a token lives therefore never uses an expired one.
 */
export function installationTokenProvider(options: InstallationTokenOptions): TokenProvider {
  const now = options.now ?? Date.now;
  let cached: { token: string; renewAt: number } | null = null;
  let pending: Promise<string> | null = null;

  async function create(): Promise<string> {
    const issuedAt = now();
    const { data } = await options.app.request('POST /app/installations/{installation_id}/access_tokens', {
      installation_id: options.installationId,
      repositories: [options.repo],
    });
    const expiresAt = Date.parse(data.expires_at);
    const life = Number.isFinite(expiresAt) ? expiresAt - issuedAt : 60 * 60_000;
    const margin = Math.min(options.marginMs ?? DEFAULT_MARGIN_MS, life / 2);
    cached = { token: data.token, renewAt: issuedAt + life - margin };
    return data.token;
  }

  return async () => {
    if (cached && now() < cached.renewAt) return cached.token;
    // Concurrent callers share one request.
    pending ??= create().finally(() => {
      pending = null;
    });
    return pending;
  };
}
