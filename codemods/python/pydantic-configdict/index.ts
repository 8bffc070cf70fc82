import type { Node } from 'web-tree-sitter';
import { defineCodemod } from '../../api.js';
import type { Edit, Note, PythonContext, TransformResult } from '../../api.js';
import { SemanticModel } from '../lib/semantic.js';
import { stringValue } from '../lib/strings.js';
import { definedClass, indentAt, lineOf, namedChildren } from '../lib/syntax.js';
import { parseConfig, renderConfig, type ParsedConfig } from './config.js';
import { Hierarchy, overriddenKey } from './hierarchy.js';
import { moveSettingsImport, provideName, settingsMoveProblem } from './imports.js';
import { ModelResolver } from './models.js';
import { configReadElsewhere, subclassConflict } from './project.js';

interface Conversion {
  cls: Node;
  model: string;
  settings: boolean;
  parsed: ParsedConfig;
  line: number;
}

/** Whether a body statement assigns (or annotates) `name`. */
function assigns(stmt: Node, name: string): boolean {
  if (stmt.type !== 'expression_statement') return false;
  const expr = stmt.namedChild(0);
  return expr?.type === 'assignment' && expr.childForFieldName('left')?.text === name;
}

/** The indentation step of the file, from the model's own body when it has one on separate lines. */
function indentUnit(text: string, cls: Node, body: Node): string {
  const outer = indentAt(text, cls.startIndex);
  if (body.startPosition.row === cls.startPosition.row) return '    ';
  const inner = indentAt(text, body.startIndex);
  return inner.startsWith(outer) && inner.length > outer.length ? inner.slice(outer.length) : '    ';
}

/** The quote most string literals of the file use (single quotes when undecided). */
function preferredQuote(model: SemanticModel): string {
  let single = 0;
  let double = 0;
  for (const start of model.nodes('string_start')) {
    if (start.text.endsWith('"')) double++;
    else if (start.text.endsWith("'")) single++;
  }
  return double > single ? '"' : "'";
}

/** Reads of `X.Config` / `X.__config__` anywhere: after the rewrite there is no such attribute. */
function configAttributeReads(model: SemanticModel): Node[] {
  return model.nodes('attribute').filter((a) => {
    const attr = a.childForFieldName('attribute')?.text;
    return attr === 'Config' || attr === '__config__';
  });
}

/** `getattr(m, "Config")`, `hasattr(...)`, `vars(m)["Config"]`: the attribute read by name. */
function configNameStrings(model: SemanticModel): Node[] {
  return model.nodes('string').filter((s) => {
    const value = stringValue(s);
    return value === 'Config' || value === '__config__';
  });
}

function isClassName(id: Node): boolean {
  const parent = id.parent;
  return parent?.type === 'class_definition' && parent.childForFieldName('name')?.equals(id) === true;
}

/** The keys a conversion writes under a new (v2) name, with their values. */
function renamedKeys(c: Conversion): Map<string, string> {
  return new Map(c.parsed.items.flatMap((i) => (i.kind === 'key' && i.key !== i.original ? [[i.key, i.value] as const] : [])));
}

/** Why converting `c` alone would change a class that inherits from it and from another class here, or null. */
function hierarchyConflict(hierarchy: Hierarchy, c: Conversion, conversions: ReadonlyMap<number, Conversion>): string | null {
  const renamed = renamedKeys(c);
  if (renamed.size === 0) return null;
  const subclasses = new Set(hierarchy.subclasses(c.cls).map((n) => n.id));
  for (const other of hierarchy.competitors(c.cls)) {
    const converted = conversions.get(other.id);
    if (!converted) {
      const override = overriddenKey(other, new Set(renamed.keys()));
      if (!override) continue;
      const who = subclasses.has(other.id) ? `its subclass ${override.name}` : `${override.name}, another base of its subclasses,`;
      return override.key
        ? `${who} keeps a class Config (line ${override.line}) setting ${override.key}, a v1 name pydantic 2 ignores, so ${override.v2} converted here would take its place`
        : `${who} keeps a Config (line ${override.line}) whose keys cannot be read here, so ${override.v2} converted here could take its place`;
    }
    if (subclasses.has(other.id)) continue;
    // Sibling bases of one subclass: v1 lets the first base's Config win, pydantic 2 the last one's.
    for (const item of converted.parsed.items) {
      if (item.kind !== 'key' || !renamed.has(item.key) || renamed.get(item.key) === item.value) continue;
      return `${converted.model}, another base of its subclasses, sets ${item.key} to another value, and pydantic 2 merges bases in the opposite order to v1`;
    }
  }
  return null;
}

/**
 * Drops, until nothing changes, each conversion that would change what
 * another class of its hierarchy gets (see hierarchy.ts).
 */
function keepHierarchiesConsistent(resolver: ModelResolver, conversions: readonly Conversion[], notes: Note[]): Conversion[] {
  const hierarchy = new Hierarchy(resolver.model.root);
  const live = new Map(conversions.map((c) => [c.cls.id, c]));
  for (let dropped = true; dropped; ) {
    dropped = false;
    for (const c of [...live.values()]) {
      const conflict = hierarchyConflict(hierarchy, c, live) ?? subclassConflict(resolver.reader, resolver.file, resolver.summaryOf(c.cls), new Set(renamedKeys(c).keys()));
      if (!conflict) continue;
      notes.push({ line: c.line, message: `class ${c.model}: ${conflict}; class Config left alone` });
      live.delete(c.cls.id);
      dropped = true;
    }
  }
  return conversions.filter((c) => live.has(c.cls.id));
}

const SETTINGS_HINT = 'pydantic 2 moved BaseSettings to the pydantic-settings package';

/** Where `from pydantic import BaseSettings` (pydantic 1's place) is rewritten to import from pydantic_settings. */
interface SettingsMove {
  id: string;
  stmt: Node;
  local: string;
}

function transform(ctx: PythonContext): TransformResult {
  const { file, project } = ctx;
  const text = file.text;
  const notes: Note[] = [];
  const prerequisites: string[] = [];
  const resolver = new ModelResolver(ctx);
  const model = resolver.model;

  // pydantic 2 raises on `from pydantic import BaseSettings`: moving it is a change of its own,
  // for review, since it needs the pydantic-settings package installed.
  const oldImport = resolver.v1SettingsImport();
  const settingsPackage = project.check(file.path, { name: 'pydantic-settings', range: '>=2', hint: `${SETTINGS_HINT}; upgrade it first` });
  let move: SettingsMove | null = null;
  if (oldImport) {
    if (settingsPackage.met === 'no') {
      notes.push({ line: lineOf(oldImport.stmt), message: `from pydantic import BaseSettings left alone: ${settingsPackage.reason}` });
    } else if (!oldImport.stmt.parent || oldImport.stmt.parent.type !== 'module') {
      notes.push({ line: lineOf(oldImport.stmt), message: 'from pydantic import BaseSettings is not at the top level of the module; left alone' });
    } else if (settingsMoveProblem(file, oldImport.stmt)) {
      notes.push({ line: lineOf(oldImport.stmt), message: `from pydantic import BaseSettings left alone: ${settingsMoveProblem(file, oldImport.stmt)}` });
    } else {
      move = { id: 'settings-import', stmt: oldImport.stmt, local: oldImport.local };
      if (settingsPackage.met === 'unknown') prerequisites.push(`Add pydantic-settings (>=2) to the project's dependencies: ${SETTINGS_HINT}.`);
    }
  }

  const attributeReads = configAttributeReads(model);
  const nameStrings = configNameStrings(model);
  const quote = preferredQuote(model);
  const conversions: Conversion[] = [];

  for (const cls of model.nodes('class_definition')) {
    const body = cls.childForFieldName('body');
    if (!body) continue;
    const stmts = namedChildren(body);
    const configs = stmts.filter((s) => definedClass(s)?.childForFieldName('name')?.text === 'Config');
    const assigned = stmts.find((s) => assigns(s, 'Config'));
    const first = configs[0] ?? assigned;
    if (!first) continue;
    const name = cls.childForFieldName('name')?.text ?? '?';
    const at = lineOf(first);
    const kind = resolver.classify(cls);
    if (kind.kind === 'plain') continue;
    // A pydantic.v1 model keeps v1 semantics, where class Config is the right spelling.
    if (kind.kind === 'v1') continue;
    if (kind.kind === 'unknown') {
      if (kind.quiet) continue;
      notes.push({ line: at, message: `class ${name} is not provably a pydantic model (${kind.reason}); its class Config is left alone` });
      continue;
    }
    const refuse = (message: string): void => {
      notes.push({ line: at, message: `class ${name}: ${message}; class Config left alone` });
    };
    if (kind.kind === 'settings') {
      if (settingsPackage.met === 'no') {
        refuse(settingsPackage.reason);
        continue;
      }
      if (kind.viaV1Import && !move) {
        refuse('BaseSettings is imported from pydantic (its pydantic 1 place) and that import cannot be moved here');
        continue;
      }
    }
    if (assigned) {
      refuse(`Config is assigned at line ${lineOf(assigned)} rather than defined as a class`);
      continue;
    }
    if (configs.length > 1) {
      refuse('Config is defined more than once');
      continue;
    }
    const config = first;
    if (config.type !== 'class_definition') {
      refuse('class Config is decorated');
      continue;
    }
    const existing = stmts.find((s) => assigns(s, 'model_config'));
    if (existing) {
      refuse(`model_config already exists (line ${lineOf(existing)})`);
      continue;
    }
    const read = attributeReads[0];
    if (read) {
      refuse(`${read.text} is read at line ${lineOf(read)}, and the rewrite removes that attribute`);
      continue;
    }
    const named = nameStrings[0];
    if (named) {
      refuse(`the string ${named.text} at line ${lineOf(named)} may read the Config attribute the rewrite removes`);
      continue;
    }
    const bareRead = model.usesOf('Config').find((id) => id.startIndex >= body.startIndex && id.endIndex <= body.endIndex && !isClassName(id));
    if (bareRead) {
      refuse(`Config is referred to at line ${lineOf(bareRead)}`);
      continue;
    }
    const elsewhere = cls.parent?.type === 'module' || cls.parent?.parent?.type === 'module' ? configReadElsewhere(resolver.reader, file.path, resolver.summaryOf(cls)) : null;
    if (elsewhere) {
      refuse(elsewhere);
      continue;
    }
    const parsed = parseConfig(config, {
      text,
      resolver,
      settings: kind.kind === 'settings',
      modelBodyNames: new Set(model.scopeOf(stmts[0]!).bindings.keys()),
      indentUnit: indentUnit(text, cls, body),
      quote,
    });
    if (!parsed.ok) {
      for (const p of parsed.problems) notes.push({ line: p.line, message: `class ${name}: ${p.message}; class Config left alone` });
      continue;
    }
    conversions.push({ cls, model: name, settings: kind.kind === 'settings', parsed: parsed.config, line: at });
  }
  const groups: Array<[boolean, string, string]> = [
    [false, 'pydantic', 'ConfigDict'],
    [true, 'pydantic_settings', 'SettingsConfigDict'],
  ];
  const sourceFor = (settings: boolean, group: readonly Conversion[]): ReturnType<typeof provideName> => {
    const [, module, importName] = groups.find(([s]) => s === settings)!;
    // The moved BaseSettings import brings SettingsConfigDict along.
    if (settings && move) return provideName(file, model.root, resolver, module, importName, -1, true);
    return provideName(file, model.root, resolver, module, importName, Math.min(...group.map((c) => c.parsed.start)));
  };
  // A group that cannot get its import stays as it is; decided before the hierarchy check, which must know what stays.
  const blocked = new Set<boolean>();
  for (const [settings] of groups) {
    const group = conversions.filter((c) => c.settings === settings);
    if (group.length === 0) continue;
    const source = sourceFor(settings, group);
    if (!('conflict' in source)) continue;
    for (const c of group) notes.push({ line: c.line, message: `class ${c.model}: ${source.conflict}; class Config left alone` });
    blocked.add(settings);
  }
  const ready = keepHierarchiesConsistent(
    resolver,
    conversions.filter((c) => !blocked.has(c.settings)),
    notes,
  );

  const edits: Edit[] = [];
  const settingsReady = ready.filter((c) => c.settings);
  if (move) edits.push(...moveSettingsImport(file, move, settingsReady.map((c) => `class:${c.line}`)));
  for (const [settings] of groups) {
    const group = ready.filter((c) => c.settings === settings);
    if (group.length === 0) continue;
    const source = sourceFor(settings, group);
    if ('conflict' in source) continue;
    const ids = group.map((c) => `class:${c.line}`);
    // With a moved import, SettingsConfigDict arrives on the moved line.
    if (source.edit && !(settings && move)) edits.push({ ...source.edit, supports: ids });
    for (const c of group) {
      edits.push({
        start: c.parsed.start,
        end: c.parsed.end,
        text: renderConfig(c.parsed, source.local, file.eol),
        safety: 'safe',
        description: `class Config -> model_config = ${source.local}(...) in ${c.model}`,
        change: `class:${c.line}`,
        ...(settings && move ? { requires: [move.id] } : {}),
      });
      notes.push(...c.parsed.remarks.map((r) => ({ line: r.line, message: `class ${c.model}: ${r.message}` })));
    }
  }
  if (edits.length === 0) return { edits, notes };
  return prerequisites.length > 0 ? { edits, notes, prerequisites } : { edits, notes };
}

export const codemod = defineCodemod({
  meta: {
    id: 'python/pydantic-configdict',
    version: '1.0.0',
    title: 'Pydantic v1 class Config to model_config = ConfigDict(...)',
    language: 'python',
    extensions: ['.py'],
    phrase: 'pydantic class Config → ConfigDict',
    summary: 'Replaces the nested class Config of pydantic models and settings with model_config = ConfigDict(...) / SettingsConfigDict(...), renaming v1 keys that pydantic 2 would silently ignore.',
    fixes: [
      { tool: 'coderabbit', ruleId: 'pydantic-v1-config' },
    ],
    keywords: [{ id: 'pydantic-config-class', pattern: /\bConfig class(?:es)?\b|\bConfigDict\b|\bclass Config\b/i, says: '"Config class(es)", "ConfigDict", "class Config"' }],
    // Converting a Config keeps meaning (safe); moving BaseSettings to pydantic_settings needs a new package (review).
    safety: 'review',
    security: false,
    requires: [{ name: 'pydantic', range: '>=2', hint: 'upgrade pydantic to 2 first (https://docs.pydantic.dev/latest/migration/)' }],
    rollback: 'Revert the commit per file; each file is independent.',
    prerequisites: ['pydantic 2 (and pydantic-settings 2 for BaseSettings classes) must already be the installed version: ConfigDict does not exist in pydantic 1.'],
    references: ['https://docs.pydantic.dev/latest/migration/', 'https://docs.pydantic.dev/latest/api/config/'],
  },
  prefilter(text: string): boolean {
    // A model may get its pydantic base from another module: no pydantic import is needed here.
    return /\bclass\s+Config\b|\bConfig\s*=|\bBaseSettings\b/.test(text);
  },
  transform,
});
