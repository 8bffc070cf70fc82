import { afterEach, describe, expect, it } from 'vitest';
import { commentPatch, PRIVATE_KEY, startHarness, WEBHOOK_SECRET, type Harness } from '../helpers/app-harness.js';

let h: Harness | undefined;

afterEach(async () => {
  if (!h) return;
  const violations = [...h.github.violations];
  const logs = h.logs.join('\n');
  const tokens = h.github.tokens.map((t) => t.token);
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
});
