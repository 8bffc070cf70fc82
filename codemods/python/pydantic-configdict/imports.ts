import type { Node } from 'web-tree-sitter';
import type { Edit, SourceFile } from '../../../src/engine/types.js';
import { importInsertionPoint, indentAt, insertLines, leadingImports, namedChildren, topLevelImports } from '../lib/syntax.js';
import type { ModelResolver } from './models.js';

export type NameSource = { local: string; edit: Edit | null } | { conflict: string };

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

/** Adds `name` to an existing `from <module> import ...`, keeping its layout; sorted lists stay sorted. */
function addToImport(file: SourceFile, stmt: Node, name: string, description: string): Edit {
  const { text, eol } = file;
  const names = stmt.childrenForFieldName('name').filter((n): n is Node => n !== null);
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

/**
 * How the file will name `name` from `module`: an existing import of it, or
 * a new one (merged into a `from <module> import` line or on a line of its own).
 * A file that already uses the name for something else gets no import.
 */
export function provideName(file: SourceFile, root: Node, resolver: ModelResolver, module: string, name: string, limit: number): NameSource {
  for (const stmt of topLevelImports(root)) {
    if (stmt.type !== 'import_from_statement' || stmt.childForFieldName('module_name')?.text !== module) continue;
    for (const item of stmt.childrenForFieldName('name')) {
      if (!item || importedOriginal(item) !== name) continue;
      const local = item.type === 'aliased_import' ? (item.childForFieldName('alias')?.text ?? name) : name;
      const binding = resolver.binding(local);
      if (typeof binding !== 'string' && binding.kind === 'from-import' && binding.module === module) return { local, edit: null };
      return { conflict: `${local} is bound more than once in this module` };
    }
  }
  const used = root.descendantsOfType('identifier').some((id) => {
    if (!id || id.text !== name) return false;
    const parent = id.parent;
    return !(parent?.type === 'attribute' && parent.childForFieldName('attribute')?.equals(id));
  });
  if (used || resolver.isBound(name)) return { conflict: `the name ${name} is already used in this module for something else` };
  const description = `import ${name} from ${module}`;
  const candidates = [...leadingImports(root), ...topLevelImports(root)].filter(
    (stmt) =>
      stmt.type === 'import_from_statement' &&
      stmt.childForFieldName('module_name')?.text === module &&
      stmt.endIndex <= limit &&
      stmt.childrenForFieldName('name').some((n) => n !== null) &&
      !namedChildren(stmt).some((c) => c.type === 'wildcard_import'),
  );
  const target = candidates[0];
  if (target) return { local: name, edit: addToImport(file, target, name, description) };
  const at = importInsertionPoint(root, file.text);
  return { local: name, edit: insertLines(file, at, [`from ${module} import ${name}`], description) };
}
