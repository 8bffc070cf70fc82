import type { Node } from 'web-tree-sitter';
import type { Edit, SourceFile } from '../../api.js';
import { descendantsOfType, indentAt, lineEndAfterBreak, namedChildren } from './syntax.js';

/** Statements that import: `import x`, `from x import y`, `from __future__ import z`. */
export const IMPORT_STATEMENTS: ReadonlySet<string> = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);

export function isImportStatement(node: Node): boolean {
  return IMPORT_STATEMENTS.has(node.type);
}

/** A dotted module path as Python reads it: `a . b` is `a.b`. */
export function dottedText(node: Node | null): string {
  return (node?.text ?? '').replace(/\s+/g, '');
}

function isDocstring(node: Node): boolean {
  return node.type === 'expression_statement' && node.namedChildCount === 1 && node.namedChild(0)?.type === 'string';
}

/**
 * The module's leading block: docstring, comments and imports, until the first
 * other statement. Imports after code (inside `try:` or after a function)
 * are not part of it.
 */
export function leadingImports(root: Node): Node[] {
  const imports: Node[] = [];
  let first = true;
  for (const child of namedChildren(root)) {
    if (child.type === 'comment') continue;
    if (first && isDocstring(child)) {
      first = false;
      continue;
    }
    first = false;
    if (!isImportStatement(child)) break;
    imports.push(child);
  }
  return imports;
}

/** Every top-level import statement of the module, wherever it stands. */
export function topLevelImports(root: Node): Node[] {
  return namedChildren(root).filter(isImportStatement);
}

/** One thing an import statement imports: `import a.b` is `{ module: 'a.b', name: null }`, `from m import *` has the name `*`. */
export interface ImportedItem {
  module: string;
  name: string | null;
  node: Node;
}

/** What an `import` or `from … import` statement imports, aliases aside. */
export function importsOf(stmt: Node): ImportedItem[] {
  const original = (item: Node): string => dottedText(item.type === 'aliased_import' ? item.childForFieldName('name') : item);
  const items = stmt.childrenForFieldName('name').filter((n): n is Node => n !== null);
  if (stmt.type === 'import_statement') return items.map((item) => ({ module: original(item), name: null, node: stmt }));
  if (stmt.type !== 'import_from_statement') return [];
  const module = dottedText(stmt.childForFieldName('module_name'));
  if (items.length === 0) return [{ module, name: '*', node: stmt }];
  return items.map((item) => ({ module, name: original(item), node: stmt }));
}

/** Every `import` and `from … import` statement of the file, wherever it stands (inside `try:`, functions, …). */
export function importStatements(root: Node): Node[] {
  return descendantsOfType(root, ['import_statement', 'import_from_statement']);
}

/** Every import of the file, wherever it stands. */
export function allImports(root: Node): ImportedItem[] {
  return importStatements(root).flatMap(importsOf);
}

/** `from <module> import <name> [as <local>]`. */
export interface FromImport {
  stmt: Node;
  module: string;
  local: string;
}

/** Every `from … import <name>` among `statements`, in order, with the local name it binds. */
export function fromImportsOf(statements: readonly Node[], name: string): FromImport[] {
  const found: FromImport[] = [];
  for (const stmt of statements) {
    if (stmt.type !== 'import_from_statement') continue;
    const module = dottedText(stmt.childForFieldName('module_name'));
    for (const item of stmt.childrenForFieldName('name')) {
      if (item?.type === 'dotted_name' && dottedText(item) === name) found.push({ stmt, module, local: name });
      if (item?.type === 'aliased_import' && dottedText(item.childForFieldName('name')) === name) {
        const alias = item.childForFieldName('alias');
        if (alias) found.push({ stmt, module, local: alias.text });
      }
    }
  }
  return found;
}

/**
 * Index where a new top-level statement line goes so that it follows the
 * module's leading imports (or its docstring and `from __future__` imports
 * when it has no other import). Always the start of a line.
 */
export function importInsertionPoint(root: Node, text: string): number {
  const imports = leadingImports(root);
  const last = imports.at(-1);
  if (last) return lineEndAfterBreak(text, last.endIndex);
  const first = namedChildren(root).find((c) => c.type !== 'comment');
  if (first && isDocstring(first)) return lineEndAfterBreak(text, first.endIndex);
  // No docstring and no import: after a shebang / encoding comment block at the top.
  let pos = 0;
  for (const child of namedChildren(root)) {
    if (child.type !== 'comment' || child.startIndex !== pos) break;
    pos = lineEndAfterBreak(text, child.endIndex);
  }
  return pos;
}

function importedNames(stmt: Node): Node[] {
  return stmt.childrenForFieldName('name').filter((n): n is Node => n !== null);
}

/** The first `from <module> import a, b` among `statements` that a new name from `module` can join (not `import *`). */
export function mergeableFromImport(statements: readonly Node[], module: string): Node | null {
  const found = statements.find(
    (stmt) =>
      stmt.type === 'import_from_statement' &&
      dottedText(stmt.childForFieldName('module_name')) === module &&
      importedNames(stmt).length > 0 &&
      !namedChildren(stmt).some((c) => c.type === 'wildcard_import'),
  );
  return found ?? null;
}

/** An edit adding `name` after the last name of a `from … import` statement. */
export function appendToFromImport(stmt: Node, name: string, description: string): Edit {
  const at = importedNames(stmt).at(-1)?.endIndex ?? stmt.endIndex;
  return { start: at, end: at, text: `, ${name}`, safety: 'safe', description };
}

/** isort/ruff "order by type": CONSTANTS, then Classes, then functions; case-insensitive within a group. */
function sortKey(name: string): [number, string] {
  const rank = name.length > 1 && name === name.toUpperCase() && /[A-Z]/.test(name) ? 0 : /^[A-Z]/.test(name) ? 1 : 2;
  return [rank, name.toLowerCase()];
}

function before(a: string, b: string): boolean {
  const [ra, na] = sortKey(a);
  const [rb, nb] = sortKey(b);
  return ra < rb || (ra === rb && na < nb);
}

function importedOriginal(item: Node): string {
  return item.type === 'aliased_import' ? (item.childForFieldName('name')?.text ?? item.text) : item.text;
}

/** The text between two neighbouring imported names, rebuilt when it holds a comment. */
function separator(text: string, a: Node, b: Node, eol: string): string {
  const raw = text.slice(a.endIndex, b.startIndex);
  if (!raw.includes('#')) return raw;
  return a.startPosition.row === b.startPosition.row ? ', ' : `,${eol}${indentAt(text, b.startIndex)}`;
}

/**
 * An edit adding `name` to a `from … import` statement the way an import
 * sorter would: a sorted list stays sorted, and the statement keeps its
 * layout (one line, or one name per line in parentheses).
 */
export function insertIntoFromImport(file: SourceFile, stmt: Node, name: string, description: string): Edit {
  const { text, eol } = file;
  const names = importedNames(stmt);
  const originals = names.map(importedOriginal);
  const sorted = originals.every((n, i) => i === 0 || !before(n, originals[i - 1]!));
  const at = sorted ? originals.findIndex((n) => before(name, n)) : -1;
  const edit = (start: number, insert: string): Edit => ({ start, end: start, text: insert, safety: 'safe', description });
  if (names.length >= 2) {
    if (at >= 0) {
      const next = names[at + 1] ?? null;
      const sep = next ? separator(text, names[at]!, next, eol) : separator(text, names[at - 1]!, names[at]!, eol);
      return edit(names[at]!.startIndex, `${name}${sep}`);
    }
    const last = names.at(-1)!;
    return edit(last.endIndex, `${separator(text, names.at(-2)!, last, eol)}${name}`);
  }
  const only = names[0]!;
  const paren = stmt.children.find((c) => c?.type === '(');
  const multiLine = paren !== undefined && paren !== null && paren.startPosition.row !== only.startPosition.row;
  if (!multiLine) return at === 0 ? edit(only.startIndex, `${name}, `) : edit(only.endIndex, `, ${name}`);
  const indent = indentAt(text, only.startIndex);
  if (at === 0) return edit(only.startIndex, `${name},${eol}${indent}`);
  const comma = stmt.children.find((c) => c?.type === ',' && c.startIndex >= only.endIndex);
  if (comma) return edit(comma.endIndex, `${eol}${indent}${name},`);
  return edit(only.endIndex, `,${eol}${indent}${name}`);
}
