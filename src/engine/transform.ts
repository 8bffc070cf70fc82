import type { Collection, JSCodeshift } from 'jscodeshift';
import type { Parser } from 'web-tree-sitter';
import { applyEdits, changesConfined, lineAt, sortEdits } from './edits.js';
import { jsApi, jsParserFor, parseJs } from './javascript.js';
import { borrowTree, firstSyntaxError, releaseTree, withTree } from './python.js';
import { RISK, riskier, selectEdits } from './policy.js';
import { Deferred } from './shared.js';
import { insideScripts, isVuePath, vueCode, type VueScript } from './vue.js';
import { buildProject, NO_OVERRIDES_PROJECT, type Project } from '../project/index.js';
import type { RoleInfo } from '../project/index.js';
import type {
  AppliedEdit,
  ChangeSite,
  Codemod,
  CodemodNote,
  Edit,
  JsCodemod,
  JsContext,
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

/**
 * Why a codemod did not look at a file, or looked under a condition: the
 * file's role is not one it edits, the project does not have the dependency
 * version it needs (`declined`), or nothing says which version it has
 * (`assumed`, `review`: its changes are lowered to review).
 */
export interface ScopeNote {
  codemod: string;
  kind: 'role' | 'declined' | 'assumed' | 'review';
  reason: string;
}

export type TransformOutcome =
  | { kind: 'unchanged'; notes: CodemodNote[]; held: ChangeSite[]; scope: ScopeNote[]; parsed: boolean }
  | { kind: 'changed'; text: string; steps: Step[]; notes: CodemodNote[]; held: ChangeSite[]; scope: ScopeNote[]; prerequisites: string[] }
  | { kind: 'skipped'; reason: SkipReason; message: string; parsed: boolean; scope: ScopeNote[] };

export interface EngineContext {
  python: Parser;
}

/** What a transform reads besides the file: the policy, and the project (a bare one of this file alone by default). */
export interface TransformOptions {
  policy?: Policy;
  project?: Project;
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
  | { ok: true; run(codemod: Codemod, base: { project: Project; role: RoleInfo }): TransformResult; dispose(): void }
  | { ok: false; message: string };

function parse(engine: EngineContext, file: SourceFile, language: 'python' | 'javascript'): Parsed {
  if (language === 'python') {
    const tree = borrowTree(engine.python, file.text);
    const error = firstSyntaxError(tree.rootNode);
    if (error) {
      const where = error.startPosition;
      releaseTree(file.text, tree);
      return { ok: false, message: `syntax error at line ${where.row + 1}, column ${where.column + 1}` };
    }
    return {
      ok: true,
      run: (codemod, base) =>
        (codemod as PythonCodemod).transform({
          file,
          tree,
          root: tree.rootNode,
          ...base,
          options: base.project.options(codemod.meta.id),
          withTree: (text, use) => withTree(engine.python, text, use),
        }),
      dispose: () => releaseTree(file.text, tree),
    };
  }
  const parsed = parseJsFile(file);
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    run: (codemod, base) => {
      const out = (codemod as JsCodemod).transform(jsContext(parsed, codemod.meta.id, base.project, base.role));
      return parsed.scripts ? keptInScripts(out, parsed.scripts, file.text) : out;
    },
    dispose: () => undefined,
  };
}

interface ParsedJs {
  ok: true;
  j: JSCodeshift;
  root: Collection;
  /** The file as codemods read it: a Vue component with everything but its script blocks blanked. */
  file: SourceFile;
  /** A Vue component's script blocks: edits must stay inside them. */
  scripts?: VueScript[];
  typescript: boolean;
}

function parseJsFile(file: SourceFile): ParsedJs | { ok: false; message: string } {
  let parserName = jsParserFor(file.path);
  let read = file;
  let scripts: VueScript[] | undefined;
  if (isVuePath(file.path)) {
    const code = vueCode(file.text);
    if (!code.ok) return { ok: false, message: `not read as a Vue component: ${code.message}` };
    parserName = code.parser;
    read = { ...file, text: code.text };
    scripts = code.scripts;
  }
  try {
    const typescript = parserName !== 'babylon';
    return { ok: true, j: jsApi(parserName), root: parseJs(parserName, read.text), file: read, typescript, ...(scripts ? { scripts } : {}) };
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const where = loc ? ` at line ${loc.line}, column ${loc.column + 1}` : '';
    return { ok: false, message: `syntax error${where}` };
  }
}

/** A codemod's result on a Vue component, or none with a note when an edit would land outside its script blocks. */
function keptInScripts(out: TransformResult, scripts: readonly VueScript[], text: string): TransformResult {
  const stray = out.edits.find((e) => !insideScripts(scripts, e));
  if (!stray) return out;
  return { edits: [], notes: [...out.notes, { line: lineAt(text, stray.start), message: 'an edit would land outside the component\'s <script> blocks: file left alone' }] };
}

function jsContext(parsed: ParsedJs, codemod: string, project: Project, role: RoleInfo): JsContext {
  const { file } = parsed;
  return {
    file,
    j: parsed.j,
    root: () => parsed.root,
    typescript: parsed.typescript,
    project,
    role,
    options: project.options(codemod),
    load(path) {
      const text = project.readText(path);
      if (text === null) return null;
      const other: SourceFile = { path, text, eol: text.includes('\r\n') ? '\r\n' : '\n' };
      const result = parseJsFile(other);
      return result.ok ? jsContext(result, codemod, project, project.role(path)) : null;
    },
  };
}

interface ChainResult {
  text: string;
  steps: Step[];
  notes: CodemodNote[];
  held: ChangeSite[];
  scope: ScopeNote[];
  prerequisites: string[];
  parsed: boolean;
  failure?: { reason: SkipReason; message: string };
}

/**
 * Whether the project lets `codemod` edit this file: its role, and the
 * dependency versions the codemod needs. `lower` means the project may or
 * may not have them, so every change is held for review.
 */
function scopeFor(codemod: Codemod, path: string, project: Project, role: RoleInfo): { go: boolean; lower: boolean; notes: ScopeNote[] } {
  const id = codemod.meta.id;
  if (!codemod.meta.roles.includes(role.role)) {
    return { go: false, lower: false, notes: [{ codemod: id, kind: 'role', reason: role.role }] };
  }
  const notes: ScopeNote[] = [];
  let lower = false;
  for (const requirement of codemod.meta.requires) {
    const check = project.check(path, requirement);
    if (check.met === 'no') return { go: false, lower: false, notes: [{ codemod: id, kind: 'declined', reason: check.reason }] };
    if (check.met === 'maybe') {
      lower = true;
      notes.push({ codemod: id, kind: 'review', reason: check.reason });
    }
    if (check.met === 'unknown') notes.push({ codemod: id, kind: 'assumed', reason: `${check.reason}; assumed ${requirement.name} ${requirement.range}` });
  }
  return { go: true, lower, notes };
}

/**
 * Runs codemods one after another on one file's text. The text is parsed
 * once and the tree shared by every codemod until one of them changes the
 * text; only then is it parsed again for the next codemod.
 */
function runChain(engine: EngineContext, file: SourceFile, codemods: readonly Codemod[], policy: Policy, project: Project): ChainResult {
  const result: ChainResult = { text: file.text, steps: [], notes: [], held: [], scope: [], prerequisites: [], parsed: false };
  const language = languageOf(file.path, codemods);
  if (!language) return result;
  const role = project.role(file.path);
  let parsed: Parsed | null = null;
  try {
    for (const codemod of codemods) {
      if (!codemod.prefilter(result.text)) continue;
      const scope = scopeFor(codemod, file.path, project, role);
      // Why the codemod may not run is said of every file it would read; what it assumed, or
      // why its changes are held, only of files where it found something to change.
      const ifChanged = scope.notes.filter((n) => n.kind === 'assumed' || n.kind === 'review');
      result.scope.push(...scope.notes.filter((n) => !ifChanged.includes(n)));
      if (!scope.go) continue;
      const current: SourceFile = { ...file, text: result.text };
      parsed ??= parse(engine, current, language);
      result.parsed = true;
      if (!parsed.ok) {
        result.failure = { reason: 'syntax-error', message: parsed.message };
        return result;
      }
      let out: TransformResult;
      try {
        out = parsed.run(codemod, { project, role });
      } catch (error) {
        // Put off until another thread has a value about the whole project: not this codemod's failure.
        if (error instanceof Deferred) {
          error.codemod ??= codemod.meta.id;
          throw error;
        }
        result.failure = { reason: 'codemod-error', message: `${codemod.meta.id} failed: ${(error as Error).message}` };
        return result;
      }
      result.notes.push(...out.notes.map((n) => ({ ...n, codemod: codemod.meta.id })));
      if (out.edits.length === 0) continue;
      result.scope.push(...ifChanged);
      const riskiest = out.edits.find((e) => RISK[e.safety] > RISK[codemod.meta.safety]);
      if (riskiest) {
        result.failure = {
          reason: 'codemod-error',
          message: `${codemod.meta.id} made a ${riskiest.safety} edit (${riskiest.description}), riskier than the ${codemod.meta.safety} it declares`,
        };
        return result;
      }
      // Changes riskier than the policy are held; the supporting edits (an import, a logger)
      // go with the changes that need them. A project that may lack what the codemod needs
      // gets every change for review.
      const edits = scope.lower ? out.edits.map((e) => ({ ...e, safety: riskier(e.safety, 'review') })) : out.edits;
      const selection = selectEdits(codemod.meta.id, result.text, edits, policy.maxSafety);
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
      for (const p of out.prerequisites ?? []) if (!result.prerequisites.includes(p)) result.prerequisites.push(p);
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
function gate(engine: EngineContext, file: SourceFile, codemods: readonly Codemod[], chain: ChainResult, policy: Policy, project: Project): string | null {
  for (const step of chain.steps) {
    const after = applyEdits(step.input, step.edits);
    if (!changesConfined(step.input, after, step.edits)) return `${step.codemod} changed text outside its edits`;
  }
  const again = runChain(engine, { ...file, text: chain.text }, codemods, policy, project);
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

/** A project of one file and nothing else, for callers that transform text outside any repository. */
export function bareProject(path: string): Project {
  return buildProject({ root: '', files: [path], overrides: NO_OVERRIDES_PROJECT, readFiles: false });
}

/**
 * Transforms one file's text with the given codemods under a policy, and runs
 * the verification gate (reparse, confined edits, idempotency) on the result.
 * Pure apart from parsing and the project's reads of other files: no writes.
 */
export function transformSource(engine: EngineContext, file: SourceFile, codemods: readonly Codemod[], options: Policy | TransformOptions = {}): TransformOutcome {
  const { policy = DEFAULT_POLICY, project = bareProject(file.path) } = 'maxSafety' in options ? { policy: options } : options;
  const applicable = codemodsFor(file.path, codemods);
  const chain = runChain(engine, file, applicable, policy, project);
  const scope = chain.scope;
  if (chain.failure) return { kind: 'skipped', ...chain.failure, parsed: chain.parsed, scope };
  if (chain.steps.length === 0) return { kind: 'unchanged', notes: chain.notes, held: chain.held, scope, parsed: chain.parsed };
  const problem = gate(engine, file, applicable, chain, policy, project);
  if (problem) return { kind: 'skipped', reason: 'gate-failed', message: problem, parsed: true, scope };
  return { kind: 'changed', text: chain.text, steps: chain.steps, notes: chain.notes, held: chain.held, scope, prerequisites: chain.prerequisites };
}
