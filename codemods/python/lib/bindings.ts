import type { Node } from 'web-tree-sitter';
import { dottedText, IMPORT_STATEMENTS } from './imports.js';
import { isField, parentOf, TreeIndex, typeOf } from './tree-index.js';

// Parents, types and fields come from the tree's index: `node.parent` walks down from the root each time.

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
  const parent = parentOf(id);
  if (!parent) return false;
  if (typeOf(parent) === 'attribute') return !isField(parent, 'attribute', id);
  if (typeOf(parent) === 'keyword_argument') return !isField(parent, 'name', id);
  // `case Point(x=0)`: x names an attribute of the subject.
  if (typeOf(parent) === 'keyword_pattern') return !isFirstChild(parent, id);
  if (typeOf(parent) === 'dotted_name') {
    const holder = parentOf(parent);
    if (!holder) return false;
    if (typeOf(holder) === 'relative_import' || isField(holder, 'module_name', parent)) return false;
    if (typeOf(holder) === 'aliased_import') return false;
    // `import a.b` binds only `a`; `case Color.RED:` reads `Color` and its attribute.
    return isFirstChild(parent, id);
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
  for (let up = parentOf(node); up && TARGET_CONTAINERS.has(typeOf(up)); up = parentOf(node)) node = up;
  const parent = parentOf(node);
  if (!parent) return false;
  switch (typeOf(parent)) {
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
    case 'dotted_name': {
      // An import name (isNameUse filtered module paths), or a name in a match pattern.
      const holder = parentOf(parent);
      if (!holder || IMPORT_STATEMENTS.has(typeOf(holder))) return true;
      // `case Point(…)` reads the class; `case Color.RED` is a value; a bare `case name` captures.
      return typeOf(holder) !== 'class_pattern' && TreeIndex.of(parent).namedChildren(parent).length === 1;
    }
    case 'as_pattern':
      // `case [x, y] as point`: the name after `as` (with and except name theirs in an as_pattern_target).
      return !isFirstChild(parent, node);
    case 'parameters':
    case 'lambda_parameters':
    case 'dictionary_splat_pattern':
    case 'splat_pattern':
    case 'as_pattern_target':
    case 'global_statement':
    case 'nonlocal_statement':
    case 'delete_statement':
      return true;
    default:
      break;
  }
  if (declaresType(id)) return true;
  // Inside a match pattern: found by position, without climbing to the root.
  return TreeIndex.of(id)
    .nodes('case_pattern')
    .some((p) => p.startIndex <= id.startIndex && id.endIndex <= p.endIndex);
}

/**
 * Whether an identifier is the name a type parameter list declares
 * (`class C[T]`, `def f[T: int, *Ts, **P]`, `type Pairs[K] = …`) or the
 * name of a `type` alias. The grammar spells a subscript in an annotation
 * (`x: List[Model]`) with the same node types, and there `Model` is read,
 * not bound; so is `int` in `T: int`.
 */
function declaresType(id: Node): boolean {
  let node = id;
  let up = parentOf(node);
  if (up && typeOf(up) === 'generic_type') return isFirstChild(up, id) && aliasName(up);
  if (up && typeOf(up) === 'splat_type') [node, up] = [up, parentOf(up)];
  if (!up || typeOf(up) !== 'type') return false;
  [node, up] = [up, parentOf(up)];
  if (up && typeOf(up) === 'constrained_type') {
    if (!isFirstChild(up, node)) return false;
    [node, up] = [up, parentOf(up)];
    if (!up || typeOf(up) !== 'type') return false;
    [node, up] = [up, parentOf(up)];
  }
  if (!up) return false;
  if (typeOf(up) === 'type_alias_statement') return isField(up, 'left', node) && node.namedChildCount === 1 && isFirstChild(node, id);
  if (typeOf(up) !== 'type_parameter') return false;
  const holder = parentOf(up);
  if (!holder) return false;
  const holderType = typeOf(holder);
  if (holderType === 'class_definition' || holderType === 'function_definition') return isField(holder, 'type_parameters', up);
  return holderType === 'generic_type' && aliasName(holder);
}

/** Whether `child` is the first named child of `parent`. */
function isFirstChild(parent: Node, child: Node): boolean {
  return TreeIndex.of(parent).namedChildren(parent)[0]?.id === child.id;
}

/** Whether a `generic_type` is the left side of a `type` alias statement (`type Pairs[K] = …`). */
function aliasName(generic: Node): boolean {
  const type = parentOf(generic);
  const statement = type && parentOf(type);
  return !!statement && typeOf(type!) === 'type' && typeOf(statement) === 'type_alias_statement' && isField(statement, 'left', type!);
}

/** Every identifier in the tree that is a use of `name` as a variable. */
export function nameUses(root: Node, name: string): Node[] {
  // The index groups identifiers by name: only the ones spelled `name` are looked at.
  const inside = (id: Node): boolean => id.startIndex >= root.startIndex && id.endIndex <= root.endIndex;
  return TreeIndex.of(root)
    .identifiers(name)
    .filter((id) => inside(id) && isNameUse(id));
}

/** Every identifier in the tree that (re)binds `name`, in any scope. */
export function bindingIdentifiers(root: Node, name: string): Node[] {
  return nameUses(root, name).filter(isBinding);
}

/** Where an import binding points: the module without its leading dots, how many dots (levels up), and the name taken from it (null for `import m`). */
export function importTarget(b: ImportBinding): { module: string; level: number; imported: string | null } {
  const level = /^\.*/.exec(b.module)![0].length;
  return { module: b.module.slice(level), level, imported: b.kind === 'from-import' ? b.name : null };
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
