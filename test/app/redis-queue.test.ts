import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppJob } from '../../src/app/queue.js';
import { createRedisQueue, createRedisWorker, redisConnection } from '../../src/app/redis-queue.js';

// The Redis every machine of the project runs (`.ci/run` starts one when none answers).
const connection = redisConnection(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `shipshape-test-${randomUUID()}`;
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

function job(id: string, delayMs?: number): AppJob {
  return { id, kind: 'apply', installationId: 1, owner: 'acme', repo: 'app', reason: 'test', ...(delayMs ? { delayMs } : {}) };
}

describe('the Redis queue (real Redis)', () => {
  it('a delivery is kept after it ran (a redelivery adds nothing); a finished batch is not, so a later arrival makes a new batch', async () => {
    const ran: string[] = [];
    const queue = createRedisQueue({ connection, prefix });
    const worker = createRedisWorker({ connection, prefix, run: async (j) => void ran.push(j.id) });
    closers.push(() => queue.close(), () => worker.close());

    expect(await queue.enqueue(job('delivery-1'))).toBe(true);
    expect(await queue.enqueue(job('scan-acme-app-abc', 50))).toBe(true);
    expect(await queue.enqueue(job('scan-acme-app-abc', 50))).toBe(false);
    await queue.idle();
    expect(ran.sort()).toEqual(['delivery-1', 'scan-acme-app-abc']);

    expect(await queue.enqueue(job('delivery-1'))).toBe(false);
    expect(await queue.enqueue(job('scan-acme-app-abc', 50))).toBe(true);
    await queue.idle();
    expect(ran.filter((id) => id.startsWith('scan-'))).toHaveLength(2);
  });
});
