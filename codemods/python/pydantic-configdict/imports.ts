import type { Node } from 'web-tree-sitter';
import type { Edit, SourceFile } from '../../api.js';
import { fromImportsOf, importInsertionPoint, insertIntoFromImport, mergeableFromImport, topLevelImports } from '../lib/imports.js';
import { insertLines } from '../lib/syntax.js';
import type { ModelResolver } from './models.js';

export type NameSource = { local: string; edit: Edit | null } | { conflict: string };

/**
 * How the file will name `name` from `module`: an existing import of it, or
 * a new one (merged into a `from <module> import` line or on a line of its own).
 * A file that already uses the name for something else gets no import.
 */
export function provideName(file: SourceFile, root: Node, resolver: ModelResolver, module: string, name: string, limit: number): NameSource {
  const imported = fromImportsOf(topLevelImports(root), name).find((i) => i.module === module);
  if (imported) {
    const { local } = imported;
    const binding = resolver.binding(local);
    if (typeof binding === 'string') return { conflict: binding };
    if (binding.kind === 'from-import' && binding.module === module) return { local, edit: null };
    return { conflict: `${local} is bound more than once in this module` };
  }
  const used = root.descendantsOfType('identifier').some((id) => {
    if (!id || id.text !== name) return false;
    const parent = id.parent;
    return !(parent?.type === 'attribute' && parent.childForFieldName('attribute')?.equals(id));
  });
  if (used || resolver.isBound(name)) return { conflict: `the name ${name} is already used in this module for something else` };
  const description = `import ${name} from ${module}`;
  const target = mergeableFromImport(
    topLevelImports(root).filter((stmt) => stmt.endIndex <= limit),
    module,
  );
  if (target) return { local: name, edit: insertIntoFromImport(file, target, name, description) };
  const at = importInsertionPoint(root, file.text);
  return { local: name, edit: insertLines(file, at, [`from ${module} import ${name}`], description) };
}
