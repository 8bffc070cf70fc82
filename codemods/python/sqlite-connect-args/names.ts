import type { Node } from 'web-tree-sitter';
import { importBindings, isBinding, nameUses, type ImportBinding } from '../lib/bindings.js';
import { dottedText, IMPORT_STATEMENTS, importStatements } from '../lib/imports.js';
import { descendantsOfType, dottedPath, lineOf } from '../lib/syntax.js';

/**
 * How a module binds a name. Scopes are deliberately ignored: a name bound in
 * two different ways anywhere in the file counts as ambiguous, which is what
 * a codemod that must never guess wants.
 */
export type Binding =
  | ImportBinding
  /** Anything else: assignment, def, class, parameter, loop target, global, … */
  | { kind: 'other'; node: Node };

function insideImport(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (IMPORT_STATEMENTS.has(p.type)) return true;
  return false;
}

/** Every binding of `name` anywhere in the module, in document order. */
export function bindingsOf(root: Node, name: string): Binding[] {
  const out: Binding[] = [];
  for (const stmt of importStatements(root)) {
    out.push(...importBindings(stmt).filter((b) => b.local === name));
  }
  for (const id of identifiersNamed(root, name)) {
    if (isBinding(id)) out.push({ kind: 'other', node: id });
  }
  return out.sort((a, b) => a.node.startIndex - b.node.startIndex);
}

/** Identifier nodes spelling `name` that refer to a variable, outside imports. */
export function identifiersNamed(root: Node, name: string): Node[] {
  return nameUses(root, name).filter((id) => !insideImport(id));
}

/** A `from m import *` (m not SQLAlchemy or SQLModel) starting at or after `at`: it may bind any name. */
export function starImportAfter(root: Node, at: number): Node | null {
  const star = descendantsOfType(root, 'wildcard_import')
    .map((w) => w.parent)
    .find((stmt): stmt is Node => {
      if (stmt?.type !== 'import_from_statement' || stmt.startIndex < at) return false;
      const module = dottedText(stmt.childForFieldName('module_name'));
      return !['sqlalchemy', 'sqlmodel'].some((top) => module === top || module.startsWith(`${top}.`));
    });
  return star ?? null;
}

/** The dotted module a binding names when used as the base of `x.y.z`, or null. */
function moduleOf(binding: Binding): string | null {
  if (binding.kind === 'module-import') return binding.module;
  if (binding.kind === 'from-import') return `${binding.module}.${binding.name}`;
  return null;
}

export type Resolved = { ok: true; module: string; name: string } | { ok: false; reason: string };

/**
 * Where the callee of a call comes from: `create_engine` imported from a
 * module, or `sa.create_engine` / `sqlalchemy.ext.asyncio.create_async_engine`
 * through an imported module. Every binding of the base name must agree.
 */
export function resolveCallee(root: Node, fn: Node): Resolved {
  const path = dottedPath(fn);
  if (!path) return { ok: false, reason: 'the callee is not a plain name' };
  const [base, ...parts] = path;
  const bindings = bindingsOf(root, base);
  if (bindings.length === 0) return { ok: false, reason: `\`${base}\` is not imported in this file` };
  if (bindings.some((b) => b.kind === 'other')) {
    return { ok: false, reason: `\`${base}\` is assigned or defined in this file, not only imported` };
  }
  const star = starImportAfter(root, bindings.at(-1)!.node.startIndex);
  if (star) return { ok: false, reason: `\`${star.text.replace(/\s+/g, ' ')}\` on line ${lineOf(star)} may rebind \`${base}\`` };
  if (parts.length === 0) {
    const first = bindings[0]!;
    const same = bindings.every((b) => b.kind === 'from-import' && first.kind === 'from-import' && b.module === first.module && b.name === first.name);
    if (!same || first.kind !== 'from-import') return { ok: false, reason: `\`${base}\` is imported from more than one place` };
    return { ok: true, module: first.module, name: first.name };
  }
  const modules = new Set(bindings.map(moduleOf));
  const module = modules.size === 1 ? [...modules][0] : null;
  if (!module) return { ok: false, reason: `\`${base}\` is imported from more than one place` };
  const name = parts.pop()!;
  return { ok: true, module: [module, ...parts].join('.'), name };
}

/** True when every binding of `name` is an import of `imported` from one of `modules` (and there is one). */
export function onlyImportedFrom(root: Node, name: string, modules: ReadonlySet<string>, imported: string): boolean {
  const bindings = bindingsOf(root, name);
  return bindings.length > 0 && bindings.every((b) => b.kind === 'from-import' && modules.has(b.module) && b.name === imported);
}
