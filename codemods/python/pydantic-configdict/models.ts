import type { Node } from 'web-tree-sitter';
import { parameterNames, scopeBindings, type ScopeBinding, type ScopeBindings } from '../lib/bindings.js';
import { dottedText } from '../lib/imports.js';
import { descendantsOfType, dottedPath, lineOf, namedChildren } from '../lib/syntax.js';

/** What a class is, as far as this file proves it. */
export type ModelKind =
  | { kind: 'model' }
  | { kind: 'settings' }
  /** No base at all (or only `object`): certainly not a pydantic model. */
  | { kind: 'plain' }
  | { kind: 'unknown'; reason: string };

/** Dotted paths that are pydantic model roots, and what they make a subclass. */
const ROOTS: Readonly<Record<string, 'model' | 'settings'>> = {
  'pydantic.BaseModel': 'model',
  'pydantic.main.BaseModel': 'model',
  'pydantic.RootModel': 'model',
  'pydantic.root_model.RootModel': 'model',
  'pydantic_settings.BaseSettings': 'settings',
  'pydantic_settings.main.BaseSettings': 'settings',
};

function isPydanticModule(module: string): boolean {
  return ['pydantic', 'pydantic_settings'].some((m) => module === m || module.startsWith(`${m}.`));
}

const SCOPE_OWNERS = new Set(['function_definition', 'class_definition']);

export class ModelResolver {
  private readonly memo = new Map<number, ModelKind>();
  private readonly moduleBindings: ScopeBindings;

  /** `from m import *` statements of modules other than pydantic's: they may bind any name. */
  private readonly starImports: Node[];

  constructor(root: Node) {
    this.moduleBindings = scopeBindings(root);
    this.starImports = descendantsOfType(root, 'wildcard_import')
      .map((w) => w.parent)
      .filter((stmt): stmt is Node => stmt?.type === 'import_from_statement' && !isPydanticModule(dottedText(stmt.childForFieldName('module_name'))));
  }

  /** The single module-level binding of `name`, or why there is none. */
  binding(name: string): ScopeBinding | string {
    const list = this.moduleBindings.get(name);
    if (!list || list.length === 0) return `'${name}' is neither defined nor imported in this module`;
    const first = list[0]!;
    // The same `from m import n` repeated (e.g. again under `if TYPE_CHECKING:`) is still one binding.
    const same = list.every((b) => b.kind === 'from-import' && first.kind === 'from-import' && b.module === first.module && b.name === first.name);
    if (list.length > 1 && !same) return `'${name}' is bound more than once in this module`;
    // A star import after the binding may replace it (`from .base import *` exporting its own BaseModel).
    const star = this.starImports.find((stmt) => stmt.startIndex > first.node.startIndex);
    if (star) return `'${name}' may be rebound by '${star.text.replace(/\s+/g, ' ')}' at line ${lineOf(star)}`;
    return first;
  }

  /** Whether `name` is bound anywhere in this module's top-level scope. */
  isBound(name: string): boolean {
    return (this.moduleBindings.get(name)?.length ?? 0) > 0;
  }

  classify(cls: Node): ModelKind {
    const cached = this.memo.get(cls.id);
    if (cached) return cached;
    // Guards against a (broken) cycle of classes naming each other.
    this.memo.set(cls.id, { kind: 'unknown', reason: 'its bases refer back to it' });
    const result = this.classifyUncached(cls);
    this.memo.set(cls.id, result);
    return result;
  }

  private classifyUncached(cls: Node): ModelKind {
    const args = cls.childForFieldName('superclasses');
    const bases = args ? namedChildren(args).filter((a) => a.type !== 'comment') : [];
    const positional = bases.filter((b) => b.type !== 'keyword_argument');
    const metaclass = bases.find((b) => b.type === 'keyword_argument' && b.childForFieldName('name')?.text === 'metaclass');
    if (metaclass) return { kind: 'unknown', reason: 'it sets its own metaclass' };
    // `*bases` / `**options` hide bases, a metaclass or class-keyword config that override Config.
    const splat = bases.find((b) => b.type === 'list_splat' || b.type === 'dictionary_splat');
    if (splat) return { kind: 'unknown', reason: `its bases or class keywords include ${splat.text}` };
    const real = positional.filter((b) => b.text !== 'object');
    if (real.length === 0) return { kind: 'plain' };
    const shadowed = localShadows(cls);
    const kinds = real.map((base) => this.resolveBase(base, shadowed));
    if (kinds.some((k) => k.kind === 'settings')) return { kind: 'settings' };
    if (kinds.some((k) => k.kind === 'model')) return { kind: 'model' };
    const unknown = kinds.find((k): k is Extract<ModelKind, { kind: 'unknown' }> => k.kind === 'unknown');
    return unknown ?? { kind: 'unknown', reason: 'none of its bases is a pydantic model' };
  }

  private resolveBase(base: Node, shadowed: ReadonlySet<string>): ModelKind {
    if (base.type === 'subscript') {
      const value = base.childForFieldName('value');
      return value ? this.resolveBase(value, shadowed) : { kind: 'unknown', reason: `base '${base.text}' is not a plain name` };
    }
    const path = dottedPath(base);
    if (!path) return { kind: 'unknown', reason: `base '${base.text}' is not a plain name` };
    const [head, ...rest] = path;
    if (shadowed.has(head)) return { kind: 'unknown', reason: `base '${base.text}' is bound in an enclosing function or class` };
    const binding = this.binding(head);
    if (typeof binding === 'string') return { kind: 'unknown', reason: `base ${binding}` };
    if (binding.kind === 'from-import') {
      const full = [binding.module, binding.name, ...rest].join('.');
      const root = ROOTS[full];
      if (root) return { kind: root };
      if (full === 'pydantic.BaseSettings') {
        return { kind: 'unknown', reason: "BaseSettings is imported from pydantic (v1); in v2 it lives in pydantic_settings — fix that import first" };
      }
      return { kind: 'unknown', reason: `base '${base.text}' is imported from '${binding.module}', so this file cannot prove it is a pydantic model` };
    }
    if (binding.kind === 'module-import') {
      const full = [binding.module, ...rest].join('.');
      const root = ROOTS[full];
      if (root) return { kind: root };
      return { kind: 'unknown', reason: `base '${base.text}' is not known to be a pydantic model` };
    }
    if (binding.kind === 'class' && rest.length === 0) {
      const kind = this.classify(binding.node);
      if (kind.kind === 'plain') return { kind: 'unknown', reason: `base '${base.text}' is not a pydantic model` };
      return kind;
    }
    return { kind: 'unknown', reason: `base '${base.text}' is not known to be a pydantic model` };
  }
}

/**
 * Names bound in the function and class bodies around a class: its bases
 * are looked up there before the module, and this codemod does not follow
 * local bindings.
 */
function localShadows(cls: Node): Set<string> {
  const names = new Set<string>();
  for (let node = cls.parent; node; node = node.parent) {
    if (!SCOPE_OWNERS.has(node.type)) continue;
    const body = node.childForFieldName('body');
    if (body) for (const name of scopeBindings(body).keys()) names.add(name);
    if (node.type === 'function_definition') for (const name of parameterNames(node)) names.add(name);
  }
  return names;
}
