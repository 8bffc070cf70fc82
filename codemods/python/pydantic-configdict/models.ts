import type { Node } from 'web-tree-sitter';
import { STDLIB_MODULES, type PythonContext } from '../../api.js';
import { lineage, summariseClass, summariseModule, type ClassSummary, type Lineage, type ModuleReader, type ModuleSummary } from '../lib/modules.js';
import { SemanticModel, type Binding } from '../lib/semantic.js';

/** What a class is, followed through the project's modules to the libraries it derives from. */
export type ModelKind =
  | { kind: 'model'; lineage: Lineage }
  /**
   * `viaV1Import`: BaseSettings comes from this file's `from pydantic import
   * BaseSettings` (v1's place), which must move; `movedIn`: other files of
   * this run whose same import this codemod moves.
   */
  | { kind: 'settings'; lineage: Lineage; viaV1Import: boolean; movedIn: string[] }
  /** A `pydantic.v1` model: class Config is the right spelling there. */
  | { kind: 'v1'; root: string }
  /** No base but `object` and the standard library: certainly not a pydantic model. */
  | { kind: 'plain' }
  /** `quiet`: nothing ties the class to pydantic or to the project's own modules (a SQLAlchemy model's Config), so no note. */
  | { kind: 'unknown'; reason: string; quiet: boolean };

/** Classes outside the project that make a subclass a pydantic 2 model, and what kind. */
const ROOTS: Readonly<Record<string, 'model' | 'settings'>> = {
  'pydantic.BaseModel': 'model',
  'pydantic.main.BaseModel': 'model',
  'pydantic.RootModel': 'model',
  'pydantic.root_model.RootModel': 'model',
  // SQLModel classes are pydantic models (SQLModel 0.0.14 and later on pydantic 2).
  'sqlmodel.SQLModel': 'model',
  'sqlmodel.main.SQLModel': 'model',
  'pydantic_settings.BaseSettings': 'settings',
  'pydantic_settings.main.BaseSettings': 'settings',
};

/** Where pydantic 1 kept BaseSettings; pydantic 2 raises on import from there. */
const V1_SETTINGS = new Set(['pydantic.BaseSettings', 'pydantic.env_settings.BaseSettings']);

const REMOVED_ROOTS: Readonly<Record<string, string>> = {
  'pydantic.generics.GenericModel': 'GenericModel was removed in pydantic 2 (a generic model is a BaseModel with typing.Generic)',
};

/**
 * Libraries whose classes are not pydantic models and nest a `class Config`
 * or `class Meta` of their own (SQLAlchemy models read by their own tooling,
 * Django, marshmallow): a class deriving only from them is plain.
 */
const NOT_PYDANTIC = new Set(['typing_extensions', 'sqlalchemy', 'django', 'marshmallow', 'mongoengine', 'peewee', 'tortoise', 'attr', 'attrs']);

function isV1(qualified: string): boolean {
  return qualified.startsWith('pydantic.v1.');
}

function library(qualified: string): string {
  return qualified.split('.')[0]!;
}

export class ModelResolver {
  readonly model: SemanticModel;
  readonly reader: ModuleReader;
  private summary: ModuleSummary | null = null;
  private readonly memo = new Map<number, ModelKind>();
  /** Whether this codemod moves another file's `from pydantic import BaseSettings` in this run. */
  movesSettingsImport: (file: string) => boolean = () => false;

  constructor(readonly ctx: PythonContext) {
    this.model = SemanticModel.of(ctx.tree);
    this.reader = { project: ctx.project, withTree: ctx.withTree };
  }

  get file(): string {
    return this.ctx.file.path;
  }

  /** This file's module-level names, for following its own classes. */
  local(): ModuleSummary {
    this.summary ??= summariseModule(this.ctx.file.path, this.model);
    return this.summary;
  }

  /** The module-level binding of `name`, when there is exactly one (the same import repeated counts as one). */
  binding(name: string): Binding | null {
    const list = this.model.module.bindings.get(name) ?? [];
    const [first, ...rest] = list;
    if (!first) return null;
    const same = rest.every((b) => b.kind === 'import' && first.kind === 'import' && b.module === first.module && b.level === first.level && b.imported === first.imported);
    return same && this.model.starImports.length === 0 ? first : null;
  }

  /** Whether `name` is bound at module level at all. */
  isBound(name: string): boolean {
    return (this.model.module.bindings.get(name)?.length ?? 0) > 0;
  }

  summaryOf(cls: Node): ClassSummary {
    return summariseClass(this.model, cls);
  }

  classify(cls: Node): ModelKind {
    const cached = this.memo.get(cls.id);
    if (cached) return cached;
    const result = this.classifyUncached(cls);
    this.memo.set(cls.id, result);
    return result;
  }

  private classifyUncached(cls: Node): ModelKind {
    const summary = this.summaryOf(cls);
    const unknown = (reason: string, quiet = false): ModelKind => ({ kind: 'unknown', reason, quiet: quiet && !this.importsPydantic() });
    if (summary.hidden) return unknown(summary.hidden.startsWith('metaclass') ? 'it sets its own metaclass' : `its bases or class keywords include ${summary.hidden}`);
    const real = summary.bases.filter((b) => !(b.kind === 'builtin' && b.name === 'object' && b.rest.length === 0));
    if (real.length === 0) return { kind: 'plain' };
    const found = lineage(this.reader, this.ctx.file.path, { ...summary, bases: real }, this.local());
    const roots = [...found.roots.keys()];
    const v1 = roots.find(isV1);
    if (v1) return { kind: 'v1', root: v1 };
    const removed = roots.find((r) => REMOVED_ROOTS[r]);
    if (removed) return unknown(REMOVED_ROOTS[removed]!);
    const oldSettings = roots.find((r) => V1_SETTINGS.has(r));
    if (oldSettings) {
      const files = found.roots.get(oldSettings)!;
      const here = this.ctx.file.path;
      const where = [...files].filter((f) => f !== here);
      const hereOk = !files.has(here) || this.v1SettingsImport() !== null;
      if (hereOk && where.every((f) => this.movesSettingsImport(f))) return { kind: 'settings', lineage: found, viaV1Import: files.has(here), movedIn: where };
      return unknown(`BaseSettings comes from pydantic (its pydantic 1 place)${where.length ? ` through ${where.join(', ')}` : ''}; move that import to pydantic_settings first`);
    }
    const kinds = roots.map((r) => ROOTS[r]).filter((k) => k !== undefined);
    if (kinds.includes('settings')) return { kind: 'settings', lineage: found, viaV1Import: false, movedIn: [] };
    if (kinds.includes('model')) return { kind: 'model', lineage: found };
    // A class whose bases lead into the project's own modules gets a note whatever happens there.
    const viaProject = found.classes.some((c) => c.file !== this.ctx.file.path) || real.some((b) => b.kind === 'imported' && (b.level > 0 || this.ctx.project.python.resolve(this.ctx.file.path, b.module, 0) !== null));
    if (found.unknown.length > 0) return unknown(found.unknown[0]!, !viaProject);
    const foreign = roots.find((r) => !(r.startsWith('builtins.') || STDLIB_MODULES.has(library(r)) || NOT_PYDANTIC.has(library(r))));
    if (foreign) return unknown(`it derives from ${foreign}, which is not known to be a pydantic model`, !viaProject);
    return { kind: 'plain' };
  }

  /** Whether this file imports pydantic or pydantic_settings anywhere. */
  importsPydantic(): boolean {
    return this.model.nodes('import_statement', 'import_from_statement').some((stmt) => /\bpydantic(?:_settings)?\b/.test(stmt.text));
  }

  /** This file's module-level `from pydantic import BaseSettings [as X]`, if it has one. */
  v1SettingsImport(): { stmt: Node; local: string } | null {
    for (const bindings of this.model.module.bindings.values()) {
      for (const b of bindings) {
        if (b.kind === 'import' && b.module === 'pydantic' && b.level === 0 && b.imported === 'BaseSettings') return { stmt: b.stmt, local: b.name };
      }
    }
    return null;
  }
}
