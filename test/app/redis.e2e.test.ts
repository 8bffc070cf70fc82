import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE_NAME, redisConnection } from '../../src/app/redis-queue.js';
import { commentPatch, PRIVATE_KEY, startHarness, TINY, WEBHOOK_SECRET, type Harness } from '../helpers/app-harness.js';

// A real Redis on 127.0.0.1:6379 (.ci/run starts one when none answers).
const REDIS_URL = 'redis://127.0.0.1:6379';
const BIN = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

let h: Harness | undefined;
let prefix = '';
const workers: { child: ChildProcess; output: string[] }[] = [];

/** `shipshape worker` as a separate process, as on another machine (the build from `npm install`). */
function startWorker(env: Record<string, string>): { child: ChildProcess; output: string[] } {
  const child = spawn(process.execPath, [BIN, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  child.stderr!.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const worker = { child, output };
  workers.push(worker);
  return worker;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

afterEach(async () => {
  for (const { child } of workers.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  const queue = new Queue(QUEUE_NAME, { connection: redisConnection(REDIS_URL), prefix });
  await queue.obliterate({ force: true });
  await queue.close();
  if (h) {
    expect(h.github.violations).toEqual([]);
    await h.close();
    h = undefined;
  }
});

async function redisHarness(files?: Record<string, string>): Promise<Harness> {
  prefix = `shipshape-test-${randomUUID()}`;
  return startHarness({ files, env: { REDIS_URL, SHIPSHAPE_QUEUE_PREFIX: prefix, SHIPSHAPE_JOB_LOCK_MS: '1500', LOG_LEVEL: 'info' } });
}

describe('the GitHub App with REDIS_URL: BullMQ on a real Redis, workers in their own processes', () => {
  it('the server only enqueues; a worker killed mid-job leaves the job to another, which completes it without a duplicate PR', async () => {
    h = await redisHarness();
    const harness = h;
    const issue = harness.github.seedIssue({ title: 'Hardening' });
    const answer = await harness.send('issue_comment', 'created', commentPatch('alice', '/shipshape apply 1.1 1.2 1.4', issue.number));
    expect(answer.status).toBe(200);
    // Nothing runs in the server: no worker yet, no clone.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(harness.gitServer.requests).toEqual([]);

    const first = startWorker(harness.env);
    await until('the first pull request', () => harness.github.state.prs.length >= 1);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(harness.github.state.prs.length).toBeLessThan(3);

    const second = startWorker(harness.env);
    await until('the retried job to finish', () => harness.comments().some((c) => c.includes('shipshape ran')), 45_000);
    await harness.app!.queue.idle();
    const heads = harness.github.state.prs.map((p) => p.head);
    expect(heads.sort()).toEqual(['shipshape/1.1-immediate-security', 'shipshape/1.2-xss-prevention', 'shipshape/1.4-logging-standardization']);
    expect(harness.comments().filter((c) => c.includes('shipshape ran'))).toHaveLength(1);
    expect(second.output.some((l) => l.includes('"msg":"job finished"'))).toBe(true);
    // Worker logs carry no secret either.
    const logs = [...first.output, ...second.output, ...harness.logs].join('\n');
    expect(logs).not.toContain(PRIVATE_KEY.split('\n')[1]);
    expect(logs).not.toContain(WEBHOOK_SECRET);
    for (const t of harness.github.tokens) expect(logs).not.toContain(t.token);
  });

  it('a redelivery finds its job by delivery id and adds nothing; two workers never work on one repository at once', async () => {
    h = await redisHarness(TINY);
    const harness = h;
    const issue = harness.github.seedIssue({ title: 'Plans' });
    startWorker(harness.env);
    startWorker(harness.env);
    const sends = [];
    for (let i = 0; i < 6; i++) sends.push(harness.send('issue_comment', 'created', commentPatch('alice', '/shipshape plan', issue.number, 300 + i), { id: `plan-${i}` }));
    await Promise.all(sends);
    const again = await harness.send('issue_comment', 'created', commentPatch('alice', '/shipshape plan', issue.number, 300), { id: 'plan-0' });
    expect(again.status).toBe(200);
    await until('six plan replies', () => harness.comments().filter((c) => c.startsWith('**shipshape plan**')).length >= 6, 45_000);
    await harness.app!.queue.idle();
    expect(harness.comments().filter((c) => c.startsWith('**shipshape plan**'))).toHaveLength(6);
    expect(harness.logs.filter((l) => l.includes('delivery seen before'))).toHaveLength(1);
    // Job start and finish times from both workers' logs: no two intervals overlap.
    const spans = workers.flatMap((w) => {
      const times = (msg: string) => w.output.filter((l) => l.includes(`"msg":"${msg}"`)).map((l) => (JSON.parse(l) as { time: number }).time);
      const starts = times('job started');
      const ends = times('job finished');
      return starts.map((start, i) => [start, ends[i] ?? Infinity] as const);
    });
    expect(spans).toHaveLength(6);
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });
});
