import type { Context, Probot } from 'probot';
import { CONFIG_PATH, ConfigError, enabledCodemodIds, parseRepositoryConfig, type RepositoryConfig } from '../project/config.js';
import { newlyTicked, parseCommand } from './commands.js';
import type { AppJob, JobQueue } from './queue.js';
import { configProblem, HELP, refusal, unknownCommand } from './replies.js';

export interface AppDeps {
  queue: JobQueue;
  /** Every codemod id shipshape has (the config may enable a subset). */
  codemodIds: readonly string[];
  /** How long code-scanning alerts are gathered before one job handles them all (default 10 s). */
  alertBatchMs?: number;
}

const DASHBOARD_MARKER = '<!-- shipshape:dashboard -->';
const WRITERS = new Set(['admin', 'write']);

type Repo = { owner: string; repo: string };
type AnyContext = Context<'issue_comment.created'> | Context<'pull_request_review.submitted'> | Context<'code_scanning_alert'> | Context<'push'> | Context<'issues.edited'> | Context<'installation.created'>;

/** The repository's `.github/shipshape.yml` from its default branch; defaults when there is none. */
async function readConfig(context: AnyContext, where: Repo, codemodIds: readonly string[]): Promise<RepositoryConfig> {
  let text = '';
  try {
    const { data } = await context.octokit.rest.repos.getContent({ ...where, path: CONFIG_PATH });
    if (!Array.isArray(data) && data.type === 'file' && 'content' in data) text = Buffer.from(data.content, 'base64').toString('utf8');
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
  return parseRepositoryConfig(text, { codemodIds });
}

/** What a job takes from the config. */
function fromConfig(config: RepositoryConfig, codemodIds: readonly string[]): Pick<AppJob, 'plan' | 'codemods' | 'caps' | 'labels' | 'allow' | 'dashboard' | 'botLogin'> {
  const s = config.settings;
  return { plan: s.plan, codemods: enabledCodemodIds([...codemodIds], config.project), caps: s.caps, labels: s.labels, allow: s.allow, dashboard: s.dashboard, botLogin: s.reviewBot };
}

async function canWrite(context: AnyContext, where: Repo, username: string): Promise<boolean> {
  const { data } = await context.octokit.rest.repos.getCollaboratorPermissionLevel({ ...where, username });
  return WRITERS.has(data.permission);
}

/**
 * The App: each handler checks the event, resolves the repository's config,
 * queues a job and returns (GitHub waits ten seconds at most). The work
 * itself happens in the queue's workers (runner.ts).
 */
export function createShipshapeApp(deps: AppDeps) {
  const { queue, codemodIds } = deps;

  /** Reads the config; a broken one is explained on `issue` (when there is one) and stops the handler. */
  async function configOrExplain(context: AnyContext, where: Repo, issue?: number): Promise<RepositoryConfig | null> {
    try {
      return await readConfig(context, where, codemodIds);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      context.log.warn({ repository: `${where.owner}/${where.repo}`, problem: error.message }, 'broken config');
      if (issue !== undefined) await context.octokit.rest.issues.createComment({ ...where, issue_number: issue, body: configProblem(error.message) });
      return null;
    }
  }

  async function enqueue(context: AnyContext, job: AppJob): Promise<void> {
    const queued = await queue.enqueue(job);
    context.log.info({ job: job.id, kind: job.kind, repository: `${job.owner}/${job.repo}`, queued }, queued ? 'job queued' : 'delivery seen before: nothing queued');
  }

  return (app: Probot) => {
    app.on('issue_comment.created', async (context) => {
      const { comment, issue, installation } = context.payload;
      if (comment.user?.type === 'Bot' || !installation) return;
      const command = parseCommand(comment.body);
      if (command === null) return;
      const where = context.repo();
      const login = comment.user?.login ?? '';
      if (!(await canWrite(context, where, login))) {
        await context.octokit.rest.issues.createComment({ ...where, issue_number: issue.number, body: refusal(login) });
        return;
      }
      if (command.name === 'unknown') {
        await context.octokit.rest.issues.createComment({ ...where, issue_number: issue.number, body: unknownCommand(command.text) });
        return;
      }
      await context.octokit.rest.reactions.createForIssueComment({ ...where, comment_id: comment.id, content: '+1' });
      if (command.name === 'help') {
        await context.octokit.rest.issues.createComment({ ...where, issue_number: issue.number, body: HELP });
        return;
      }
      const config = await configOrExplain(context, where, issue.number);
      if (config === null) return;
      const base = { id: context.id, installationId: installation.id, ...where, replyTo: issue.number, reason: `/shipshape ${command.name} by @${login}`, ...fromConfig(config, codemodIds) };
      if (command.name === 'plan') await enqueue(context, { ...base, kind: 'plan' });
      else if (command.name === 'apply') await enqueue(context, { ...base, kind: 'apply', items: command.items });
      else await enqueue(context, { ...base, kind: 'rollback', items: [command.key] });
    });

    app.on('pull_request_review.submitted', async (context) => {
      const { review, pull_request: pr, installation } = context.payload;
      if (!installation) return;
      const where = context.repo();
      const config = await configOrExplain(context, where);
      if (config === null) return;
      if (review.user?.login.toLowerCase() !== config.settings.reviewBot.toLowerCase()) return;
      // A branch in a fork is not ours to push to.
      if (pr.head.repo?.full_name.toLowerCase() !== `${where.owner}/${where.repo}`.toLowerCase()) {
        context.log.info({ pr: pr.number }, 'review on a pull request from a fork: left alone');
        return;
      }
      const comments = await context.octokit.paginate(context.octokit.rest.pulls.listReviewComments, { ...where, pull_number: pr.number, per_page: 100 });
      const mine = comments.filter((c) => c.pull_request_review_id === review.id);
      if (mine.length === 0) return;
      await enqueue(context, {
        id: context.id,
        kind: 'apply',
        installationId: installation.id,
        ...where,
        ...fromConfig(config, codemodIds),
        plan: null,
        dashboard: false,
        base: pr.head.ref,
        replyTo: pr.number,
        findings: [{ name: `review-${review.id}.json`, text: JSON.stringify(mine) }],
        reason: `review ${review.id} by @${review.user?.login ?? ''} on #${pr.number}`,
      });
    });

    app.on(['code_scanning_alert.created', 'code_scanning_alert.reopened'], async (context) => {
      const { alert, installation, ref, commit_oid } = context.payload;
      if (!installation || !alert) return;
      const where = context.repo();
      const config = await configOrExplain(context, where);
      if (config === null) return;
      // One job per analysed commit: the alerts of one run arrive as many webhooks and make one pull request.
      await enqueue(context, {
        id: `scan-${where.owner}-${where.repo}-${commit_oid}`,
        kind: 'apply',
        installationId: installation.id,
        ...where,
        ...fromConfig(config, codemodIds),
        plan: null,
        dashboard: false,
        alerts: { ref: ref ?? `refs/heads/${context.payload.repository.default_branch}` },
        delayMs: deps.alertBatchMs ?? 10_000,
        reason: `code scanning alerts on ${ref}`,
      });
    });

    app.on('push', async (context) => {
      const { ref, repository, commits, installation } = context.payload;
      if (!installation || ref !== `refs/heads/${repository.default_branch}`) return;
      const where = context.repo();
      const config = await configOrExplain(context, where);
      if (config === null) return;
      const watched = new Set([CONFIG_PATH, ...(config.settings.plan ? [config.settings.plan] : [])]);
      const touched = commits.some((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].some((p) => watched.has(p)));
      if (!touched) return;
      await enqueue(context, { id: context.id, kind: 'apply', installationId: installation.id, ...where, ...fromConfig(config, codemodIds), reason: `push of ${[...watched].join(' or ')}` });
    });

    app.on('issues.edited', async (context) => {
      const { issue, changes, installation, sender } = context.payload;
      if (!installation || !(issue.body ?? '').includes(DASHBOARD_MARKER) || changes.body === undefined) return;
      const keys = newlyTicked(changes.body.from ?? '', issue.body ?? '');
      if (keys.length === 0 || sender.type === 'Bot') return;
      const where = context.repo();
      if (!(await canWrite(context, where, sender.login))) return;
      const config = await configOrExplain(context, where, issue.number);
      if (config === null) return;
      await enqueue(context, { id: context.id, kind: 'apply', installationId: installation.id, ...where, ...fromConfig(config, codemodIds), items: keys, replyTo: issue.number, reason: `dashboard tick by @${sender.login}` });
    });

    app.on('pull_request.closed', async (context) => {
      const { pull_request: pr } = context.payload;
      if (!pr.head.ref.startsWith('shipshape/')) return;
      // GitHub keeps the record: a closed, unmerged item is not proposed again unless asked for by name.
      context.log.info({ pr: pr.number, branch: pr.head.ref, merged: pr.merged }, pr.merged ? 'shipshape pull request merged' : 'shipshape pull request closed unmerged');
    });

    app.on(['installation.created', 'installation_repositories.added'], async (context) => {
      const { installation } = context.payload;
      const added = 'repositories_added' in context.payload ? context.payload.repositories_added : (context.payload.repositories ?? []);
      for (const entry of added) {
        const [owner = '', repo = ''] = entry.full_name.split('/');
        const config = await configOrExplain(context as Context<'installation.created'>, { owner, repo });
        // Nothing unasked: only a repository whose config says so gets a plan on install.
        if (config?.settings.onInstall !== 'plan') continue;
        await enqueue(context as Context<'installation.created'>, { id: `${context.id}-${entry.id}`, kind: 'plan', installationId: installation.id, owner, repo, ...fromConfig(config, codemodIds), reason: 'installation' });
      }
    });
  };
}
