import type { Node } from 'web-tree-sitter';
import { dottedText, IMPORT_STATEMENTS } from './imports.js';
import { descendantsOfType, namedChildren } from './syntax.js';

function isField(parent: Node, field: string, child: Node): boolean {
  return parent.childForFieldName(field)?.id === child.id;
}

/** Nodes a binding target may be nested in: `a, (b, *c) = …`, `with f() as (d, e):`, `del (x), y`. */
const TARGET_CONTAINERS: ReadonlySet<string> = new Set([
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'tuple',
  'list',
  'parenthesized_expression',
  'list_splat_pattern',
  'list_splat',
  'expression_list',
]);

/**
 * Whether an identifier node names a variable (bound or read), rather than
 * an attribute (`x.name`), a keyword (`f(name=…)`) or a module path in an import.
 */
export function isNameUse(id: Node): boolean {
  const parent = id.parent;
  if (!parent) return false;
  if (parent.type === 'attribute') return !isField(parent, 'attribute', id);
  if (parent.type === 'keyword_argument') return !isField(parent, 'name', id);
  if (parent.type === 'dotted_name') {
    const holder = parent.parent;
    if (!holder) return false;
    if (holder.type === 'relative_import' || isField(holder, 'module_name', parent)) return false;
    if (holder.type === 'aliased_import') return false;
    // `import a.b` binds only `a`.
    if (IMPORT_STATEMENTS.has(holder.type)) return parent.firstNamedChild?.id === id.id;
  }
  return true;
}

/**
 * Whether an identifier node (re)binds its name: an assignment or loop target,
 * a parameter, a def/class name, an import, `as` target, walrus, `del`,
 * `global`/`nonlocal`, a match capture or a type parameter. Errs towards true.
 */
export function isBinding(id: Node): boolean {
  if (!isNameUse(id)) return false;
  let node = id;
  while (node.parent && TARGET_CONTAINERS.has(node.parent.type)) node = node.parent;
  const parent = node.parent;
  if (!parent) return false;
  switch (parent.type) {
    case 'assignment':
    case 'augmented_assignment':
    case 'for_statement':
    case 'for_in_clause':
      return isField(parent, 'left', node);
    case 'named_expression':
    case 'function_definition':
    case 'class_definition':
    case 'default_parameter':
    case 'typed_default_parameter':
      return isField(parent, 'name', node);
    case 'typed_parameter':
      return !isField(parent, 'type', node);
    case 'aliased_import':
      return isField(parent, 'alias', node);
    case 'parameters':
    case 'lambda_parameters':
    case 'dictionary_splat_pattern':
    case 'as_pattern_target':
    case 'global_statement':
    case 'nonlocal_statement':
    case 'delete_statement':
    case 'dotted_name':
      // dotted_name here is an import name (isNameUse filtered module paths).
      return true;
    default:
      break;
  }
  for (let up: Node | null = parent; up; up = up.parent) {
    if (up.type === 'case_pattern' || up.type === 'type_parameter') return true;
  }
  return false;
}

/** Every identifier in the tree that is a use of `name` as a variable. */
export function nameUses(root: Node, name: string): Node[] {
  return descendantsOfType(root, 'identifier').filter((id) => id.text === name && isNameUse(id));
}

/** Every identifier in the tree that (re)binds `name`, in any scope. */
export function bindingIdentifiers(root: Node, name: string): Node[] {
  return nameUses(root, name).filter(isBinding);
}

/** What an import statement binds a name to. */
export type ImportBinding =
  /** `import a.b` binds `a` to module `a`; `import a.b as x` binds `x` to module `a.b`. */
  | { kind: 'module-import'; local: string; module: string; node: Node }
  /** `from m import n` / `from m import n as x`. */
  | { kind: 'from-import'; local: string; module: string; name: string; node: Node };

/** The names an `import` or `from … import` statement binds (`import *` binds none that can be known). */
export function importBindings(stmt: Node): ImportBinding[] {
  const out: ImportBinding[] = [];
  const items = stmt.childrenForFieldName('name').filter((n): n is Node => n !== null);
  if (stmt.type === 'import_statement') {
    for (const item of items) {
      if (item.type === 'dotted_name') {
        const top = dottedText(item).split('.')[0]!;
        out.push({ kind: 'module-import', local: top, module: top, node: stmt });
      }
      const alias = item.type === 'aliased_import' ? item.childForFieldName('alias') : null;
      if (alias) out.push({ kind: 'module-import', local: alias.text, module: dottedText(item.childForFieldName('name')), node: stmt });
    }
    return out;
  }
  if (stmt.type !== 'import_from_statement') return out;
  const module = dottedText(stmt.childForFieldName('module_name'));
  for (const item of items) {
    if (item.type === 'dotted_name') {
      const name = dottedText(item);
      out.push({ kind: 'from-import', local: name, module, name, node: stmt });
    }
    const alias = item.type === 'aliased_import' ? item.childForFieldName('alias') : null;
    if (alias) out.push({ kind: 'from-import', local: alias.text, module, name: dottedText(item.childForFieldName('name')), node: stmt });
  }
  return out;
}

/** How one statement of a scope binds a name. */
export type ScopeBinding =
  | ImportBinding
  | { kind: 'class'; node: Node }
  /** Anything else; `value` is the right-hand side of a plain `name = value`. */
  | { kind: 'other'; node: Node; value: Node | null };

export type ScopeBindings = Map<string, ScopeBinding[]>;

/** Nodes that open a scope of their own besides `def` and `class`. */
const NESTED_SCOPES: ReadonlySet<string> = new Set([
  'lambda',
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

function add(bindings: ScopeBindings, name: string, binding: ScopeBinding): void {
  const list = bindings.get(name);
  if (list) list.push(binding);
  else bindings.set(name, [binding]);
}

/** Identifiers bound by an assignment target (`a`, `a, b`, `[a, *b]`); attributes and subscripts bind nothing. */
function targetNames(target: Node | null): Node[] {
  if (target?.type === 'identifier') return [target];
  if (target && TARGET_CONTAINERS.has(target.type)) return namedChildren(target).flatMap(targetNames);
  return [];
}

function walk(bindings: ScopeBindings, node: Node): void {
  const bind = (ids: readonly (Node | null)[], value: Node | null = null): void => {
    for (const id of ids) if (id) add(bindings, id.text, { kind: 'other', node, value });
  };
  switch (node.type) {
    case 'import_statement':
    case 'import_from_statement':
      for (const binding of importBindings(node)) add(bindings, binding.local, binding);
      return;
    case 'class_definition': {
      const name = node.childForFieldName('name');
      if (name) add(bindings, name.text, { kind: 'class', node });
      // The body is its own scope; its bases and decorators are evaluated here but bind nothing.
      return;
    }
    case 'function_definition':
      bind([node.childForFieldName('name')]);
      return;
    case 'assignment':
    case 'augmented_assignment': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const plain = node.type === 'assignment' && left?.type === 'identifier' && right?.type !== 'assignment';
      bind(targetNames(left), plain ? right : null);
      break;
    }
    case 'for_statement':
      bind(targetNames(node.childForFieldName('left')));
      break;
    case 'as_pattern_target':
      bind(namedChildren(node).flatMap(targetNames));
      return;
    case 'named_expression':
      bind([node.childForFieldName('name')]);
      break;
    case 'global_statement':
    case 'nonlocal_statement':
      bind(namedChildren(node));
      return;
    default:
      if (NESTED_SCOPES.has(node.type)) return;
  }
  for (const child of namedChildren(node)) walk(bindings, child);
}

/**
 * Names bound directly in one scope: the module (`scope` = the root) or a
 * class or function body (`scope` = its block). Nested function and class
 * bodies, lambdas and comprehensions are other scopes and are not entered.
 */
export function scopeBindings(scope: Node): ScopeBindings {
  const bindings: ScopeBindings = new Map();
  for (const child of namedChildren(scope)) walk(bindings, child);
  return bindings;
}

/** Parameter names of a function or lambda, which bind in its body's scope. */
export function parameterNames(fn: Node): string[] {
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  const names: string[] = [];
  for (const p of namedChildren(params)) {
    const id = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? namedChildren(p).find((c) => c.type === 'identifier'));
    if (id?.type === 'identifier') names.push(id.text);
  }
  return names;
}
