import type { Node } from 'web-tree-sitter';
import { namedChildren } from '../lib/syntax.js';

/** What one statement binds a name to, as far as a reader of the source can tell. */
export type Binding =
  | { kind: 'from-import'; module: string; name: string; node: Node }
  | { kind: 'module-import'; module: string; node: Node }
  | { kind: 'class'; node: Node }
  | { kind: 'other'; node: Node };

export type Bindings = Map<string, Binding[]>;

function add(bindings: Bindings, name: string, binding: Binding): void {
  const list = bindings.get(name);
  if (list) list.push(binding);
  else bindings.set(name, [binding]);
}

/** Names bound by an assignment target (`a`, `a, b`, `[a, *b]`); attributes and subscripts bind nothing. */
function addTargets(bindings: Bindings, target: Node, node: Node): void {
  if (target.type === 'identifier') {
    add(bindings, target.text, { kind: 'other', node });
    return;
  }
  if (['pattern_list', 'tuple_pattern', 'list_pattern', 'list_splat_pattern', 'expression_list', 'tuple', 'list'].includes(target.type)) {
    for (const child of namedChildren(target)) addTargets(bindings, child, node);
  }
}

function addImportFrom(bindings: Bindings, stmt: Node): void {
  const module = stmt.childForFieldName('module_name')?.text ?? '';
  for (const item of stmt.childrenForFieldName('name')) {
    if (!item) continue;
    if (item.type === 'dotted_name') {
      add(bindings, item.text, { kind: 'from-import', module, name: item.text, node: stmt });
    } else if (item.type === 'aliased_import') {
      const name = item.childForFieldName('name')?.text ?? '';
      const alias = item.childForFieldName('alias')?.text ?? name;
      add(bindings, alias, { kind: 'from-import', module, name, node: stmt });
    }
  }
}

function addImport(bindings: Bindings, stmt: Node): void {
  for (const item of namedChildren(stmt)) {
    if (item.type === 'dotted_name') {
      // `import a.b.c` binds `a`, through which the whole path is reached.
      const head = item.text.split('.')[0]!;
      add(bindings, head, { kind: 'module-import', module: head, node: stmt });
    } else if (item.type === 'aliased_import') {
      const module = item.childForFieldName('name')?.text ?? '';
      const alias = item.childForFieldName('alias')?.text ?? module;
      add(bindings, alias, { kind: 'module-import', module, node: stmt });
    }
  }
}

function walk(bindings: Bindings, node: Node): void {
  switch (node.type) {
    case 'import_from_statement':
      addImportFrom(bindings, node);
      return;
    case 'import_statement':
      addImport(bindings, node);
      return;
    case 'class_definition': {
      const name = node.childForFieldName('name');
      if (name) add(bindings, name.text, { kind: 'class', node });
      // The body is its own scope; its bases and decorators are evaluated here but bind nothing.
      return;
    }
    case 'function_definition': {
      const name = node.childForFieldName('name');
      if (name) add(bindings, name.text, { kind: 'other', node });
      return;
    }
    case 'lambda':
    case 'list_comprehension':
    case 'set_comprehension':
    case 'dictionary_comprehension':
    case 'generator_expression':
      return;
    case 'assignment':
    case 'augmented_assignment': {
      const left = node.childForFieldName('left');
      if (left) addTargets(bindings, left, node);
      break;
    }
    case 'for_statement': {
      const left = node.childForFieldName('left');
      if (left) addTargets(bindings, left, node);
      break;
    }
    case 'as_pattern': {
      const alias = node.childForFieldName('alias');
      const target = alias?.namedChild(0) ?? alias;
      if (target) addTargets(bindings, target, node);
      break;
    }
    case 'named_expression': {
      const name = node.childForFieldName('name');
      if (name) add(bindings, name.text, { kind: 'other', node });
      break;
    }
    case 'global_statement':
    case 'nonlocal_statement':
      for (const child of namedChildren(node)) add(bindings, child.text, { kind: 'other', node });
      return;
  }
  for (const child of namedChildren(node)) walk(bindings, child);
}

/**
 * Names bound directly in one scope: the module (`scope` = the root) or a
 * class or function body (`scope` = its block). Nested function and class
 * bodies are other scopes and are not entered.
 */
export function scopeBindings(scope: Node): Bindings {
  const bindings: Bindings = new Map();
  for (const child of namedChildren(scope)) walk(bindings, child);
  return bindings;
}

/** Parameter names of a function, which bind in its body's scope. */
export function parameterNames(fn: Node): string[] {
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  const names: string[] = [];
  for (const p of namedChildren(params)) {
    if (p.type === 'identifier') names.push(p.text);
    else {
      const id = p.childForFieldName('name') ?? namedChildren(p).find((c) => c.type === 'identifier');
      if (id?.type === 'identifier') names.push(id.text);
    }
  }
  return names;
}

/** Every import in the file, wherever it stands, as `[module, imported name | null]` pairs. */
export function allImports(root: Node): Array<{ module: string; name: string | null; node: Node }> {
  const out: Array<{ module: string; name: string | null; node: Node }> = [];
  for (const stmt of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (!stmt) continue;
    if (stmt.type === 'import_statement') {
      for (const item of namedChildren(stmt)) {
        const module = item.type === 'aliased_import' ? (item.childForFieldName('name')?.text ?? '') : item.text;
        out.push({ module, name: null, node: stmt });
      }
      continue;
    }
    const module = stmt.childForFieldName('module_name')?.text ?? '';
    const names = stmt.childrenForFieldName('name').filter((n): n is Node => n !== null);
    if (names.length === 0) out.push({ module, name: '*', node: stmt });
    for (const item of names) {
      const name = item.type === 'aliased_import' ? (item.childForFieldName('name')?.text ?? '') : item.text;
      out.push({ module, name, node: stmt });
    }
  }
  return out;
}
