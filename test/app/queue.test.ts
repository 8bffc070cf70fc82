import { describe, expect, it } from 'vitest';
import { createInProcessQueue, type AppJob } from '../../src/app/queue.js';

function job(id: string, repo: string): AppJob {
  return { id, kind: 'apply', installationId: 1, owner: 'acme', repo, reason: 'test' };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the in-process queue', () => {
  it('runs one job per repository at a time, in order, while other repositories go ahead within the bound', async () => {
    const running = new Map<string, number>();
    let overall = 0;
    let maxOverall = 0;
    const order: string[] = [];
    const queue = createInProcessQueue({
      concurrency: 2,
      async run(j) {
        running.set(j.repo, (running.get(j.repo) ?? 0) + 1);
        overall++;
        maxOverall = Math.max(maxOverall, overall);
        expect(running.get(j.repo)).toBe(1);
        await tick(5);
        order.push(j.id);
        overall--;
        running.set(j.repo, running.get(j.repo)! - 1);
      },
    });
    for (let i = 0; i < 5; i++) await queue.enqueue(job(`a${i}`, 'a'));
    for (let i = 0; i < 5; i++) await queue.enqueue(job(`b${i}`, 'b'));
    await queue.enqueue(job('c0', 'c'));
    await queue.idle();
    expect(order.filter((id) => id.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(order.filter((id) => id.startsWith('b'))).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    expect(order).toHaveLength(11);
    expect(maxOverall).toBe(2);
  });

  it('a delivery seen before is not queued again', async () => {
    const ran: string[] = [];
    const queue = createInProcessQueue({ run: async (j) => void ran.push(j.id) });
    expect(await queue.enqueue(job('d1', 'a'))).toBe(true);
    expect(await queue.enqueue(job('d1', 'a'))).toBe(false);
    await queue.idle();
    expect(await queue.enqueue(job('d1', 'a'))).toBe(false);
    await queue.idle();
    expect(ran).toEqual(['d1']);
  });

  it('a batch gathers what arrives while it waits; what arrives after it started makes a new batch, not nothing', async () => {
    const ran: string[] = [];
    const queue = createInProcessQueue({ run: async (j) => void ran.push(j.id) });
    const batch = { ...job('scan-acme-a-abc', 'a'), delayMs: 20 };
    expect(await queue.enqueue(batch)).toBe(true);
    expect(await queue.enqueue(batch)).toBe(false);
    await queue.idle();
    expect(ran).toEqual(['scan-acme-a-abc']);
    expect(await queue.enqueue(batch)).toBe(true);
    await queue.idle();
    expect(ran).toEqual(['scan-acme-a-abc', 'scan-acme-a-abc']);
  });

  it('a failing job is reported and does not stop the repository', async () => {
    const errors: string[] = [];
    const ran: string[] = [];
    const queue = createInProcessQueue({
      run: async (j) => {
        if (j.id === 'bad') throw new Error('boom');
        ran.push(j.id);
      },
      onError: (j, e) => errors.push(`${j.id}: ${(e as Error).message}`),
    });
    await queue.enqueue(job('bad', 'a'));
    await queue.enqueue(job('good', 'a'));
    await queue.idle();
    expect(errors).toEqual(['bad: boom']);
    expect(ran).toEqual(['good']);
  });
});
