import type { Parser } from 'web-tree-sitter';
import { applyEdits, changesConfined, lineAt, sortEdits } from './edits.js';
import { jsApi, jsParserFor, parseJs } from './javascript.js';
import { firstSyntaxError, parsePython } from './python.js';
import { RISK, selectEdits } from './policy.js';
import type {
  AppliedEdit,
  ChangeSite,
  Codemod,
  CodemodNote,
  Edit,
  JsCodemod,
  PythonCodemod,
  SkipReason,
  SourceFile,
  TransformResult,
} from './types.js';

export interface Policy {
  /** The riskiest change applied; riskier changes are held and reported. */
  maxSafety: Codemod['meta']['safety'];
}

export const DEFAULT_POLICY: Policy = { maxSafety: 'safe' };

export interface Step {
  codemod: string;
  /** Text the codemod read (and its edits index into). */
  input: string;
  /** The edits applied (changes allowed by the policy and the supporting edits they need). */
  edits: Edit[];
  /** The changes those edits make, one per site. */
  changes: ChangeSite[];
}

export type TransformOutcome =
  | { kind: 'unchanged'; notes: CodemodNote[]; held: ChangeSite[]; parsed: boolean }
  | { kind: 'changed'; text: string; steps: Step[]; notes: CodemodNote[]; held: ChangeSite[] }
  | { kind: 'skipped'; reason: SkipReason; message: string; parsed: boolean };

export interface EngineContext {
  python: Parser;
}

export function describeEdits(codemod: string, input: string, edits: readonly Edit[]): AppliedEdit[] {
  return sortEdits(edits).map((edit) => ({
    codemod,
    line: lineAt(input, edit.start),
    endLine: lineAt(input, Math.max(edit.start, edit.end - 1)),
    description: edit.description,
    safety: edit.safety,
    ...(edit.supports?.length ? { support: true } : {}),
  }));
}

function languageOf(path: string, codemods: readonly Codemod[]): Codemod['meta']['language'] | null {
  const ext = path.slice(path.lastIndexOf('.')).toLowerCase();
  return codemods.find((c) => c.meta.extensions.includes(ext))?.meta.language ?? null;
}

/** Codemods that read this file's extension, in registry order. */
export function codemodsFor(path: string, codemods: readonly Codemod[]): Codemod[] {
  const ext = path.slice(path.lastIndexOf('.')).toLowerCase();
  return codemods.filter((c) => c.meta.extensions.includes(ext));
}

type Parsed =
  | { ok: true; run(codemod: Codemod): TransformResult; dispose(): void }
  | { ok: false; message: string };

function parse(engine: EngineContext, file: SourceFile, language: 'python' | 'javascript'): Parsed {
  if (language === 'python') {
    const tree = parsePython(engine.python, file.text);
    const error = firstSyntaxError(tree.rootNode);
    if (error) {
      const where = error.startPosition;
      tree.delete();
      return { ok: false, message: `syntax error at line ${where.row + 1}, column ${where.column + 1}` };
    }
    return {
      ok: true,
      run: (codemod) => (codemod as PythonCodemod).transform({ file, tree, root: tree.rootNode }),
      dispose: () => tree.delete(),
    };
  }
  const parserName = jsParserFor(file.path);
  const j = jsApi(parserName);
  let root: ReturnType<typeof parseJs>;
  try {
    root = parseJs(parserName, file.text);
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const where = loc ? ` at line ${loc.line}, column ${loc.column + 1}` : '';
    return { ok: false, message: `syntax error${where}` };
  }
  return {
    ok: true,
    run: (codemod) => (codemod as JsCodemod).transform({ file, j, root: () => root }),
    dispose: () => undefined,
  };
}

interface ChainResult {
  text: string;
  steps: Step[];
  notes: CodemodNote[];
  held: ChangeSite[];
  parsed: boolean;
  failure?: { reason: SkipReason; message: string };
}

/**
 * Runs codemods one after another on one file's text. The text is parsed
 * once and the tree shared by every codemod until one of them changes the
 * text; only then is it parsed again for the next codemod.
 */
function runChain(engine: EngineContext, file: SourceFile, codemods: readonly Codemod[], policy: Policy): ChainResult {
  const result: ChainResult = { text: file.text, steps: [], notes: [], held: [], parsed: false };
  const language = languageOf(file.path, codemods);
  if (!language) return result;
  let parsed: Parsed | null = null;
  try {
    for (const codemod of codemods) {
      if (!codemod.prefilter(result.text)) continue;
      const current: SourceFile = { ...file, text: result.text };
      parsed ??= parse(engine, current, language);
      result.parsed = true;
      if (!parsed.ok) {
        result.failure = { reason: 'syntax-error', message: parsed.message };
        return result;
      }
      let out: TransformResult;
      try {
        out = parsed.run(codemod);
      } catch (error) {
        result.failure = { reason: 'codemod-error', message: `${codemod.meta.id} failed: ${(error as Error).message}` };
        return result;
      }
      result.notes.push(...out.notes.map((n) => ({ ...n, codemod: codemod.meta.id })));
      if (out.edits.length === 0) continue;
      const riskiest = out.edits.find((e) => RISK[e.safety] > RISK[codemod.meta.safety]);
      if (riskiest) {
        result.failure = {
          reason: 'codemod-error',
          message: `${codemod.meta.id} made a ${riskiest.safety} edit (${riskiest.description}), riskier than the ${codemod.meta.safety} it declares`,
        };
        return result;
      }
      // Changes riskier than the policy are held; the supporting edits (an import, a logger)
      // go with the changes that need them.
      const selection = selectEdits(codemod.meta.id, result.text, out.edits, policy.maxSafety);
      result.held.push(...selection.held);
      if (selection.applied.length === 0) continue;
      let next: string;
      try {
        next = applyEdits(result.text, selection.applied);
      } catch (error) {
        result.failure = { reason: 'codemod-error', message: `${codemod.meta.id}: ${(error as Error).message}` };
        return result;
      }
      if (next === result.text) continue;
      result.steps.push({ codemod: codemod.meta.id, input: result.text, edits: selection.applied, changes: selection.changes });
      result.text = next;
      parsed.dispose();
      parsed = null;
    }
    return result;
  } finally {
    if (parsed?.ok) parsed.dispose();
  }
}

/** Why a changed text must not be written, or null when it passes the gate. */
function gate(engine: EngineContext, file: SourceFile, codemods: readonly Codemod[], chain: ChainResult, policy: Policy): string | null {
  for (const step of chain.steps) {
    const after = applyEdits(step.input, step.edits);
    if (!changesConfined(step.input, after, step.edits)) return `${step.codemod} changed text outside its edits`;
  }
  const again = runChain(engine, { ...file, text: chain.text }, codemods, policy);
  if (again.failure?.reason === 'syntax-error') return `the result does not parse: ${again.failure.message}`;
  if (again.failure) return `a second pass failed: ${again.failure.message}`;
  // The second pass parses the result only when a prefilter still matches; otherwise parse it here.
  if (!again.parsed) {
    const reparsed = parse(engine, { ...file, text: chain.text }, languageOf(file.path, codemods)!);
    if (!reparsed.ok) return `the result does not parse: ${reparsed.message}`;
    reparsed.dispose();
  }
  if (again.steps.length > 0) {
    return `not idempotent: a second pass of ${again.steps.map((s) => s.codemod).join(', ')} would change it again`;
  }
  return null;
}

/**
 * Transforms one file's text with the given codemods under a policy, and runs
 * the verification gate (reparse, confined edits, idempotency) on the result.
 * Pure apart from parsing: no I/O.
 */
export function transformSource(
  engine: EngineContext,
  file: SourceFile,
  codemods: readonly Codemod[],
  policy: Policy = DEFAULT_POLICY,
): TransformOutcome {
  const applicable = codemodsFor(file.path, codemods);
  const chain = runChain(engine, file, applicable, policy);
  if (chain.failure) return { kind: 'skipped', ...chain.failure, parsed: chain.parsed };
  if (chain.steps.length === 0) return { kind: 'unchanged', notes: chain.notes, held: chain.held, parsed: chain.parsed };
  const problem = gate(engine, file, applicable, chain, policy);
  if (problem) return { kind: 'skipped', reason: 'gate-failed', message: problem, parsed: true };
  return { kind: 'changed', text: chain.text, steps: chain.steps, notes: chain.notes, held: chain.held };
}
