import type { Node } from 'web-tree-sitter';
import { descendantsOfType } from '../lib/syntax.js';

function isField(parent: Node, field: string, child: Node): boolean {
  return parent.childForFieldName(field)?.id === child.id;
}

const IMPORTS = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);

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
    if (IMPORTS.has(holder.type)) return parent.firstNamedChild?.id === id.id;
  }
  return true;
}

const PATTERN_CONTAINERS = new Set([
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'tuple',
  'list',
  'parenthesized_expression',
  'list_splat_pattern',
  'dictionary_splat_pattern',
  'expression_list',
  'as_pattern_target',
]);

const SCOPE_PARAMS = new Set(['parameters', 'lambda_parameters']);

/**
 * Whether an identifier node (re)binds its name: an assignment or loop target,
 * a parameter, a def/class name, an import, `as` target, walrus, `del`,
 * `global`/`nonlocal` or a match capture. Errs towards true.
 */
export function isBinding(id: Node): boolean {
  if (!isNameUse(id)) return false;
  let node = id;
  let viaAsTarget = false;
  while (node.parent && PATTERN_CONTAINERS.has(node.parent.type)) {
    node = node.parent;
    if (node.type === 'as_pattern_target') viaAsTarget = true;
  }
  if (viaAsTarget) return true;
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
    case 'global_statement':
    case 'nonlocal_statement':
    case 'delete_statement':
    case 'dotted_name':
      // dotted_name here is an import name (isNameUse filtered module paths).
      return true;
    default:
      break;
  }
  if (SCOPE_PARAMS.has(parent.type)) return true;
  for (let up: Node | null = parent; up; up = up.parent) {
    if (up.type === 'case_pattern' || up.type === 'type_parameter') return true;
  }
  return false;
}

/** Every identifier in the tree that is a use of `name` as a variable. */
export function nameUses(root: Node, name: string): Node[] {
  return descendantsOfType(root, 'identifier').filter((id) => id.text === name && isNameUse(id));
}

/** Every identifier in the tree that (re)binds `name`. */
export function bindingsOf(root: Node, name: string): Node[] {
  return nameUses(root, name).filter(isBinding);
}
