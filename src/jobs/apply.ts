import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan, describeItemEvent, type ApplyEvent, type ApplyResult, type Caps } from '../apply/index.js';
import type { EngineContext } from '../engine/transform.js';
import type { Codemod, Safety } from '../engine/types.js';
import { createForge, type ForgeTarget } from '../forge/registry.js';
import { planRepository } from '../plan/index.js';
import type { Plan } from '../plan/types.js';
import { withWorkspace } from '../workspace/index.js';
import { DEFAULT_BOT } from '../apply/index.js';

/** Findings handed over as text (a review's comments, code-scanning alerts), written to a temporary file for the planner. */
export interface InlineFindings {
  /** A file name that says where they came from (`review-42.json`); shown in messages. */
  name: string;
  text: string;
}

/** Where the sprint plan is: a file of the user's, or a path inside the repository (read from the clone). */
export type PlanSource = { file: string } | { repoPath: string };

/** One apply run, as plain data: the CLI builds it from options, the App from a webhook and the repository's config. */
export interface ApplyJob {
  target: ForgeTarget;
  plan?: PlanSource;
  findingsFiles?: readonly string[];
  findings?: readonly InlineFindings[];
  /** Only these item keys. */
  items?: readonly string[];
  dryRun?: boolean;
  dashboard?: boolean;
  /** Review bot login whose comments count as findings. */
  botLogin?: string;
  srcRoot?: string;
  caps?: Partial<Caps>;
  /** Codemods the repository enabled (ids); default every codemod. */
  codemods?: readonly string[];
  /** Riskiest edit a pull request may carry (default `review`). */
  allow?: Safety;
  /** Labels added to every pull request besides `shipshape`. */
  labels?: readonly string[];
  /** The branch pull requests target (default: the repository's default branch). */
  base?: string;
  /** Keeps this job's branches apart from the plan's (`pr-12` for fixes to pull request 12). */
  branchScope?: string;
  /** Only items whose pull request is open (re-planning after a push). */
  onlyOpen?: boolean;
  lockDir?: string;
}

export type JobEvent = ApplyEvent | { kind: 'job'; step: 'started'; repository: string } | { kind: 'job'; step: 'finished'; repository: string; counts: Record<string, number> };

export interface JobContext {
  codemods: readonly Codemod[];
  engine: EngineContext;
  onEvent?: (event: JobEvent) => void;
}

/** The line a person sees for an event; null for events meant for logs only. */
export function describeEvent(event: JobEvent): string | null {
  return event.kind === 'item' ? describeItemEvent(event) : null;
}

function enabledCodemods(all: readonly Codemod[], ids: readonly string[] | undefined): readonly Codemod[] {
  if (ids === undefined) return all;
  return all.filter((c) => ids.includes(c.meta.id));
}

/** The codemods of `all` the job leaves out (the repository's config turned them off). */
function offCodemods(all: readonly Codemod[], ids: readonly string[] | undefined): readonly Codemod[] {
  if (ids === undefined) return [];
  return all.filter((c) => !ids.includes(c.meta.id));
}

/** Writes inline findings next to each other in a temporary folder (never inside the clone). */
async function withFindingsFiles<T>(findings: readonly InlineFindings[], fn: (files: string[]) => Promise<T>): Promise<T> {
  if (findings.length === 0) return fn([]);
  const dir = await mkdtemp(join(tmpdir(), 'shipshape-findings-'));
  try {
    const files: string[] = [];
    for (const [index, entry] of findings.entries()) {
      const file = join(dir, `${index}-${entry.name.replace(/[^A-Za-z0-9._-]/g, '_')}`);
      await writeFile(file, entry.text, 'utf8');
      files.push(file);
    }
    return await fn(files);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function planFileIn(dir: string, plan: PlanSource | undefined): string | undefined {
  if (plan === undefined) return undefined;
  return 'file' in plan ? plan.file : join(dir, plan.repoPath);
}

/**
 * The apply job: plan in an isolated clone, build and verify one branch per
 * sprint item, publish to the forge. Both the CLI and the App run it; they
 * differ only in how they build the job and render its events.
 */
export async function runApplyJob(job: ApplyJob, ctx: JobContext): Promise<ApplyResult> {
  const forge = createForge(job.target);
  const codemods = enabledCodemods(ctx.codemods, job.codemods);
  ctx.onEvent?.({ kind: 'job', step: 'started', repository: forge.repository });
  const result = await withFindingsFiles(job.findings ?? [], (inline) =>
    applyPlan({
      forge,
      codemods,
      engine: ctx.engine,
      items: job.items,
      dryRun: job.dryRun,
      dashboard: job.dashboard,
      caps: job.caps,
      lockDir: job.lockDir,
      allow: job.allow,
      labels: job.labels,
      base: job.base,
      branchScope: job.branchScope,
      onlyOpen: job.onlyOpen,
      onEvent: ctx.onEvent,
      plan: (dir, files) =>
        planRepository({
          repo: dir,
          files,
          planFile: planFileIn(dir, job.plan),
          findingsFiles: [...(job.findingsFiles ?? []), ...inline],
          botLogin: job.botLogin,
          srcRoot: job.srcRoot,
          codemods,
          off: offCodemods(ctx.codemods, job.codemods),
          engine: ctx.engine,
        }),
    }),
  );
  const counts: Record<string, number> = {};
  for (const item of result.items) counts[item.action] = (counts[item.action] ?? 0) + 1;
  ctx.onEvent?.({ kind: 'job', step: 'finished', repository: forge.repository, counts });
  return result;
}

/** The plan job: the plan as it stands on the base branch, read from an isolated clone; nothing is pushed. */
export async function runPlanJob(job: Pick<ApplyJob, 'target' | 'plan' | 'findings' | 'botLogin' | 'codemods' | 'lockDir' | 'base'>, ctx: JobContext): Promise<Plan> {
  const forge = createForge(job.target);
  const codemods = enabledCodemods(ctx.codemods, job.codemods);
  const base = job.base ?? (await forge.defaultBranch());
  return withFindingsFiles(job.findings ?? [], (inline) =>
    withWorkspace({ remote: forge.remote(), base, bot: DEFAULT_BOT, lockDir: job.lockDir }, (ws) =>
      planRepository({ repo: ws.dir, planFile: planFileIn(ws.dir, job.plan), findingsFiles: inline, botLogin: job.botLogin, codemods, off: offCodemods(ctx.codemods, job.codemods), engine: ctx.engine }),
    ),
  );
}
