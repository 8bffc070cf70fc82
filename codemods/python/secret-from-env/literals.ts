import type { Node } from 'web-tree-sitter';
import { stringDelimiters, stringValue } from '../lib/strings.js';
import { descendantsOfType, indentAt, lineStart, namedChildren } from '../lib/syntax.js';

/**
 * A string literal that holds a secret: one plain `str` literal, or plain
 * literals Python joins implicitly (`("part-one-"  # note` / `"part-two")`).
 */
export interface SecretLiteral {
  node: Node;
  /** The string parts in order; one for a plain literal. */
  parts: Node[];
  /** Python's value of the whole literal, or null when an escape is not worth decoding. */
  value: string | null;
}

/** A byte range of the original text. */
export interface Span {
  start: number;
  end: number;
}

export function isStringish(node: Node | null): node is Node {
  return node?.type === 'string' || node?.type === 'concatenated_string';
}

function partProblem(part: Node): string | null {
  const prefix = stringDelimiters(part)?.prefix ?? '';
  if (prefix.includes('f')) return 'is built by an f-string';
  if (prefix.includes('b')) return 'is a bytes literal';
  return null;
}

/** The literal as a secret value, or why it cannot be taken as one. */
export function readLiteral(node: Node): SecretLiteral | { problem: string } {
  const parts = node.type === 'concatenated_string' ? namedChildren(node).filter((c) => c.type !== 'comment') : [node];
  for (const part of parts) {
    if (part.type !== 'string') return { problem: 'is not a plain string literal' };
    const problem = partProblem(part);
    if (problem) return { problem };
  }
  const values = parts.map(stringValue);
  const value = values.every((v): v is string => v !== null) ? values.join('') : null;
  const placeholder = value === null ? null : templatePlaceholder(value);
  if (placeholder) return { problem: `is ${placeholder}` };
  return { node, parts, value };
}

/**
 * Whether the whole value is a placeholder another tool fills in, not a
 * secret: `{{ cookiecutter.secret_key }}` in a project template (cookiecutter,
 * copier: Jinja renders the file when a project is made from it), or
 * `${SECRET_KEY}` for envsubst-style substitution at deploy time.
 */
function templatePlaceholder(value: string): string | null {
  const trimmed = value.trim();
  if (/^\{\{[^{}]+\}\}$/.test(trimmed)) return `a template placeholder (\`${trimmed}\`), filled in when a project is made from the template`;
  if (/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(trimmed)) return `a placeholder (\`${trimmed}\`) substituted from the environment before the code runs`;
  return null;
}

/** An empty value (`""`, `"" ""`) is no secret: it means "not configured", a feature left off. */
export function isEmptyLiteral(literal: SecretLiteral): boolean {
  return literal.value === '';
}

/** The characters between the quotes of a plain string literal, as written. */
function body(part: Node): string {
  const { prefix, quote } = stringDelimiters(part) ?? { prefix: '', quote: '' };
  return part.text.slice(prefix.length + quote.length, part.text.length - quote.length);
}

/**
 * What must not stay anywhere else in the file: the value as written and,
 * for several parts, each part. Shorter texts than these are left alone:
 * they cannot be told apart from ordinary words (a part `"ion-"` would
 * redact every "version-" in the comments).
 */
export function literalCopies(literal: SecretLiteral): string[] {
  const bodies = literal.parts.map(body);
  const whole = bodies.join('');
  const parts = bodies.length > 1 ? bodies.filter((b) => b.length >= 6) : [];
  return [...(whole.length >= 4 ? [whole] : []), ...parts];
}

function commentsIn(node: Node): Node[] {
  return descendantsOfType(node, 'comment');
}

export function hasComment(node: Node): boolean {
  return commentsIn(node).length > 0;
}

/** A byte range of the original text and what replaces it. */
export interface Replacement extends Span {
  text: string;
}

/** The indentation of the statement that holds `node`, for a closing bracket left alone on its line. */
function statementIndent(text: string, node: Node): string {
  let stmt = node;
  while (stmt.parent && stmt.parent.type !== 'module' && stmt.parent.type !== 'block') stmt = stmt.parent;
  return indentAt(text, stmt.startIndex);
}

/**
 * Removes `span` (code inside `holder`'s statement) from its line, leaving
 * the line tidy: the whole line goes when nothing else is on it; a comment
 * after it keeps its place; a closing bracket after it moves to the
 * statement's indentation, as a formatter would put it. The line break
 * before it always stays, so a comment ending the previous line is never
 * joined to code.
 */
export function removal(text: string, span: Span, holder: Node): Replacement {
  const lineAt = lineStart(text, span.start);
  const eol = text.indexOf('\n', span.end);
  const rest = text.slice(span.end, eol === -1 ? text.length : eol).replace(/\r$/, '');
  const restStart = span.end + (rest.length - rest.trimStart().length);
  const startsItsLine = /^[ \t]*$/.test(text.slice(lineAt, span.start));
  if (rest.trim() === '' && startsItsLine && eol !== -1) return { start: lineAt, end: eol + 1, text: '' };
  if (rest.trim() === '') return { start: spacesBefore(text, span.start, lineAt), end: span.end, text: '' };
  if (rest.trimStart().startsWith('#')) return { start: startsItsLine ? span.start : spacesBefore(text, span.start, lineAt), end: restStart, text: startsItsLine ? '' : '  ' };
  if (startsItsLine) return { start: lineAt, end: restStart, text: statementIndent(text, holder) };
  return { start: spacesBefore(text, span.start, lineAt), end: span.end, text: '' };
}

function spacesBefore(text: string, at: number, floor: number): number {
  let start = at;
  while (start > floor && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  return start;
}

/**
 * Replacements that make `literal` the code `code` while every comment
 * between its parts stays: the first part becomes `code`, later parts go.
 * Redundant parentheses around the literal go too when they open on the
 * first part's line and close on the last part's, and `code` needs none
 * there: it is a call (`primary`), or the literal is an assignment's value
 * (`SECRET_KEY = ("a"  # note` / `"b")` becomes `SECRET_KEY = code  # note`).
 */
export function literalReplacement(text: string, literal: SecretLiteral, code: string, primary: boolean): Replacement[] {
  const parts = literal.parts;
  const first = parts[0]!;
  const last = parts.at(-1)!;
  const out: Replacement[] = [];
  const paren = literal.node.parent;
  const open = paren?.type === 'parenthesized_expression' ? paren.child(0) : null;
  const close = paren?.type === 'parenthesized_expression' ? paren.child(paren.childCount - 1) : null;
  const assigned = paren?.parent?.type === 'assignment' && paren.parent.childForFieldName('right')?.id === paren.id;
  const dropParens =
    parts.length > 1 &&
    (primary || assigned) &&
    open?.type === '(' &&
    close?.type === ')' &&
    /^[ \t]*$/.test(text.slice(open.endIndex, first.startIndex)) &&
    /^[ \t]*$/.test(text.slice(last.endIndex, close.startIndex));
  out.push({ start: dropParens ? open!.startIndex : first.startIndex, end: first.endIndex, text: code });
  for (const part of parts.slice(1)) {
    const end = dropParens && part.id === last.id ? close!.endIndex : part.endIndex;
    out.push(removal(text, { start: part.startIndex, end }, literal.node));
  }
  return out;
}

/**
 * Replacements that delete argument `arg` of a call (with the comma that
 * separates it from `before`, the argument ahead of it) while keeping every
 * comment around it. Null when a comment sits inside the argument itself.
 */
export function argumentRemoval(text: string, argList: Node, before: Node, arg: Node): Replacement[] | null {
  if (hasComment(arg)) return null;
  const between = argList.children.filter((c): c is Node => c !== null && c.startIndex >= before.endIndex && c.endIndex <= arg.startIndex);
  if (!between.some((c) => c.type === 'comment')) return [{ start: before.endIndex, end: arg.endIndex, text: '' }];
  const comma = argList.children.find((c) => c?.type === ',' && c.startIndex >= arg.endIndex);
  const next = namedChildren(argList).find((c) => c.startIndex >= arg.endIndex && c.type !== 'comment');
  if (comma && (!next || comma.startIndex < next.startIndex)) {
    // `"K",  # note` / `"dev",` / `)`: the trailing comma goes with the argument.
    return [removal(text, { start: arg.startIndex, end: comma.endIndex }, argList)];
  }
  const separator = between.find((c) => c.type === ',');
  if (!separator) return null;
  return [{ start: separator.startIndex, end: separator.endIndex, text: '' }, removal(text, { start: arg.startIndex, end: arg.endIndex }, argList)];
}
