import { follow, lineage, moduleSummary, referenceOf, type ClassSummary, type ModuleReader } from '../lib/modules.js';
import { SemanticModel } from '../lib/semantic.js';
import { RENAMED_KEYS } from './keys.js';

/**
 * What other modules of the project do with a class this file converts.
 * Converting `class Config` removes the `Config` attribute and changes what
 * subclasses inherit, so code in other files counts too: reads of
 * `Model.Config`, and subclasses that keep a `class Config` of their own.
 * Both indexes are built once per run, from the files that mention `Config`.
 */

/** A class, as the indexes name it: `app/schema/_base.py:AppModel:12`. */
export function classKey(file: string, cls: Pick<ClassSummary, 'name' | 'line'>): string {
  return `${file}:${cls.name}:${cls.line}`;
}

export interface ConfigRead {
  file: string;
  line: number;
  text: string;
  /** The class whose Config is read, when the reader's object resolves to a project class. */
  target: string | null;
  /** Classes that target derives from (a read through a subclass reaches the base's Config). */
  ancestors: string[];
}

const CONFIG_READ = /\.\s*(?:Config|__config__)\b|['"](?:Config|__config__)['"]/;

/** Every read of a `Config` / `__config__` attribute in the project's Python files, other than `skip`. */
export function configReads(reader: ModuleReader): ConfigRead[] {
  return reader.project.shared('pydantic:config-reads', () => {
    const out: ConfigRead[] = [];
    for (const file of reader.project.files) {
      if (!file.endsWith('.py')) continue;
      const text = reader.project.readText(file);
      if (text === null || !CONFIG_READ.test(text)) continue;
      reader.withTree(text, (tree) => {
        const model = SemanticModel.of(tree);
        for (const node of model.nodes('attribute')) {
          const attr = node.childForFieldName('attribute')?.text;
          const object = node.childForFieldName('object');
          if ((attr !== 'Config' && attr !== '__config__') || !object) continue;
          const target = follow(reader, file, referenceOf(model.resolve(object)));
          // A library's own Config (alembic's `config.Config`) is not a model's.
          if (target.kind === 'external' || (target.kind === 'module' && target.file === null)) continue;
          const read: ConfigRead = { file, line: node.startPosition.row + 1, text: node.text, target: null, ancestors: [] };
          if (target.kind === 'class') {
            read.target = classKey(target.file, target.cls);
            read.ancestors = lineage(reader, target.file, target.cls).classes.map((c) => classKey(c.file, c.cls));
          }
          out.push(read);
        }
        for (const node of model.nodes('string')) {
          if (/^['"](?:Config|__config__)['"]$/.test(node.text)) out.push({ file, line: node.startPosition.row + 1, text: node.text, target: null, ancestors: [] });
        }
      });
    }
    return out;
  });
}

export interface ConfigSubclass {
  file: string;
  cls: ClassSummary;
  /** Project classes it derives from, nearest first. */
  ancestors: string[];
  /** Its direct bases that are project classes with a `class Config` of their own. */
  configBases: number;
}

/** Every project class with a nested `class Config`, with the project classes it derives from. */
export function configClasses(reader: ModuleReader): ConfigSubclass[] {
  return reader.project.shared('pydantic:config-classes', () => {
    const out: ConfigSubclass[] = [];
    for (const file of reader.project.files) {
      if (!file.endsWith('.py')) continue;
      const text = reader.project.readText(file);
      if (text === null || !/\bclass\s+Config\b/.test(text)) continue;
      const summary = moduleSummary(reader, file);
      if (!summary) continue;
      for (const defs of summary.names.values()) {
        for (const def of defs) {
          if (def.kind !== 'class' || !def.cls.nested.some((n) => n.name === 'Config')) continue;
          const found = lineage(reader, file, def.cls, summary);
          const direct = def.cls.bases.map((b) => follow(reader, file, b, summary));
          const configBases = direct.filter((t) => t.kind === 'class' && t.cls.nested.some((n) => n.name === 'Config')).length;
          out.push({ file, cls: def.cls, ancestors: found.classes.map((c) => classKey(c.file, c.cls)), configBases });
        }
      }
    }
    return out;
  });
}

/** The v2 key a v1 spelling stands for, or null. */
function v2KeyOf(v1: string): string | null {
  if (v1 === 'allow_mutation') return 'frozen';
  return RENAMED_KEYS[v1] ?? null;
}

/**
 * Whether this codemod converts the Config of `name`, a module-level class
 * of `file`, in this run: null when it does, else why it stays (the file is
 * not in the run, not code this codemod edits, or the class is left alone).
 */
export type Decide = (file: string, name: string) => string | null;

/**
 * Why converting `cls` (of `file`), whose new config sets `renamed` keys
 * under their v2 names, would change a subclass in another module, or null.
 * A subclass whose `class Config` stays and sets one of those keys in its v1
 * spelling would inherit the converted value, which pydantic 2 then applies
 * over its own (ignored) v1 setting. A subclass of two configured bases has
 * its configs merged in the opposite order to v1.
 */
export function subclassConflict(reader: ModuleReader, file: string, cls: ClassSummary, renamed: ReadonlySet<string>, decide: Decide): string | null {
  if (renamed.size === 0) return null;
  const key = classKey(file, cls);
  for (const sub of configClasses(reader)) {
    if (sub.file === file || !sub.ancestors.includes(key)) continue;
    const config = sub.cls.nested.find((n) => n.name === 'Config')!;
    if (sub.configBases > 1) {
      return `${sub.cls.name} (${sub.file}:${sub.cls.line}) derives from it and another configured base, and pydantic 2 merges their configs in the opposite order to v1`;
    }
    const kept = decide(sub.file, sub.cls.name);
    if (kept === null) continue;
    const clash = config.assigned.find((k) => {
      const v2 = v2KeyOf(k);
      return v2 !== null && renamed.has(v2);
    });
    const where = `its subclass ${sub.cls.name} (${sub.file}:${config.line}) ${kept}`;
    if (clash) return `${where}; its class Config sets ${clash}, a v1 name pydantic 2 ignores, so ${v2KeyOf(clash)} converted here would take its place`;
    if (config.hasBases || !config.onlyAssignments) return `${where}; its class Config's keys cannot be read, so a key converted here could take its place`;
  }
  return null;
}

/** Why another module's code reads the Config of `cls` (of `file`), which the conversion removes, or null. */
export function configReadElsewhere(reader: ModuleReader, file: string, cls: ClassSummary): string | null {
  const key = classKey(file, cls);
  for (const read of configReads(reader)) {
    if (read.file === file) continue;
    if (read.target === key || read.ancestors.includes(key)) return `${read.file}:${read.line} reads ${read.text.replace(/\s+/g, '')}, which the conversion removes`;
    if (read.target !== null) continue;
    // A read whose object cannot be followed counts wherever the class's name appears.
    const text = reader.project.readText(read.file) ?? '';
    if (new RegExp(`\\b${cls.name}\\b`).test(text)) return `${read.file}:${read.line} reads ${read.text.replace(/\s+/g, '')} and mentions ${cls.name}; the conversion removes that attribute`;
  }
  return null;
}
