/**
 * The job queue between webhooks and work. A webhook handler only enqueues
 * (GitHub gives it ten seconds); workers run the jobs. Two implementations:
 * in-process (the default) and BullMQ on Redis (redis-queue.ts).
 * Both promise the same: one job per repository at a time, and a delivery
 * that arrives twice (same `X-GitHub-Delivery`) runs once.
 */

/** A unit of work, as plain JSON (it may travel through Redis). */
export interface AppJob {
  /** The delivery id (plus a suffix when one delivery makes several jobs): the dedupe key. */
  id: string;
  kind: 'apply' | 'plan' | 'rollback';
  installationId: number;
  owner: string;
  repo: string;
  /** Where the outcome is reported (an issue or pull request number); none for silent runs. */
  replyTo?: number;
  items?: string[];
  /** Path of the sprint plan in the repository. */
  plan?: string | null;
  /** Findings carried by the event (review comments, code-scanning alerts). */
  findings?: { name: string; text: string }[];
  base?: string;
  /** Branch names of this job's pull requests are scoped (`pr-12`) when they target another base. */
  branchScope?: string;
  /** Update open pull requests only (re-planning after a push). */
  onlyOpen?: boolean;
  botLogin?: string;
  codemods?: string[];
  caps?: { openPrs?: number; prsPerRun?: number; filesPerPr?: number; linesPerPr?: number };
  labels?: string[];
  allow?: 'safe' | 'review';
  dashboard?: boolean;
  /** Open code-scanning alerts on this ref become the findings (listed when the job runs, so one job takes a whole analysis). */
  alerts?: { ref: string };
  /** Run no sooner than this many ms after queueing (gathers a burst of webhooks into one job). */
  delayMs?: number;
  /** Why the job exists, for logs and replies (`/shipshape apply by @octocat`). */
  reason: string;
}

export type JobRunner = (job: AppJob) => Promise<void>;

export interface JobQueue {
  /** Queues a job; false when a job with this id was queued before (a redelivery). */
  enqueue(job: AppJob): Promise<boolean>;
  /** Resolves when nothing is queued or running (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function repositoryKey(job: Pick<AppJob, 'owner' | 'repo'>): string {
  return `${job.owner}/${job.repo}`.toLowerCase();
}

export interface InProcessQueueOptions {
  run: JobRunner;
  /** Jobs running at once across repositories (default 2). */
  concurrency?: number;
  /** Delivery ids remembered for dedupe (default 10 000). */
  remember?: number;
  onError?: (job: AppJob, error: unknown) => void;
}

/**
 * Jobs in memory: a chain per repository (so its jobs run one after the
 * other, in order) and a bound on how many chains run at once. Nothing is
 * persisted: a restart loses queued jobs (use REDIS_URL to keep them).
 */
export function createInProcessQueue(options: InProcessQueueOptions): JobQueue {
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const remember = options.remember ?? 10_000;
  const seen = new Set<string>();
  const waiting = new Map<string, AppJob[]>();
  /** Repositories whose chain is running or waiting for a slot. */
  const active = new Set<string>();
  const ready: string[] = [];
  let running = 0;
  let pendingDelays = 0;
  let idleWaiters: (() => void)[] = [];
  let closed = false;

  function settleIdle(): void {
    if (running > 0 || active.size > 0 || pendingDelays > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function schedule(job: AppJob): void {
    const key = repositoryKey(job);
    const list = waiting.get(key) ?? [];
    list.push(job);
    waiting.set(key, list);
    if (!active.has(key)) {
      active.add(key);
      ready.push(key);
    }
    pump();
  }

  function pump(): void {
    while (running < concurrency && ready.length > 0) {
      const key = ready.shift()!;
      const job = waiting.get(key)?.shift();
      if (!job) {
        active.delete(key);
        continue;
      }
      running++;
      void options
        .run(job)
        .catch((error: unknown) => options.onError?.(job, error))
        .finally(() => {
          running--;
          if ((waiting.get(key)?.length ?? 0) > 0) ready.push(key);
          else {
            waiting.delete(key);
            active.delete(key);
          }
          pump();
          settleIdle();
        });
    }
  }

  return {
    async enqueue(job) {
      if (closed) throw new Error('the job queue is closed');
      if (seen.has(job.id)) return false;
      seen.add(job.id);
      if (seen.size > remember) seen.delete(seen.values().next().value!);
      if (job.delayMs) {
        pendingDelays++;
        setTimeout(() => {
          pendingDelays--;
          // A batch (code-scanning alerts of one commit) gathers what arrives while it waits;
          // once it is scheduled, a later arrival starts a new batch instead of being dropped.
          seen.delete(job.id);
          schedule(job);
          settleIdle();
        }, job.delayMs);
        return true;
      }
      schedule(job);
      return true;
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      });
    },
    async close() {
      closed = true;
      await this.idle();
    },
  };
}
