import type { Node } from 'web-tree-sitter';
import { importBindings, isBinding, isNameUse } from '../lib/bindings.js';
import type { SemanticModel } from '../lib/semantic.js';
import { dottedText, importsOf, importStatements, isImportStatement } from '../lib/imports.js';
import { descendantsOfType, namedChildren } from '../lib/syntax.js';
import { ancestors, isField, parentOf } from '../lib/tree-index.js';

/** Repository paths whose output is for a person at a terminal or a test runner, not an application log. */
export function nonApplicationReason(path: string): string | null {
  const parts = path.split('/');
  const base = parts.at(-1) ?? '';
  const dirs = parts.slice(0, -1);
  if (['__main__.py', 'setup.py', 'conftest.py'].includes(base)) return `${base} is a script or test entry point`;
  if (/^test_.*\.py$/.test(base) || /_test\.py$/.test(base)) return `${base} is a test module`;
  const dir = dirs.find((d) => d === 'tests' || d === 'test' || d === 'scripts');
  if (dir) return `files under ${dir}/ are not application modules`;
  return null;
}

function isMainCheck(condition: Node | null): boolean {
  if (condition?.type !== 'comparison_operator') return false;
  const operands = namedChildren(condition);
  if (operands.length !== 2 || condition.childForFieldName('operators')?.text !== '==') return false;
  const texts = operands.map((o) => (o.type === 'string' ? o.text.replace(/^['"]|['"]$/g, '') : o.text)).sort();
  return texts[0] === '__main__' && texts[1] === '__name__' && operands.some((o) => o.type === 'string');
}

const CLI_MODULES: ReadonlySet<string> = new Set(['argparse', 'click', 'typer']);
/** Text any import of CLI_MODULES contains. */
export const CLI_WORDS = /\b(?:argparse|click|typer)\b/;

/**
 * Whether the module imports argparse, click or typer anywhere. The tree's
 * own search, not the shared index: modules read only to follow calls
 * through them never build one.
 */
export function importsCliLibrary(root: Node): boolean {
  // An import of one spells its name: most modules are settled by their text, without a search.
  if (!CLI_WORDS.test(root.text)) return false;
  return root.descendantsOfType(['import_statement', 'import_from_statement']).some((stmt) => stmt !== null && importsOf(stmt).some((item) => CLI_MODULES.has(item.module.split('.')[0]!)));
}

/** `@click.command()`, `@cli.command("x")`, `@app.command()`, `@click.group()`, `@command`. */
function cliDecorator(fn: Node): string | null {
  // The tree's own parent: modules read only to follow calls through them never build an index.
  const holder = fn.parent;
  if (holder?.type !== 'decorated_definition') return null;
  for (const decorator of namedChildren(holder)) {
    if (decorator.type !== 'decorator') continue;
    let expr = decorator.firstNamedChild;
    if (expr?.type === 'call') expr = expr.childForFieldName('function');
    if (!expr || (expr.type !== 'attribute' && expr.type !== 'identifier')) continue;
    if (/(^|\.)(command|group)$/.test(expr.text.replace(/\s+/g, ''))) return `@${expr.text}`;
  }
  return null;
}

function usesArgparse(fn: Node): boolean {
  // The text first: a function that never spells either name is settled without a search.
  if (!/argparse|ArgumentParser/.test(fn.text)) return false;
  return fn.descendantsOfType('identifier').some((id) => id?.text === 'argparse' || id?.text === 'ArgumentParser');
}

/** Why a function is a command-line entry point whose prints are its user-facing output, or null. */
export function cliReason(fn: Node, moduleImportsCli: boolean): string | null {
  const name = fn.childForFieldName('name')?.text ?? '?';
  const decorator = cliDecorator(fn);
  if (decorator) return `${name}() is a CLI command (${decorator})`;
  if (name === 'main' && moduleImportsCli) return 'main() of a module that uses argparse/click/typer is a CLI entry point';
  if (usesArgparse(fn)) return `${name}() parses command-line arguments with argparse`;
  return null;
}

export interface PrintContext {
  /** Why the print is user-facing output and must stay, or null. */
  keep: string | null;
  /** Inside an `except` body of the same function (or module) scope. */
  inExcept: boolean;
  /** Runs when the module is imported (not inside a function body). */
  atImportTime: boolean;
}

const SCOPES = new Set(['function_definition', 'class_definition', 'lambda']);

export function printContext(call: Node, moduleImportsCli: boolean): PrintContext {
  let keep: string | null = null;
  let inExcept = false;
  let sameScope = true;
  let atImportTime = true;
  let child = call;
  for (const up of ancestors(call)) {
    if (sameScope && (up.type === 'except_clause' || up.type === 'except_group_clause') && child.type === 'block') inExcept = true;
    if (SCOPES.has(up.type)) sameScope = false;
    if (up.type === 'function_definition' || up.type === 'lambda') atImportTime = false;
    // Once settled, only the scope flags above still change.
    if (!keep && up.type === 'if_statement' && up.childForFieldName('consequence')?.id === child.id && isMainCheck(up.childForFieldName('condition'))) {
      keep = 'print() under if __name__ == "__main__": is the script\'s own output';
    } else if (!keep && up.type === 'function_definition') {
      const reason = cliReason(up, moduleImportsCli);
      if (reason) keep = `print() is command output: ${reason}`;
    }
    child = up;
  }
  return { keep, inExcept, atImportTime };
}

/** A name read (not bound, not an attribute or keyword name, not handed back by `return`). */
function readName(id: Node): boolean {
  // `Registry.register` may run a method of the module's own class (as a decorator, say).
  if (isMethodName(id)) return true;
  return isNameUse(id) && !isBinding(id) && parentOf(id)?.type !== 'return_statement';
}

function isMethodName(id: Node): boolean {
  const parent = parentOf(id);
  return parent?.type === 'attribute' && isField(parent, 'attribute', id);
}

/**
 * Identifiers that running `node` reads: a def's decorators, defaults and
 * annotations, but not its name, parameter names or body (which runs later);
 * a class's bases and body, but not its name.
 */
function eagerIdentifiers(node: Node, out: string[]): void {
  if (node.type === 'identifier') {
    if (readName(node)) out.push(node.text);
    return;
  }
  if (node.type === 'function_definition') {
    const params = node.childForFieldName('parameters');
    for (const param of params ? namedChildren(params) : []) {
      for (const field of ['value', 'type']) {
        const part = param.childForFieldName(field);
        if (part) eagerIdentifiers(part, out);
      }
    }
    const returns = node.childForFieldName('return_type');
    if (returns) eagerIdentifiers(returns, out);
    return;
  }
  for (const child of namedChildren(node)) {
    if (node.type === 'class_definition' && child.id === node.childForFieldName('name')?.id) continue;
    eagerIdentifiers(child, out);
  }
}

/** Methods that creating an instance runs (dataclasses' `__post_init__` too). */
const CONSTRUCTION: ReadonlySet<string> = new Set(['__init__', '__new__', '__post_init__']);
/** Methods a `with` statement runs on what it enters, and a `for` loop on what it iterates. */
const ENTERING: ReadonlySet<string> = new Set(['__enter__', '__exit__']);
const ITERATING: ReadonlySet<string> = new Set(['__iter__', '__next__']);

/** Whether `node` runs as part of `owner` (the module root or a function), not inside a function or lambda of its own. */
function runsIn(node: Node, owner: Node): boolean {
  for (const up of ancestors(node)) {
    if (up.id === owner.id) return true;
    if (up.type === 'function_definition' || up.type === 'lambda') return false;
  }
  return owner.type === 'module';
}

/**
 * What code run as part of `owner` enters with `with` (`with Session() as
 * s:`) or loops over with `for` (`for row in Rows():`), as the special
 * methods that runs on the classes those names may be.
 */
function enteredAndIterated(nodes: readonly Node[], owner: Node, use: (name: string, methods: ReadonlySet<string>) => void): void {
  for (const node of nodes) {
    for (const stmt of descendantsOfType(node, ['with_statement', 'for_statement'])) {
      if (!runsIn(stmt, owner)) continue;
      const entering = stmt.type === 'with_statement';
      const part = entering ? namedChildren(stmt).find((c) => c.type === 'with_clause') : stmt.childForFieldName('right');
      for (const id of part ? descendantsOfType(part, 'identifier') : []) use(id.text, entering ? ENTERING : ITERATING);
    }
  }
}

/**
 * The nested defs a name at `id` (read, or handed back by `return`) means
 * when a function binds it; null when it may mean a module-level name (or
 * a builtin, or something a star import binds).
 */
function nestedFunctionRead(model: SemanticModel, id: Node): Node[] | null {
  const found = model.lookup(id.text, id);
  if (found.kind !== 'bound' || found.scope.kind === 'module') return null;
  return found.bindings.flatMap((b) => (b.kind === 'function' ? [b.node] : []));
}

/**
 * What a name read at `id` may run: 'module' when it may mean a module-level
 * function or class (not a parameter or local of the function it is read
 * in), else the nested defs it names (none for a local variable, or no read).
 */
function namedFunctionRead(model: SemanticModel, id: Node): 'module' | Node[] {
  if (!readName(id)) return [];
  if (isMethodName(id)) return 'module';
  return nestedFunctionRead(model, id) ?? 'module';
}

/**
 * The functions nested in `fn` that calling it hands back, and those they
 * hand back in turn: `return wrapper` in a decorator, `return decorator` in
 * a decorator factory.
 */
function returnedClosures(model: SemanticModel, fn: Node, out: Node[] = []): Node[] {
  for (const ret of descendantsOfType(fn, 'return_statement')) {
    const value = ret.firstNamedChild;
    if (value?.type !== 'identifier') continue;
    for (const def of nestedFunctionRead(model, value) ?? []) {
      if (out.some((d) => d.id === def.id)) continue;
      out.push(def);
      returnedClosures(model, def, out);
    }
  }
  return out;
}

/** The function a call names, as a module-level name (`make(...)`), or null. */
function calledName(node: Node | null): string | null {
  const fn = node?.type === 'call' ? node.childForFieldName('function') : null;
  return fn?.type === 'identifier' ? fn.text : null;
}

/** The functions a module's code runs: when it is imported, and when it runs as a script. */
export interface ModuleRuns {
  onImport: Set<number>;
  /** Reached only from `if __name__ == "__main__":`, which runs when the file is the script. */
  asScript: Set<number>;
}

/**
 * Functions that module code may run: those it names (a call, a decorator,
 * a default value), the constructors of the classes it names (and
 * `__enter__`/`__exit__` of what it enters with `with`, `__iter__`/`__next__`
 * of what it loops over), and, transitively, whatever their bodies name, the
 * functions nested in them that they call, and the closures a decorator or
 * factory hands back when module code calls what they returned (a
 * decorated function it names, `f = measure(f)`). Over-approximates on
 * purpose: a name is enough, whatever scope it resolves in. What the main
 * guard's block reaches is told apart from what the import runs.
 */
export function moduleRuns(model: SemanticModel): ModuleRuns {
  const definitions = new Map<string, Node[]>();
  for (const def of descendantsOfType(model.root, ['function_definition', 'class_definition'])) {
    const name = def.childForFieldName('name')?.text;
    if (name) definitions.set(name, [...(definitions.get(name) ?? []), def]);
  }
  const onImport: Node[] = [];
  const asScript: Node[] = [];
  for (const statement of namedChildren(model.root)) {
    // An import runs other modules, not this one's functions.
    if (isImportStatement(statement)) continue;
    const consequence = statement.type === 'if_statement' && isMainCheck(statement.childForFieldName('condition')) ? statement.childForFieldName('consequence') : null;
    if (!consequence) {
      onImport.push(statement);
      continue;
    }
    for (const part of namedChildren(statement)) {
      if (part.id === consequence.id) asScript.push(...namedChildren(part));
      else onImport.push(part);
    }
  }
  const importReach = reachFrom(model, definitions, onImport);
  const scriptReach = reachFrom(model, definitions, asScript);
  for (const id of importReach) scriptReach.delete(id);
  return { onImport: importReach, asScript: scriptReach };
}

/** The functions `statements` (module-level code) may run; see `moduleRuns`. */
function reachFrom(model: SemanticModel, definitions: ReadonlyMap<string, Node[]>, statements: readonly Node[]): Set<number> {
  const functionsNamed = (name: string | null): Node[] => (name ? (definitions.get(name) ?? []).filter((d) => d.type === 'function_definition') : []);
  const pending: string[] = [];
  const closures: Node[] = [];
  for (const statement of statements) {
    eagerIdentifiers(statement, pending);
    // `f = measure(f)`: what the factory hands back is what module code calls by that name.
    const assignment = statement.type === 'expression_statement' ? statement.firstNamedChild : null;
    if (assignment?.type === 'assignment') {
      for (const factory of functionsNamed(calledName(assignment.childForFieldName('right')))) closures.push(...returnedClosures(model, factory));
    }
  }
  const seen = new Set<string>();
  const reached = new Set<number>();
  /** `with:Name` / `for:Name` already followed. */
  const usedAs = new Set<string>();
  const use = (name: string, methods: ReadonlySet<string>): void => {
    const key = `${methods === ENTERING ? 'with' : 'for'}:${name}`;
    if (usedAs.has(key)) return;
    usedAs.add(key);
    for (const def of definitions.get(name) ?? []) if (def.type === 'class_definition') runMethods(def, methods);
  };
  const run = (fn: Node): void => {
    if (reached.has(fn.id)) return;
    reached.add(fn.id);
    enteredAndIterated([fn], fn, use);
    for (const id of descendantsOfType(fn, 'identifier')) {
      const read = namedFunctionRead(model, id);
      if (read === 'module') pending.push(id.text);
      else read.forEach(run);
    }
    // Calling a decorated function runs the wrappers its decorators returned.
    const decorated = parentOf(fn);
    if (decorated?.type !== 'decorated_definition') return;
    for (const decorator of namedChildren(decorated).filter((c) => c.type === 'decorator')) {
      const expr = decorator.firstNamedChild;
      const name = expr?.type === 'identifier' ? expr.text : calledName(expr);
      for (const factory of functionsNamed(name)) returnedClosures(model, factory).forEach(run);
    }
  };
  const runMethods = (cls: Node, names: ReadonlySet<string>): void => {
    for (const stmt of namedChildren(cls.childForFieldName('body') ?? cls)) {
      const method = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
      if (method?.type === 'function_definition' && names.has(method.childForFieldName('name')?.text ?? '')) run(method);
    }
  };
  enteredAndIterated(statements, model.root, use);
  closures.forEach(run);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    for (const def of definitions.get(name) ?? []) {
      if (def.type === 'function_definition') run(def);
      else runMethods(def, CONSTRUCTION);
    }
  }
  return reached;
}

/** Calls that hand a function or class to logging, which calls it while handling a record. */
const LOGGING_HOOKS = new Set(['addFilter', 'addHandler', 'setFormatter', 'setLogRecordFactory', 'setLoggerClass']);

function isLoggingModule(module: string): boolean {
  return module === 'logging' || module.startsWith('logging.');
}

/**
 * Names of this module's functions and classes that logging calls while it
 * handles a record: classes derived (here or through another class of this
 * file) from something of the logging package (`logging.Handler`,
 * `from logging import Filter`), and whatever the module hands to
 * `addFilter`, `addHandler`, `setFormatter`, `setLogRecordFactory`.
 */
export function loggingMachinery(root: Node): Set<string> {
  const fromLogging = new Set<string>();
  for (const stmt of importStatements(root)) {
    for (const b of importBindings(stmt)) if (isLoggingModule(b.module)) fromLogging.add(b.local);
  }
  const names = new Set<string>();
  for (const call of descendantsOfType(root, 'call')) {
    const fn = call.childForFieldName('function');
    const hook = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
    if (!hook || !LOGGING_HOOKS.has(hook)) continue;
    const args = call.childForFieldName('arguments');
    for (const arg of args ? namedChildren(args) : []) if (arg.type === 'identifier') names.add(arg.text);
  }
  const classes = descendantsOfType(root, 'class_definition');
  const isLoggingBase = (base: Node): boolean => {
    const head = dottedText(base).split('.')[0] ?? '';
    return fromLogging.has(head) || names.has(head);
  };
  for (let grew = true; grew; ) {
    grew = false;
    for (const cls of classes) {
      const name = cls.childForFieldName('name')?.text;
      const supers = cls.childForFieldName('superclasses');
      if (!name || names.has(name) || !supers) continue;
      if (namedChildren(supers).some((b) => b.type !== 'keyword_argument' && isLoggingBase(b))) {
        names.add(name);
        grew = true;
      }
    }
  }
  return names;
}

/**
 * Why a print inside logging's own machinery must stay, or null: logging
 * from a handler's emit(), a formatter or a filter re-enters the handler and
 * recurses until RecursionError.
 */
export function insideLogging(call: Node, machinery: ReadonlySet<string>): string | null {
  for (const up of ancestors(call)) {
    if (up.type !== 'class_definition' && up.type !== 'function_definition') continue;
    const name = up.childForFieldName('name')?.text ?? '';
    if (machinery.has(name)) return `print() in ${name}, which logging calls while handling a record: logging from there would recurse`;
  }
  return null;
}
