import { randomUUID } from 'node:crypto';
import { DelayedError, Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { repositoryKey, type AppJob, type JobQueue, type JobRunner } from './queue.js';

export const QUEUE_NAME = 'shipshape-jobs';

/** REDIS_URL (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS) as BullMQ connection options. */
export function redisConnection(url: string): ConnectionOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error(`REDIS_URL must start with redis:// or rediss://, not ${parsed.protocol}//`);
  const db = Number(parsed.pathname.replace(/^\//, '') || '0');
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    // Workers block on Redis; BullMQ wants ioredis never to give up on a command.
    maxRetriesPerRequest: null,
  };
}

export interface RedisQueueOptions {
  connection: ConnectionOptions;
  /** Key prefix (tests use their own). */
  prefix?: string;
  /** Attempts per job, the first included (default 5); retries back off exponentially from `backoffMs`. */
  attempts?: number;
  backoffMs?: number;
}

function jobOptions(options: RedisQueueOptions, job: AppJob) {
  return {
    // The delivery id is the job id: a redelivered webhook finds its job and adds nothing.
    jobId: job.id,
    attempts: options.attempts ?? 5,
    backoff: { type: 'exponential' as const, delay: options.backoffMs ?? 5_000 },
    delay: job.delayMs ?? 0,
    // Finished jobs are kept a day, so redeliveries within it are recognised; failed ones a week, for inspection.
    // A batch (delayed, keyed by what it gathers rather than by delivery) is removed when done, so a
    // later arrival for the same commit starts a new batch instead of finding the old one and being dropped.
    removeOnComplete: job.delayMs ? true : { age: 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** The producer side (the webhook server with REDIS_URL): enqueues only. */
export function createRedisQueue(options: RedisQueueOptions): JobQueue & { queue: Queue } {
  const queue = new Queue(QUEUE_NAME, { connection: options.connection, prefix: options.prefix });
  return {
    queue,
    async enqueue(job) {
      if (await queue.getJob(job.id)) return false;
      // Two deliveries racing past the check still make one job: BullMQ ignores an id it holds.
      await queue.add(job.kind, job, jobOptions(options, job));
      return true;
    },
    async idle() {
      for (;;) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        if (Object.values(counts).every((n) => n === 0)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async close() {
      await queue.close();
    },
  };
}

export interface RedisWorkerOptions extends RedisQueueOptions {
  run: JobRunner;
  /** Jobs this worker runs at once (default 2). */
  concurrency?: number;
  /** How long a repository stays locked without a sign of life from its worker (default 60 s). */
  repoLockMs?: number;
  /** How long a job's BullMQ lock lasts without renewal; a killed worker's job is retried after it (default 30 s). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How long a job waits before trying again for a repository another worker holds (default 2 s). */
  busyRetryMs?: number;
  onError?: (job: AppJob | undefined, error: unknown) => void;
}

/** The two commands the repository lock needs, from BullMQ's ioredis client. */
interface RedisCommands {
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<string | null>;
  eval(script: string, keys: number, ...args: string[]): Promise<unknown>;
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * A worker (`shipshape worker`, or inside `npm start`): takes jobs from
 * Redis. No two workers, on any machine, work on one repository at once: a
 * job first takes the repository's lock in Redis (renewed while it runs,
 * expiring if its worker dies); a job that finds the lock taken goes back
 * to the delayed set and tries again later, without using up an attempt.
 */
export function createRedisWorker(options: RedisWorkerOptions): Worker<AppJob> {
  const repoLockMs = options.repoLockMs ?? 60_000;
  const prefix = options.prefix ?? 'bull';
  const worker: Worker<AppJob> = new Worker<AppJob>(
    QUEUE_NAME,
    async (job: Job<AppJob>, token?: string) => {
      const client = (await worker.client) as unknown as RedisCommands;
      const key = `${prefix}:shipshape:repo-lock:${repositoryKey(job.data)}`;
      const owner = `${job.id}:${randomUUID()}`;
      const taken = await client.set(key, owner, 'PX', repoLockMs, 'NX');
      if (taken !== 'OK') {
        await job.moveToDelayed(Date.now() + (options.busyRetryMs ?? 2_000), token);
        throw new DelayedError();
      }
      const heartbeat = setInterval(() => {
        void client.eval(EXTEND, 1, key, owner, String(repoLockMs)).catch(() => undefined);
      }, Math.max(100, Math.floor(repoLockMs / 3)));
      try {
        await options.run(job.data);
      } finally {
        clearInterval(heartbeat);
        await client.eval(RELEASE, 1, key, owner);
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 2,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      autorun: true,
    },
  );
  worker.on('failed', (job, error) => options.onError?.(job?.data, error));
  worker.on('error', (error) => options.onError?.(undefined, error));
  return worker;
}
