import type { Node } from 'web-tree-sitter';
import { namedChildren } from '../lib/syntax.js';

/** How a name is bound in one scope. */
export type Binding =
  | { kind: 'import'; module: string; node: Node }
  | { kind: 'from'; module: string; name: string; node: Node }
  | { kind: 'other'; node: Node; value: Node | null };

export type Bindings = Map<string, Binding[]>;

/** Nodes that open a new scope: names bound inside them are not bound in the enclosing one. */
const SCOPES = new Set([
  'function_definition',
  'class_definition',
  'lambda',
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

function add(map: Bindings, name: string, binding: Binding): void {
  const list = map.get(name);
  if (list) list.push(binding);
  else map.set(name, [binding]);
}

/** Identifiers bound by an assignment target (`a`, `a, b`, `[a, *b]`); attributes and subscripts bind nothing. */
function targetNames(target: Node): Node[] {
  if (target.type === 'identifier') return [target];
  if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression', 'list_splat_pattern'].includes(target.type)) {
    return namedChildren(target).flatMap(targetNames);
  }
  return [];
}

function addImport(map: Bindings, stmt: Node): void {
  if (stmt.type === 'import_statement') {
    for (const item of stmt.childrenForFieldName('name')) {
      if (!item) continue;
      if (item.type === 'dotted_name') {
        // `import os.path` binds `os`, the top package.
        const top = item.text.split('.')[0]!;
        add(map, top, { kind: 'import', module: top, node: stmt });
      } else if (item.type === 'aliased_import') {
        const alias = item.childForFieldName('alias')?.text;
        const module = item.childForFieldName('name')?.text;
        if (alias && module) add(map, alias, { kind: 'import', module: `${module} as ${alias}`, node: stmt });
      }
    }
    return;
  }
  if (stmt.type !== 'import_from_statement') return;
  const module = stmt.childForFieldName('module_name')?.text ?? '';
  for (const item of stmt.childrenForFieldName('name')) {
    if (!item) continue;
    if (item.type === 'dotted_name') add(map, item.text, { kind: 'from', module, name: item.text, node: stmt });
    else if (item.type === 'aliased_import') {
      const alias = item.childForFieldName('alias')?.text;
      const name = item.childForFieldName('name')?.text;
      if (alias && name) add(map, alias, { kind: 'from', module, name, node: stmt });
    }
  }
}

function walk(node: Node, map: Bindings): void {
  for (const child of namedChildren(node)) {
    switch (child.type) {
      case 'import_statement':
      case 'import_from_statement':
        addImport(map, child);
        continue;
      case 'function_definition':
      case 'class_definition': {
        const name = child.childForFieldName('name');
        if (name) add(map, name.text, { kind: 'other', node: child, value: null });
        continue;
      }
      case 'assignment':
      case 'augmented_assignment': {
        const left = child.childForFieldName('left');
        const right = child.childForFieldName('right');
        const simple = child.type === 'assignment' && left?.type === 'identifier' && right?.type !== 'assignment';
        for (const id of left ? targetNames(left) : []) add(map, id.text, { kind: 'other', node: child, value: simple ? right : null });
        break;
      }
      case 'for_statement': {
        const left = child.childForFieldName('left');
        for (const id of left ? targetNames(left) : []) add(map, id.text, { kind: 'other', node: child, value: null });
        break;
      }
      case 'as_pattern_target':
        for (const id of namedChildren(child).flatMap(targetNames)) add(map, id.text, { kind: 'other', node: child, value: null });
        continue;
      case 'named_expression': {
        const name = child.childForFieldName('name');
        if (name) add(map, name.text, { kind: 'other', node: child, value: null });
        break;
      }
      default:
        if (SCOPES.has(child.type)) continue;
    }
    walk(child, map);
  }
}

/** Names bound directly in a scope's body (module, class body or function body), not in nested scopes. */
export function scopeBindings(body: Node): Bindings {
  const map: Bindings = new Map();
  walk(body, map);
  return map;
}

/** Names a function or lambda binds: its parameters and everything bound in its body. */
export function functionBindings(fn: Node): Set<string> {
  const names = new Set<string>();
  const params = fn.childForFieldName('parameters');
  for (const param of params ? namedChildren(params) : []) {
    const id = param.type === 'identifier' ? param : (param.childForFieldName('name') ?? namedChildren(param).find((c) => c.type === 'identifier'));
    if (id) names.add(id.text);
  }
  const body = fn.childForFieldName('body');
  if (body) for (const name of scopeBindings(body).keys()) names.add(name);
  return names;
}

/** Names declared `global` anywhere in the module: functions may rebind them at module level. */
export function globalDeclarations(root: Node): Set<string> {
  const names = new Set<string>();
  for (const stmt of root.descendantsOfType('global_statement')) {
    for (const id of stmt ? namedChildren(stmt) : []) names.add(id.text);
  }
  return names;
}

/**
 * True when `name`, read at `node`, may resolve to something other than the
 * module-level binding: a function, lambda or (directly enclosing) class
 * body around `node` binds it too.
 */
export function shadowedAt(node: Node, name: string): boolean {
  let first = true;
  for (let cur = node.parent; cur; cur = cur.parent) {
    if (cur.type === 'function_definition' || cur.type === 'lambda') {
      if (functionBindings(cur).has(name)) return true;
      first = false;
    } else if (cur.type === 'class_definition') {
      // A class body's names are visible only to code directly in that body.
      const body = cur.childForFieldName('body');
      if (first && body && scopeBindings(body).has(name)) return true;
      first = false;
    }
  }
  return false;
}
