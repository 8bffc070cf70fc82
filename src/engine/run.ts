import { join } from 'node:path';
import { DEFAULT_POLICY, type EngineContext, type Policy, type ScopeNote } from './transform.js';
import { DEFAULT_MAX_BYTES, discoverFiles, replaceFile, type Discovery } from './files.js';
import { compilePython, pythonInterpreter, type PythonCheck } from './pycheck.js';
import { lazyEngine } from './index.js';
import { mayParsePython, readCandidate, transformCandidate, type FileContext, type FileOutcome } from './process.js';
import { POOL_MIN_FILES, runPool, threadLimit, workerScript } from './pool.js';
import type { AppliedEdit, ChangeSite, Codemod, CodemodNote, FileResult, SkipReason } from './types.js';
import { TOOL_VERSION } from '../version.js';
import { buildProject, needsPythonParser, projectSnapshot, type Project } from '../project/index.js';

export const REPORT_SCHEMA_VERSION = 2;

/** Skip reasons that mean `--write` wanted to change a file and could not (the CLI exits 3). */
export const WRITE_FAILURES: ReadonlySet<SkipReason> = new Set<SkipReason>(['unwritable', 'changed-during-run']);

export interface RunOptions {
  paths: readonly string[];
  codemods: readonly Codemod[];
  cwd?: string;
  write?: boolean;
  maxBytes?: number;
  policy?: Policy;
  /** Called after each file; used by the CLI's progress line. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Threads at most (1: this thread only). Default: SHIPSHAPE_WORKERS, else
   * one per core. A run uses one thread per `poolMinFiles` files (default
   * POOL_MIN_FILES), and worker threads only with the registry's own codemods.
   */
  jobs?: number;
  poolMinFiles?: number;
  engine?: EngineContext;
  /** The repository's model; built from the repository around `paths` when absent. */
  project?: Project;
  /**
   * The repository's files, already listed (apply lists its clone once):
   * `paths` are then repository-relative paths of these files, and git is not
   * asked again on every run.
   */
  listed?: { root: string; files: readonly string[] };
  /**
   * `codemods` is the default set, not a choice of the caller (`run` without
   * `-c`): those the config file turns off do not run, and the report names them.
   */
  configChooses?: boolean;
}

/**
 * Files a codemod did not edit, or edited under a condition, because of what
 * the project is (grouped by reason so that a pydantic 1 pin is said once,
 * not once per model): `role` (the file's role is not one it edits),
 * `declined` (a dependency version it needs is not there), `review` (the
 * version may or may not be there: its changes were held for review) and
 * `assumed` (no manifest says).
 */
export interface ScopeEntry {
  codemod: string;
  kind: ScopeNote['kind'];
  reason: string;
  paths: string[];
}

export interface RunSummary {
  filesConsidered: number;
  filesParsed: number;
  changed: number;
  unchanged: number;
  skipped: number;
  /** Changes made, one per site (a call, a class, an assignment). */
  changes: number;
  /** Text edits behind them, supporting edits (imports, helpers) included. */
  edits: number;
  /** Changes held by the policy. */
  held: number;
  /** Places left alone (a caveat on a change that was made is not one). */
  notes: number;
}

export interface CodemodReport {
  id: string;
  title: string;
  safety: Codemod['meta']['safety'];
  changedFiles: { path: string; changes: ChangeSite[]; edits: AppliedEdit[] }[];
  notes: (CodemodNote & { path: string })[];
  held: (ChangeSite & { path: string })[];
}

export type FileEntry =
  | { path: string; status: 'changed'; codemods: string[]; changes: ChangeSite[]; edits: AppliedEdit[]; diff: string; written: boolean }
  | { path: string; status: 'skipped'; reason: SkipReason; message: string };

export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'shipshape'; version: string };
  command: 'run';
  options: { paths: string[]; codemods: string[]; write: boolean; maxBytes: number; maxSafety: Policy['maxSafety'] };
  root: string;
  startedAt: string;
  elapsedMs: number;
  summary: RunSummary;
  verification: { pythonCompile: 'checked' | 'unavailable' | 'not-needed'; interpreter: string };
  /** What the project model found: its manifests, problems reading them or the config file, and the codemods the config file turned off. */
  project: { manifests: string[]; problems: string[]; codemodsOff: string[] };
  scope: ScopeEntry[];
  /** Deploy prerequisites the changes add beyond each codemod's own. */
  prerequisites: string[];
  codemods: CodemodReport[];
  files: FileEntry[];
}

export { quotePath, unifiedDiff } from './diff.js';

/**
 * Runs codemods over files on disk: discovery, reading with skip reasons,
 * one transform per file, the verification gate (including compiling
 * changed Python with python3 when available), then atomic writes.
 */
export async function runCodemods(options: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const policy = options.policy ?? DEFAULT_POLICY;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  // The Python parser is loaded on the first file that needs it, not at start.
  const lazy = options.engine ? null : lazyEngine();
  const engine = options.engine ?? lazy!.engine;
  const loadParser = async () => {
    await lazy?.load();
    return engine.python;
  };
  // The same codemod named twice runs once (and is reported once).
  const given = options.codemods.filter((c, i, all) => all.findIndex((o) => o.meta.id === c.meta.id) === i);
  const { root, files, unlisted = [] } = options.listed ? listedRun(options.listed, options.paths) : await discoverFiles(options.paths, options.cwd);
  const project = options.project ?? (await projectFor(root, files, loadParser, maxBytes, options.listed?.files));
  const off = options.configChooses ? project.codemodsOff(given.map((c) => c.meta.id)) : [];
  const codemods = given.filter((c) => !off.includes(c.meta.id));
  const scope = new Map<string, ScopeEntry>();
  const noteScope = (path: string, notes: readonly ScopeNote[]) => {
    for (const n of notes) {
      const key = `${n.codemod}\0${n.kind}\0${n.reason}`;
      const entry = scope.get(key);
      if (entry) entry.paths.push(path);
      else scope.set(key, { ...n, paths: [path] });
    }
  };
  const prerequisites = new Set<string>();
  const extensions = new Set(codemods.flatMap((c) => c.meta.extensions));
  const candidates = files.filter((f) => extensions.has(f.slice(f.lastIndexOf('.')).toLowerCase()));
  const context: FileContext = { root, maxBytes, codemods, policy, project, engine };

  // The gate compiles changed Python with python3: each changed file is sent to the checker as
  // soon as it is known, so that compiling overlaps the transforms still running.
  const checks = new Map<string, Promise<PythonCheck>>();
  const compileBoth = (outcome: Extract<FileOutcome, { kind: 'changed' }>, interpreter: string | false) =>
    compilePython(
      [
        { path: outcome.result.path, text: outcome.beforeText },
        { path: outcome.result.path, text: outcome.text },
      ],
      interpreter,
    );
  const onOutcome = (outcome: FileOutcome) => {
    if (outcome.kind === 'changed' && outcome.path.endsWith('.py')) checks.set(outcome.path, compileBoth(outcome, pythonInterpreter()));
  };
  const outcomes = await transformAll(context, candidates, options, loadParser, onOutcome);
  const results: FileResult[] = unlisted.map((d) => ({ status: 'skipped', path: d.path, reason: 'unreadable', message: d.message }));
  const pending: Extract<FileOutcome, { kind: 'changed' }>[] = [];
  let parsed = 0;
  // In the files' order, whatever thread transformed them: the report does not depend on the scheduling.
  for (const outcome of outcomes) {
    noteScope(outcome.path, outcome.scope);
    if (outcome.kind === 'changed' || outcome.parsed) parsed++;
    if (outcome.kind === 'skipped') results.push({ status: 'skipped', path: outcome.path, reason: outcome.reason, message: outcome.message });
    else if (outcome.kind === 'unchanged') results.push({ status: 'unchanged', path: outcome.path, notes: outcome.notes, held: outcome.held });
    else pending.push(outcome);
  }

  // Gate, last step: changed Python must still compile (never run) with the real interpreter.
  const python = pending.filter((p) => p.result.path.endsWith('.py'));
  const interpreter = python.length > 0 ? pythonInterpreter() : false;
  const compiled = await Promise.all(python.map((p) => checks.get(p.path) ?? compileBoth(p, interpreter)));
  const rejected = new Map<string, FileResult>();
  python.forEach((p, i) => {
    const [beforeError, afterError] = compiled[i]!.errors ?? [null, null];
    if (beforeError) {
      rejected.set(p.result.path, { status: 'skipped', path: p.result.path, reason: 'syntax-error', message: `python3 cannot compile it: ${beforeError}` });
    } else if (afterError) {
      rejected.set(p.result.path, { status: 'skipped', path: p.result.path, reason: 'gate-failed', message: `the result does not compile: ${afterError}` });
    }
  });
  const checked = compiled.every((c) => c.errors !== null);

  const written = new Set<string>();
  for (const p of pending) {
    const rejection = rejected.get(p.result.path);
    if (rejection) {
      results.push(rejection);
      continue;
    }
    if (options.write) {
      // One file that cannot be written is reported; the others are still written.
      const outcome = await replaceFile(join(root, p.result.path), p.result.before, p.result.after);
      if (!outcome.ok) {
        results.push({ status: 'skipped', path: p.result.path, reason: outcome.reason, message: outcome.message });
        continue;
      }
      written.add(p.result.path);
    }
    for (const pre of p.prerequisites) prerequisites.add(pre);
    results.push(p.result);
  }
  results.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  return buildReport({
    options: { ...options, codemods },
    policy,
    maxBytes,
    root,
    started,
    results,
    written,
    parsed,
    considered: candidates.length,
    pythonCompile: python.length === 0 ? 'not-needed' : checked ? 'checked' : 'unavailable',
    interpreter: compiled.find((c) => c.errors !== null)?.interpreter ?? compiled[0]?.interpreter ?? (interpreter || 'none'),
    project: { manifests: project.manifests.map((m) => m.path), problems: [...project.problems], codemodsOff: off },
    scope: [...scope.values()],
    prerequisites: [...prerequisites],
  });
}

/**
 * The model of the repository around a run: every file of `root`, not only
 * those the run was given, so `shipshape run app/models.py` still sees the
 * manifests and the modules app/models.py imports.
 */
export async function projectAround(root: string, files: readonly string[], engine: EngineContext, maxBytes = DEFAULT_MAX_BYTES, listed?: readonly string[]): Promise<Project> {
  return projectFor(root, files, () => Promise.resolve(engine.python), maxBytes, listed);
}

async function projectFor(root: string, files: readonly string[], loadParser: () => Promise<EngineContext['python']>, maxBytes: number, listed?: readonly string[]): Promise<Project> {
  const all = listed ? { root, files: listed } : await discoverFiles([root], root);
  const projectFiles = all.root === root ? all.files : files;
  // setup.py is read with the Python parser; without one the parser need not be loaded for the model.
  const python = projectFiles.some(needsPythonParser) ? await loadParser() : undefined;
  return buildProject({ root, files: projectFiles, runFiles: files, python, maxBytes });
}

/** Reads and transforms every candidate, with worker threads when the run is large enough to pay for them. */
async function transformAll(
  context: FileContext,
  candidates: readonly string[],
  options: RunOptions,
  loadParser: () => Promise<unknown>,
  onOutcome: (outcome: FileOutcome) => void,
): Promise<FileOutcome[]> {
  const threads = Math.min(threadLimit(options.jobs), 1 + Math.floor(candidates.length / (options.poolMinFiles ?? POOL_MIN_FILES)));
  const pooled = threads > 1 ? await poolSetup(context) : null;
  if (pooled) return runPool({ threads, files: candidates, script: pooled.script, base: pooled.base, codemods: context.codemods, onProgress: options.onProgress, onOutcome });
  // On this thread alone: a small run, or codemods from outside the registry.
  const outcomes: FileOutcome[] = [];
  for (const [index, path] of candidates.entries()) {
    options.onProgress?.(index, candidates.length);
    const read = readCandidate(context, path);
    if (read.ok && mayParsePython(path, read.file.text, context.codemods)) await loadParser();
    const outcome = transformCandidate(context, path, read);
    onOutcome(outcome);
    outcomes.push(outcome);
  }
  options.onProgress?.(candidates.length, candidates.length);
  return outcomes;
}

/** What the workers are started with, or null when this run cannot use them. */
async function poolSetup(context: FileContext): Promise<{ script: URL; base: Parameters<typeof runPool>[0]['base'] } | null> {
  const script = workerScript();
  const snapshot = projectSnapshot(context.project);
  if (!script || !snapshot) return null;
  // Workers load codemods by id from the registry: a codemod from elsewhere keeps the run on this thread.
  const { findCodemod } = await import('../../codemods/index.js');
  if (!context.codemods.every((c) => findCodemod(c.meta.id) === c)) return null;
  return { script, base: { root: context.root, maxBytes: context.maxBytes, policy: context.policy, codemods: context.codemods.map((c) => c.meta.id), snapshot } };
}

/** A run's files from a listing made before: the given paths that are files of it, sorted. */
function listedRun(listed: { root: string; files: readonly string[] }, paths: readonly string[]): Pick<Discovery, 'root' | 'files' | 'unlisted'> {
  const known = new Set(listed.files);
  return { root: listed.root, files: [...new Set(paths.filter((p) => known.has(p)))].sort(), unlisted: [] };
}

function buildReport(input: {
  options: RunOptions;
  policy: Policy;
  maxBytes: number;
  root: string;
  started: number;
  results: FileResult[];
  written: Set<string>;
  parsed: number;
  considered: number;
  pythonCompile: RunReport['verification']['pythonCompile'];
  interpreter: string;
  project: RunReport['project'];
  scope: ScopeEntry[];
  prerequisites: string[];
}): RunReport {
  const { options, results } = input;
  const codemods: CodemodReport[] = options.codemods.map((c) => ({
    id: c.meta.id,
    title: c.meta.title,
    safety: c.meta.safety,
    changedFiles: [],
    notes: [],
    held: [],
  }));
  const byId = new Map(codemods.map((c) => [c.id, c]));
  const files: FileEntry[] = [];
  const summary: RunSummary = { filesConsidered: input.considered, filesParsed: input.parsed, changed: 0, unchanged: 0, skipped: 0, changes: 0, edits: 0, held: 0, notes: 0 };
  for (const r of results) {
    if (r.status === 'skipped') {
      summary.skipped++;
      files.push({ path: r.path, status: 'skipped', reason: r.reason, message: r.message });
      continue;
    }
    for (const note of r.notes) byId.get(note.codemod)?.notes.push({ ...note, path: r.path });
    for (const held of r.held) byId.get(held.codemod)?.held.push({ ...held, path: r.path });
    summary.notes += r.notes.filter((n) => !n.caveat).length;
    summary.held += r.held.length;
    if (r.status === 'unchanged') {
      summary.unchanged++;
      continue;
    }
    summary.changed++;
    summary.changes += r.changes.length;
    summary.edits += r.edits.length;
    for (const id of r.codemods) {
      byId.get(id)?.changedFiles.push({ path: r.path, changes: r.changes.filter((e) => e.codemod === id), edits: r.edits.filter((e) => e.codemod === id) });
    }
    files.push({ path: r.path, status: 'changed', codemods: r.codemods, changes: r.changes, edits: r.edits, diff: r.diff, written: input.written.has(r.path) });
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'shipshape', version: TOOL_VERSION },
    command: 'run',
    options: {
      paths: [...options.paths],
      codemods: options.codemods.map((c) => c.meta.id),
      write: Boolean(options.write),
      maxBytes: input.maxBytes,
      maxSafety: input.policy.maxSafety,
    },
    root: input.root,
    startedAt: new Date(input.started).toISOString(),
    elapsedMs: Date.now() - input.started,
    summary,
    verification: { pythonCompile: input.pythonCompile, interpreter: input.interpreter },
    project: input.project,
    scope: input.scope,
    prerequisites: input.prerequisites,
    codemods,
    files,
  };
}
