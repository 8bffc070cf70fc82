import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubForge, type GitHubForgeOptions } from '../../src/forge/github/index.js';
import { ForgeError } from '../../src/forge/types.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const TOKEN = 'ghs_FakeInstallationToken0123456789abcd';
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
const NOW = Date.parse('2024-05-01T12:00:00Z');
const DOCS = 'https://docs.github.com/rest';

let fake: FakeGitHub;
let sleeps: number[];

beforeEach(async () => {
  fake = await startFakeGitHub({ owner: 'acme', repo: 'pcm-ops', defaultBranch: 'main', token: TOKEN });
  sleeps = [];
});

afterEach(async () => {
  const violations = [...fake.violations];
  await fake.close();
  expect(violations).toEqual([]);
});

function forge(extra: Partial<GitHubForgeOptions> = {}) {
  return createGitHubForge({
    repository: 'acme/pcm-ops',
    token: TOKEN,
    apiUrl: fake.apiUrl,
    serverUrl: fake.serverUrl,
    // Time is injected: the waits are recorded, never slept.
    retry: { max: 3, baseDelayMs: 100, now: () => NOW, sleep: async (ms) => void sleeps.push(ms) },
    ...extra,
  });
}

async function failure(promise: Promise<unknown>): Promise<ForgeError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ForgeError);
  return error as ForgeError;
}

const draft = { branch: 'shipshape/1.2-xss', base: 'main', title: 'Sprint 1.2', body: 'body', labels: [] };

describe('GitHub forge: rate limits', () => {
  it('waits until x-ratelimit-reset after a primary rate limit 403, then succeeds', async () => {
    const reset = NOW / 1000 + 42;
    fake.failNext('GET', '/repos/{owner}/{repo}', 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, { message: 'API rate limit exceeded for installation ID 1.', documentation_url: DOCS });

    expect(await forge().defaultBranch()).toBe('main');
    expect(sleeps).toEqual([43_000]);
    expect(fake.requests).toHaveLength(2);
  });

  it('honours Retry-After on a 429 secondary limit and does not create the pull request twice', async () => {
    fake.failNext('POST', '/repos/{owner}/{repo}/pulls', 429, { 'retry-after': '7' }, { message: 'You have exceeded a secondary rate limit.', documentation_url: DOCS });

    const pr = await forge().createPr(draft);

    expect(pr.number).toBe(1);
    expect(sleeps).toEqual([7000]);
    expect(fake.state.prs).toHaveLength(1);
  });

  it('backs off at least a minute on a secondary limit 403 without headers', async () => {
    fake.failNext('GET', '/repos/{owner}/{repo}', 403, {}, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: DOCS });
    expect(await forge().defaultBranch()).toBe('main');
    expect(sleeps).toEqual([60_000]);
  });

  it('gives up with a rate-limited error after the bounded retries', async () => {
    for (let i = 0; i < 4; i += 1) fake.failNext('GET', '/repos/{owner}/{repo}', 429, { 'retry-after': '1' });

    const error = await failure(forge().defaultBranch());

    expect(error.kind).toBe('rate-limited');
    expect(error.status).toBe(429);
    expect(sleeps).toEqual([1000, 1000, 1000]);
    expect(fake.requests).toHaveLength(4);
  });

  it('fails at once when the limit resets later than it is willing to wait', async () => {
    fake.failNext('GET', '/repos/{owner}/{repo}', 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 3600) }, { message: 'API rate limit exceeded', documentation_url: DOCS });

    const error = await failure(forge({ retry: { maxWaitMs: 60_000, now: () => NOW, sleep: async (ms) => void sleeps.push(ms) } }).defaultBranch());

    expect(error.kind).toBe('rate-limited');
    expect(error.message).toBe('GitHub API rate limit for acme/pcm-ops is used up until 2024-05-01T13:00:00.000Z');
    expect(sleeps).toEqual([]);
  });
});

describe('GitHub forge: server and network failures', () => {
  it('retries a 502 with exponential backoff and succeeds when GitHub recovers', async () => {
    fake.failNext('GET', '/repos/{owner}/{repo}', 502);
    fake.failNext('GET', '/repos/{owner}/{repo}', 502);
    expect(await forge().defaultBranch()).toBe('main');
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up on repeated 502s with a server error after max + 1 attempts', async () => {
    for (let i = 0; i < 4; i += 1) fake.failNext('GET', '/repos/{owner}/{repo}', 502, {}, { message: 'Server Error' });

    const error = await failure(forge().defaultBranch());

    expect(error.kind).toBe('server');
    expect(error.status).toBe(502);
    expect(error.message).toBe('GitHub failed with 502 on GET /repos/{owner}/{repo} (Server Error); gave up after 4 attempts');
    expect(sleeps).toEqual([100, 200, 400]);
    expect(fake.requests).toHaveLength(4);
  });

  it('reports an unreachable API as a network error after bounded retries', async () => {
    const gone = await startFakeGitHub({ owner: 'acme', repo: 'pcm-ops', defaultBranch: 'main' });
    await gone.close();

    const error = await failure(forge({ apiUrl: gone.apiUrl }).defaultBranch());

    expect(error.kind).toBe('network');
    expect(error.message).toContain(`could not reach GitHub at ${gone.apiUrl}`);
    expect(sleeps).toEqual([100, 200, 400]);
  });
});

describe('GitHub forge: errors that retrying cannot fix', () => {
  it('says a missing repository is missing, or invisible to the token', async () => {
    const error = await failure(forge({ repository: 'acme/nope' }).defaultBranch());
    expect(error.kind).toBe('not-found');
    expect(error.status).toBe(404);
    expect(error.message).toBe('acme/nope not found, or the token cannot see it (GET /repos/{owner}/{repo})');
    expect(sleeps).toEqual([]);
  });

  it('reports a rejected token as forbidden', async () => {
    const error = await failure(forge({ token: 'ghs_SomeOtherTokenThatIsWrong0123456' }).defaultBranch());
    expect(error.kind).toBe('forbidden');
    expect(error.status).toBe(401);
    expect(error.message).toBe('GitHub rejected the token (401 Bad credentials); check GITHUB_TOKEN');
  });

  it('reports a permission 403 as forbidden without retrying', async () => {
    fake.failNext('POST', '/repos/{owner}/{repo}/pulls', 403, {}, { message: 'Resource not accessible by integration', documentation_url: DOCS, status: '403' });
    const error = await failure(forge().createPr(draft));
    expect(error.kind).toBe('forbidden');
    expect(error.message).toContain('Resource not accessible by integration');
    expect(fake.requests).toHaveLength(1);
  });

  it("passes GitHub's reason on for any other 422", async () => {
    fake.failNext('POST', '/repos/{owner}/{repo}/pulls', 422, {}, {
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message: 'No commits between main and shipshape/1.2-xss' }],
      documentation_url: DOCS,
    });
    const error = await failure(forge().createPr(draft));
    expect(error.kind).toBe('invalid');
    expect(error.message).toBe('GitHub refused POST /repos/{owner}/{repo}/pulls: Validation Failed: No commits between main and shipshape/1.2-xss');
    expect(fake.state.prs).toHaveLength(0);
  });
});

describe('GitHub forge: the token never leaks', () => {
  // The 404 message is ours alone; the others quote GitHub's words, which then carry the scrubbed echo.
  it.each([
    [401, true],
    [403, true],
    [404, false],
    [422, true],
    [500, true],
  ])('scrubs a token that GitHub echoes back in a %i error body', async (status, quotesGitHub) => {
    const echoed: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      fake.failNext('GET', '/repos/{owner}/{repo}', status, {}, ({ headers }) => {
        const authorization = String(headers.authorization);
        echoed.push(authorization);
        return {
          message: `Bad request from ${authorization} (git: Basic ${BASIC})`,
          errors: [{ code: 'custom', message: `token=${TOKEN}` }],
          documentation_url: DOCS,
        };
      });
    }

    const error = await failure(forge().defaultBranch());

    // The server really did echo the secret: the forge had to remove it.
    expect(echoed[0]).toContain(TOKEN);
    for (const text of [error.message, String(error), inspect(error), JSON.stringify(error), error.stack ?? '']) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(BASIC);
    }
    expect(error.message.includes('***')).toBe(quotesGitHub);
  });

  it('scrubs the token from a network error about an address that contains it', async () => {
    const error = await failure(forge({ apiUrl: `http://127.0.0.1:9/${TOKEN}`, retry: { max: 0, sleep: async () => {} } }).defaultBranch());
    expect(error.kind).toBe('network');
    expect(error.message).toContain('could not reach GitHub at http://127.0.0.1:9/***');
    expect(String(error)).not.toContain(TOKEN);
    expect(inspect(error)).not.toContain(TOKEN);
  });
});
