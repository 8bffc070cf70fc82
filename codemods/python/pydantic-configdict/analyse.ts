import type { Node } from 'web-tree-sitter';
import { DEFAULT_ROLES, type Edit, type Note, type PythonContext } from '../../api.js';
import { SemanticModel } from '../lib/semantic.js';
import { majorityQuote, stringValue } from '../lib/strings.js';
import { definedClass, indentAt, lineOf, namedChildren } from '../lib/syntax.js';
import { parseConfig, type ParsedConfig } from './config.js';
import { Hierarchy, overriddenKey } from './hierarchy.js';
import { provideName, settingsMoveProblem } from './imports.js';
import { ModelResolver } from './models.js';
import { configReadElsewhere, subclassConflict, type Decide } from './project.js';

/**
 * Which Config classes of a file convert, and why the others stay: the
 * decisions, apart from the edits that carry them out. The project's other
 * files are analysed the same way when a decision here depends on them
 * (a subclass elsewhere that keeps its class Config).
 */

/** What the analysis of one file found. */
export interface Analysis {
  notes: Note[];
  prerequisites: string[];
  move: SettingsMove | null;
  /** Conversions to carry out, every one with its import in hand. */
  ready: Conversion[];
  /** How each group (plain models: false, settings: true) names its ConfigDict. */
  sources: Map<boolean, { local: string; edit: Edit | null }>;
  /** The file's model resolver the analysis used, for the edits that follow. */
  resolver: ModelResolver;
}

export interface Conversion {
  cls: Node;
  model: string;
  settings: boolean;
  parsed: ParsedConfig;
  line: number;
  /** Other files whose moved BaseSettings import this conversion needs (it is a review change then, as those moves are). */
  movedIn: string[];
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
  return majorityQuote(model.nodes('string_start'), "'");
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
function hierarchyConflict(model: SemanticModel, hierarchy: Hierarchy, c: Conversion, conversions: ReadonlyMap<number, Conversion>): string | null {
  const renamed = renamedKeys(c);
  if (renamed.size === 0) return null;
  const subclasses = new Set(hierarchy.subclasses(c.cls).map((n) => n.id));
  for (const other of hierarchy.competitors(c.cls)) {
    const converted = conversions.get(other.id);
    if (!converted) {
      const override = overriddenKey(model, other, new Set(renamed.keys()));
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
  const hierarchy = new Hierarchy(resolver.model);
  const live = new Map(conversions.map((c) => [c.cls.id, c]));
  for (let dropped = true; dropped; ) {
    dropped = false;
    for (const c of [...live.values()]) {
      const conflict =
        hierarchyConflict(resolver.model, hierarchy, c, live) ?? subclassConflict(resolver.reader, resolver.file, resolver.summaryOf(c.cls), new Set(renamedKeys(c).keys()), decider(resolver.ctx));
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
export interface SettingsMove {
  id: string;
  stmt: Node;
  local: string;
}

export function analyse(ctx: PythonContext): Analysis {
  const { file, project } = ctx;
  const text = file.text;
  const notes: Note[] = [];
  const prerequisites: string[] = [];
  const resolver = new ModelResolver(ctx);
  resolver.movesSettingsImport = (other) => {
    const decisions = decisionsFor(ctx, other);
    return typeof decisions !== 'string' && decisions.moves;
  };
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
      if (kind.movedIn.length > 0 && settingsPackage.met === 'unknown' && prerequisites.length === 0) {
        prerequisites.push(`Add pydantic-settings (>=2) to the project's dependencies: ${SETTINGS_HINT}.`);
      }
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
    conversions.push({ cls, model: name, settings: kind.kind === 'settings', parsed: parsed.config, line: at, movedIn: kind.kind === 'settings' ? kind.movedIn : [] });
  }
  const groups: Array<[boolean, string, string]> = [
    [false, 'pydantic', 'ConfigDict'],
    [true, 'pydantic_settings', 'SettingsConfigDict'],
  ];
  const sourceFor = (settings: boolean, group: readonly Conversion[]): ReturnType<typeof provideName> => {
    const [, module, importName] = groups.find(([s]) => s === settings)!;
    // The moved BaseSettings import brings SettingsConfigDict along.
    if (settings && move) return provideName(file, model.root, project.importStyle(file.path), resolver, module, importName, -1, true);
    return provideName(file, model.root, project.importStyle(file.path), resolver, module, importName, Math.min(...group.map((c) => c.parsed.start)));
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
  const sources = new Map<boolean, { local: string; edit: Edit | null }>();
  for (const [settings] of groups) {
    const group = ready.filter((c) => c.settings === settings);
    if (group.length === 0) continue;
    const source = sourceFor(settings, group);
    if (!('conflict' in source)) sources.set(settings, source);
  }
  return { notes, prerequisites, move, ready: ready.filter((c) => sources.has(c.settings)), sources, resolver };
}

const PYDANTIC_2 = { name: 'pydantic', range: '>=2', hint: 'upgrade pydantic to 2 first' };

/** Files being analysed on behalf of another file's decision: a hierarchy that loops back finds its own file here. */
const inProgress = new Set<string>();

/** The module-level classes of `file` whose Config this codemod converts in this run, or why none. */
interface FileDecisions {
  converted: Set<string>;
  /** The file's `from pydantic import BaseSettings` is moved to pydantic_settings. */
  moves: boolean;
}

function conversionsIn(ctx: PythonContext, file: string): FileDecisions | string {
  const { project } = ctx;
  if (!project.inRun(file)) return 'is not part of this run';
  const role = project.role(file);
  if (!DEFAULT_ROLES.includes(role.role)) return `is ${role.role} code, which this codemod does not edit`;
  const check = project.check(file, PYDANTIC_2);
  if (check.met === 'no') return `is under ${check.reason.replace(/; upgrade.*$/, '')}`;
  const text = project.readText(file);
  if (text === null) return 'cannot be read';
  if (inProgress.has(file)) {
    // The decisions being made around this point now depend on which file the loop was entered from.
    project.cutCycle();
    return 'is part of a hierarchy that loops back to it';
  }
  inProgress.add(file);
  try {
    return ctx.withTree(text, (tree) => {
      if (tree.rootNode.hasError) return 'does not parse';
      const other: PythonContext = {
        ...ctx,
        file: { path: file, text, eol: text.includes('\r\n') ? '\r\n' : '\n' },
        tree,
        root: tree.rootNode,
        role,
        options: project.options('python/pydantic-configdict'),
      };
      const result = analyse(other);
      const topLevel = result.ready.filter((c) => c.cls.parent?.type === 'module' || c.cls.parent?.parent?.type === 'module');
      return { converted: new Set(topLevel.map((c) => c.model)), moves: result.move !== null };
    });
  } finally {
    inProgress.delete(file);
  }
}

/** Decisions about other files of the project, made once per file and run. */
function decider(ctx: PythonContext): Decide {
  return (file, name) => {
    const decisions = decisionsFor(ctx, file);
    if (typeof decisions === 'string') return decisions;
    return decisions.converted.has(name) ? null : 'keeps its class Config (see the note there)';
  };
}

function decisionsFor(ctx: PythonContext, file: string): FileDecisions | string {
  return ctx.project.memo(`pydantic:conversions:${file}`, () => conversionsIn(ctx, file));
}
