import type { Node } from 'web-tree-sitter';
import { stringDelimiters, stringValue } from '../lib/strings.js';
import { namedChildren } from '../lib/syntax.js';

/** A `str` literal (plain, raw, unicode or f-string, possibly implicitly concatenated), not bytes. */
export function isStrLiteral(node: Node): boolean {
  if (node.type === 'concatenated_string') {
    const parts = namedChildren(node).filter((c) => c.type !== 'comment');
    return parts.length > 0 && parts.every(isStrLiteral);
  }
  const delimiters = stringDelimiters(node);
  return delimiters !== null && !delimiters.prefix.includes('b');
}

/**
 * An expression whose value is certainly a `str`: a str literal, an f-string,
 * `"…" % x` or `"…".format(…)` on a str literal. Such a value can be the log
 * message itself; anything else goes through `"%s"` so `str()` is applied
 * exactly as `print` does.
 */
export function isStrExpression(node: Node): boolean {
  if (isStrLiteral(node)) return true;
  if (node.type === 'binary_operator') {
    const left = node.childForFieldName('left');
    return node.childForFieldName('operator')?.text === '%' && left !== null && isStrLiteral(left);
  }
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'format') return false;
    const object = fn.childForFieldName('object');
    return object !== null && isStrLiteral(object);
  }
  return false;
}

/**
 * The value of a single-quoted str literal, or null. A triple-quoted literal
 * usually spans lines and stays an argument of its own, as written.
 */
export function literalValue(node: Node): string | null {
  if (stringDelimiters(node)?.quote.length !== 1) return null;
  return stringValue(node);
}

/** The quote character a literal uses, when it is a plain string node. */
export function quoteOf(node: Node): '"' | "'" | null {
  const q = stringDelimiters(node)?.quote;
  return q === '"' || q === "'" ? q : null;
}

/** Python source for a str literal with exactly `value`, using `quote`; non-ASCII text stays readable. */
export function renderLiteral(value: string, quote: '"' | "'"): string {
  let out = quote;
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    // Lone surrogates cannot be written as UTF-8; line/paragraph separators confuse editors.
    else if ((code >= 0xd800 && code <= 0xdfff) || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/**
 * The literal text an expression writes, as source (escapes undecoded): the
 * parts of str literals and f-strings outside `{…}`, and the literal side of
 * `"…" % x` and `"…".format(…)`. Names inside interpolations are not text.
 */
export function literalText(node: Node): string[] {
  if (node.type === 'concatenated_string') return namedChildren(node).flatMap(literalText);
  if (node.type === 'binary_operator') {
    const left = node.childForFieldName('left');
    return node.childForFieldName('operator')?.text === '%' && left ? literalText(left) : [];
  }
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    const object = fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format' ? fn.childForFieldName('object') : null;
    return object ? literalText(object) : [];
  }
  if (!isStrLiteral(node)) return [];
  return namedChildren(node)
    .filter((c) => c.type === 'string_content')
    .map((c) => c.text);
}

/** An f-string with a self-documenting `{name=}` field: a debugging aid by definition. */
export function hasSelfDocumentingField(node: Node): boolean {
  if (node.type === 'concatenated_string') return namedChildren(node).some(hasSelfDocumentingField);
  if (node.type !== 'string') return false;
  return namedChildren(node).some((c) => c.type === 'interpolation' && c.children.some((t) => t?.type === '='));
}
