import type { Node } from 'web-tree-sitter';
import { dottedText } from '../lib/imports.js';
import type { Binding, Scope, SemanticModel } from '../lib/semantic.js';
import { dottedPath, lineOf } from '../lib/syntax.js';

/**
 * Name resolution for this codemod, on the file's semantic model: a name is
 * judged in the scope it is read in, so `create_engine` rebound inside one
 * function makes only that function's calls unknown. Within one scope, a
 * name bound in two different ways counts as ambiguous, which is what a
 * codemod that must never guess wants.
 */

/** The node a binding stands at, for lines in notes: the import statement, the definition or the bound name. */
export function bindingNode(b: Binding): Node {
  return b.kind === 'import' ? b.stmt : b.node;
}

/** How the scope that `name`, read at `at`, resolves in binds it (empty when nothing there binds it). */
export function bindingsAt(model: SemanticModel, name: string, at: Node): { scope: Scope | null; bindings: Binding[] } {
  const found = model.lookup(name, at);
  return found.kind === 'bound' ? { scope: found.scope, bindings: found.bindings } : { scope: null, bindings: [] };
}

/** Identifier nodes spelling `name` that refer to a variable, outside imports. */
export function identifiersNamed(model: SemanticModel, name: string): Node[] {
  return model.usesOf(name).filter((id) => !insideImport(id));
}

function insideImport(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'import_statement' || p.type === 'import_from_statement' || p.type === 'future_import_statement') return true;
  }
  return false;
}

/** A `from m import *` (m not SQLAlchemy or SQLModel) starting at or after `at`: it may bind any name. */
export function starImportAfter(model: SemanticModel, at: number): Node | null {
  const star = model.starImports.find((stmt) => {
    if (stmt.type !== 'import_from_statement' || stmt.startIndex < at) return false;
    const module = dottedText(stmt.childForFieldName('module_name'));
    return !['sqlalchemy', 'sqlmodel'].some((top) => module === top || module.startsWith(`${top}.`));
  });
  return star ?? null;
}

/** `module` as written in the import, with its leading dots. */
function written(b: Binding & { kind: 'import' }): string {
  return '.'.repeat(b.level) + b.module;
}

/** Where a binding is made, for a reason: this file, or the function (class, …) that binds the name itself. */
export function where(scope: Scope): string {
  if (scope.kind === 'module') return 'in this file';
  const name = scope.node.childForFieldName('name')?.text;
  if (!name) return `in the ${scope.kind} on line ${lineOf(scope.node)}`;
  return scope.kind === 'class' ? `in the body of class ${name}` : `in ${name}()`;
}

export type Resolved = { ok: true; module: string; name: string } | { ok: false; reason: string };

/**
 * Where the callee of a call comes from, read where the call stands:
 * `create_engine` imported from a module, or `sa.create_engine` /
 * `sqlalchemy.ext.asyncio.create_async_engine` through an imported module.
 * Every binding of the base name in its scope must agree.
 */
export function resolveCallee(model: SemanticModel, fn: Node): Resolved {
  const path = dottedPath(fn);
  if (!path) return { ok: false, reason: 'the callee is not a plain name' };
  const [base, ...parts] = path;
  const { scope, bindings } = bindingsAt(model, base, fn);
  if (!scope || bindings.length === 0) return { ok: false, reason: `\`${base}\` is not imported in this file` };
  if (bindings.some((b) => b.kind !== 'import')) {
    return { ok: false, reason: `\`${base}\` is assigned or defined ${where(scope)}, not only imported` };
  }
  const imports = bindings as (Binding & { kind: 'import' })[];
  // A later star import rebinds module-level names only.
  const star = scope.kind === 'module' ? starImportAfter(model, bindingNode(imports.at(-1)!).startIndex) : null;
  if (star) return { ok: false, reason: `\`${star.text.replace(/\s+/g, ' ')}\` on line ${lineOf(star)} may rebind \`${base}\`` };
  const full = new Set(imports.map((b) => [written(b), ...(b.imported === null ? [] : [b.imported]), ...parts].join('.')));
  if (full.size !== 1 || (parts.length === 0 && imports.some((b) => b.imported === null))) return { ok: false, reason: `\`${base}\` is imported from more than one place` };
  const dotted = [...full][0]!;
  const cut = dotted.lastIndexOf('.');
  return { ok: true, module: dotted.slice(0, cut), name: dotted.slice(cut + 1) };
}

/** True when every binding of `name` in the module scope is an import of `imported` from one of `modules` (and there is one). */
export function onlyImportedFrom(model: SemanticModel, name: string, modules: ReadonlySet<string>, imported: string): boolean {
  const bindings = model.module.bindings.get(name) ?? [];
  return bindings.length > 0 && bindings.every((b) => isImportOf(b, modules, imported));
}

/** `from <one of modules> import <imported>`, under any local name. */
export function isImportOf(b: Binding, modules: ReadonlySet<string>, imported: string): boolean {
  return b.kind === 'import' && b.level === 0 && b.imported === imported && modules.has(b.module);
}
