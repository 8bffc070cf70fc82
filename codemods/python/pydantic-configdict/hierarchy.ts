import type { Node } from 'web-tree-sitter';
import type { SemanticModel } from '../lib/semantic.js';
import { definedClass, lineOf, namedChildren } from '../lib/syntax.js';
import { RENAMED_KEYS } from './keys.js';

/**
 * Why a partly converted hierarchy needs care: pydantic 2 merges a model's
 * `model_config` into its subclasses, and ignores v1 key names in a subclass's
 * `class Config`. So converting `allow_mutation = False` to `frozen=True` in a
 * parent, while a subclass keeps `class Config: allow_mutation = True`, makes
 * that subclass frozen: neither what v1 did nor what the code did before.
 */

/** The v2 key a v1 spelling stands for, or null when the name is not a v1-only spelling. */
function v2KeyOf(v1: string): string | null {
  if (v1 === 'allow_mutation') return 'frozen';
  return RENAMED_KEYS[v1] ?? null;
}

/** A class that keeps a Config setting, in v1 spelling, a key a conversion sets under its v2 name. */
export interface Override {
  node: Node;
  name: string;
  line: number;
  /** Its own key (v1 spelling), or null when its Config's keys cannot be read. */
  key: string | null;
  /** The key the converted ancestor now sets under its v2 name. */
  v2: string;
}

/**
 * The classes of one file and which may derive from which. Matched by name
 * (every identifier written in a class's bases), so a local class of the same
 * name counts too: a false match only leaves a Config alone.
 */
export class Hierarchy {
  private readonly nodes = new Map<number, Node>();
  private readonly parents = new Map<number, number[]>();
  private readonly children = new Map<number, number[]>();
  private readonly memo = new Map<number, Node[]>();

  constructor(model: SemanticModel) {
    const classes = model.nodes('class_definition');
    const byName = new Map<string, number[]>();
    for (const node of classes) {
      this.nodes.set(node.id, node);
      this.parents.set(node.id, []);
      this.children.set(node.id, []);
      const list = byName.get(nameOf(node));
      if (list) list.push(node.id);
      else byName.set(nameOf(node), [node.id]);
    }
    for (const node of classes) {
      for (const base of baseIdentifiers(model, node)) {
        for (const parent of byName.get(base) ?? []) {
          if (parent === node.id) continue;
          this.parents.get(node.id)!.push(parent);
          this.children.get(parent)!.push(node.id);
        }
      }
    }
  }

  /** Classes that may derive from `cls`, directly or through other classes of this file. */
  subclasses(cls: Node): Node[] {
    return this.reach([cls.id], this.children, new Set([cls.id])).map((id) => this.nodes.get(id)!);
  }

  /**
   * Classes whose config a subclass of `cls` merges after (or instead of)
   * `cls`'s: the subclasses themselves and their other bases, as in
   * `class C(Other, Converted)`, where pydantic 2 lets the last base win
   * and v1 the first. `cls`'s own ancestors are overridden by it either way.
   */
  competitors(cls: Node): Node[] {
    const cached = this.memo.get(cls.id);
    if (cached) return cached;
    const own = new Set([cls.id, ...this.reach([cls.id], this.parents, new Set([cls.id]))]);
    const below = this.reach([cls.id], this.children, new Set([cls.id]));
    // Upwards from every subclass at once, never into `cls` or its ancestors.
    const found = [...below, ...this.reach(below, this.parents, new Set([...own, ...below]))];
    const result = found.map((id) => this.nodes.get(id)!);
    this.memo.set(cls.id, result);
    return result;
  }

  /** Ids reachable from `start` along `edges`, not counting `seen` (which it extends). */
  private reach(start: readonly number[], edges: ReadonlyMap<number, number[]>, seen: Set<number>): number[] {
    const out: number[] = [];
    const queue = [...start];
    while (queue.length > 0) {
      for (const next of edges.get(queue.pop()!) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        out.push(next);
        queue.push(next);
      }
    }
    return out;
  }
}

function nameOf(cls: Node): string {
  return cls.childForFieldName('name')?.text ?? '';
}

function baseIdentifiers(model: SemanticModel, cls: Node): Set<string> {
  const args = cls.childForFieldName('superclasses');
  const names = new Set<string>();
  if (!args) return names;
  for (const arg of namedChildren(args)) {
    // `metaclass=M` names no base; its value could still, so only the keyword is skipped.
    const value = arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg;
    if (value) for (const id of model.within(value, 'identifier')) names.add(id.text);
  }
  return names;
}

/**
 * The first key among `renamed` (v2 names a conversion sets in place of a v1
 * spelling) that a kept `class Config` of `node` sets in its v1 spelling:
 * pydantic 2 ignores that spelling, so the converted value takes its place.
 */
export function overriddenKey(model: SemanticModel, node: Node, renamed: ReadonlySet<string>): Override | null {
  const body = node.childForFieldName('body');
  if (!body || renamed.size === 0) return null;
  const name = nameOf(node);
  const first = [...renamed][0]!;
  for (const stmt of namedChildren(body)) {
    const cls = definedClass(stmt);
    if (cls?.childForFieldName('name')?.text === 'Config') {
      // A Config inheriting from another class has keys this file may not show.
      if (cls.childForFieldName('superclasses')) return { node, name, line: lineOf(stmt), key: null, v2: first };
      const configBody = cls.childForFieldName('body');
      const inBody = configBody?.namedChildren[0];
      const keys = inBody ? [...model.scopeOf(inBody).bindings.keys()] : [];
      for (const key of keys) {
        const v2 = v2KeyOf(key);
        if (v2 && renamed.has(v2)) return { node, name, line: lineOf(stmt), key, v2 };
      }
      continue;
    }
    const expr = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
    if (expr?.type === 'assignment' && expr.childForFieldName('left')?.text === 'Config') {
      return { node, name, line: lineOf(stmt), key: null, v2: first };
    }
  }
  return null;
}
