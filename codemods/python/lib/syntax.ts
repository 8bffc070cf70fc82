import type { Node } from 'web-tree-sitter';
import type { Edit, Safety, SourceFile } from '../../../src/engine/types.js';

/** Every descendant of `node` (itself included) of one of `types`, in document order. */
export function descendantsOfType(node: Node, types: string | readonly string[]): Node[] {
  return node.descendantsOfType(types as string | string[]).filter((n): n is Node => n !== null);
}

/** Named children, without the nulls web-tree-sitter's typings allow. */
export function namedChildren(node: Node): Node[] {
  return node.namedChildren.filter((n): n is Node => n !== null);
}

/** Index of the first character of the line that holds `index`. */
export function lineStart(text: string, index: number): number {
  return text.lastIndexOf('\n', index - 1) + 1;
}

/** Index just past the line break that ends the line holding `index` (or the text's end). */
export function lineEndAfterBreak(text: string, index: number): number {
  const nl = text.indexOf('\n', index);
  return nl === -1 ? text.length : nl + 1;
}

/** The leading whitespace of the line that holds `index`. */
export function indentAt(text: string, index: number): string {
  const start = lineStart(text, index);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** True when only whitespace stands before `index` on its line. */
export function startsLine(text: string, index: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, index), index));
}

/** A top-level statement that imports: `import x`, `from x import y`, `from __future__ import z`. */
export function isImportStatement(node: Node): boolean {
  return node.type === 'import_statement' || node.type === 'import_from_statement' || node.type === 'future_import_statement';
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

/** Whether the module has a top-level `import <module>` (optionally `as <alias>` is not accepted). */
export function importsModule(root: Node, module: string): boolean {
  return topLevelImports(root).some(
    (stmt) =>
      stmt.type === 'import_statement' &&
      namedChildren(stmt).some((name) => name.type === 'dotted_name' && name.text === module),
  );
}

/** The local name bound by `from <module> import <name>` (alias respected), or null. */
export function importedName(root: Node, module: string, name: string): string | null {
  for (const stmt of topLevelImports(root)) {
    if (stmt.type !== 'import_from_statement') continue;
    if (stmt.childForFieldName('module_name')?.text !== module) continue;
    for (const item of stmt.childrenForFieldName('name')) {
      if (!item) continue;
      if (item.type === 'dotted_name' && item.text === name) return name;
      if (item.type === 'aliased_import' && item.childForFieldName('name')?.text === name) {
        return item.childForFieldName('alias')?.text ?? null;
      }
    }
  }
  return null;
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

/**
 * An edit adding whole lines at a line start `at`, using the file's line
 * ending; when the text does not end with a line break there, one is added first.
 */
export function insertLines(file: SourceFile, at: number, lines: readonly string[], description: string, safety: Safety = 'safe'): Edit {
  const needsBreak = at === file.text.length && at > 0 && !file.text.endsWith('\n');
  const body = lines.map((l) => l + file.eol).join('');
  return { start: at, end: at, text: (needsBreak ? file.eol : '') + body, safety, description };
}

/** The value of a plain string literal (no f-string, no implicit concatenation, simple escapes only), or null. */
export function plainStringValue(node: Node): string | null {
  if (node.type !== 'string') return null;
  const start = node.namedChildren.find((c) => c?.type === 'string_start');
  const prefix = (start?.text ?? '').replace(/['"]+$/, '').toLowerCase();
  if (prefix.includes('f') || prefix.includes('b')) return null;
  const parts = namedChildren(node).filter((c) => c.type !== 'string_start' && c.type !== 'string_end');
  if (parts.some((p) => p.type === 'interpolation')) return null;
  const raw = parts.map((p) => p.text).join('');
  if (prefix.includes('r')) return raw;
  if (/\\[0-7xNuU]/.test(raw)) return null;
  return raw.replace(/\\(.)/gs, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '' })[c] ?? `\\${c}`);
}
