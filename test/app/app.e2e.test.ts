import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import reviewComments from '../../fixtures/findings/coderabbit-pr-comments.json' with { type: 'json' };
import { commentPatch, OWNER, PRIVATE_KEY, REPO, startHarness, TINY, WEBHOOK_SECRET, type Harness } from '../helpers/app-harness.js';
import { git } from '../helpers/git-http-server.js';


let h: Harness | undefined;

afterEach(async () => {
  if (!h) return;
  const violations = [...h.github.violations];
  const logs = h.logs.join('\n');
  const tokens = h.github.tokens.map((t) => t.token);
  // Nor comments, PR bodies or issues: everything the App wrote to GitHub.
  const written = JSON.stringify(h.github.state);
  for (const token of tokens) expect(written).not.toContain(token);
  expect(written).not.toContain(WEBHOOK_SECRET);
  await h.close();
  h = undefined;
  expect(violations).toEqual([]);
  // Secrets never reach the logs: not the key, not the webhook secret, not one installation token.
  expect(logs).not.toContain(PRIVATE_KEY.split('\n')[1]);
  expect(logs).not.toContain(WEBHOOK_SECRET);
  for (const token of tokens) expect(logs).not.toContain(token);
});

async function settle(harness: Harness): Promise<void> {
  await harness.app!.queue.idle();
}

describe('the GitHub App over real HTTP (in-process queue)', () => {
  it('rejects a webhook with a bad or missing signature and queues nothing', async () => {
    h = await startHarness();
    const body = commentPatch('alice', '/shipshape apply', 1);
    const forged = await h.send('issue_comment', 'created', body, { signature: 'sha256=' + '0'.repeat(64) });
    const unsigned = await h.send('issue_comment', 'created', body, { signature: null });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    await settle(h);
    expect(h.github.requests).toEqual([]);
    expect(h.gitServer.requests).toEqual([]);
  });

  it("a writer's /shipshape apply opens one PR per sprint item, with rollback notes, pushed with installation tokens", async () => {
    h = await startHarness();
    const issue = h.github.seedIssue({ title: 'Hardening' });
    const started = Date.now();
    const answer = await h.send('issue_comment', 'created', commentPatch('alice', 'Let us go.\n/shipshape apply', issue.number, 5150));
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    await settle(h);
    expect(h.github.state.reactions).toEqual(['5150:+1']);
    const prs = h.github.state.prs;
    expect(prs.map((p) => p.head)).toEqual([
      'shipshape/1.1-immediate-security',
      'shipshape/1.2-xss-prevention',
      'shipshape/1.4-logging-standardization',
      'shipshape/2.3-pydantic-v2-migration',
      'shipshape/3.1-configuration-cleanup',
    ]);
    for (const pr of prs) {
      expect(pr.body).toContain('Rollback');
      expect(pr.labels).toContain('automated');
    }
    expect(prs[0]!.body).toContain('Keep old key as fallback');
    expect(h.branches()).toHaveLength(5);
    // Every git request carried an installation token the fake had issued for this repository only.
    expect(h.gitServer.requests.length).toBeGreaterThan(0);
    expect(h.gitServer.requests.every((r) => r.authorized)).toBe(true);
    expect(h.github.tokens.some((t) => JSON.stringify(t.repositories) === '["pcm-ops"]')).toBe(true);
    const reply = h.comments().at(-1)!;
    expect(reply).toContain('/shipshape apply by @alice');
    expect(reply).toMatch(/\| 1\.1 \|.*opened #\d+.*Keep old key as fallback/);
  });

  it("a reader's command gets a polite refusal and nothing else: no reaction, no clone, no push, no PR", async () => {
    h = await startHarness();
    const issue = h.github.seedIssue({ title: 'Hardening' });
    await h.send('issue_comment', 'created', commentPatch('bob', '/shipshape apply', issue.number));
    await settle(h);
    expect(h.comments()).toEqual([expect.stringContaining('Sorry @bob')]);
    expect(h.github.state.reactions).toEqual([]);
    expect(h.github.state.prs).toEqual([]);
    expect(h.gitServer.requests).toEqual([]);
  });

  it('a CodeRabbit review becomes a fix PR that targets the reviewed pull request\'s head branch, linked from a reply', async () => {
    h = await startHarness();
    git(join(h.reposDir, `${OWNER}/${REPO}.git`), ['branch', 'feature/login', 'main']);
    const reviewed = h.github.seedPr({ head: 'feature/login', title: 'Login page' });
    const printComment = reviewComments.find((c) => c.id === 1723456705)!;
    h.github.state.reviewComments[reviewed.number] = [
      { id: 1, reviewId: 88, user: 'coderabbitai[bot]', path: printComment.path, line: printComment.line!, body: printComment.body },
      { id: 2, reviewId: 99, user: 'coderabbitai[bot]', path: 'backend/core/config.py', line: 57, body: 'an earlier review' },
    ];
    const answer = await h.send('pull_request_review', 'submitted', {
      review: { id: 88, user: { login: 'coderabbitai[bot]', type: 'Bot' }, state: 'commented' },
      pull_request: { number: reviewed.number, head: { ref: 'feature/login', repo: { full_name: `${OWNER}/${REPO}` } } },
    });
    expect(answer.status).toBe(200);
    await settle(h);
    const fixes = h.github.state.prs.filter((p) => p.number !== reviewed.number);
    expect(fixes).toHaveLength(1);
    expect(fixes[0]!.base).toBe('feature/login');
    // Its branch is named for the reviewed pull request, apart from the plan's branches.
    expect(fixes[0]!.head).toMatch(new RegExp(`^shipshape/pr-${reviewed.number}-`));
    expect(fixes[0]!.body).toContain('python/print-to-logging');
    expect(fixes[0]!.body).toContain('credential_service.py');
    expect(fixes[0]!.body).not.toContain('config.py'); // only this review's comments
    const reply = h.github.state.comments.find((c) => c.issueNumber === reviewed.number);
    expect(reply?.body).toContain(`#${fixes[0]!.number}`);
  });

  it('a review by anyone but the configured review bot does nothing', async () => {
    h = await startHarness();
    const reviewed = h.github.seedPr({ head: 'feature/x' });
    await h.send('pull_request_review', 'submitted', {
      review: { id: 5, user: { login: 'octo-dev', type: 'User' }, state: 'commented' },
      pull_request: { number: reviewed.number, head: { ref: 'feature/x', repo: { full_name: `${OWNER}/${REPO}` } } },
    });
    await settle(h);
    expect(h.github.state.prs).toHaveLength(1);
    expect(h.gitServer.requests).toEqual([]);
  });

  it('code-scanning alerts of one analysis are batched into one job and one PR', async () => {
    h = await startHarness();
    const alert = { tool: 'CodeQL', ruleId: 'js/xss', ref: 'refs/heads/main', state: 'open' as const, message: 'Cross-site scripting vulnerability due to user-provided value.' };
    h.github.state.alerts.push({ ...alert, number: 1, path: 'backend/static/js/aws-utilities.js', line: 113 }, { ...alert, number: 2, path: 'backend/static/js/aws-utilities.js', line: 117 });
    for (const number of [1, 2]) {
      const answer = await h.send('code_scanning_alert', 'created', { ref: 'refs/heads/main', commit_oid: 'a'.repeat(40), alert: { number } });
      expect(answer.status).toBe(200);
    }
    await settle(h);
    expect(h.github.state.prs).toHaveLength(1);
    expect(h.github.state.prs[0]!.body).toContain('js/innerhtml-to-textcontent');
    expect(h.github.state.prs[0]!.body).toContain('aws-utilities.js');
    expect(h.logs.filter((l) => l.includes('"msg":"job started"'))).toHaveLength(1);
  });

  it('ticking an item on the dashboard issue applies that item', async () => {
    h = await startHarness();
    const before = '- [ ] **1.1** Immediate Security\n- [ ] **1.4** Logging Standardization\n<!-- shipshape:dashboard -->';
    const after = before.replace('- [ ] **1.4**', '- [x] **1.4**');
    const dashboard = h.github.seedIssue({ title: 'shipshape dashboard', body: after });
    await h.send('issues', 'edited', { issue: { number: dashboard.number, body: after }, changes: { body: { from: before } }, sender: { login: 'alice', type: 'User' } });
    await settle(h);
    expect(h.github.state.prs.map((p) => p.head)).toEqual(['shipshape/1.4-logging-standardization']);
  });

  it('a redelivered webhook (same X-GitHub-Delivery) has no second effect', async () => {
    h = await startHarness();
    const issue = h.github.seedIssue({ title: 'Hardening' });
    const first = await h.send('issue_comment', 'created', commentPatch('alice', '/shipshape apply 1.4', issue.number), { id: 'delivery-1' });
    await settle(h);
    const second = await h.send('issue_comment', 'created', commentPatch('alice', '/shipshape apply 1.4', issue.number), { id: 'delivery-1' });
    await settle(h);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(h.github.state.prs).toHaveLength(1);
    expect(h.comments().filter((c) => c.includes('shipshape ran'))).toHaveLength(1);
    expect(h.logs.filter((l) => l.includes('delivery seen before'))).toHaveLength(1);
  });

  it('20 webhooks for one repository at once: all answered, all handled, one job at a time', async () => {
    h = await startHarness({ files: TINY });
    const issue = h.github.seedIssue({ title: 'Plans' });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => h!.send('issue_comment', 'created', commentPatch('alice', '/shipshape plan', issue.number, 100 + i))));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    await settle(h);
    const plans = h.comments().filter((c) => c.startsWith('**shipshape plan**'));
    expect(plans).toHaveLength(20);
    expect(plans.every((c) => c.includes('1 of 1 items automatable'))).toBe(true);
    const sequence = h.logs.flatMap((l) => (l.includes('"msg":"job started"') ? ['start'] : l.includes('"msg":"job finished"') ? ['end'] : []));
    expect(sequence).toEqual(Array.from({ length: 20 }, () => ['start', 'end']).flat());
  });

  it('an installation token that expires during a job is replaced before the next call, and the job completes', async () => {
    // Tokens live about a second (GitHub gives whole seconds) and are replaced halfway; each git
    // request takes 300 ms, so the job outlives its first token however fast the machine is.
    h = await startHarness({ tokenLifetimeMs: 1200, gitLatencyMs: 300 });
    const issue = h.github.seedIssue({ title: 'Hardening' });
    await h.send('issue_comment', 'created', commentPatch('alice', '/shipshape apply 1.4 2.3', issue.number));
    await settle(h);
    expect(h.github.state.prs).toHaveLength(2);
    const jobTokens = h.github.tokens.filter((t) => JSON.stringify(t.repositories) === '["pcm-ops"]');
    expect(jobTokens.length).toBeGreaterThan(1);
    expect(h.gitServer.requests.every((r) => r.authorized)).toBe(true);
  });

  it('a broken .github/shipshape.yml gets one explaining comment, and nothing runs', async () => {
    h = await startHarness({ config: 'plan: SPRINT_PLAN.md\ncaps: { openPrs: 0 }\n' });
    const issue = h.github.seedIssue({ title: 'Hardening' });
    const answer = await h.send('issue_comment', 'created', commentPatch('alice', '/shipshape apply', issue.number));
    expect(answer.status).toBe(200);
    await settle(h);
    expect(h.comments()).toEqual([expect.stringContaining('.github/shipshape.yml: caps.openPrs must be >= 1')]);
    expect(h.gitServer.requests).toEqual([]);
  });

  it('/shipshape help answers with the commands; an unknown command says so', async () => {
    h = await startHarness();
    const issue = h.github.seedIssue({ title: 'Questions' });
    await h.send('issue_comment', 'created', commentPatch('alice', '/shipshape help', issue.number, 1));
    await h.send('issue_comment', 'created', commentPatch('alice', '/shipshape deploy', issue.number, 2));
    await settle(h);
    expect(h.comments()).toEqual([expect.stringContaining('/shipshape apply 1.2'), expect.stringContaining('does not know `/shipshape deploy`')]);
    expect(h.gitServer.requests).toEqual([]);
  });

  it('a push of the plan to the default branch re-plans: open PRs are brought up to date, nothing new is opened', async () => {
    h = await startHarness({ files: TINY });
    const commit = (paths: string[]) => ({ id: 'b'.repeat(40), message: 'edit', added: [], removed: [], modified: paths });
    await h.send('push', undefined, { ref: 'refs/heads/main', commits: [commit(['README.md'])] });
    await settle(h);
    expect(h.gitServer.requests).toEqual([]);
    await h.send('push', undefined, { ref: 'refs/heads/main', commits: [commit(['SPRINT_PLAN.md'])] });
    await settle(h);
    expect(h.github.state.prs).toEqual([]); // nothing was open, so nothing to update and nothing proposed unasked

    const issue = h.github.seedIssue({ title: 'Cleanup' });
    await h.send('issue_comment', 'created', commentPatch('alice', '/shipshape apply', issue.number));
    await settle(h);
    expect(h.github.state.prs).toHaveLength(1);
    // The plan's rollback line changes on main; the push re-plans and the open PR says the new line.
    const bare = join(h.reposDir, `${OWNER}/${REPO}.git`);
    const work = join(h.reposDir, 'work');
    git(h.reposDir, ['clone', '--quiet', bare, work]);
    writeFileSync(join(work, 'SPRINT_PLAN.md'), TINY['SPRINT_PLAN.md'].replace('revert the commit', 'revert, then restart the workers'));
    git(work, ['commit', '--quiet', '-am', 'plan: rollback note']);
    git(work, ['push', '--quiet', 'origin', 'HEAD:main']);
    await h.send('push', undefined, { ref: 'refs/heads/main', commits: [commit(['SPRINT_PLAN.md'])] });
    await settle(h);
    expect(h.github.state.prs).toHaveLength(1);
    expect(h.github.state.prs[0]!.body).toContain('revert, then restart the workers');
  });

  it('installation does nothing unasked; with onInstall: plan the plan is posted as an issue', async () => {
    const repositories = [{ id: 100, node_id: 'R_1', name: REPO, full_name: `${OWNER}/${REPO}`, private: false }];
    h = await startHarness({ files: TINY });
    await h.send('installation', 'created', { repositories });
    await settle(h);
    expect(h.gitServer.requests).toEqual([]);
    expect(h.github.state.issues).toEqual([]);
    await h.close();
    h = await startHarness({ files: TINY, config: 'plan: SPRINT_PLAN.md\nonInstall: plan\n' });
    await h.send('installation', 'created', { repositories });
    await settle(h);
    expect(h.github.state.issues.map((i) => i.title)).toEqual(['shipshape plan']);
    expect(h.github.state.issues[0]!.body).toMatch(/\| 1\.1 \| Logging Standardization \| automatable/);
    expect(h.github.state.prs).toEqual([]);
  });

  it('a codemod the config turns off plans nothing, and the plan says which item it would have done', async () => {
    const repositories = [{ id: 100, node_id: 'R_1', name: REPO, full_name: `${OWNER}/${REPO}`, private: false }];
    h = await startHarness({ files: TINY, config: 'plan: SPRINT_PLAN.md\nonInstall: plan\ncodemods:\n  python/print-to-logging: false\n' });
    await h.send('installation', 'created', { repositories });
    await settle(h);
    expect(h.github.state.issues[0]!.body).toMatch(/\| 1\.1 \| Logging Standardization \| needs a human: python\/print-to-logging would do this, but \.github\/shipshape\.yml turns it off/);
    expect(h.github.state.prs).toEqual([]);
  });

  it('/shipshape rollback KEY opens a pull request that reverts the merged item, once', async () => {
    h = await startHarness({ files: TINY });
    const issue = h.github.seedIssue({ title: 'Cleanup' });
    await h.send('issue_comment', 'created', commentPatch('alice', '/shipshape apply', issue.number, 1));
    await settle(h);
    const [item] = h.github.state.prs;
    expect(item?.head).toBe('shipshape/1.1-logging-standardization');
    // A maintainer merges it (a real merge commit on main), and GitHub records that.
    const bare = join(h.reposDir, `${OWNER}/${REPO}.git`);
    const work = join(h.reposDir, 'work');
    git(h.reposDir, ['clone', '--quiet', bare, work]);
    git(work, ['merge', '--no-ff', '--quiet', '-m', 'Merge pull request #1', `origin/${item!.head}`]);
    git(work, ['push', '--quiet', 'origin', 'HEAD:main']);
    const mergeSha = git(work, ['rev-parse', 'HEAD']).trim();
    Object.assign(item!, { state: 'closed', mergedAt: '2024-05-02T12:00:00Z', closedAt: '2024-05-02T12:00:00Z', mergeCommitSha: mergeSha });
    expect(git(bare, ['show', 'main:app/service.py'])).not.toContain('print(');

    await h.send('issue_comment', 'created', commentPatch('alice', '/shipshape rollback 1.1', issue.number, 2));
    await settle(h);
    const revert = h.github.state.prs.find((p) => p.head === 'shipshape/revert-1.1-logging-standardization');
    expect(revert).toMatchObject({ base: 'main', state: 'open' });
    expect(revert!.body).toContain(`Reverts #${item!.number}`);
    expect(revert!.body).toContain('revert the commit');
    expect(git(bare, ['show', `${revert!.head}:app/service.py`])).toBe(TINY['app/service.py']);
    expect(h.comments().at(-1)).toContain(`Opened #${revert!.number}`);

    await h.send('issue_comment', 'created', commentPatch('alice', '/shipshape rollback 1.1', issue.number, 3));
    await settle(h);
    expect(h.github.state.prs).toHaveLength(2);
    expect(h.comments().at(-1)).toContain(`already has its revert: #${revert!.number}`);
  });
});
