/**
 * A small scope model of one JS/TS file: which declaration every identifier
 * refers to, every write to a variable, and where each function is called.
 * The provenance analysis reads values through it; a name the file does not
 * declare is a global the codemod knows nothing about.
 */
import { type AstNode, child, children, isNode, stringField } from './ast.js';

export type BindingKind = 'var' | 'let' | 'const' | 'function' | 'class' | 'param' | 'import' | 'catch';

export interface Write {
  /** `=`, `+=`, or `other` (`++`, `-=`, a `for…in` target, a destructuring). */
  operator: '=' | '+=' | 'other';
  /** The assigned value, for `=` and `+=`. */
  value?: AstNode;
  /** The assignment or update expression. */
  node: AstNode;
}

export interface Binding {
  name: string;
  kind: BindingKind;
  scope: Scope;
  /** The identifier that declares it. */
  id: AstNode;
  /** `const x = init`; a function declaration's own node; a `for (const x of xs)` loop's `xs` (see `iterates`). */
  init?: AstNode;
  /** The binding is a loop variable over the elements of `init`. */
  iterates?: boolean;
  /** The binding is taken out of `init` by destructuring: `const { name } = init` (property `key`), or `[a] = init`. */
  destructured?: { key: string | undefined };
  /** For parameters: the function and the position. */
  param?: { fn: AstNode; index: number; rest: boolean };
  /** For imports: `import x from 'm'` → { source: 'm', imported: 'default' }. */
  imported?: { source: string; imported: string };
  writes: Write[];
  /** Identifiers that read it. */
  reads: AstNode[];
}

export interface Scope {
  node: AstNode;
  parent: Scope | undefined;
  /** The function (or program) whose `var`s live here. */
  functionScope: boolean;
  bindings: Map<string, Binding>;
}

export interface ScopeModel {
  /** The binding an identifier (a reference or a declaration) resolves to. */
  bindingOf(id: AstNode): Binding | undefined;
  /** The parent of a node. */
  parentOf(node: AstNode): AstNode | undefined;
  /** The scope a node is in. */
  scopeOf(node: AstNode): Scope;
  /** The nearest function (or the program) containing a node. */
  functionOf(node: AstNode): AstNode;
  program: AstNode;
  /** Whether the file is an ES module or CommonJS (its top level is not the page's global scope), as the caller hinted or its imports and exports show. */
  moduleScoped: boolean;
  /** Every binding of the file. */
  bindings: Binding[];
  /** The binding `name` has at `node`, if the file declares it there. */
  lookup(node: AstNode, name: string): Binding | undefined;
}

const SKIP = new Set(['loc', 'extra', 'comments', 'leadingComments', 'trailingComments', 'innerComments', 'tokens', 'typeAnnotation', 'typeParameters', 'returnType', 'decorators']);

function isFunction(node: AstNode): boolean {
  return (
    node.type === 'FunctionDeclaration' ||
    node.type === 'FunctionExpression' ||
    node.type === 'ArrowFunctionExpression' ||
    node.type === 'ObjectMethod' ||
    node.type === 'ClassMethod' ||
    node.type === 'ClassPrivateMethod'
  );
}

export { isFunction };

function entries(node: AstNode): [string, AstNode][] {
  const out: [string, AstNode][] = [];
  for (const [key, value] of Object.entries(node)) {
    if (SKIP.has(key)) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) out.push([key, item]);
    } else if (isNode(value)) {
      out.push([key, value]);
    }
  }
  return out;
}

/** The identifiers a pattern declares, with the property each is taken from when it is a plain `{ key }`. */
function patternIds(pattern: AstNode, out: { id: AstNode; key: string | undefined; whole: boolean }[], whole = true, key?: string): void {
  switch (pattern.type) {
    case 'Identifier':
      out.push({ id: pattern, key, whole });
      return;
    case 'AssignmentPattern': {
      const left = child(pattern, 'left');
      if (left) patternIds(left, out, whole, key);
      return;
    }
    case 'RestElement': {
      const arg = child(pattern, 'argument');
      if (arg) patternIds(arg, out, false);
      return;
    }
    case 'ArrayPattern':
      for (const element of children(pattern, 'elements')) patternIds(element, out, false);
      return;
    case 'ObjectPattern':
      for (const property of children(pattern, 'properties')) {
        if (property.type === 'RestElement') {
          patternIds(property, out, false);
          continue;
        }
        const k = child(property, 'key');
        const value = child(property, 'value');
        const name = property.computed !== true && k ? (k.type === 'Identifier' ? stringField(k, 'name') : stringField(k, 'value')) : undefined;
        if (value) patternIds(value, out, false, name);
      }
      return;
    case 'TSParameterProperty': {
      const p = child(pattern, 'parameter');
      if (p) patternIds(p, out, whole, key);
      return;
    }
    default:
  }
}

/** Whether `id` (child of `parent` under `key`) is a name that is not a variable reference. */
function isNotReference(parent: AstNode, key: string, id: AstNode): boolean {
  switch (parent.type) {
    case 'MemberExpression':
    case 'OptionalMemberExpression':
      return key === 'property' && parent.computed !== true;
    case 'ObjectProperty':
    case 'Property':
      return key === 'key' && parent.computed !== true && !(parent.shorthand === true && child(parent, 'value') === id);
    case 'ObjectMethod':
    case 'ClassMethod':
    case 'ClassPrivateMethod':
    case 'ClassProperty':
    case 'ClassAccessorProperty':
    case 'PropertyDefinition':
    case 'MethodDefinition':
    case 'TSPropertySignature':
    case 'TSMethodSignature':
      return key === 'key' && parent.computed !== true;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return key === 'label';
    case 'ExportSpecifier':
      return key === 'exported';
    case 'ImportSpecifier':
      return key === 'imported';
    case 'MetaProperty':
      return true;
    default:
      return parent.type.startsWith('TS') && parent.type !== 'TSAsExpression' && parent.type !== 'TSNonNullExpression' && parent.type !== 'TSSatisfiesExpression' && parent.type !== 'TSTypeAssertion';
  }
}

export function buildScopes(program: AstNode, options: { moduleHint: boolean }): ScopeModel {
  const parents = new Map<AstNode, AstNode>();
  const scopes = new Map<AstNode, Scope>();
  const nodeScope = new Map<AstNode, Scope>();
  const idBinding = new Map<AstNode, Binding>();
  const all: Binding[] = [];
  let moduleScoped = options.moduleHint;

  const root: Scope = { node: program, parent: undefined, functionScope: true, bindings: new Map() };
  scopes.set(program, root);

  function declare(scope: Scope, id: AstNode, kind: BindingKind, extra: Partial<Binding> = {}): Binding {
    const name = stringField(id, 'name') ?? '';
    const existing = scope.bindings.get(name);
    if (existing) {
      idBinding.set(id, existing);
      // `var x; var x = 1;` or a function declared twice: one binding, every initialiser a write.
      if (extra.init && !existing.init) existing.init = extra.init;
      else if (extra.init) existing.writes.push({ operator: '=', value: extra.init, node: id });
      return existing;
    }
    const binding: Binding = { name, kind, scope, id, writes: [], reads: [], ...extra };
    scope.bindings.set(name, binding);
    idBinding.set(id, binding);
    all.push(binding);
    return binding;
  }

  function varScope(scope: Scope): Scope {
    let s = scope;
    while (!s.functionScope && s.parent) s = s.parent;
    return s;
  }

  // Pass 1: scopes, parents and declarations.
  function visit(node: AstNode, scope: Scope): void {
    nodeScope.set(node, scope);
    let inner = scope;
    if (isFunction(node)) {
      inner = { node, parent: scope, functionScope: true, bindings: new Map() };
      scopes.set(node, inner);
      const id = child(node, 'id');
      if (id && node.type === 'FunctionDeclaration') declare(scope, id, 'function', { init: node });
      else if (id && node.type === 'FunctionExpression') declare(inner, id, 'function', { init: node });
      children(node, 'params').forEach((param, index) => {
        const ids: { id: AstNode; key: string | undefined; whole: boolean }[] = [];
        patternIds(param, ids);
        for (const { id: pid, whole, key } of ids) {
          declare(inner, pid, 'param', {
            param: { fn: node, index, rest: param.type === 'RestElement' && whole },
            ...(whole ? {} : { destructured: { key } }),
          });
        }
      });
    } else if (node.type === 'BlockStatement' || node.type === 'ForStatement' || node.type === 'ForInStatement' || node.type === 'ForOfStatement' || node.type === 'SwitchStatement' || node.type === 'StaticBlock') {
      const parent = parents.get(node);
      if (!(node.type === 'BlockStatement' && parent && isFunction(parent))) {
        inner = { node, parent: scope, functionScope: node.type === 'StaticBlock', bindings: new Map() };
        scopes.set(node, inner);
      }
    } else if (node.type === 'CatchClause') {
      inner = { node, parent: scope, functionScope: false, bindings: new Map() };
      scopes.set(node, inner);
      const param = child(node, 'param');
      if (param) {
        const ids: { id: AstNode; key: string | undefined; whole: boolean }[] = [];
        patternIds(param, ids);
        for (const { id } of ids) declare(inner, id, 'catch');
      }
    } else if (node.type === 'ClassDeclaration') {
      const id = child(node, 'id');
      if (id) declare(scope, id, 'class', { init: node });
    } else if (node.type === 'VariableDeclaration') {
      const kind = stringField(node, 'kind') === 'var' ? 'var' : stringField(node, 'kind') === 'const' ? 'const' : 'let';
      const target = kind === 'var' ? varScope(scope) : scope;
      const parent = parents.get(node);
      const loop = parent && (parent.type === 'ForOfStatement' || parent.type === 'ForInStatement') && child(parent, 'left') === node ? parent : undefined;
      for (const declarator of children(node, 'declarations')) {
        const id = child(declarator, 'id');
        if (!id) continue;
        const init = loop ? child(loop, 'right') : child(declarator, 'init');
        const ids: { id: AstNode; key: string | undefined; whole: boolean }[] = [];
        patternIds(id, ids);
        for (const found of ids) {
          const extra: Partial<Binding> = {};
          if (loop?.type === 'ForInStatement') extra.writes = [{ operator: 'other', node: loop }];
          else if (init) extra.init = init;
          if (loop?.type === 'ForOfStatement') extra.iterates = true;
          if (!found.whole || id.type !== 'Identifier') extra.destructured = { key: found.key };
          const b = declare(target, found.id, kind, extra);
          if (extra.writes && b.writes !== extra.writes) b.writes.push(...extra.writes);
        }
      }
    } else if (node.type === 'ImportDeclaration') {
      moduleScoped = true;
      const source = stringField(child(node, 'source') ?? node, 'value') ?? '';
      for (const specifier of children(node, 'specifiers')) {
        const local = child(specifier, 'local');
        if (!local) continue;
        const importedNode = child(specifier, 'imported');
        const imported =
          specifier.type === 'ImportDefaultSpecifier'
            ? 'default'
            : specifier.type === 'ImportNamespaceSpecifier'
              ? '*'
              : (stringField(importedNode ?? specifier, 'name') ?? stringField(importedNode ?? specifier, 'value') ?? '');
        declare(root, local, 'import', { imported: { source, imported } });
      }
    } else if (node.type === 'ExportNamedDeclaration' || node.type === 'ExportDefaultDeclaration' || node.type === 'ExportAllDeclaration') {
      moduleScoped = true;
    }
    for (const [, value] of entries(node)) {
      parents.set(value, node);
      visit(value, inner);
    }
  }
  visit(program, root);

  function lookup(scope: Scope, name: string): Binding | undefined {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const found = s.bindings.get(name);
      if (found) return found;
    }
    return undefined;
  }

  // Pass 2: references and writes.
  function resolve(node: AstNode): void {
    for (const [key, value] of entries(node)) {
      if (value.type === 'Identifier' && !idBinding.has(value) && !isNotReference(node, key, value)) {
        const binding = lookup(nodeScope.get(value) ?? root, stringField(value, 'name') ?? '');
        if (binding) {
          idBinding.set(value, binding);
          const writeOf = node.type === 'AssignmentExpression' && key === 'left' ? node : undefined;
          if (writeOf) {
            const operator = stringField(writeOf, 'operator');
            binding.writes.push({
              operator: operator === '=' ? '=' : operator === '+=' ? '+=' : 'other',
              value: child(writeOf, 'right'),
              node: writeOf,
            });
            if (operator !== '=') binding.reads.push(value);
          } else if (node.type === 'UpdateExpression') {
            binding.writes.push({ operator: 'other', node });
            binding.reads.push(value);
          } else if ((node.type === 'ForInStatement' || node.type === 'ForOfStatement') && key === 'left') {
            binding.writes.push({ operator: 'other', node });
          } else if (/Pattern$/.test(node.type) || (node.type === 'ObjectProperty' && parents.get(node)?.type === 'ObjectPattern')) {
            binding.writes.push({ operator: 'other', node });
          } else {
            binding.reads.push(value);
          }
        }
      }
      resolve(value);
    }
  }
  resolve(program);

  function functionOf(node: AstNode): AstNode {
    for (let n: AstNode | undefined = parents.get(node); n; n = parents.get(n)) {
      if (isFunction(n) || n.type === 'Program') return n;
    }
    return program;
  }

  return {
    bindingOf: (id) => idBinding.get(id),
    parentOf: (node) => parents.get(node),
    scopeOf: (node) => nodeScope.get(node) ?? root,
    functionOf,
    program,
    moduleScoped,
    bindings: all,
    lookup: (node, name) => lookup(nodeScope.get(node) ?? root, name),
  };
}
