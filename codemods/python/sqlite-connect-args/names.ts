import type { Node } from 'web-tree-sitter';
import { descendantsOfType, namedChildren } from '../lib/syntax.js';

/**
 * How a module binds a name. Scopes are deliberately ignored: a name bound in
 * two different ways anywhere in the file counts as ambiguous, which is what
 * a codemod that must never guess wants.
 */
export type Binding =
  /** `import a.b` binds `a` to module `a`; `import a.b as x` binds `x` to module `a.b`. */
  | { kind: 'module'; module: string; node: Node }
  /** `from m import n` / `from m import n as x`. */
  | { kind: 'from'; module: string; name: string; node: Node }
  /** Anything else: assignment, def, class, parameter, loop target, global, … */
  | { kind: 'other'; node: Node };

const IMPORTS = ['import_statement', 'import_from_statement', 'future_import_statement'];

/** Containers a binding target may be nested in (`a, (b, *c) = …`). */
const PATTERNS = new Set([
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

const PARAMETERS = new Set([
  'parameters',
  'lambda_parameters',
  'default_parameter',
  'typed_parameter',
  'typed_default_parameter',
  'list_splat_pattern',
  'dictionary_splat_pattern',
]);

function within(outer: Node | null, inner: Node): boolean {
  return outer !== null && outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

function hasAncestor(node: Node, types: readonly string[]): boolean {
  for (let p = node.parent; p; p = p.parent) if (types.includes(p.type)) return true;
  return false;
}

/** Whether this identifier occurrence binds its name (rather than reads it). */
function isBindingOccurrence(id: Node): boolean {
  const parent = id.parent;
  if (!parent) return false;
  if (parent.type === 'function_definition' || parent.type === 'class_definition') {
    return parent.childForFieldName('name')?.id === id.id;
  }
  if (PARAMETERS.has(parent.type)) {
    // `def f(x=default)`: only the parameter name binds, not the default value.
    const value = parent.childForFieldName('value');
    return !within(value, id);
  }
  if (parent.type === 'global_statement' || parent.type === 'nonlocal_statement') return true;
  if (hasAncestor(id, ['case_pattern'])) return true;
  let target: Node = id;
  while (target.parent && PATTERNS.has(target.parent.type)) target = target.parent;
  const holder = target.parent;
  if (!holder) return false;
  switch (holder.type) {
    case 'assignment':
    case 'augmented_assignment':
    case 'for_statement':
    case 'for_in_clause':
      return holder.childForFieldName('left')?.id === target.id;
    case 'named_expression':
      return holder.childForFieldName('name')?.id === target.id;
    case 'as_pattern_target':
    case 'delete_statement':
      return true;
    default:
      return false;
  }
}

function importBindings(stmt: Node, name: string): Binding[] {
  const out: Binding[] = [];
  if (stmt.type === 'import_statement') {
    for (const item of namedChildren(stmt)) {
      if (item.type === 'dotted_name') {
        const first = item.text.split('.')[0]!.trim();
        if (first === name) out.push({ kind: 'module', module: first, node: stmt });
      } else if (item.type === 'aliased_import' && item.childForFieldName('alias')?.text === name) {
        out.push({ kind: 'module', module: dotted(item.childForFieldName('name')), node: stmt });
      }
    }
    return out;
  }
  if (stmt.type !== 'import_from_statement') return out;
  const module = dotted(stmt.childForFieldName('module_name'));
  for (const item of stmt.childrenForFieldName('name')) {
    if (!item) continue;
    if (item.type === 'dotted_name' && item.text === name) out.push({ kind: 'from', module, name, node: stmt });
    if (item.type === 'aliased_import' && item.childForFieldName('alias')?.text === name) {
      out.push({ kind: 'from', module, name: dotted(item.childForFieldName('name')), node: stmt });
    }
  }
  return out;
}

function dotted(node: Node | null): string {
  return (node?.text ?? '').replace(/\s+/g, '');
}

/** Every binding of `name` anywhere in the module, in document order. */
export function bindingsOf(root: Node, name: string): Binding[] {
  const out: Binding[] = [];
  for (const stmt of descendantsOfType(root, ['import_statement', 'import_from_statement'])) {
    out.push(...importBindings(stmt, name));
  }
  for (const id of identifiersNamed(root, name)) {
    if (isBindingOccurrence(id)) out.push({ kind: 'other', node: id });
  }
  return out.sort((a, b) => a.node.startIndex - b.node.startIndex);
}

/**
 * Identifier nodes spelling `name` that refer to a variable: not an
 * attribute name (`x.name`), not a keyword argument's name, not inside an import.
 */
export function identifiersNamed(root: Node, name: string): Node[] {
  return descendantsOfType(root, 'identifier').filter((id) => {
    if (id.text !== name) return false;
    const parent = id.parent;
    if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === id.id) return false;
    if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === id.id) return false;
    return !hasAncestor(id, IMPORTS);
  });
}

/** The dotted module a binding names when used as the base of `x.y.z`, or null. */
function moduleOf(binding: Binding): string | null {
  if (binding.kind === 'module') return binding.module;
  if (binding.kind === 'from') return `${binding.module}.${binding.name}`;
  return null;
}

export type Resolved = { ok: true; module: string; name: string } | { ok: false; reason: string };

/**
 * Where the callee of a call comes from: `create_engine` imported from a
 * module, or `sa.create_engine` / `sqlalchemy.ext.asyncio.create_async_engine`
 * through an imported module. Every binding of the base name must agree.
 */
export function resolveCallee(root: Node, fn: Node): Resolved {
  const parts: string[] = [];
  let base: Node = fn;
  while (base.type === 'attribute') {
    const attr = base.childForFieldName('attribute');
    const object = base.childForFieldName('object');
    if (!attr || !object) return { ok: false, reason: 'the callee is not a plain name' };
    parts.unshift(attr.text);
    base = object;
  }
  if (base.type !== 'identifier') return { ok: false, reason: 'the callee is not a plain name' };
  const bindings = bindingsOf(root, base.text);
  if (bindings.length === 0) return { ok: false, reason: `\`${base.text}\` is not imported in this file` };
  if (bindings.some((b) => b.kind === 'other')) {
    return { ok: false, reason: `\`${base.text}\` is assigned or defined in this file, not only imported` };
  }
  if (parts.length === 0) {
    const first = bindings[0]!;
    const same = bindings.every((b) => b.kind === 'from' && first.kind === 'from' && b.module === first.module && b.name === first.name);
    if (!same || first.kind !== 'from') return { ok: false, reason: `\`${base.text}\` is imported from more than one place` };
    return { ok: true, module: first.module, name: first.name };
  }
  const modules = new Set(bindings.map(moduleOf));
  const module = modules.size === 1 ? [...modules][0] : null;
  if (!module) return { ok: false, reason: `\`${base.text}\` is imported from more than one place` };
  const name = parts.pop()!;
  return { ok: true, module: [module, ...parts].join('.'), name };
}

/** True when every binding of `name` is an import of `imported` from one of `modules` (and there is one). */
export function onlyImportedFrom(root: Node, name: string, modules: ReadonlySet<string>, imported: string): boolean {
  const bindings = bindingsOf(root, name);
  return bindings.length > 0 && bindings.every((b) => b.kind === 'from' && modules.has(b.module) && b.name === imported);
}
