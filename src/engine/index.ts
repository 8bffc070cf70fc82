import type { Parser } from 'web-tree-sitter';
import { pythonParser } from './python.js';
import type { EngineContext } from './transform.js';

export { transformSource, DEFAULT_POLICY, type Policy, type TransformOutcome, type EngineContext } from './transform.js';
export type * from './types.js';

/** Loads the parsers once; the context is shared by every file of a run. */
export async function createEngine(): Promise<EngineContext> {
  return { python: await pythonParser() };
}

export interface LazyEngine {
  /** Its `python` throws until `load()` has finished. */
  engine: EngineContext;
  load(): Promise<void>;
  loaded(): boolean;
}

/**
 * An engine whose Python parser (a WASM module) is loaded on the first file
 * that needs it: a run over JavaScript, or over files no Python codemod's
 * prefilter matches, never loads it.
 */
export function lazyEngine(): LazyEngine {
  let parser: Parser | undefined;
  return {
    engine: {
      get python(): Parser {
        if (!parser) throw new Error('the Python parser was used before it was loaded');
        return parser;
      },
    },
    async load() {
      parser ??= await pythonParser();
    },
    loaded: () => parser !== undefined,
  };
}
