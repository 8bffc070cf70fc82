import type { Logger } from 'pino';
import { ApplyError } from '../apply/index.js';
import type { EngineContext } from '../engine/transform.js';
import type { Codemod } from '../engine/types.js';
import { InputError } from '../findings/types.js';
import { createForge, type ForgeTarget } from '../forge/registry.js';
import { ForgeError } from '../forge/types.js';
import { runApplyJob, runPlanJob, type ApplyJob } from '../jobs/apply.js';
import { REVERT_COMMAND } from '../pr/index.js';
import { runRollbackJob } from '../jobs/rollback.js';
import { WorkspaceError } from '../workspace/types.js';
import type { AppJob, JobRunner } from './queue.js';
import { applyReply, planReply, rollbackReply } from './replies.js';
import { installationTokenProvider, type AppRequester } from './tokens.js';

export interface RunnerDeps {
  /** Octokit authenticated as the App (JWT), for installation tokens. */
  appOctokit: () => Promise<AppRequester>;
  /** REST base and git base of the GitHub the App is installed on (GHE_HOST, GHE_PROTOCOL). */
  apiUrl: string;
  serverUrl: string;
  codemods: readonly Codemod[];
  engine: () => Promise<EngineContext>;
  log: Logger;
  lockDir?: string;
  tokenMarginMs?: number;
  /** The open code-scanning alerts of a repository on a ref (GET /repos/{owner}/{repo}/code-scanning/alerts). */
  listAlerts: (job: AppJob, ref: string) => Promise<CodeScanningAlert[]>;
}

/** The fields of a code-scanning alert that become a finding. */
export interface CodeScanningAlert {
  number: number;
  html_url: string;
  rule: { id?: string | null; description?: string; security_severity_level?: string | null; severity?: string | null };
  tool: { name?: string };
  most_recent_instance: { location?: { path?: string; start_line?: number; end_line?: number }; message?: { text?: string } };
}

/** Security severities and alert severities, as the SARIF levels the findings format speaks. */
const SEVERITY: Record<string, string> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', error: 'error', warning: 'warning', note: 'note' };

/** Alerts as a shipshape findings document (schemas/findings.schema.json); alerts without a place are left out. */
export function alertsToFindings(alerts: readonly CodeScanningAlert[]): string {
  const findings = alerts.flatMap((alert) => {
    const location = alert.most_recent_instance.location;
    if (!alert.rule.id || !location?.path || !location.start_line) return [];
    const severity = SEVERITY[alert.rule.security_severity_level ?? alert.rule.severity ?? ''];
    return [
      {
        rule: alert.rule.id,
        tool: (alert.tool.name ?? 'codeql').toLowerCase().replace(/[^a-z0-9._-]+/g, '-'),
        path: location.path,
        line: location.start_line,
        ...(location.end_line && location.end_line >= location.start_line ? { endLine: location.end_line } : {}),
        message: alert.most_recent_instance.message?.text || alert.rule.description || alert.rule.id,
        ...(severity ? { severity } : {}),
        url: alert.html_url,
      },
    ];
  });
  return JSON.stringify({ 'shipshape-findings': { version: 1, findings } });
}

const PLAN_MARKER = '<!-- shipshape:plan -->';

/** Failures that another attempt may cure (the queue retries them); the others are reported once. */
function transient(error: unknown): boolean {
  if (error instanceof ForgeError) return error.kind === 'server' || error.kind === 'network' || error.kind === 'rate-limited';
  if (error instanceof WorkspaceError) return error.kind === 'clone' || error.kind === 'lock-timeout';
  return false;
}

function explainable(error: unknown): error is Error {
  return error instanceof ForgeError || error instanceof WorkspaceError || error instanceof ApplyError || error instanceof InputError;
}

/** Runs queued jobs: each asks for its own installation token, scoped to its repository, renewed as it nears expiry. */
export function createJobRunner(deps: RunnerDeps): JobRunner {
  return async (job: AppJob) => {
    const app = await deps.appOctokit();
    const token = installationTokenProvider({ app, installationId: job.installationId, repo: job.repo, marginMs: deps.tokenMarginMs });
    const target: ForgeTarget = { forge: 'github', repository: `${job.owner}/${job.repo}`, token, apiUrl: deps.apiUrl, serverUrl: deps.serverUrl };
    const forge = createForge(target);
    const log = deps.log.child({ job: job.id, kind: job.kind, repository: `${job.owner}/${job.repo}` });
    const reply = async (body: string) => {
      if (job.replyTo !== undefined) await forge.comment(job.replyTo, body);
    };
    const engine = await deps.engine();
    const ctx = { codemods: deps.codemods, engine, onEvent: (event: object) => log.info({ event }, 'job event') };
    const alerts = job.alerts ? await deps.listAlerts(job, job.alerts.ref) : [];
    if (job.alerts && alerts.length === 0) {
      log.info('no open code-scanning alerts: nothing to do');
      return;
    }
    const findings = [...(job.findings ?? []), ...(job.alerts ? [{ name: 'code-scanning-alerts.json', text: alertsToFindings(alerts) }] : [])];
    const spec: ApplyJob = {
      target,
      plan: job.plan ? { repoPath: job.plan } : undefined,
      findings,
      items: job.items,
      base: job.base,
      botLogin: job.botLogin,
      codemods: job.codemods,
      caps: job.caps,
      labels: job.labels,
      allow: job.allow,
      dashboard: job.dashboard,
      lockDir: deps.lockDir,
    };
    log.info({ reason: job.reason }, 'job started');
    try {
      if (job.kind === 'apply') {
        const result = await runApplyJob(spec, ctx);
        await reply(applyReply(result, job.reason));
      } else if (job.kind === 'plan') {
        const body = planReply(await runPlanJob(spec, ctx));
        // Asked for on an issue: the answer goes there. Unasked (on install): one issue holds it, updated in place.
        if (job.replyTo !== undefined) await reply(body);
        else await forge.ensureIssue('shipshape plan', `${body}\n\n${PLAN_MARKER}`, PLAN_MARKER);
      } else {
        await reply(rollbackReply(await runRollbackJob(spec, job.items?.[0] ?? '', ctx), REVERT_COMMAND));
      }
      log.info('job finished');
    } catch (error) {
      log.warn({ err: error }, 'job failed');
      if (transient(error)) throw error;
      if (explainable(error)) await reply(`shipshape could not finish (${job.reason}): ${error.message}`);
      else throw error;
    }
  };
}
