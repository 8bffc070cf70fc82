import { unifiedDiff } from './diff.js';
import { encodeSource, readSourceSync, type ReadResult } from './files.js';
import { Deferred } from './shared.js';
import { codemodsFor, describeEdits, transformSource, type EngineContext, type Policy, type ScopeNote, type Step } from './transform.js';
import type { AppliedEdit, Codemod, FileResult, SkipReason } from './types.js';
import type { Project } from '../project/index.js';

/**
 * One file of a run, from its bytes on disk to what the report says of it:
 * the same function on the main thread and in every worker thread, so a run
 * split across threads reports exactly what a single thread would.
 */

export interface FileContext {
  root: string;
  maxBytes: number;
  codemods: readonly Codemod[];
  policy: Policy;
  project: Project;
  engine: EngineContext;
}

/** What became of one file; plain data, so a worker thread can send it back. */
export type FileOutcome =
  | { kind: 'skipped'; path: string; reason: SkipReason; message: string; parsed: boolean; scope: ScopeNote[] }
  | { kind: 'unchanged'; path: string; notes: Extract<FileResult, { status: 'unchanged' }>['notes']; held: Extract<FileResult, { status: 'unchanged' }>['held']; parsed: boolean; scope: ScopeNote[] }
  | {
      kind: 'changed';
      path: string;
      result: Extract<FileResult, { status: 'changed' }>;
      /** The new text and the text read, without a BOM (what python3 compiles). */
      text: string;
      beforeText: string;
      prerequisites: string[];
      scope: ScopeNote[];
    };

export function readCandidate(context: Pick<FileContext, 'root' | 'maxBytes'>, path: string): ReadResult {
  return readSourceSync(context.root, path, context.maxBytes);
}

/** Whether transforming this text may parse Python: a Python codemod for its extension whose prefilter matches. */
export function mayParsePython(path: string, text: string, codemods: readonly Codemod[]): boolean {
  return codemodsFor(path, codemods).some((c) => c.meta.language === 'python' && c.prefilter(text));
}

function appliedEdits(steps: readonly Step[]): AppliedEdit[] {
  return steps.flatMap((step) => describeEdits(step.codemod, step.input, step.edits));
}

/**
 * Transforms a file that was read; never throws for a problem of this file
 * (an error is the file's `codemod-error`), only `Deferred`.
 */
export function transformCandidate(context: FileContext, path: string, read: ReadResult): FileOutcome {
  if (!read.ok) return { kind: 'skipped', path, reason: read.reason, message: read.message, parsed: false, scope: [] };
  let outcome: ReturnType<typeof transformSource>;
  try {
    outcome = transformSource(context.engine, read.file, context.codemods, { policy: context.policy, project: context.project });
  } catch (error) {
    if (error instanceof Deferred) throw error;
    return { kind: 'skipped', path, reason: 'codemod-error', message: `internal error: ${(error as Error).message}`, parsed: true, scope: [] };
  }
  const parsed = outcome.kind === 'changed' || outcome.parsed;
  if (outcome.kind === 'skipped') return { kind: 'skipped', path, reason: outcome.reason, message: outcome.message, parsed, scope: outcome.scope };
  if (outcome.kind === 'unchanged') return { kind: 'unchanged', path, notes: outcome.notes, held: outcome.held, parsed, scope: outcome.scope };
  const before = encodeSource(read.file.text, read.bom);
  const after = encodeSource(outcome.text, read.bom);
  return {
    kind: 'changed',
    path,
    result: {
      status: 'changed',
      path,
      codemods: [...new Set(outcome.steps.map((s) => s.codemod))],
      changes: outcome.steps.flatMap((s) => s.changes),
      edits: appliedEdits(outcome.steps),
      notes: outcome.notes,
      held: outcome.held,
      diff: unifiedDiff(path, before, after),
      before,
      after,
    },
    text: outcome.text,
    beforeText: read.file.text,
    prerequisites: outcome.prerequisites,
    scope: outcome.scope,
  };
}
