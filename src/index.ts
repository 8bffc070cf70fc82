/** The library front door: the same stages the CLI and the app call. */
export { runCodemods, unifiedDiff, REPORT_SCHEMA_VERSION, type RunOptions, type RunReport } from './engine/run.js';
export { createEngine, transformSource, DEFAULT_POLICY, type Policy, type TransformOutcome, type EngineContext } from './engine/index.js';
export { codemods, findCodemod } from '../codemods/index.js';
export type * from './engine/types.js';
export { planRepository, planRepository as plan, buildPlan, type Plan, type SprintItem } from './plan/index.js';
export { applyPlan, applyPlan as apply, DEFAULT_CAPS, type ApplyOptions, type ApplyResult } from './apply/index.js';
export { createLocalForge } from './forge/local/forge.js';
export { createGitHubForge } from './forge/github/index.js';
export type { Forge, PullRequest } from './forge/types.js';
export type { Finding } from './findings/types.js';
export { loadFindings } from './findings/load.js';
export { TOOL_VERSION } from './version.js';
