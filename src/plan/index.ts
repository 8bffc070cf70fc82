import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { EngineContext } from '../engine/transform.js';
import { projectAround } from '../engine/run.js';
import type { Codemod } from '../engine/types.js';
import { loadFindings } from '../findings/load.js';
import type { Finding, RejectedFinding } from '../findings/types.js';
import { buildPlan } from './build.js';
import { Detector, repositoryFiles } from './detect.js';
import { loadSprintPlan } from './markdown/load.js';
import type { Plan } from './types.js';

export { buildPlan, type PlanInputs } from './build.js';
export { PLAN_SCHEMA_VERSION, type Plan, type SprintItem, type NotConfirmed } from './types.js';
export { accountFindings, type FindingsAccount, type FindingPlace } from './account.js';

export interface PlanOptions {
  repo: string;
  /** The repository's files, relative to `repo`, when the caller has listed them (a fresh clone); else they are listed here. */
  files?: readonly string[];
  planFile?: string;
  findingsFiles?: readonly string[];
  /** Review bot login(s) whose comments count as findings (default `coderabbitai[bot]`). */
  botLogin?: string | readonly string[];
  /** Where the repository was checked out when the findings were made (e.g. a CI path); absolute paths under it map onto `repo`. */
  srcRoot?: string;
  codemods: readonly Codemod[];
  /** Codemods turned off before the call (the App reads the config file on its own): plans say where they would have done the work. */
  off?: readonly Codemod[];
  engine: EngineContext;
  maxBytes?: number;
  /** Progress: files checked so far (the CLI shows it on a terminal). */
  onProgress?: (checked: number) => void;
}

/**
 * Reads the inputs (sprint plan, findings files) and the repository, and
 * builds the plan. Malformed input throws an InputError naming the file and
 * the place; findings with bad paths are rejected one by one, never the run.
 */
export async function planRepository(options: PlanOptions): Promise<Plan> {
  const { root, files } = options.files ? { root: await realpath(resolve(options.repo)), files: options.files } : await repositoryFiles(options.repo);
  const findings: Finding[] = [];
  const rejected: RejectedFinding[] = [];
  for (const file of options.findingsFiles ?? []) {
    const result = await loadFindings(file, { repoRoot: root, botLogin: options.botLogin, srcRoot: options.srcRoot });
    findings.push(...result.findings);
    rejected.push(...result.rejected);
  }
  const sprintPlan = options.planFile ? await loadSprintPlan(options.planFile) : undefined;
  const project = await projectAround(root, files, options.engine, options.maxBytes, files);
  // The codemods the repository's config file turns off plan nothing; the plan says where they would have.
  const off = new Set(project.codemodsOff(options.codemods.map((c) => c.meta.id)));
  return buildPlan({
    repo: root,
    files,
    codemods: options.codemods.filter((c) => !off.has(c.meta.id)),
    disabled: [...(options.off ?? []), ...options.codemods.filter((c) => off.has(c.meta.id))],
    detector: new Detector(root, options.engine, project, options.maxBytes, options.onProgress),
    sprintPlan,
    findings,
    rejected,
    inputs: { ...(options.planFile ? { plan: options.planFile } : {}), findings: [...(options.findingsFiles ?? [])] },
  });
}
