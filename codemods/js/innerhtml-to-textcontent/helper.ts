import { type AstNode, child, children } from './ast.js';
import type { Source } from './positions.js';

export interface Range {
  start: number;
  end: number;
}

export interface HelperStyle {
  eol: '\n' | '\r\n';
  indent: string;
  quote: "'" | '"';
  semicolon: ';' | '';
  typescript: boolean;
}

export type HelperKind =
  /** Escapes by string replacement: no DOM needed. */
  | 'plain'
  /** Delegates to the page's `window.Utils.escapeHtml` when loaded (the shape the project already uses). */
  | 'utils';

/**
 * The source of the escape helper, without a trailing line break. A function
 * declaration is hoisted, so every call site in the file can reach it.
 */
export function helperSource(name: string, kind: HelperKind, style: HelperStyle): string {
  const { indent: i, quote: q, semicolon: s, typescript } = style;
  const param = typescript ? 'value: unknown' : 'value';
  const result = typescript ? ': string' : '';
  const replaces = [
    `.replace(/&/g, ${q}&amp;${q})`,
    `.replace(/</g, ${q}&lt;${q})`,
    `.replace(/>/g, ${q}&gt;${q})`,
    `.replace(/"/g, ${q}&quot;${q})`,
    `.replace(/'/g, ${q}&#39;${q})${s}`,
  ];
  if (kind === 'plain') {
    return [
      '// Added by shipshape: escapes a value for HTML text and quoted attributes.',
      '// String() renders null, undefined and 0 the way a template literal does.',
      `function ${name}(${param})${result} {`,
      `${i}return String(value)`,
      ...replaces.map((line) => `${i}${i}${line}`),
      '}',
    ].join(style.eol);
  }
  const utils = typescript
    ? `(window as unknown as { Utils?: { escapeHtml?: (text: string) => string } }).Utils`
    : 'window.Utils';
  return [
    '// Added by shipshape: escapes a value for HTML text and quoted attributes, through',
    "// the page's Utils.escapeHtml when it is loaded, then < > \" ' on top: a DOM-based escaper",
    '// leaves quotes alone, and this file cannot check which Utils the page loads.',
    `function ${name}(${param})${result} {`,
    `${i}const text = String(value)${s}`,
    `${i}const utils = typeof window === ${q}undefined${q} ? undefined : ${utils}${s}`,
    `${i}if (utils && typeof utils.escapeHtml === ${q}function${q}) {`,
    `${i}${i}return String(utils.escapeHtml(text))`,
    ...replaces.slice(1).map((line) => `${i}${i}${i}${line}`),
    `${i}}`,
    `${i}return text`,
    ...replaces.map((line) => `${i}${i}${line}`),
    '}',
  ].join(style.eol);
}

function lineStartAt(text: string, index: number): number {
  return text.lastIndexOf('\n', index - 1) + 1;
}

function nextLineStart(text: string, index: number): number {
  const nl = text.indexOf('\n', index);
  return nl === -1 ? text.length : nl + 1;
}

function isBlankLine(text: string, start: number): boolean {
  const end = text.indexOf('\n', start);
  return /^[ \t\r]*$/.test(text.slice(start, end === -1 ? text.length : end));
}

function insideComment(comments: readonly Range[], index: number): Range | undefined {
  return comments.find((c) => c.start < index && index < c.end);
}

/** Where a helper may go: a program, or the body of the IIFE that wraps a whole script. */
export interface HelperScope {
  /** First index the helper may be inserted at. */
  from: number;
  /** End of the last hashbang, directive ('use strict') or import the helper goes after. */
  headersEnd: number | undefined;
  /** Start of the first other statement. */
  firstStart: number | undefined;
}

function headerEnd(src: Source, headers: readonly AstNode[]): number | undefined {
  return headers.length > 0 ? Math.max(...headers.map((h) => src.end(h))) : undefined;
}

export function programScope(src: Source, program: AstNode): HelperScope {
  const headers: AstNode[] = [];
  const interpreter = child(program, 'interpreter');
  if (interpreter) headers.push(interpreter);
  headers.push(...children(program, 'directives'));
  let first: AstNode | undefined;
  for (const statement of children(program, 'body')) {
    if (statement.type !== 'ImportDeclaration' && statement.type !== 'TSImportEqualsDeclaration') {
      first = statement;
      break;
    }
    headers.push(statement);
  }
  return { from: 0, headersEnd: headerEnd(src, headers), firstStart: first ? src.start(first) : undefined };
}

/**
 * The body of a function (an IIFE that wraps a whole classic script, or the
 * function that holds every value to escape): a helper declared there stays
 * private to it instead of becoming a global of the page.
 */
export function functionScope(src: Source, fn: AstNode): { scope: HelperScope; indent: string } | undefined {
  const body = child(fn, 'body');
  if (body?.type !== 'BlockStatement') return undefined;
  const bodyStart = src.start(body);
  const headers = children(body, 'directives');
  const first = children(body, 'body')[0];
  const lead = headers[0] ?? first;
  if (!lead) return undefined;
  const from = nextLineStart(src.text, bodyStart);
  // `function () { 'use strict'; ...` on one line: no line of its own to put the helper on.
  if (src.start(lead) < from) return undefined;
  const indent = /^[ \t]*/.exec(src.text.slice(lineStartAt(src.text, src.start(lead))))![0];
  return { scope: { from, headersEnd: headerEnd(src, headers), firstStart: first ? src.start(first) : undefined }, indent };
}

/**
 * Where the helper goes, and the text to insert there: after a hashbang,
 * 'use strict' and leading imports; otherwise at the top, below a header
 * comment that a blank line separates from the code (a comment right above
 * the first statement documents that statement, so the helper goes above it).
 */
export function helperInsertion(
  text: string,
  scope: HelperScope,
  comments: readonly Range[],
  helper: string,
  eol: string,
): { at: number; text: string } {
  if (scope.headersEnd !== undefined) {
    let at = nextLineStart(text, scope.headersEnd);
    const comment = insideComment(comments, at);
    if (comment) at = nextLineStart(text, comment.end);
    const lead = at === text.length && !text.endsWith('\n') ? eol + eol : eol;
    const trail = at < text.length && !isBlankLine(text, at) ? eol : '';
    return { at, text: `${lead}${helper}${eol}${trail}` };
  }
  const limit = scope.firstStart !== undefined ? lineStartAt(text, scope.firstStart) : text.length;
  let at = scope.from;
  for (let pos = nextLineStart(text, scope.from); pos <= limit && pos < text.length; pos = nextLineStart(text, pos)) {
    const previous = lineStartAt(text, pos - 1);
    if (isBlankLine(text, previous) && !isBlankLine(text, pos) && !insideComment(comments, pos)) at = pos;
  }
  return { at, text: `${helper}${eol}${eol}` };
}

/** Prefixes every non-empty line with `indent`. */
export function indentLines(source: string, indent: string, eol: string): string {
  return source
    .split(eol)
    .map((line) => (line.length > 0 ? indent + line : line))
    .join(eol);
}
