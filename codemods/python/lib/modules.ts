import type { Node, Tree } from 'web-tree-sitter';
import type { ModuleLocation, Project } from '../../api.js';
import { SemanticModel, type Binding, type Resolved } from './semantic.js';

/**
 * Names across the project's modules: what `from app.schema import AppModel`
 * finally is, through re-exports, aliases and star imports, without running
 * anything. Other modules are read through small summaries (their module-level
 * names), parsed once per run and shared by every file that imports them.
 */

/** A name as written in a module, ready to be followed: through an import, a local name, or nothing known. */
export type Reference =
  /** `head`: the name the referring module binds (for a star import that may rebind it). */
  | { kind: 'imported'; module: string; level: number; path: string[]; head?: string }
  | { kind: 'local'; name: string; rest: string[] }
  | { kind: 'builtin'; name: string; rest: string[] }
  | { kind: 'unknown'; reason: string };

export interface ClassSummary {
  name: string;
  line: number;
  bases: Reference[];
  /** The text of a `*bases` / `**kwargs` in the class header, or of `metaclass=…`: hidden bases or config. */
  hidden: string | null;
  /** The names assigned or defined directly in the class body. */
  members: string[];
  /** Classes defined directly in the body (`class Config:`), as far as a summary needs them. */
  nested: NestedClass[];
}

export interface NestedClass {
  name: string;
  line: number;
  /** It names bases of its own (`class Config(Base.Config)`). */
  hasBases: boolean;
  /** Names its body assigns with plain `name = value` statements. */
  assigned: string[];
  /** Its body holds only such assignments, comments, docstrings and `pass`. */
  onlyAssignments: boolean;
}

function nestedClass(node: Node): NestedClass {
  const body = node.childForFieldName('body');
  const assigned: string[] = [];
  let onlyAssignments = true;
  for (const stmt of body?.namedChildren ?? []) {
    if (!stmt || stmt.type === 'comment' || stmt.type === 'pass_statement') continue;
    const expr = stmt.type === 'expression_statement' && stmt.namedChildCount === 1 ? stmt.namedChild(0) : null;
    if (expr?.type === 'string' || expr?.type === 'ellipsis') continue;
    const left = expr?.type === 'assignment' ? expr.childForFieldName('left') : null;
    if (left?.type === 'identifier' && !expr!.childForFieldName('type')) assigned.push(left.text);
    else onlyAssignments = false;
  }
  return { name: node.childForFieldName('name')?.text ?? '?', line: lineOf(node), hasBases: node.childForFieldName('superclasses') !== null, assigned, onlyAssignments };
}

export type Definition =
  | { kind: 'import'; module: string; level: number; imported: string | null; line: number }
  | { kind: 'class'; cls: ClassSummary }
  /** `Alias = some.Name` at module level. */
  | { kind: 'alias'; target: Reference; line: number }
  | { kind: 'other'; line: number };

export interface ModuleSummary {
  path: string;
  names: Map<string, Definition[]>;
  /** `from m import *` statements, with their lines: each may rebind any name bound before it. */
  stars: { module: string; level: number; line: number }[];
}

/** What a name finally is. */
export type Target =
  | { kind: 'class'; file: string; cls: ClassSummary }
  /** Outside the project: `pydantic.BaseModel`, `typing.Generic`, `builtins.object`. */
  | { kind: 'external'; qualified: string }
  | { kind: 'module'; file: string | null }
  | { kind: 'unknown'; reason: string };

export function referenceOf(resolved: Resolved): Reference {
  switch (resolved.kind) {
    case 'imported':
      if (resolved.binding.scope.kind !== 'module') return { kind: 'unknown', reason: `'${resolved.binding.name}' is imported inside a function or class` };
      return { kind: 'imported', module: resolved.module, level: resolved.level, path: resolved.path, head: resolved.binding.name };
    case 'local':
      // Summaries know module-level names only: a name bound in a function is not followed.
      if (resolved.binding.scope.kind !== 'module') return { kind: 'unknown', reason: `'${resolved.binding.name}' is bound in an enclosing function or class` };
      return { kind: 'local', name: resolved.binding.name, rest: resolved.rest };
    case 'builtin':
      return { kind: 'builtin', name: resolved.name, rest: resolved.rest };
    default:
      return resolved;
  }
}

function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

/** A class's bases and header extras, as references read in the scope where the class stands. */
export function summariseClass(model: SemanticModel, cls: Node): ClassSummary {
  const name = cls.childForFieldName('name')?.text ?? '?';
  const args = cls.childForFieldName('superclasses');
  const bases: Reference[] = [];
  let hidden: string | null = null;
  for (const arg of args?.namedChildren ?? []) {
    if (!arg || arg.type === 'comment') continue;
    if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') {
      hidden ??= arg.text;
      continue;
    }
    if (arg.type === 'keyword_argument') {
      if (arg.childForFieldName('name')?.text === 'metaclass') hidden ??= arg.text;
      continue;
    }
    // `Base[T]` is `Base`, parametrised.
    const expr = arg.type === 'subscript' ? (arg.childForFieldName('value') ?? arg) : arg;
    bases.push(referenceOf(model.resolve(expr)));
  }
  const body = cls.childForFieldName('body');
  const members = body ? [...(model.scopeOf(body.namedChildren[0] ?? body).bindings.keys())] : [];
  const nested: NestedClass[] = [];
  for (const stmt of body?.namedChildren ?? []) {
    const def = stmt?.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (def?.type === 'class_definition') nested.push(nestedClass(def));
  }
  return { name, line: lineOf(cls), bases, hidden, members, nested };
}

function definitionOf(model: SemanticModel, b: Binding): Definition {
  switch (b.kind) {
    case 'import':
      return { kind: 'import', module: b.module, level: b.level, imported: b.imported, line: lineOf(b.stmt) };
    case 'class':
      return { kind: 'class', cls: summariseClass(model, b.node) };
    case 'assignment': {
      if (b.value && (b.value.type === 'identifier' || b.value.type === 'attribute')) {
        const target = referenceOf(model.resolve(b.value));
        if (target.kind !== 'unknown') return { kind: 'alias', target, line: lineOf(b.node) };
      }
      return { kind: 'other', line: lineOf(b.node) };
    }
    default:
      return { kind: 'other', line: lineOf(b.node) };
  }
}

/** The module-level names of a parsed module. */
export function summariseModule(path: string, model: SemanticModel): ModuleSummary {
  const names = new Map<string, Definition[]>();
  for (const [name, bindings] of model.module.bindings) names.set(name, bindings.map((b) => definitionOf(model, b)));
  const stars = model.starImports.map((stmt) => {
    const text = (stmt.childForFieldName('module_name')?.text ?? '').replace(/\s+/g, '');
    const level = /^\.*/.exec(text)![0].length;
    return { module: text.slice(level), level, line: lineOf(stmt) };
  });
  return { path, names, stars };
}

export interface ModuleReader {
  project: Project;
  /** Runs `use` on the tree of another module's text (shared: keep no node of it past `use`). */
  withTree<T>(text: string, use: (tree: Tree) => T): T;
}

const summaryKey = (path: string) => `python:summary:${path}`;

/** The summary of a project file, parsed once per run; null when it cannot be read or parsed cleanly. */
export function moduleSummary(reader: ModuleReader, path: string): ModuleSummary | null {
  return reader.project.memo(summaryKey(path), () => parsedModule(reader, path, (model) => summariseModule(path, model), SemanticModel.forSummary));
}

/**
 * Reads and parses another module of the project for `use`, which gets its
 * semantic model; null when it cannot be read or parsed cleanly. The
 * module's summary is remembered on the way, so that reading a module for
 * something else and for its summary parses it once.
 */
export function withModule<T>(reader: ModuleReader, path: string, use: (model: SemanticModel) => T): T | null {
  let parsed = false;
  const out = parsedModule(reader, path, (model) => {
    parsed = true;
    reader.project.memo(summaryKey(path), () => summariseModule(path, model));
    return use(model);
  });
  if (!parsed) reader.project.memo(summaryKey(path), () => null);
  return out;
}

/** `model`: the shared full model by default; summaries pass a lighter one. */
function parsedModule<T>(reader: ModuleReader, path: string, use: (model: SemanticModel) => T, model: (tree: Tree, text: string) => SemanticModel = SemanticModel.of): T | null {
  const text = reader.project.readText(path);
  if (text === null) return null;
  return reader.withTree(text, (tree) => (tree.rootNode.hasError ? null : use(model(tree, text))));
}

const MAX_DEPTH = 32;

/**
 * Follows a reference made in `file` to what it finally names. `seen` guards
 * against import cycles (`a` re-exporting from `b` re-exporting from `a`).
 */
export function follow(reader: ModuleReader, file: string, ref: Reference, local?: ModuleSummary, seen = new Set<string>()): Target {
  if (seen.size > MAX_DEPTH) return { kind: 'unknown', reason: 'its definition is too many imports away' };
  switch (ref.kind) {
    case 'unknown':
      return ref;
    case 'builtin':
      return { kind: 'external', qualified: ['builtins', ref.name, ...ref.rest].join('.') };
    case 'local': {
      const summary = local ?? moduleSummary(reader, file);
      if (!summary) return { kind: 'unknown', reason: `${file} cannot be read` };
      return lookupIn(reader, summary, [ref.name, ...ref.rest], seen);
    }
    default: {
      if (ref.head) {
        const summary = local ?? moduleSummary(reader, file);
        const bound = summary ? lastLine(summary.names.get(ref.head) ?? []) : 0;
        const star = summary?.stars.find((st) => st.line > bound && mayExport(reader, file, st, ref.head!, seen));
        if (star) return { kind: 'unknown', reason: `'${ref.head}' may be rebound by 'from ${'.'.repeat(star.level)}${star.module} import *' in ${file}` };
      }
      const location = reader.project.python.resolve(file, ref.module, ref.level);
      if (!location) {
        if (ref.level > 0) return { kind: 'unknown', reason: `the relative import ${'.'.repeat(ref.level)}${ref.module} in ${file} leads outside the project` };
        return { kind: 'external', qualified: [ref.module, ...ref.path].join('.') };
      }
      return inModule(reader, location, ref.path, seen);
    }
  }
}

function inModule(reader: ModuleReader, location: ModuleLocation, path: readonly string[], seen: Set<string>): Target {
  if (path.length === 0) return { kind: 'module', file: location.file };
  if (location.file) {
    const summary = moduleSummary(reader, location.file);
    if (!summary) return { kind: 'unknown', reason: `${location.file} cannot be read or does not parse` };
    if (summary.names.has(path[0]!) || summary.stars.length > 0) return lookupIn(reader, summary, path, seen, location);
  }
  const sub = reader.project.python.submodule(location, path[0]!);
  if (sub) return inModule(reader, sub, path.slice(1), seen);
  return { kind: 'unknown', reason: `${location.file ?? location.packageDir} does not define ${path[0]}` };
}

function lookupIn(reader: ModuleReader, summary: ModuleSummary, path: readonly string[], seen: Set<string>, location?: ModuleLocation): Target {
  const [name, ...rest] = path as [string, ...string[]];
  const key = `${summary.path}:${name}`;
  if (seen.has(key)) return { kind: 'unknown', reason: `${name} is imported in a cycle through ${summary.path}` };
  const next = new Set(seen).add(key);
  const defs = summary.names.get(name);
  if (!defs || defs.length === 0) {
    // A star import may bring it (the last one that does wins).
    for (const star of [...summary.stars].reverse()) {
      const found = follow(reader, summary.path, { kind: 'imported', module: star.module, level: star.level, path: [name, ...rest] }, undefined, next);
      if (found.kind !== 'unknown') return found;
    }
    const sub = location ? reader.project.python.submodule(location, name) : null;
    if (sub) return inModule(reader, sub, rest, next);
    return { kind: 'unknown', reason: `${summary.path} does not define ${name}` };
  }
  const [first, ...others] = defs;
  if (others.some((d) => !sameDefinition(first!, d))) return { kind: 'unknown', reason: `${name} is bound more than once in ${summary.path}` };
  const bound = lastLine(defs);
  const star = summary.stars.find((st) => st.line > bound && mayExport(reader, summary.path, st, name, next));
  if (star) return { kind: 'unknown', reason: `${name} in ${summary.path} may be rebound by 'from ${'.'.repeat(star.level)}${star.module} import *'` };
  const def = first!;
  switch (def.kind) {
    case 'class':
      if (rest.length > 0) return { kind: 'unknown', reason: `${[name, ...rest].join('.')} is an attribute of a class in ${summary.path}` };
      return { kind: 'class', file: summary.path, cls: def.cls };
    case 'import': {
      const ref: Reference =
        def.imported === null
          ? { kind: 'imported', module: def.module, level: def.level, path: rest }
          : { kind: 'imported', module: def.module, level: def.level, path: [def.imported, ...rest] };
      return follow(reader, summary.path, ref, undefined, next);
    }
    case 'alias': {
      const target = def.target;
      const ref: Reference = target.kind === 'imported' ? { ...target, path: [...target.path, ...rest] } : target.kind === 'unknown' ? target : { ...target, rest: [...target.rest, ...rest] };
      return follow(reader, summary.path, ref, summary, next);
    }
    default:
      return { kind: 'unknown', reason: `${name} is assigned at line ${def.line} of ${summary.path}, not defined as a class or imported` };
  }
}

function definitionLine(d: Definition): number {
  return d.kind === 'class' ? d.cls.line : d.line;
}

/** The line of the last of a name's bindings (a star import after it may rebind it). */
function lastLine(defs: readonly Definition[]): number {
  return Math.max(0, ...defs.map(definitionLine));
}

/** Whether `from <star> import *` in `file` may bind `name`: always for modules outside the project. */
function mayExport(reader: ModuleReader, file: string, star: { module: string; level: number }, name: string, seen: Set<string>): boolean {
  const location = reader.project.python.resolve(file, star.module, star.level);
  if (!location?.file) return location === null;
  const key = `${location.file}:*${name}`;
  if (seen.has(key)) return false;
  const summary = moduleSummary(reader, location.file);
  if (!summary) return true;
  const next = new Set(seen).add(key);
  return (!name.startsWith('_') && summary.names.has(name)) || summary.stars.some((s) => mayExport(reader, location.file!, s, name, next));
}

function sameDefinition(a: Definition, b: Definition): boolean {
  return a.kind === 'import' && b.kind === 'import' && a.module === b.module && a.level === b.level && a.imported === b.imported;
}

/** A class and every class it derives from, as far as they can be followed, with the external roots reached. */
export interface Lineage {
  /** External classes reached (`pydantic.BaseModel`), by qualified name, with the project files whose bases name them. */
  roots: Map<string, Set<string>>;
  /** Project classes on the way, nearest first. */
  classes: { file: string; cls: ClassSummary }[];
  /** Why some base could not be followed. */
  unknown: string[];
  /** A class header hiding bases or config (`*bases`, `metaclass=`), with the class. */
  hidden: { file: string; cls: string; text: string }[];
}

/** Follows every base of `cls` (defined in `file`) through the project to the classes outside it. */
export function lineage(reader: ModuleReader, file: string, cls: ClassSummary, local?: ModuleSummary): Lineage {
  const out: Lineage = { roots: new Map(), classes: [], unknown: [], hidden: [] };
  const visited = new Set<string>([`${file}:${cls.name}:${cls.line}`]);
  const visit = (from: string, c: ClassSummary, summary: ModuleSummary | undefined) => {
    if (c.hidden) out.hidden.push({ file: from, cls: c.name, text: c.hidden });
    for (const base of c.bases) {
      const target = follow(reader, from, base, summary);
      if (target.kind === 'external') out.roots.set(target.qualified, (out.roots.get(target.qualified) ?? new Set()).add(from));
      else if (target.kind === 'unknown') out.unknown.push(target.reason);
      else if (target.kind === 'module') out.unknown.push(`a base of ${c.name} is a module`);
      else {
        const key = `${target.file}:${target.cls.name}:${target.cls.line}`;
        if (visited.has(key)) {
          out.unknown.push(`${target.cls.name} derives from itself`);
          continue;
        }
        visited.add(key);
        out.classes.push(target);
        visit(target.file, target.cls, target.file === file ? local : undefined);
      }
    }
  };
  visit(file, cls, local);
  return out;
}
