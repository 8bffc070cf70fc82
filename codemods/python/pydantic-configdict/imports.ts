import type { Node } from 'web-tree-sitter';
import type { Edit, ImportStyle, SourceFile } from '../../api.js';
import { addImport, fromImportsOf, insertIntoFromImport, mergeableFromImport, topLevelImports } from '../lib/imports.js';
import { lineEndAfterBreak, lineStart, namedChildren, startsLine } from '../lib/syntax.js';
import type { ModelResolver } from './models.js';

export type NameSource = { local: string; edit: Edit | null } | { conflict: string };

/**
 * How the file will name `name` from `module`: an existing import of it, or
 * a new one (merged into a `from <module> import` line or on a line of its
 * own, where the project's import style puts it). A file that already uses
 * the name for something else gets no import.
 * `arrives` says the name comes with another edit (the moved BaseSettings
 * import), so only the name's availability is checked.
 */
export function provideName(
  file: SourceFile,
  root: Node,
  style: ImportStyle,
  resolver: ModelResolver,
  module: string,
  name: string,
  limit: number,
  arrives = false,
): NameSource {
  const imported = fromImportsOf(topLevelImports(root), name).find((i) => i.module === module);
  if (imported) {
    const { local } = imported;
    const binding = resolver.binding(local);
    if (binding?.kind === 'import' && binding.level === 0 && binding.module === module && binding.imported === name) return { local, edit: null };
    return { conflict: `${local} is bound more than once in this module` };
  }
  if (resolver.model.usesOf(name).length > 0 || resolver.isBound(name)) return { conflict: `the name ${name} is already used in this module for something else` };
  if (arrives) return { local: name, edit: null };
  const description = `import ${name} from ${module}`;
  const target = mergeableFromImport(
    topLevelImports(root).filter((stmt) => stmt.endIndex <= limit),
    module,
  );
  if (target) return { local: name, edit: insertIntoFromImport(file, target, name, description) };
  return { local: name, edit: addImport(file, root, style, { module, name }, description) };
}

function importedNames(stmt: Node): Node[] {
  return stmt.childrenForFieldName('name').filter((n): n is Node => n !== null);
}

/**
 * Edits that make `from pydantic import BaseSettings` (pydantic 1's place)
 * import from pydantic_settings: the statement's module is renamed when
 * BaseSettings is all it imports; otherwise BaseSettings leaves the list and
 * gets a line of its own after the statement. With `withConfigDict`,
 * SettingsConfigDict is added to that import as a supporting edit of the
 * settings conversions (`supports`).
 */
export function moveSettingsImport(
  file: SourceFile,
  move: { id: string; stmt: Node; local: string },
  settingsConversions: readonly string[],
): Edit[] {
  const { stmt } = move;
  const description = 'from pydantic import BaseSettings -> from pydantic_settings import BaseSettings';
  const common = { safety: 'review' as const, description, change: move.id };
  const names = importedNames(stmt);
  const item = names.find((n) => (n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text) === 'BaseSettings')!;
  const extra = (at: number): Edit[] =>
    settingsConversions.length > 0
      ? [{ start: at, end: at, text: ', SettingsConfigDict', safety: 'safe', description: 'import SettingsConfigDict from pydantic_settings', supports: settingsConversions }]
      : [];
  if (names.length === 1) {
    const moduleName = stmt.childForFieldName('module_name')!;
    return [{ ...common, start: moduleName.startIndex, end: moduleName.endIndex, text: 'pydantic_settings' }, ...extra(item.endIndex)];
  }
  const index = names.indexOf(item);
  const next = names[index + 1];
  const removal = next ? { start: item.startIndex, end: next.startIndex } : { start: names[index - 1]!.endIndex, end: item.endIndex };
  const at = lineEndAfterBreak(file.text, stmt.endIndex);
  const needsBreak = at === file.text.length && !file.text.endsWith('\n');
  return [
    { ...common, ...removal, text: '' },
    { ...common, start: at, end: at, text: `${needsBreak ? file.eol : ''}from pydantic_settings import ${item.text.replace(/\s+/g, ' ')}` },
    ...extra(at),
    { ...common, start: at, end: at, text: file.eol },
  ];
}

/** Why BaseSettings cannot leave its import statement cleanly, or null. */
export function settingsMoveProblem(file: SourceFile, stmt: Node): string | null {
  if (namedChildren(stmt).some((c) => c.type === 'comment')) return 'its import statement holds a comment that moving BaseSettings could misplace';
  const end = lineEndAfterBreak(file.text, stmt.endIndex);
  if (/;/.test(file.text.slice(stmt.endIndex, end))) return 'its import statement shares a line with other code';
  return null;
}

/** The lines a statement fills alone (from its line start through its line break), or null when it shares a line. */
export function statementLines(text: string, stmt: Node): { start: number; end: number } | null {
  const end = lineEndAfterBreak(text, stmt.endIndex);
  if (!startsLine(text, stmt.startIndex) || /\S/.test(text.slice(stmt.endIndex, end))) return null;
  return { start: lineStart(text, stmt.startIndex), end };
}

/**
 * An edit removing `local` from the top-level `from <module> import …`
 * statement that binds it, once every use of it lies inside `replaced`
 * (the Config classes being rewritten): `Extra.forbid` becomes `"forbid"`,
 * and an import nothing reads any more is an unused import (F401). Null
 * when another use remains, the statement holds a comment, or `local` is
 * bound more than once. A name being added to the same statement right
 * where the removed one stood (`added`) takes its place instead, in one
 * edit (`replaces`), since the two edits would overlap. With the edit come
 * the statement and how many names it imports, so that a caller dropping
 * two names never empties one statement.
 */
export function dropImportedName(
  file: SourceFile,
  root: Node,
  resolver: ModelResolver,
  modules: readonly string[],
  name: string,
  replaced: readonly { start: number; end: number }[],
  added: readonly { edit: Edit; name: string }[] = [],
): { edit: Edit; replaces: Edit | null; stmt: Node; names: number } | null {
  const found = fromImportsOf(topLevelImports(root), name).filter((i) => modules.includes(i.module));
  if (found.length !== 1) return null;
  const { stmt, local } = found[0]!;
  const bindings = resolver.model.bindingsOf(local);
  if (bindings.length !== 1 || bindings[0]!.startIndex < stmt.startIndex || bindings[0]!.endIndex > stmt.endIndex) return null;
  const uses = resolver.model.usesOf(local).filter((id) => id.startIndex < stmt.startIndex || id.endIndex > stmt.endIndex);
  if (uses.length === 0 || !uses.every((id) => replaced.some((r) => id.startIndex >= r.start && id.endIndex <= r.end))) return null;
  if (namedChildren(stmt).some((c) => c.type === 'comment')) return null;
  const names = importedNames(stmt);
  const index = names.findIndex((n) => (n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text) === local);
  const description = `remove the import of ${name}, no longer used`;
  const edit = (start: number, end: number, text = ''): { edit: Edit; replaces: Edit | null; stmt: Node; names: number } => {
    const inside = added.find((a) => a.edit.start > start && a.edit.start < end);
    if (!inside) return { edit: { start, end, text, safety: 'safe', description }, replaces: null, stmt, names: names.length };
    // The added name goes where the removed one stood.
    const item = names[index]!;
    const replacement: Edit = { start: item.startIndex, end: item.endIndex, text: inside.name, safety: 'safe', description: `${inside.edit.description}, in place of ${name}` };
    return { edit: replacement, replaces: inside.edit, stmt, names: names.length };
  };
  if (names.length === 1) {
    const whole = statementLines(file.text, stmt);
    return whole ? edit(whole.start, whole.end) : null;
  }
  const item = names[index]!;
  const next = names[index + 1];
  // `A, Extra, B` loses `Extra, `; a last name loses the separator before it; a one-name-per-line list loses its line.
  if (next && item.startPosition.row === next.startPosition.row) return edit(item.startIndex, next.startIndex);
  const prev = names[index - 1]!;
  if (item.startPosition.row === prev.startPosition.row || !startsLine(file.text, item.startIndex)) return edit(prev.endIndex, item.endIndex);
  const comma = item.nextSibling?.type === ',' ? item.nextSibling : null;
  const end = lineEndAfterBreak(file.text, comma ? comma.endIndex : item.endIndex);
  if (/\S/.test(file.text.slice(comma ? comma.endIndex : item.endIndex, end))) return null;
  return edit(lineStart(file.text, item.startIndex), end);
}
