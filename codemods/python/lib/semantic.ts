import type { Node, Tree } from 'web-tree-sitter';
import { importBindings, importTarget, isBinding, isNameUse } from './bindings.js';
import { dottedPath } from './syntax.js';
import { isField, parentOf, TreeIndex, typeOf } from './tree-index.js';

/**
 * One Python semantic model per parsed tree: scopes, the names each binds
 * and every use of every name, from a single walk; nodes by type come from
 * the tree's shared index (TreeIndex).
 * Codemods ask it where a name comes from instead of walking the tree
 * themselves.
 */

export type ScopeKind = 'module' | 'class' | 'function' | 'lambda' | 'comprehension';

export interface Scope {
  kind: ScopeKind;
  /** The module root, or the class, function, lambda or comprehension node. */
  node: Node;
  parent: Scope | null;
  bindings: Map<string, Binding[]>;
  /** Names declared `global` / `nonlocal` in this scope. */
  globals: Set<string>;
  nonlocals: Set<string>;
}

interface BindingBase {
  name: string;
  scope: Scope;
}

export type Binding =
  /**
   * `import a.b` binds `a` to module `a`; `import a.b as x` binds `x` to
   * module `a.b`; `from ..m import n as x` binds `x` to `n` of `m`, two
   * levels up (`level` counts the dots).
   */
  | (BindingBase & { kind: 'import'; module: string; level: number; imported: string | null; stmt: Node })
  | (BindingBase & { kind: 'class'; node: Node })
  | (BindingBase & { kind: 'function'; node: Node })
  | (BindingBase & { kind: 'parameter'; node: Node })
  /** `name = value` (value set only for a plain, single-target assignment). */
  | (BindingBase & { kind: 'assignment'; node: Node; value: Node | null })
  /** Loop and `with`/`except` targets, `del`, walrus, match captures, augmented assignment, … */
  | (BindingBase & { kind: 'other'; node: Node });

/** Where a name read at some place comes from. */
export type Lookup =
  | { kind: 'bound'; scope: Scope; bindings: Binding[] }
  /** A `from m import *` may bind it. */
  | { kind: 'star'; stmt: Node }
  /** Bound nowhere it can be seen from: a builtin, or an undefined name. */
  | { kind: 'free' };

/** What a dotted expression (`x`, `a.b.C`) names. */
export type Resolved =
  /** Reached through imports: `pydantic.BaseModel`, `..schema._base.AppModel` (level 2, module `schema._base`). */
  | { kind: 'imported'; module: string; level: number; path: string[]; binding: Binding & { kind: 'import' } }
  /** A class, function or other binding of this file, plus attributes read from it. */
  | { kind: 'local'; binding: Binding; rest: string[] }
  | { kind: 'builtin'; name: string; rest: string[] }
  | { kind: 'unknown'; reason: string };

/** `global x` in a function, or a walrus in a comprehension, binds a name of the module from inside. */
const MAY_BIND_FROM_INSIDE = /\bglobal\b|:=/;

/** Expressions that never hold a binding target (see `bindsNothing`). */
const SHALLOW_SKIPS: ReadonlySet<string> = new Set([
  'call',
  'argument_list',
  'keyword_argument',
  'attribute',
  'subscript',
  'decorator',
  'string',
  'concatenated_string',
  'integer',
  'float',
  'true',
  'false',
  'none',
  'ellipsis',
  'binary_operator',
  'boolean_operator',
  'comparison_operator',
  'unary_operator',
  'not_operator',
  'conditional_expression',
  'dictionary',
  'set',
  'await',
  'yield',
]);

const COMPREHENSIONS: ReadonlySet<string> = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

// Navigation through the tree's index: asking a node for its parent, children or fields costs a call into the parser each time.
function kids(node: Node): Node[] {
  return TreeIndex.of(node).namedChildren(node);
}

function fieldOf(node: Node, field: string): Node | null {
  return TreeIndex.of(node).childForField(node, field);
}

/** Parameter name identifiers of a `parameters` / `lambda_parameters` node (not defaults or annotations). */
function parameterIdentifiers(params: Node): Node[] {
  const out: Node[] = [];
  for (const p of kids(params)) {
    if (!p) continue;
    if (p.type === 'identifier') out.push(p);
    else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
      const name = fieldOf(p, 'name');
      if (name?.type === 'identifier') out.push(name);
    } else if (p.type === 'typed_parameter' || p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern') {
      // `*args: int` is a typed parameter around a splat pattern around the name.
      const inner = p.type === 'typed_parameter' ? kids(p).find((c) => c?.type === 'list_splat_pattern' || c?.type === 'dictionary_splat_pattern') : undefined;
      const name = kids(inner ?? p).find((c) => c?.type === 'identifier');
      if (name) out.push(name);
    }
  }
  return out;
}

export class SemanticModel {
  readonly module: Scope;
  readonly scopes: Scope[] = [];
  /** `from m import *` statements, in order. */
  readonly starImports: Node[] = [];
  private readonly index: TreeIndex;
  private readonly uses = new Map<string, Node[]>();
  private readonly scopeByNode = new Map<number, Scope>();
  /** Identifiers already handled as a definition or parameter name (not to be classified again). */
  private readonly handled = new Set<number>();

  /**
   * `shallow`: module-level and class-level names only. Function and lambda
   * bodies and comprehensions are not visited, so their scopes stay empty
   * and their names are not indexed as uses. Only for text without `global`
   * or `:=`, the two ways code there can bind a module-level name (see
   * `forSummary`).
   */
  private constructor(
    readonly root: Node,
    private readonly shallow = false,
  ) {
    this.index = TreeIndex.of(root);
    this.module = this.newScope('module', root, null);
    this.visitChildren(root, this.module);
    // Imports and parameters are visited out of order: uses are kept in document order.
    for (const list of this.uses.values()) list.sort((a, b) => a.startIndex - b.startIndex);
  }

  private static readonly cache = new WeakMap<Tree, SemanticModel>();

  /** The model of a tree, built on first use and shared by every codemod reading that tree. */
  static of(tree: Tree): SemanticModel {
    let model = SemanticModel.cache.get(tree);
    if (!model) {
      model = new SemanticModel(tree.rootNode);
      SemanticModel.cache.set(tree, model);
    }
    return model;
  }

  /** A model of a tree the caller does not share (tests). */
  static build(root: Node): SemanticModel {
    return new SemanticModel(root);
  }

  /**
   * A model whose module and class scopes are right, for a summary of the
   * module's names: the shared full model when the tree has one already,
   * else one that skips what cannot bind a module or class name (most of a
   * file is function bodies). Not shared: it knows nothing inside functions.
   */
  static forSummary(tree: Tree, text: string): SemanticModel {
    const full = SemanticModel.cache.get(tree);
    if (full) return full;
    return new SemanticModel(tree.rootNode, !MAY_BIND_FROM_INSIDE.test(text));
  }

  /** Every named node of one of `types`, in document order (from the tree's shared index). */
  nodes(...types: string[]): Node[] {
    return this.index.nodes(...types);
  }

  /** Named descendants of `node` (itself included) of one of `types`, in document order, without a walk. */
  within(node: Node, ...types: string[]): Node[] {
    return this.index.within(node, ...types);
  }

  /** Identifiers that use `name` as a variable (read or bound), in document order. */
  usesOf(name: string): Node[] {
    return this.uses.get(name) ?? [];
  }

  /** Identifiers of `name` that bind it, in any scope. */
  bindingsOf(name: string): Node[] {
    return this.usesOf(name).filter((id) => this.handled.has(id.id) || isBinding(id));
  }

  /** The scope a node's own name lookups start in. */
  scopeOf(node: Node): Scope {
    for (let child = node, up = parentOf(node); up; child = up, up = parentOf(up)) {
      const scope = this.scopeByNode.get(up.id);
      if (!scope) continue;
      if (this.evaluatedInside(up, child, node)) return scope;
    }
    return this.module;
  }

  /** Whether `node`, reached from `owner` through its child `child`, is evaluated in `owner`'s own scope. */
  private evaluatedInside(owner: Node, child: Node, node: Node): boolean {
    switch (owner.type) {
      case 'function_definition':
        if (isField(owner, 'body', child) || child.type === 'type_parameter') return true;
        // A parameter's name binds inside; its default and annotation are evaluated outside.
        return isField(owner, 'parameters', child) && this.handled.has(node.id);
      case 'lambda':
        if (isField(owner, 'body', child)) return true;
        return isField(owner, 'parameters', child) && this.handled.has(node.id);
      case 'class_definition':
        return isField(owner, 'body', child);
      default: {
        // Comprehensions: all but the first iterable, which the enclosing scope evaluates.
        const first = kids(owner).find((c) => c?.type === 'for_in_clause');
        if (first && child.id === first.id) {
          const right = fieldOf(first, 'right');
          return !(right && node.startIndex >= right.startIndex && node.endIndex <= right.endIndex);
        }
        return true;
      }
    }
  }

  /**
   * Where `name`, read at `at`, comes from: Python's rule of local, enclosing
   * functions (class bodies are not enclosing scopes), module, builtins.
   */
  lookup(name: string, at: Node): Lookup {
    const start = this.scopeOf(at);
    for (let scope: Scope | null = start; scope; scope = scope.parent) {
      if (scope.kind === 'class' && scope !== start) continue;
      if (scope.globals.has(name)) {
        scope = this.module;
      } else if (scope.nonlocals.has(name)) {
        continue;
      }
      const bindings = scope.bindings.get(name);
      if (bindings && bindings.length > 0) return { kind: 'bound', scope, bindings };
      if (scope === this.module) break;
    }
    const star = this.starImports[0];
    return star ? { kind: 'star', stmt: star } : { kind: 'free' };
  }

  /**
   * What a dotted expression names, read at its own place. Every binding of
   * its head must agree (the same import repeated, e.g. under
   * `if TYPE_CHECKING:`, is one); otherwise it is unknown, with the reason.
   */
  resolve(expr: Node): Resolved {
    const path = dottedPath(expr);
    if (!path) return { kind: 'unknown', reason: `'${expr.text}' is not a plain name` };
    const [head, ...rest] = path;
    const found = this.lookup(head, expr);
    if (found.kind === 'star') return { kind: 'unknown', reason: `'${head}' may be bound by '${found.stmt.text.replace(/\s+/g, ' ')}'` };
    if (found.kind === 'free') return { kind: 'builtin', name: head, rest };
    const [first, ...others] = found.bindings;
    if (others.some((b) => !sameBinding(first!, b))) return { kind: 'unknown', reason: `'${head}' is bound more than once` };
    if (first!.kind !== 'import') return { kind: 'local', binding: first!, rest };
    const b = first!;
    if (b.imported === null) {
      // `import a.b` binds `a`: `a.b.C` is `C` of module `a.b` (as far as attributes go).
      return { kind: 'imported', module: b.module, level: b.level, path: rest, binding: b };
    }
    return { kind: 'imported', module: b.module, level: b.level, path: [b.imported, ...rest], binding: b };
  }

  private newScope(kind: ScopeKind, node: Node, parent: Scope | null): Scope {
    const scope: Scope = { kind, node, parent, bindings: new Map(), globals: new Set(), nonlocals: new Set() };
    this.scopes.push(scope);
    this.scopeByNode.set(node.id, scope);
    return scope;
  }

  private bind(scope: Scope, binding: Binding): void {
    // `global x` in a function makes its bindings of x module bindings.
    let target = scope;
    if (scope.globals.has(binding.name)) target = this.module;
    const b = { ...binding, scope: target } as Binding;
    const list = target.bindings.get(binding.name);
    if (list) list.push(b);
    else target.bindings.set(binding.name, [b]);
  }

  private use(id: Node): void {
    const list = this.uses.get(id.text);
    if (list) list.push(id);
    else this.uses.set(id.text, [id]);
  }

  /** A definition or parameter name: a use, a binding, and never classified again. */
  private defineName(id: Node | null, scope: Scope, binding: (name: string) => Binding): void {
    if (!id) return;
    this.use(id);
    this.handled.add(id.id);
    this.bind(scope, binding(id.text));
  }

  private visitChildren(node: Node, scope: Scope): void {
    for (const child of kids(node)) if (child) this.visit(child, scope);
  }

  private visit(node: Node, scope: Scope): void {
    const type = typeOf(node);
    if (this.shallow && this.bindsNothing(node, type)) return;
    switch (type) {
      case 'function_definition': {
        this.defineName(fieldOf(node, 'name'), scope, (name) => ({ kind: 'function', name, node, scope }));
        const inner = this.newScope('function', node, scope);
        if (this.shallow) return;
        const params = fieldOf(node, 'parameters');
        if (params) this.visitParameters(params, scope, inner);
        for (const child of kids(node)) {
          if (!child || child.id === params?.id || child.id === fieldOf(node, 'name')?.id) continue;
          this.visit(child, isField(node, 'body', child) || typeOf(child) === 'type_parameter' ? inner : scope);
        }
        return;
      }
      case 'lambda': {
        if (this.shallow) return;
        const inner = this.newScope('lambda', node, scope);
        const params = fieldOf(node, 'parameters');
        if (params) this.visitParameters(params, scope, inner);
        const body = fieldOf(node, 'body');
        if (body) this.visit(body, inner);
        return;
      }
      case 'class_definition': {
        this.defineName(fieldOf(node, 'name'), scope, (name) => ({ kind: 'class', name, node, scope }));
        const inner = this.newScope('class', node, scope);
        for (const child of kids(node)) {
          if (!child || child.id === fieldOf(node, 'name')?.id) continue;
          this.visit(child, isField(node, 'body', child) ? inner : scope);
        }
        return;
      }
      case 'import_statement':
      case 'import_from_statement':
      case 'future_import_statement': {
        for (const b of importBindings(node)) this.bind(scope, { kind: 'import', name: b.local, ...importTarget(b), stmt: node, scope });
        if (kids(node).some((c) => typeOf(c) === 'wildcard_import')) this.starImports.push(node);
        // Index the identifiers inside (names and aliases are uses; module paths are not).
        this.visitImportIdentifiers(node);
        return;
      }
      case 'global_statement':
      case 'nonlocal_statement':
        for (const id of kids(node)) {
          if (typeOf(id) !== 'identifier') continue;
          (type === 'global_statement' ? scope.globals : scope.nonlocals).add(id.text);
          this.use(id);
        }
        return;
      case 'identifier':
        if (!isNameUse(node)) return;
        this.use(node);
        if (isBinding(node)) this.bindIdentifier(node, scope);
        return;
      default:
        if (COMPREHENSIONS.has(type)) {
          if (this.shallow) return;
          const inner = this.newScope('comprehension', node, scope);
          const first = kids(node).find((c) => typeOf(c) === 'for_in_clause');
          for (const child of kids(node)) {
            if (!child) continue;
            if (child.id === first?.id) {
              for (const part of kids(child)) {
                if (part) this.visit(part, isField(child, 'right', part) ? scope : inner);
              }
            } else this.visit(child, inner);
          }
          return;
        }
        this.visitChildren(node, scope);
    }
  }

  /**
   * For a shallow model: an expression that binds no name where it stands.
   * Without `:=`, only a target (of an assignment, a loop, `with`, `del`, a
   * pattern) binds; calls, attributes, subscripts, operators, literals,
   * decorators and annotations never are one. An assignment's value and
   * annotation are skipped too, unless the value is the next assignment of
   * a chain (`a = b = 1`).
   */
  private bindsNothing(node: Node, type: string): boolean {
    if (SHALLOW_SKIPS.has(type)) return true;
    const parent = parentOf(node);
    if (!parent) return false;
    const parentType = typeOf(parent);
    // An annotation or a value (a `type` elsewhere may declare type parameters).
    return parentType === 'assignment' && !isField(parent, 'left', node) && type !== 'assignment';
  }

  private visitImportIdentifiers(node: Node): void {
    const stack = [...kids(node)];
    while (stack.length > 0) {
      const n = stack.pop();
      if (!n) continue;
      if (typeOf(n) === 'identifier') {
        if (isNameUse(n)) this.use(n);
        continue;
      }
      stack.push(...kids(n));
    }
  }

  private visitParameters(params: Node, outer: Scope, inner: Scope): void {
    const names = new Set(parameterIdentifiers(params).map((id) => id.id));
    for (const id of parameterIdentifiers(params)) this.defineName(id, inner, (name) => ({ kind: 'parameter', name, node: id, scope: inner }));
    const stack = [...kids(params)];
    while (stack.length > 0) {
      const n = stack.pop();
      if (!n || names.has(n.id)) continue;
      // Defaults and annotations: evaluated where the def or lambda stands.
      const type = typeOf(n);
      if (type === 'identifier' || type === 'lambda' || COMPREHENSIONS.has(type)) this.visit(n, outer);
      else {
        stack.push(...kids(n));
      }
    }
  }

  private bindIdentifier(id: Node, scope: Scope): void {
    let target = scope;
    // Walrus in a comprehension binds in the enclosing function or module.
    const parent = parentOf(id);
    if (parent && typeOf(parent) === 'named_expression') {
      while (target.kind === 'comprehension' && target.parent) target = target.parent;
    }
    const assignment = parent && typeOf(parent) === 'assignment' && isField(parent, 'left', id) ? parent : null;
    if (assignment) {
      const right = fieldOf(assignment, 'right');
      const value = right && typeOf(right) !== 'assignment' ? right : null;
      this.bind(target, { kind: 'assignment', name: id.text, node: id, value, scope: target });
      return;
    }
    this.bind(target, { kind: 'other', name: id.text, node: id, scope: target });
  }
}

function sameBinding(a: Binding, b: Binding): boolean {
  if (a.kind !== 'import' || b.kind !== 'import') return a === b;
  return a.module === b.module && a.level === b.level && a.imported === b.imported;
}
