/** The library front door: the same stages the CLI and the app call. */
export { runCodemods, unifiedDiff, REPORT_SCHEMA_VERSION, type RunOptions, type RunReport } from './engine/run.js';
export { createEngine, transformSource, DEFAULT_POLICY, type Policy, type TransformOutcome, type EngineContext } from './engine/index.js';
export { codemods, findCodemod } from '../codemods/index.js';
export type * from './engine/types.js';
export { TOOL_VERSION } from './version.js';
