import type { Node } from 'web-tree-sitter';
import type { Project } from '../../api.js';
import { importBindings, importTarget } from '../lib/bindings.js';
import type { ModuleReader, Reference } from '../lib/modules.js';
import { dottedPath, lineOf, namedChildren } from '../lib/syntax.js';
import { CLI_WORDS, cliReason, importsCliLibrary } from './scope.js';

/**
 * Which functions of the project print for the person at a terminal: the
 * command-line entry points (click and typer commands, argparse mains,
 * console scripts the manifests name, `__main__.py`) and every module-level
 * function they call, directly or through helpers, in the same module or
 * in other modules of the project. An `"Error: …"` printed by a helper that
 * a command calls is the command's output, like the command's own prints.
 */

/** Why a function's prints are command output. */
export interface CliReach {
  /** The entry point that reaches it: `check() in src/shop/cli.py:14`. */
  entry: string;
  /** Why that is an entry point: `check() is a CLI command (@main.command)`. */
  why: string;
  /** The function that calls this one, when it is not the entry point itself; null for the entry point. */
  caller: string | null;
}

interface FileIndex {
  /** Module-level functions, with the callees their bodies name. */
  functions: Map<string, { line: number; calls: Reference[] }>;
  /** The functions that are entry points by their own look, with the reason. */
  entries: { fn: string; reason: string }[];
  /** Calls made by module-level code (what `__main__.py` runs). */
  moduleCalls: Reference[];
  /** What the first module-level binding of each name imports (to follow re-exports); null when it binds something else. */
  imports: Map<string, ModuleBinding | null>;
}

const MODULE_CODE = '<module>';

/** A module-level import binding: `import a.b` binds `a` to module `a`; `from ..m import n as x` binds `x` to `n` of `m`, two levels up. */
interface ModuleBinding {
  module: string;
  level: number;
  imported: string | null;
}

/** Compound statements whose blocks run in the scope they stand in, and the clauses that hold more blocks. */
const COMPOUND: ReadonlySet<string> = new Set(['if_statement', 'try_statement', 'with_statement', 'for_statement', 'while_statement']);
const CLAUSES: ReadonlySet<string> = new Set(['elif_clause', 'else_clause', 'except_clause', 'except_group_clause', 'finally_clause']);

interface ModuleBindings {
  /** Each name the module binds at its own level, with its bindings in order: an import, or null for anything else. */
  names: Map<string, (ModuleBinding | null)[]>;
}

/**
 * The names the module binds at its own level (imports, defs, classes,
 * plain assignments, inside `if`/`try`/`with`/loops too), read from the
 * statements themselves: the module's scope without a semantic model of the
 * whole file. Loop and `with` targets, `global` and walrus names are left
 * out: a binding missed can only make a call followed that the full model
 * would not follow, which keeps more prints, never fewer.
 */
function moduleBindings(root: Node): ModuleBindings {
  const names = new Map<string, (ModuleBinding | null)[]>();
  const bind = (name: string, binding: ModuleBinding | null) => {
    const list = names.get(name);
    if (list) list.push(binding);
    else names.set(name, [binding]);
  };
  const targets = (node: Node | null) => {
    if (node?.type === 'identifier') bind(node.text, null);
    else if (node?.type === 'pattern_list' || node?.type === 'tuple_pattern' || node?.type === 'list_pattern') for (const part of namedChildren(node)) targets(part);
  };
  const visit = (stmt: Node) => {
    switch (stmt.type) {
      case 'import_statement':
      case 'import_from_statement':
        for (const b of importBindings(stmt)) bind(b.local, importTarget(b));
        return;
      case 'function_definition':
      case 'class_definition': {
        const name = stmt.childForFieldName('name');
        if (name) bind(name.text, null);
        return;
      }
      case 'decorated_definition': {
        const def = stmt.childForFieldName('definition');
        if (def) visit(def);
        return;
      }
      case 'expression_statement':
        for (const expr of namedChildren(stmt)) {
          for (let a: Node | null = expr; a?.type === 'assignment' && a.childForFieldName('right'); a = a.childForFieldName('right')) targets(a.childForFieldName('left'));
        }
        return;
      default:
        if (!COMPOUND.has(stmt.type) && !CLAUSES.has(stmt.type)) return;
        for (const part of namedChildren(stmt)) {
          if (part.type === 'block') for (const inner of namedChildren(part)) visit(inner);
          else if (CLAUSES.has(part.type)) visit(part);
        }
    }
  };
  for (const stmt of namedChildren(root)) visit(stmt);
  return { names };
}

/**
 * What a called name refers to, read from the module's own bindings. A name
 * a function binds for itself (a parameter, a local) is read as the
 * module's name of that spelling: a function is taken for command output
 * when in doubt, never the other way round.
 */
function referenceIn(bindings: ModuleBindings, fn: Node): Reference | null {
  const path = dottedPath(fn);
  if (!path) return null;
  const [head, ...rest] = path;
  const found = bindings.names.get(head);
  if (!found || found.length === 0) return null;
  const first = found[0]!;
  const others = found.slice(1);
  if (first === null) return others.length === 0 ? { kind: 'local', name: head, rest } : null;
  if (others.some((b) => b === null || b.module !== first.module || b.level !== first.level || b.imported !== first.imported)) return null;
  return { kind: 'imported', module: first.module, level: first.level, path: first.imported === null ? rest : [first.imported, ...rest], head };
}

function callees(bindings: ModuleBindings, scope: Node): Reference[] {
  const out: Reference[] = [];
  for (const call of scope.descendantsOfType('call')) {
    const fn = call?.childForFieldName('function');
    if (!fn || (fn.type !== 'identifier' && fn.type !== 'attribute')) continue;
    const ref = referenceIn(bindings, fn);
    if (ref) out.push(ref);
  }
  return out;
}

function functionOf(stmt: Node): Node | null {
  const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
  return def?.type === 'function_definition' ? def : null;
}

/**
 * The calls and entry points of one module, from its syntax tree alone: the
 * tree's own searches and the module's bindings, not the semantic model
 * (three times the cost of the parse, for a module read only to follow
 * calls through it).
 */
export function indexModule(root: Node, path: string): FileIndex {
  const bindings = moduleBindings(root);
  const usesCli = importsCliLibrary(root);
  const functions: FileIndex['functions'] = new Map();
  const entries: FileIndex['entries'] = [];
  const moduleLevel: Node[] = [];
  for (const stmt of namedChildren(root)) {
    const def = functionOf(stmt);
    const name = def?.childForFieldName('name')?.text;
    if (!def || !name) {
      if (stmt.type !== 'class_definition' && stmt.type !== 'decorated_definition') moduleLevel.push(stmt);
      continue;
    }
    functions.set(name, { line: lineOf(def), calls: callees(bindings, def) });
    const reason = cliReason(def, usesCli);
    if (reason) entries.push({ fn: name, reason });
  }
  const base = path.split('/').at(-1);
  const moduleCalls = base === '__main__.py' ? moduleLevel.flatMap((s) => callees(bindings, s)) : [];
  if (moduleCalls.length > 0) entries.push({ fn: MODULE_CODE, reason: `${path} is what python -m runs` });
  const imports = new Map<string, ModuleBinding | null>();
  for (const [name, list] of bindings.names) imports.set(name, list[0] ?? null);
  return { functions, entries, moduleCalls, imports };
}

function indexOf(reader: ModuleReader, path: string): FileIndex | null {
  return reader.project.memo(`print-to-logging:calls:${path}`, () => {
    const text = reader.project.readText(path);
    if (text === null) return null;
    return reader.withTree(text, (tree) => (tree.rootNode.hasError ? null : indexModule(tree.rootNode, path)));
  });
}

const MAX_HOPS = 16;

/** The project function a call names: `(file, name)` of a module-level function, or null (outside the project, a method, unknown). */
function resolveCall(reader: ModuleReader, file: string, ref: Reference, hops = 0): { file: string; fn: string } | null {
  if (hops > MAX_HOPS) return null;
  if (ref.kind === 'local') return ref.rest.length === 0 ? { file, fn: ref.name } : null;
  if (ref.kind !== 'imported') return null;
  let { module, path } = ref;
  // `import a.b` binds `a`: `a.b.f()` is read from the package `a` down.
  const top = module.split('.')[0]!;
  if (ref.head === top && module.includes('.')) {
    module = top;
  }
  const python = reader.project.python;
  let location = python.resolve(file, module, ref.level);
  while (location && path.length > 1) {
    const sub = python.submodule(location, path[0]!);
    if (!sub) return null;
    location = sub;
    path = path.slice(1);
  }
  if (!location?.file || path.length !== 1) return null;
  const name = path[0]!;
  const imported = indexOf(reader, location.file)?.imports.get(name) ?? null;
  if (imported) {
    const next: Reference = { kind: 'imported', module: imported.module, level: imported.level, path: imported.imported === null ? [] : [imported.imported] };
    return resolveCall(reader, location.file, next, hops + 1);
  }
  return { file: location.file, fn: name };
}

function entryLabel(file: string, fn: string, line: number | undefined): string {
  if (fn === MODULE_CODE) return `the module code of ${file}`;
  return `${fn}() in ${file}${line ? `:${line}` : ''}`;
}

/** Follows calls from the entry points, breadth first; the first entry to reach a function names it. */
function reach(reader: ModuleReader, starts: { file: string; fn: string; reason: string }[], local?: { file: string; index: FileIndex }): Map<string, Map<string, CliReach>> {
  const index = (file: string) => (local && file === local.file ? local.index : indexOf(reader, file));
  const out = new Map<string, Map<string, CliReach>>();
  const seen = new Set<string>();
  const queue: { file: string; fn: string; reach: CliReach }[] = [];
  const add = (file: string, fn: string, r: CliReach) => {
    const key = `${file}\0${fn}`;
    if (seen.has(key)) return;
    seen.add(key);
    let inFile = out.get(file);
    if (!inFile) out.set(file, (inFile = new Map()));
    inFile.set(fn, r);
    queue.push({ file, fn, reach: r });
  };
  for (const s of starts) add(s.file, s.fn, { entry: entryLabel(s.file, s.fn, index(s.file)?.functions.get(s.fn)?.line), why: s.reason, caller: null });
  for (let item = queue.shift(); item; item = queue.shift()) {
    const idx = index(item.file);
    const calls = item.fn === MODULE_CODE ? (idx?.moduleCalls ?? []) : (idx?.functions.get(item.fn)?.calls ?? []);
    for (const ref of calls) {
      const target = resolveCall(reader, item.file, ref);
      if (!target || !index(target.file)?.functions.has(target.fn)) continue;
      // A direct call from the entry point names the entry; a call from a helper names the helper.
      add(target.file, target.fn, { ...item.reach, caller: item.reach.caller === null ? item.reach.entry : `${item.fn}()` });
    }
  }
  return out;
}

/** Every entry point of the project, read from files that may hold one, once per run. */
function projectEntries(reader: ModuleReader): { file: string; fn: string; reason: string }[] {
  const { project } = reader;
  const starts: { file: string; fn: string; reason: string }[] = [];
  for (const m of project.manifests) {
    for (const script of m.scripts) {
      const file = project.python.fileOfModule(script.module);
      const fn = script.func?.split('.')[0];
      if (file && fn) starts.push({ file, fn, reason: `${fn}() is the console script "${script.name}" (${script.manifest})` });
    }
  }
  for (const file of [...project.files].sort()) {
    if (!file.endsWith('.py') || !editableRole(project, file)) continue;
    const base = file.split('/').at(-1);
    if (base !== '__main__.py' && !CLI_WORDS.test(project.readText(file) ?? '')) continue;
    for (const e of indexOf(reader, file)?.entries ?? []) starts.push({ file, ...e });
  }
  return starts;
}

function editableRole(project: Project, file: string): boolean {
  const role = project.role(file).role;
  return role === 'app' || role === 'scripts';
}

/**
 * The module-level functions of `file` whose prints are command output,
 * with why. `root` is the file as this run reads it: its own entry points
 * count even when the project cannot read it from disk.
 */
export function cliFunctions(reader: ModuleReader, file: string, root: Node): Map<string, CliReach> {
  const whole = reader.project.shared('print-to-logging:cli', () => reach(reader, projectEntries(reader)));
  const index = indexModule(root, file);
  const own = reach(reader, index.entries.map((e) => ({ file, ...e })), { file, index });
  return new Map([...(own.get(file) ?? []), ...(whole.get(file) ?? [])]);
}
