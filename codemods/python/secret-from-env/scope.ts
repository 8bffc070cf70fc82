import type { Node } from 'web-tree-sitter';
import { parameterNames, scopeBindings } from '../lib/bindings.js';
import { namedChildren } from '../lib/syntax.js';

/** Names a function or lambda binds: its parameters and everything bound in its body. */
export function functionBindings(fn: Node): Set<string> {
  const names = new Set(parameterNames(fn));
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
