import type { Node } from 'web-tree-sitter';
import { STDLIB_MODULES } from '../../api.js';
import type { Edit, ImportStyle, SourceFile } from '../../api.js';
import { descendantsOfType, indentAt, insertLines, lineEndAfterBreak, lineStart, namedChildren, startsLine } from './syntax.js';

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

/** A statement to add: `import <module>`, or `from <module> import <name>` when `name` is set. */
export interface NewImport {
  module: string;
  name?: string;
}

/** isort's sections, in the order they stand in a file. */
const SECTION = { future: 0, stdlib: 1, thirdParty: 2, firstParty: 3, local: 4 } as const;

/** The section an import of `module` (with `level` leading dots) belongs to under `style`. */
function sectionOf(module: string, level: number, style: ImportStyle | null): number {
  if (level > 0) return SECTION.local;
  const top = module.split('.')[0]!;
  if (top === '__future__') return SECTION.future;
  if (style?.firstParty.has(top)) return SECTION.firstParty;
  if (STDLIB_MODULES.has(top)) return SECTION.stdlib;
  return SECTION.thirdParty;
}

interface ImportLine {
  module: string;
  level: number;
  from: boolean;
  section: number;
  /** The statement, or null for the one being added. */
  stmt: Node | null;
  /** Blank-line separated group of the leading block it stands in. */
  group: number;
}

function importLine(stmt: Node, style: ImportStyle | null, group: number): ImportLine {
  const from = stmt.type !== 'import_statement';
  const first = stmt.type === 'import_statement' ? stmt.childrenForFieldName('name').find((n) => n !== null) : stmt.childForFieldName('module_name');
  const raw = stmt.type === 'future_import_statement' ? '__future__' : dottedText(first?.type === 'aliased_import' ? first.childForFieldName('name') : (first ?? null));
  const level = /^\.*/.exec(raw)![0].length;
  const module = raw.slice(level);
  return { module, level, from, section: sectionOf(module, level, style), stmt, group };
}

/**
 * isort's order inside a section: plain `import x` lines before `from x
 * import y` lines unless the style sorts them together
 * (force-sort-within-sections); then by module name, ignoring case.
 */
function compareImports(a: ImportLine, b: ImportLine, together: boolean): number {
  if (!together && a.from !== b.from) return a.from ? 1 : -1;
  const ka = `${'.'.repeat(a.level)}${a.module}`.toLowerCase();
  const kb = `${'.'.repeat(b.level)}${b.module}`.toLowerCase();
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.from === b.from ? 0 : a.from ? 1 : -1;
}

function isSorted(lines: readonly ImportLine[], together: boolean): boolean {
  return lines.every((line, i) => i === 0 || compareImports(lines[i - 1]!, line, together) <= 0);
}

/**
 * The module's import block: the top-level import statements before its
 * first other statement (a docstring, comments, and `try:`/`if` blocks that
 * only import may stand among them), and where the block ends (the start
 * of the line after its last import).
 */
export function importBlock(root: Node, text: string): { imports: Node[]; end: number } {
  const imports: Node[] = [];
  let end = -1;
  let first = true;
  for (const child of namedChildren(root)) {
    if (child.type === 'comment') continue;
    const docstring = first && isDocstring(child);
    first = false;
    if (docstring) continue;
    if (isImportStatement(child)) imports.push(child);
    else if (!importOnlyBlock(child)) break;
    end = lineEndAfterBreak(text, child.endIndex);
  }
  return { imports, end: end === -1 ? importInsertionPoint(root, text) : end };
}

const SIMPLE_VALUES: ReadonlySet<string> = new Set(['none', 'true', 'false', 'integer', 'float', 'string', 'identifier', 'attribute']);

/** A statement that only imports (or sets a fallback): part of the import block even inside `try:`/`if`. */
function importOnly(node: Node): boolean {
  if (isImportStatement(node) || node.type === 'pass_statement' || node.type === 'comment') return true;
  if (node.type === 'expression_statement') {
    const assignment = node.firstNamedChild;
    const right = assignment?.childForFieldName('right');
    return node.namedChildCount === 1 && assignment?.type === 'assignment' && !!right && SIMPLE_VALUES.has(right.type);
  }
  return importOnlyBlock(node);
}

/** A `try:` or `if` statement whose every block only imports (`try: import ujson as json` / `except ImportError: import json`). */
function importOnlyBlock(node: Node): boolean {
  if (node.type !== 'try_statement' && node.type !== 'if_statement') return false;
  const blocks: Node[] = [];
  for (const child of namedChildren(node)) {
    if (child.type === 'block') blocks.push(child);
    else if (['except_clause', 'except_group_clause', 'else_clause', 'elif_clause', 'finally_clause'].includes(child.type)) {
      blocks.push(...namedChildren(child).filter((c) => c.type === 'block'));
    }
  }
  return blocks.length > 0 && blocks.every((b) => namedChildren(b).every(importOnly));
}

/** The start of the comment lines directly above `node` (no blank line between), or of its own line. */
function startWithComments(text: string, node: Node): number {
  let start = lineStart(text, node.startIndex);
  for (let prev = node.previousSibling; prev?.type === 'comment'; prev = prev.previousSibling) {
    const commentStart = lineStart(text, prev.startIndex);
    // A comment after code on its line belongs to that code; a blank line ends the run.
    if (!startsLine(text, prev.startIndex) || /\n[ \t]*\r?\n/.test(text.slice(prev.endIndex, start + 1))) break;
    start = commentStart;
  }
  return start;
}

/** Where one new import statement goes: a line start, with a blank line before or after it when it makes a section of its own. */
interface Placement {
  at: number;
  statement: string;
  line: ImportLine;
  blankBefore: boolean;
  blankAfter: boolean;
}

function placeImport(text: string, imports: readonly Node[], lines: readonly ImportLine[], style: ImportStyle | null, spec: NewImport, root: Node): Placement {
  const statement = spec.name ? `from ${spec.module} import ${spec.name}` : `import ${spec.module}`;
  const level = /^\.*/.exec(spec.module)![0].length;
  const added: ImportLine = { module: spec.module.slice(level), level, from: spec.name !== undefined, section: sectionOf(spec.module.slice(level), level, style), stmt: null, group: -1 };
  const at = (index: number, blankBefore = false, blankAfter = false): Placement => ({ at: index, statement, line: added, blankBefore, blankAfter });
  if (imports.length === 0) return at(importInsertionPoint(root, text));
  const peers = lines.filter((l) => l.section === added.section);
  if (peers.length > 0) {
    // The group most of the section stands in (a misplaced import elsewhere does not move the new one).
    const counts = new Map<number, number>();
    for (const p of peers) counts.set(p.group, (counts.get(p.group) ?? 0) + 1);
    const home = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
    const section = peers.filter((p) => p.group === home);
    const together =
      style?.source != null ? style.forceSortWithinSections : !isSorted(section, false) && isSorted(section, true);
    const last = section.at(-1)!;
    if (!isSorted(section, together)) return at(lineEndAfterBreak(text, last.stmt!.endIndex));
    const index = section.findIndex((p) => compareImports(added, p, together) < 0);
    if (index === -1) return at(lineEndAfterBreak(text, last.stmt!.endIndex));
    if (index > 0) return at(lineEndAfterBreak(text, section[index - 1]!.stmt!.endIndex));
    return at(lineStart(text, section[0]!.stmt!.startIndex));
  }
  const before = lines.filter((l) => l.section < added.section).at(-1);
  const after = lines.find((l) => l.section > added.section);
  if (after && (!before || before.group !== after.group)) return at(startWithComments(text, after.stmt!), false, true);
  if (before && after) return at(lineEndAfterBreak(text, before.stmt!.endIndex));
  return at(lineEndAfterBreak(text, before!.stmt!.endIndex), true);
}

/**
 * Edits adding new import statements where an import sorter would put
 * them: each in its section (standard library, third party, first party —
 * the project's own modules as the import style knows them), in sorted
 * position when the section is sorted (after the section's last import when
 * it is not), or as a section of its own between its neighbours, separated
 * by blank lines the way the file separates its groups. Statements that go
 * to one place are one edit, sorted, a blank line between two new sections.
 * A file without imports gets them after its docstring and `from
 * __future__` imports. The edits come in document order.
 */
export function addImports(file: SourceFile, root: Node, style: ImportStyle | null, specs: readonly NewImport[], description: string): Edit[] {
  const { text } = file;
  const { imports } = importBlock(root, text);
  let group = 0;
  const lines = imports.map((stmt, i) => {
    const prev = imports[i - 1];
    if (prev && /\n[ \t]*\r?\n/.test(text.slice(prev.endIndex, lineStart(text, stmt.startIndex) + 1))) group++;
    if (prev && prev.nextNamedSibling?.id !== stmt.id && prev.nextNamedSibling?.type !== 'comment') group++;
    return importLine(stmt, style, group);
  });
  const byPlace = new Map<number, Placement[]>();
  for (const spec of specs) {
    const placed = placeImport(text, imports, lines, style, spec, root);
    byPlace.set(placed.at, [...(byPlace.get(placed.at) ?? []), placed]);
  }
  const edits: Edit[] = [];
  for (const [at, placed] of [...byPlace].sort((a, b) => a[0] - b[0])) {
    placed.sort((a, b) => a.line.section - b.line.section || compareImports(a.line, b.line, style?.forceSortWithinSections ?? false));
    const out: string[] = [];
    placed.forEach((p, i) => {
      const prev = placed[i - 1];
      if (!prev ? p.blankBefore : prev.line.section !== p.line.section && (prev.blankAfter || p.blankBefore || imports.length === 0)) out.push('');
      out.push(p.statement);
    });
    if (placed.at(-1)!.blankAfter) out.push('');
    edits.push(insertLines(file, at, out, description));
  }
  return edits;
}

/** One new import statement where an import sorter would put it (see `addImports`). */
export function addImport(file: SourceFile, root: Node, style: ImportStyle | null, spec: NewImport, description: string): Edit {
  return addImports(file, root, style, [spec], description)[0]!;
}
