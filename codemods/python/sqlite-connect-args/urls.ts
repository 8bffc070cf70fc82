import type { Node } from 'web-tree-sitter';
import { stringDelimiters } from '../lib/strings.js';
import { dottedPath, namedChildren } from '../lib/syntax.js';
import type { SemanticModel } from '../lib/semantic.js';
import { bindingsAt } from './names.js';

export type UrlKind =
  /** A name or attribute chain: cheap and side-effect free to read twice. `text` is normalised (`a.b.c`). */
  | { kind: 'reference'; text: string }
  /** A string whose scheme is known statically; `via` names the constant when it came through one. */
  | { kind: 'literal'; drivername: string; via?: string }
  /** A complete string with no `driver://` scheme: create_engine rejects it, there is nothing to guard. */
  | { kind: 'invalid'; reason: string }
  /** Anything else (a call, a subscript, an f-string with a dynamic scheme, …). */
  | { kind: 'complex'; reason: string };

/** SQLAlchemy's own rule (engine/url.py): the drivername is `[\w+]+` before `://`. */
const SCHEME = /^([\w+]+):\/\//;

/** The leading text of a string expression that is known without running anything, and whether that is all of it. */
function staticPrefix(node: Node): { text: string; complete: boolean } | null {
  if (node.type === 'concatenated_string') {
    let text = '';
    for (const part of namedChildren(node)) {
      const p = staticPrefix(part);
      if (!p) return null;
      text += p.text;
      if (!p.complete) return { text, complete: false };
    }
    return { text, complete: true };
  }
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '+') {
    const left = node.childForFieldName('left');
    const p = left ? staticPrefix(left) : null;
    return p ? { text: p.text, complete: false } : null;
  }
  if (node.type === 'parenthesized_expression') {
    const inner = namedChildren(node);
    return inner.length === 1 ? staticPrefix(inner[0]!) : null;
  }
  if (node.type !== 'string') return null;
  const prefix = stringDelimiters(node)?.prefix ?? '';
  if (prefix.includes('b')) return null;
  const raw = prefix.includes('r');
  let text = '';
  for (const part of namedChildren(node)) {
    if (part.type === 'string_start' || part.type === 'string_end') continue;
    if (part.type !== 'string_content') return { text, complete: false };
    const backslash = raw ? -1 : part.text.indexOf('\\');
    if (backslash !== -1) return { text: text + part.text.slice(0, backslash), complete: false };
    text += part.text;
  }
  return { text, complete: true };
}

function fromString(node: Node): UrlKind | null {
  const p = staticPrefix(node);
  if (!p) return null;
  const m = SCHEME.exec(p.text);
  if (m) return { kind: 'literal', drivername: m[1]! };
  if (p.complete) return { kind: 'invalid', reason: 'the URL string has no `driver://` scheme' };
  return { kind: 'complex', reason: 'the URL is built at runtime and its scheme is not visible' };
}

/** A one-line excerpt of code for a note. */
export function shortText(node: Node): string {
  const text = node.text;
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 37)}...` : flat;
}

/**
 * A module constant bound exactly once, at top level, to a string literal:
 * `DATABASE_URL = "sqlite:///app.db"`, and read as that constant where `at`
 * stands (no function around it binds the name). Then the URL is as literal
 * as if it were written in the call.
 */
function constantString(model: SemanticModel, at: Node): Node | null {
  const { scope, bindings } = bindingsAt(model, at.text, at);
  if (scope !== model.module || bindings.length !== 1) return null;
  const only = bindings[0]!;
  if (only.kind !== 'assignment') return null;
  const assignment = only.node.parent;
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.id !== only.node.id) return null;
  if (assignment.parent?.type !== 'expression_statement' || assignment.parent.parent?.type !== 'module') return null;
  const right = assignment.childForFieldName('right');
  return right && (right.type === 'string' || right.type === 'concatenated_string') ? right : null;
}

/** What the URL argument of a create_engine call is, as far as can be known statically. */
export function classifyUrl(model: SemanticModel, node: Node): UrlKind {
  const literal = fromString(node);
  if (literal) return literal;
  const chain = dottedPath(node)?.join('.');
  if (!chain) return { kind: 'complex', reason: `the URL \`${shortText(node)}\` is computed at runtime` };
  if (node.type === 'identifier') {
    const constant = constantString(model, node);
    const value = constant ? fromString(constant) : null;
    if (value?.kind === 'literal') return { ...value, via: node.text };
  }
  return { kind: 'reference', text: chain };
}
