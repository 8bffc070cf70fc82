import { readFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Probot, ProbotOctokit, Server } from 'probot';
import { codemods } from '../../codemods/index.js';
import { createEngine } from '../engine/index.js';
import type { EngineContext } from '../engine/transform.js';
import { createShipshapeApp } from './index.js';
import { createLogger } from './log.js';
import { createInProcessQueue, type JobQueue } from './queue.js';
import { createRedisQueue, createRedisWorker, redisConnection, type RedisWorkerOptions } from './redis-queue.js';
import { createJobRunner, type CodeScanningAlert } from './runner.js';
import type { AppRequester } from './tokens.js';

/** The App's settings from its environment (the names Probot uses, plus REDIS_URL and WORKER_CONCURRENCY). */
export interface AppEnvironment {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  /** REST base: `<GHE_PROTOCOL>://<GHE_HOST>/api/v3`, or GitHub's. */
  apiUrl: string;
  /** Web and git base: `<GHE_PROTOCOL>://<GHE_HOST>`, or GitHub's. */
  serverUrl: string;
  redisUrl: string | null;
  port: number;
  host: string;
  concurrency: number;
  /** Redis key prefix (SHIPSHAPE_QUEUE_PREFIX, default `bull`): several installations can share one Redis. */
  queuePrefix: string | undefined;
  /** How long a job's lock lasts without a sign of life (SHIPSHAPE_JOB_LOCK_MS, default 30 s): a dead worker's job is retried after it. */
  jobLockMs: number;
}

/** A setting is missing or malformed; the message names it. */
export class AppConfigError extends Error {}

function privateKeyFrom(env: NodeJS.ProcessEnv): string {
  if (env.PRIVATE_KEY) {
    const text = env.PRIVATE_KEY.replace(/\\n/g, '\n');
    if (text.includes('-----BEGIN')) return text;
    const decoded = Buffer.from(text, 'base64').toString('utf8');
    if (decoded.includes('-----BEGIN')) return decoded;
    throw new AppConfigError('PRIVATE_KEY is neither a PEM private key nor one encoded in base64');
  }
  if (env.PRIVATE_KEY_PATH) {
    try {
      return readFileSync(env.PRIVATE_KEY_PATH, 'utf8');
    } catch {
      throw new AppConfigError(`PRIVATE_KEY_PATH ${env.PRIVATE_KEY_PATH} cannot be read`);
    }
  }
  throw new AppConfigError('set PRIVATE_KEY (the App private key, PEM) or PRIVATE_KEY_PATH (a .pem file)');
}

/** Reads and checks the environment; `needsWebhooks` is false for `shipshape worker`. */
export function appEnvironment(env: NodeJS.ProcessEnv, needsWebhooks = true): AppEnvironment {
  const appId = Number(env.APP_ID);
  if (!Number.isInteger(appId) || appId <= 0) throw new AppConfigError('set APP_ID to the GitHub App id (a number)');
  const privateKey = privateKeyFrom(env);
  const webhookSecret = env.WEBHOOK_SECRET ?? '';
  if (needsWebhooks && webhookSecret === '') throw new AppConfigError('set WEBHOOK_SECRET to the GitHub App webhook secret');
  const protocol = env.GHE_PROTOCOL || 'https';
  if (protocol !== 'https' && protocol !== 'http') throw new AppConfigError(`GHE_PROTOCOL must be https or http, not ${protocol}`);
  const host = env.GHE_HOST;
  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new AppConfigError(`PORT must be a port number, not ${env.PORT}`);
  const concurrency = Number(env.WORKER_CONCURRENCY || 2);
  if (!Number.isInteger(concurrency) || concurrency <= 0) throw new AppConfigError(`WORKER_CONCURRENCY must be a positive whole number, not ${env.WORKER_CONCURRENCY}`);
  const jobLockMs = Number(env.SHIPSHAPE_JOB_LOCK_MS || 30_000);
  if (!Number.isInteger(jobLockMs) || jobLockMs < 500) throw new AppConfigError(`SHIPSHAPE_JOB_LOCK_MS must be at least 500 (milliseconds), not ${env.SHIPSHAPE_JOB_LOCK_MS}`);
  return {
    queuePrefix: env.SHIPSHAPE_QUEUE_PREFIX || undefined,
    jobLockMs,
    appId,
    privateKey,
    webhookSecret,
    apiUrl: host ? `${protocol}://${host}/api/v3` : 'https://api.github.com',
    serverUrl: host ? `${protocol}://${host}` : 'https://github.com',
    redisUrl: env.REDIS_URL || null,
    port,
    host: env.HOST || 'localhost',
    concurrency,
  };
}

/** What tests (and operators) may tune beyond the environment. */
export interface AppTuning {
  log?: Logger;
  /**
   * Turn off Probot's request throttling and retries (tests against a local server, where they
   * only slow things down; the job's own forge still retries). Only the function form of
   * `ProbotOctokit.defaults` reaches the per-installation clients, so that is what is used.
   */
  plainOctokit?: boolean;
  lockDir?: string;
  tokenMarginMs?: number;
  alertBatchMs?: number;
  redis?: Partial<Pick<RedisWorkerOptions, 'prefix' | 'attempts' | 'backoffMs' | 'lockDurationMs' | 'stalledIntervalMs' | 'repoLockMs' | 'busyRetryMs'>>;
}

function probotClass(settings: AppEnvironment, log: Logger, tuning: AppTuning): typeof Probot {
  return Probot.defaults({
    appId: settings.appId,
    privateKey: settings.privateKey,
    secret: settings.webhookSecret || 'unused-by-workers',
    baseUrl: settings.apiUrl,
    log,
    ...(tuning.plainOctokit
      ? {
          Octokit: ProbotOctokit.defaults((instanceOptions: Record<string, unknown>) => ({
            ...instanceOptions,
            throttle: { enabled: false },
            retry: { enabled: false },
          })),
        }
      : {}),
  });
}

function runnerFor(settings: AppEnvironment, probot: Probot, log: Logger, tuning: AppTuning) {
  let engine: Promise<EngineContext> | null = null;
  return createJobRunner({
    appOctokit: async () => (await probot.auth()) as unknown as AppRequester,
    apiUrl: settings.apiUrl,
    serverUrl: settings.serverUrl,
    codemods,
    engine: () => (engine ??= createEngine()),
    log,
    lockDir: tuning.lockDir,
    tokenMarginMs: tuning.tokenMarginMs,
    async listAlerts(job, ref) {
      const octokit = await probot.auth(job.installationId);
      return (await octokit.paginate('GET /repos/{owner}/{repo}/code-scanning/alerts', { owner: job.owner, repo: job.repo, ref, state: 'open', per_page: 100 })) as CodeScanningAlert[];
    },
  });
}

function redisOptions(settings: AppEnvironment, tuning: AppTuning): Omit<RedisWorkerOptions, 'run'> {
  return {
    connection: redisConnection(settings.redisUrl!),
    prefix: settings.queuePrefix,
    lockDurationMs: settings.jobLockMs,
    stalledIntervalMs: Math.max(250, Math.floor(settings.jobLockMs / 2)),
    repoLockMs: settings.jobLockMs * 2,
    busyRetryMs: Math.min(2_000, Math.floor(settings.jobLockMs / 3)),
    ...tuning.redis,
  };
}

export interface RunningApp {
  port: number;
  queue: JobQueue;
  close(): Promise<void>;
}

/**
 * `npm start`: the webhook server. Without REDIS_URL it also runs the jobs,
 * in process; with REDIS_URL it only enqueues and `shipshape worker`
 * processes run them.
 */
export async function startServer(env: NodeJS.ProcessEnv, tuning: AppTuning = {}): Promise<RunningApp> {
  const settings = appEnvironment(env, true);
  const log = tuning.log ?? createLogger({ secrets: [settings.privateKey, settings.webhookSecret] });
  const ProbotClass = probotClass(settings, log, tuning);
  const probot = new ProbotClass();
  const onError = (job: { id: string } | undefined, error: unknown) => log.error({ err: error, job: job?.id }, 'job failed');
  const queue: JobQueue = settings.redisUrl
    ? createRedisQueue(redisOptions(settings, tuning))
    : createInProcessQueue({ run: runnerFor(settings, probot, log, tuning), concurrency: settings.concurrency, onError });
  const server = new Server({ Probot: ProbotClass, port: settings.port, host: settings.host, log, enableStaticFiles: false });
  server.addHandler((req, res) => {
    if (req.url !== '/healthz') return false;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', queue: settings.redisUrl ? 'redis' : 'in-process' }));
    return true;
  });
  await server.load(createShipshapeApp({ queue, codemodIds: codemods.map((c) => c.meta.id), alertBatchMs: tuning.alertBatchMs }));
  const http: HttpServer = await server.start();
  const { port } = http.address() as AddressInfo;
  log.info({ port, queue: settings.redisUrl ? 'redis' : 'in-process' }, 'shipshape app listening');
  return {
    port,
    queue,
    async close() {
      await server.stop();
      await queue.close();
    },
  };
}

/** `shipshape worker`: runs jobs from Redis, serves no webhooks. */
export async function startWorker(env: NodeJS.ProcessEnv, tuning: AppTuning = {}): Promise<{ close(): Promise<void> }> {
  const settings = appEnvironment(env, false);
  if (!settings.redisUrl) throw new AppConfigError('shipshape worker needs REDIS_URL (without it, npm start runs the jobs itself)');
  const log = tuning.log ?? createLogger({ secrets: [settings.privateKey] });
  const probot = new (probotClass(settings, log, tuning))();
  const worker = createRedisWorker({
    ...redisOptions(settings, tuning),
    run: runnerFor(settings, probot, log, tuning),
    concurrency: settings.concurrency,
    onError: (job, error) => log.error({ err: error, job: job?.id }, 'job failed'),
  });
  await worker.waitUntilReady();
  log.info({ concurrency: settings.concurrency }, 'shipshape worker running');
  return {
    async close() {
      await worker.close();
    },
  };
}
