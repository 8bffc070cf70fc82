import { pythonParser } from './python.js';
import type { EngineContext } from './transform.js';

export { transformSource, DEFAULT_POLICY, type Policy, type TransformOutcome, type EngineContext } from './transform.js';
export type * from './types.js';

/** Loads the parsers once; the context is shared by every file of a run. */
export async function createEngine(): Promise<EngineContext> {
  return { python: await pythonParser() };
}
