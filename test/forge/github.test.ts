import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGitHubForge, type GitHubForgeOptions } from '../../src/forge/github/index.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

// Shaped like an installation token so the generic token patterns would catch it too.
const TOKEN = 'ghs_FakeInstallationToken0123456789abcd';
const OWNER = 'acme';
const REPO = 'pcm-ops';

let fake: FakeGitHub;

beforeEach(async () => {
  fake = await startFakeGitHub({ owner: OWNER, repo: REPO, defaultBranch: 'main', token: TOKEN });
});

afterEach(async () => {
  const violations = [...fake.violations];
  await fake.close();
  vi.unstubAllEnvs();
  // Every request the forge sent and every answer the fake gave must match GitHub's OpenAPI description.
  expect(violations).toEqual([]);
});

/** No test here expects a retry: a sleep would mean the fake failed, so it fails the test instead of waiting. */
async function noRetry(): Promise<void> {
  throw new Error(`unexpected retry; violations so far: ${fake.violations.join(' | ')}`);
}

function forge(extra: Partial<GitHubForgeOptions> = {}) {
  return createGitHubForge({ repository: `${OWNER}/${REPO}`, token: TOKEN, apiUrl: fake.apiUrl, serverUrl: fake.serverUrl, retry: { sleep: noRetry }, ...extra });
}

function calls(): string[] {
  return fake.requests.map((request) => `${request.method} ${request.operationId ?? request.path}`);
}

describe('GitHub forge: repository and remote', () => {
  it('reads the default branch from GET /repos/{owner}/{repo}', async () => {
    expect(await forge().defaultBranch()).toBe('main');
    expect(calls()).toEqual(['GET repos/get']);
  });

  it('describes itself and pushes to the server with the token in the environment only', () => {
    const github = forge();
    expect(github.name).toBe('github');
    expect(github.maxBodyLength).toBe(65_536);
    expect(github.repository).toBe('acme/pcm-ops');
    const remote = github.remote();
    expect(remote.url).toBe(`${fake.serverUrl}/acme/pcm-ops.git`);
    expect(remote.url).not.toContain(TOKEN);
    expect(remote.env).toEqual({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`,
    });
  });

  it('takes the API base from GITHUB_API_URL and the git server from GITHUB_SERVER_URL when no option is given', async () => {
    vi.stubEnv('GITHUB_API_URL', `${fake.apiUrl}/`);
    vi.stubEnv('GITHUB_SERVER_URL', 'https://ghe.example.test/');
    const github = createGitHubForge({ repository: `${OWNER}/${REPO}`, token: TOKEN, retry: { sleep: noRetry } });
    expect(await github.defaultBranch()).toBe('main');
    expect(github.remote().url).toBe('https://ghe.example.test/acme/pcm-ops.git');
    expect(github.fileLink!('app/my views.py', 'abc123', 3, 5)).toBe('https://ghe.example.test/acme/pcm-ops/blob/abc123/app/my%20views.py#L3-L5');
    expect(github.fileLink!('app.py', 'abc123', 7)).toBe('https://ghe.example.test/acme/pcm-ops/blob/abc123/app.py#L7');
  });

  it('defaults to api.github.com and github.com, and sends requests through the injected fetch', async () => {
    vi.stubEnv('GITHUB_API_URL', '');
    vi.stubEnv('GITHUB_SERVER_URL', '');
    const seen: string[] = [];
    const recordingFetch: typeof globalThis.fetch = async (input) => {
      seen.push(String(input));
      return new Response(JSON.stringify({ default_branch: 'trunk' }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const github = createGitHubForge({ repository: 'octo/hello', token: TOKEN, fetch: recordingFetch });
    expect(await github.defaultBranch()).toBe('trunk');
    expect(seen).toEqual(['https://api.github.com/repos/octo/hello']);
    expect(github.remote().url).toBe('https://github.com/octo/hello.git');
  });

  it.each([['not-a-repo'], ['a/b/c'], ['owner/'], ['https://github.com/a/b']])('rejects the repository name %j', (repository) => {
    expect(() => createGitHubForge({ repository, token: TOKEN })).toThrow(/expected owner\/name/);
  });

  it('refuses to start without a token', () => {
    expect(() => createGitHubForge({ repository: 'a/b', token: ' ' })).toThrow(/token is required/);
  });
});

describe('GitHub forge: pull requests', () => {
  const draft = { branch: 'shipshape/1.2-xss', base: 'main', title: 'Sprint 1.2: XSS', body: 'Closes the XSS findings.', labels: ['shipshape', 'security'] };

  it('creates a pull request and labels it', async () => {
    const pr = await forge().createPr(draft);
    expect(pr).toEqual({
      number: 1,
      url: `${fake.serverUrl}/acme/pcm-ops/pull/1`,
      state: 'open',
      branch: 'shipshape/1.2-xss',
      base: 'main',
      title: 'Sprint 1.2: XSS',
      body: 'Closes the XSS findings.',
      labels: ['shipshape', 'security'],
    });
    expect(calls()).toEqual(['POST pulls/create', 'POST issues/add-labels']);
    expect(fake.requests[0]?.body).toEqual({ head: 'shipshape/1.2-xss', base: 'main', title: 'Sprint 1.2: XSS', body: 'Closes the XSS findings.' });
    expect(fake.state.prs).toHaveLength(1);
    expect(fake.state.prs[0]?.labels).toEqual(['shipshape', 'security']);
    expect(fake.state.labels.map((label) => label.name)).toEqual(['shipshape', 'security']);
  });

  it('creates without a labels call when there are no labels', async () => {
    await forge().createPr({ ...draft, labels: [] });
    expect(calls()).toEqual(['POST pulls/create']);
  });

  it('finds, updates and closes a pull request by its branch', async () => {
    const github = forge();
    const created = await github.createPr(draft);
    fake.requests.length = 0;

    const found = await github.findPr('shipshape/1.2-xss');
    expect(found).toEqual(created);
    expect(fake.requests[0]?.query).toEqual({ head: 'acme:shipshape/1.2-xss', state: 'all', sort: 'created', direction: 'desc', per_page: '10' });

    const updated = await github.updatePr(created.number, { body: 'New body' });
    expect(updated).toMatchObject({ number: created.number, title: 'Sprint 1.2: XSS', body: 'New body', labels: ['shipshape', 'security'] });
    expect(fake.requests.at(-1)?.body).toEqual({ body: 'New body' });

    await github.closePr(created.number);
    expect(fake.state.prs[0]?.state).toBe('closed');
    expect(await github.findPr('shipshape/1.2-xss')).toMatchObject({ number: created.number, state: 'closed' });
    expect(await github.findPr('shipshape/9.9-none')).toBeNull();
  });

  it('reports a merged pull request as merged, and the newest of several on one branch', async () => {
    fake.seedPr({ head: 'shipshape/2.3-logging', state: 'closed', mergedAt: '2024-05-01T13:00:00Z', closedAt: '2024-05-01T13:00:00Z' });
    expect(await forge().findPr('shipshape/2.3-logging')).toMatchObject({ number: 1, state: 'merged' });
    fake.seedPr({ head: 'shipshape/2.3-logging', title: 'Again' });
    expect(await forge().findPr('shipshape/2.3-logging')).toMatchObject({ number: 2, state: 'open', title: 'Again' });
  });

  it('ignores a pull request from a fork that uses the same branch name', async () => {
    fake.seedPr({ head: 'shipshape/1.1-secret', headRepo: 'mallory/pcm-ops' });
    expect(await forge().findPr('shipshape/1.1-secret')).toBeNull();
  });

  it('adopts the existing pull request when GitHub answers 422 "already exists"', async () => {
    const github = forge();
    const first = await github.createPr({ ...draft, labels: ['shipshape'] });
    fake.requests.length = 0;

    const second = await github.createPr({ ...draft, title: 'Sprint 1.2: XSS (rerun)', body: 'Updated body', labels: ['security'] });

    expect(second).toMatchObject({ number: first.number, title: 'Sprint 1.2: XSS (rerun)', body: 'Updated body', labels: ['shipshape', 'security'] });
    expect(calls()).toEqual(['POST pulls/create', 'GET pulls/list', 'PATCH pulls/update', 'POST issues/add-labels']);
    expect(fake.state.prs).toHaveLength(1);
    expect(fake.state.prs[0]).toMatchObject({ title: 'Sprint 1.2: XSS (rerun)', body: 'Updated body' });
  });

  it('comments on a pull request', async () => {
    const github = forge();
    const pr = await github.createPr(draft);
    await github.comment(pr.number, 'A human pushed to this branch; shipshape will not force-push it.');
    expect(fake.state.comments).toMatchObject([{ issueNumber: pr.number, body: 'A human pushed to this branch; shipshape will not force-push it.' }]);
  });

  it('lists open pull requests by branch prefix across pages', async () => {
    for (let i = 1; i <= 35; i += 1) fake.seedPr({ head: `shipshape/${i}.1-item` });
    fake.seedPr({ head: 'renovate/lodash-4.x' });
    fake.seedPr({ head: 'shipshape/0.1-closed', state: 'closed', closedAt: '2024-05-01T13:00:00Z' });
    fake.seedPr({ head: 'shipshape/0.2-fork', headRepo: 'mallory/pcm-ops' });

    const open = await forge({ perPage: 30 }).openPrs('shipshape/');

    expect(open).toHaveLength(35);
    expect(new Set(open.map((pr) => pr.branch))).toEqual(new Set(Array.from({ length: 35 }, (_, i) => `shipshape/${i + 1}.1-item`)));
    expect(open.every((pr) => pr.state === 'open')).toBe(true);
    expect(fake.requests.map((request) => request.query.page ?? '1')).toEqual(['1', '2']);
    expect(fake.requests.every((request) => request.operationId === 'pulls/list' && request.query.state === 'open')).toBe(true);
  });
});

describe('GitHub forge: dashboard issue', () => {
  const marker = '<!-- shipshape:dashboard -->';

  it('creates the issue once, then updates it in place, and leaves it alone when nothing changed', async () => {
    const github = forge();
    const created = await github.ensureIssue('shipshape dashboard', `${marker}\n- [ ] 1.1`, marker);
    expect(created).toEqual({ number: 1, url: `${fake.serverUrl}/acme/pcm-ops/issues/1` });
    expect(calls()).toEqual(['GET issues/list-for-repo', 'POST issues/create']);

    fake.requests.length = 0;
    const updated = await github.ensureIssue('shipshape dashboard', `${marker}\n- [x] 1.1`, marker);
    expect(updated).toEqual(created);
    expect(calls()).toEqual(['GET issues/list-for-repo', 'PATCH issues/update']);
    expect(fake.state.issues).toHaveLength(1);
    expect(fake.state.issues[0]?.body).toBe(`${marker}\n- [x] 1.1`);

    fake.requests.length = 0;
    await github.ensureIssue('shipshape dashboard', `${marker}\n- [x] 1.1`, marker);
    expect(calls()).toEqual(['GET issues/list-for-repo']);
  });

  it('finds the marked issue on a later page and skips pull requests that quote the marker', async () => {
    const dashboard = fake.seedIssue({ title: 'Old dashboard', body: `${marker}\nold` });
    for (let i = 0; i < 3; i += 1) fake.seedIssue({ title: `Bug ${i}`, body: 'Something broke' });
    fake.seedPr({ head: 'docs/dashboard', body: `Explains ${marker}` });

    const result = await forge({ perPage: 2 }).ensureIssue('shipshape dashboard', `${marker}\nnew`, marker);

    expect(result.number).toBe(dashboard.number);
    expect(fake.state.issues.find((issue) => issue.number === dashboard.number)).toMatchObject({ title: 'shipshape dashboard', body: `${marker}\nnew` });
    expect(fake.state.prs[0]?.body).toBe(`Explains ${marker}`);
    expect(fake.requests.filter((request) => request.operationId === 'issues/list-for-repo').map((request) => request.query.page ?? '1')).toEqual(['1', '2', '3']);
  });
});

describe('the fake GitHub itself', () => {
  it('flags requests that GitHub would not accept, so the forge cannot drift from the description', async () => {
    const headers = { authorization: `token ${TOKEN}`, 'content-type': 'application/json' };
    const missingBase = await fetch(`${fake.apiUrl}/repos/acme/pcm-ops/pulls`, { method: 'POST', headers, body: JSON.stringify({ head: 'x', title: 't' }) });
    const unknown = await fetch(`${fake.apiUrl}/repos/acme/pcm-ops/pulls/1/merge`, { method: 'PUT', headers });
    const badQuery = await fetch(`${fake.apiUrl}/repos/acme/pcm-ops/pulls?state=merged&colour=red`, { headers });

    expect([missingBase.status, unknown.status, badQuery.status]).toEqual([422, 404, 422]);
    expect(fake.violations).toEqual([
      expect.stringMatching(/pulls\/create.*request body .*base/),
      expect.stringMatching(/PUT \/api\/v3\/repos\/acme\/pcm-ops\/pulls\/1\/merge: no such operation/),
      expect.stringMatching(/pulls\/list.*state="merged"/),
      expect.stringMatching(/pulls\/list.*colour is not in GitHub's description/),
    ]);
    fake.violations.length = 0;
  });
});
