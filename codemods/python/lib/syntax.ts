import type { Node } from 'web-tree-sitter';
import type { Edit, Safety, SourceFile } from '../../api.js';
import { TreeIndex } from './tree-index.js';

/**
 * Every named descendant of `node` (itself included) of one of `types`, in
 * document order. Read from the tree's shared index (built once per tree), so
 * asking again, or for another type, walks nothing.
 */
export function descendantsOfType(node: Node, types: string | readonly string[]): Node[] {
  return TreeIndex.of(node).within(node, ...(typeof types === 'string' ? [types] : types));
}

/** Named children, without the nulls web-tree-sitter's typings allow. */
export function namedChildren(node: Node): Node[] {
  return node.namedChildren.filter((n): n is Node => n !== null);
}

/** The expression inside redundant parentheses: `(("a"))` is still the literal. */
export function unparenthesized(node: Node): Node;
export function unparenthesized(node: Node | null): Node | null;
export function unparenthesized(node: Node | null): Node | null {
  let cur = node;
  while (cur?.type === 'parenthesized_expression') {
    const inner = namedChildren(cur).filter((c) => c.type !== 'comment');
    if (inner.length !== 1) return cur;
    cur = inner[0]!;
  }
  return cur;
}

/** `a.b.c` as `['a', 'b', 'c']` when the expression is only names and dots, else null. */
export function dottedPath(node: Node): [string, ...string[]] | null {
  if (node.type === 'identifier') return [node.text];
  if (node.type !== 'attribute') return null;
  const object = node.childForFieldName('object');
  const attribute = node.childForFieldName('attribute');
  if (!object || !attribute) return null;
  const head = dottedPath(object);
  return head ? [...head, attribute.text] : null;
}

/** The class a statement defines, looking through decorators, or null. */
export function definedClass(stmt: Node): Node | null {
  if (stmt.type === 'class_definition') return stmt;
  if (stmt.type === 'decorated_definition') {
    const def = stmt.childForFieldName('definition');
    return def?.type === 'class_definition' ? def : null;
  }
  return null;
}

/** The 1-based line a node starts on, as notes report it. */
export function lineOf(node: Node): number {
  return node.startPosition.row + 1;
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

/**
 * An edit adding whole lines at a line start `at`, using the file's line
 * ending; when the text does not end with a line break there, one is added first.
 */
export function insertLines(file: SourceFile, at: number, lines: readonly string[], description: string, safety: Safety = 'safe'): Edit {
  const needsBreak = at === file.text.length && at > 0 && !file.text.endsWith('\n');
  const body = lines.map((l) => l + file.eol).join('');
  return { start: at, end: at, text: (needsBreak ? file.eol : '') + body, safety, description };
}
