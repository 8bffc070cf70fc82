import type { Node } from 'web-tree-sitter';
import type { SemanticModel } from '../lib/semantic.js';
import { stringValue } from '../lib/strings.js';
import { definedClass, namedChildren } from '../lib/syntax.js';

/**
 * A pydantic settings class of this file. `v2` is pydantic-settings (its
 * default factories may take the validated data, pydantic >= 2.10); `v1` is
 * pydantic 1's `BaseSettings` (factories take no argument). `fieldModule` is
 * where the matching `Field` comes from.
 */
export interface SettingsClass {
  node: Node;
  name: string;
  version: 'v1' | 'v2';
  fieldModule: string;
  bases: SettingsClass[];
}

export type ClassKind = SettingsClass | { unsure: string } | null;

const BASE_SETTINGS: Record<string, { version: 'v1' | 'v2'; fieldModule: string }> = {
  pydantic_settings: { version: 'v2', fieldModule: 'pydantic' },
  pydantic: { version: 'v1', fieldModule: 'pydantic' },
  'pydantic.v1': { version: 'v1', fieldModule: 'pydantic.v1' },
};

type BaseRef = { version: 'v1' | 'v2'; fieldModule: string } | { unsure: string } | null;

/** `BaseSettings` of one of BASE_SETTINGS's modules, from the dotted name a base resolves to. */
function settingsBase(module: string, path: readonly string[]): BaseRef {
  const full = [module, ...path];
  if (full.at(-1) !== 'BaseSettings') return null;
  return BASE_SETTINGS[full.slice(0, -1).join('.')] ?? null;
}

/** What a superclass expression refers to, resolved where the class statement stands. */
function resolveBase(expr: Node, semantic: (() => SemanticModel) | null, classes: Map<string, ClassKind>): BaseRef | SettingsClass {
  if (expr.type === 'identifier') {
    const local = classes.get(expr.text);
    if (local !== undefined) return local;
  }
  if (!semantic) return null;
  const model = semantic();
  if (expr.type !== 'identifier' && !(expr.type === 'attribute' && expr.childForFieldName('attribute')?.text === 'BaseSettings')) return null;
  const resolved = model.resolve(expr);
  if (resolved.kind === 'imported') return resolved.level === 0 ? settingsBase(resolved.module, resolved.path) : null;
  if (resolved.kind !== 'unknown' || expr.type !== 'identifier') return null;
  // A name bound in more than one way: unsure only when one of them is a settings base.
  const found = model.lookup(expr.text, expr);
  if (found.kind !== 'bound') return null;
  const kinds = found.bindings.map((b) => (b.kind === 'import' && b.imported !== null && b.level === 0 ? settingsBase(b.module, [b.imported]) : null));
  return kinds.every((k) => k === null) ? null : { unsure: `\`${expr.text}\` is bound to more than one class here` };
}

/**
 * Top-level classes of the module, in order, with what they are: a settings
 * class (derived from `BaseSettings` directly or through a class of this
 * file), unsure, or not a settings class (null). `model` is null when the
 * file cannot name `BaseSettings` at all.
 */
export function classifyClasses(root: Node, model: (() => SemanticModel) | null): Map<Node['id'], ClassKind> {
  const byName = new Map<string, ClassKind>();
  const byNode = new Map<Node['id'], ClassKind>();
  for (const cls of namedChildren(root).map(definedClass).filter((c): c is Node => c !== null)) {
    const name = cls.childForFieldName('name')?.text ?? '';
    const supers = cls.childForFieldName('superclasses');
    const bases = supers ? namedChildren(supers).filter((a) => a.type !== 'keyword_argument' && a.type !== 'comment') : [];
    let kind: ClassKind = null;
    const settingsBases: SettingsClass[] = [];
    for (const base of bases) {
      const ref = resolveBase(base, model, byName);
      if (!ref) continue;
      if ('unsure' in ref) {
        kind = ref;
        break;
      }
      if ('node' in ref) settingsBases.push(ref);
      const candidate = { version: ref.version, fieldModule: ref.fieldModule };
      if (kind && 'version' in kind && (kind.version !== candidate.version || kind.fieldModule !== candidate.fieldModule)) {
        kind = { unsure: 'it mixes pydantic 1 and pydantic 2 settings bases' };
        break;
      }
      kind = { node: cls, name, ...candidate, bases: settingsBases };
    }
    byName.set(name, kind);
    byNode.set(cls.id, kind);
  }
  return byNode;
}

/** How pydantic turns a field name into an environment variable name, as far as this file says. */
export type EnvNaming = { prefix: string; caseSensitive: boolean | null } | { unsure: string };

/** `key=value` pairs of a config: keyword arguments of a call, pairs of a dict literal, or assignments in `class Config`. */
function configEntries(node: Node): { key: string; value: Node }[] | null {
  if (node.type === 'call') {
    const args = node.childForFieldName('arguments');
    const out: { key: string; value: Node }[] = [];
    for (const arg of args ? namedChildren(args) : []) {
      if (arg.type === 'comment') continue;
      if (arg.type !== 'keyword_argument') return null;
      const key = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (key && value) out.push({ key, value });
    }
    return out;
  }
  if (node.type === 'dictionary') {
    const out: { key: string; value: Node }[] = [];
    for (const pair of namedChildren(node)) {
      if (pair.type === 'comment') continue;
      if (pair.type !== 'pair') return null;
      const keyNode = pair.childForFieldName('key');
      const key = keyNode ? stringValue(keyNode) : null;
      const value = pair.childForFieldName('value');
      if (key === null || !value) return null;
      out.push({ key, value });
    }
    return out;
  }
  return null;
}

function classConfigEntries(cls: Node): { key: string; value: Node }[] | { unsure: string } {
  const out: { key: string; value: Node }[] = [];
  const supers = cls.childForFieldName('superclasses');
  for (const arg of supers ? namedChildren(supers) : []) {
    if (arg.type !== 'keyword_argument') continue;
    const key = arg.childForFieldName('name')?.text;
    const value = arg.childForFieldName('value');
    if (key && value) out.push({ key, value });
  }
  const body = cls.childForFieldName('body');
  for (const stmt of body ? namedChildren(body) : []) {
    const assign = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
    if (assign?.type === 'assignment' && assign.childForFieldName('left')?.text === 'model_config') {
      const right = assign.childForFieldName('right');
      const entries = right ? configEntries(right) : null;
      if (!entries) return { unsure: '`model_config` is not a literal dict or a call with keyword arguments' };
      out.push(...entries);
    }
    if (stmt.type === 'class_definition' && stmt.childForFieldName('name')?.text === 'Config') {
      const inner = stmt.childForFieldName('body');
      for (const s of inner ? namedChildren(inner) : []) {
        const a = s.type === 'expression_statement' ? s.namedChild(0) : null;
        const key = a?.type === 'assignment' ? a.childForFieldName('left')?.text : undefined;
        const value = a?.childForFieldName('right');
        if (key && value) out.push({ key, value });
      }
    }
  }
  return out;
}

/**
 * The environment variable prefix and case sensitivity of a settings class
 * (its own config over its in-file bases'). Anything that renames variables
 * in a way this file does not spell out makes the name unsure.
 */
export function envNaming(cls: SettingsClass): EnvNaming {
  let prefix = '';
  let caseSensitive: boolean | null = false;
  const chain: SettingsClass[] = [];
  const visit = (c: SettingsClass): void => {
    for (const b of c.bases) visit(b);
    chain.push(c);
  };
  visit(cls);
  for (const c of chain) {
    const entries = classConfigEntries(c.node);
    if ('unsure' in entries) return entries;
    for (const { key, value } of entries) {
      if (key === 'env_prefix') {
        const v = stringValue(value);
        if (v === null || !/^\w*$/.test(v)) return { unsure: '`env_prefix` is not a plain literal' };
        prefix = v;
      } else if (key === 'case_sensitive') {
        caseSensitive = value.type === 'true' ? true : value.type === 'false' ? false : null;
      } else if (key === 'alias_generator' || key === 'fields') {
        return { unsure: `the settings config sets \`${key}\`, which renames environment variables` };
      }
    }
  }
  return { prefix, caseSensitive };
}
