import type { Node } from 'web-tree-sitter';
import { namedChildren } from '../lib/syntax.js';

/** The prefix letters (`f`, `rb`, …) and the quote of a `string` node, or null for anything else. */
function stringStart(node: Node): { prefix: string; quote: string } | null {
  if (node.type !== 'string') return null;
  const start = namedChildren(node).find((c) => c.type === 'string_start');
  if (!start) return null;
  const m = /^([a-zA-Z]*)(['"]{1,3})$/.exec(start.text);
  if (!m) return null;
  return { prefix: m[1]!.toLowerCase(), quote: m[2]! };
}

/** A `str` literal (plain, raw, unicode or f-string, possibly implicitly concatenated), not bytes. */
export function isStrLiteral(node: Node): boolean {
  if (node.type === 'concatenated_string') {
    const parts = namedChildren(node).filter((c) => c.type !== 'comment');
    return parts.length > 0 && parts.every(isStrLiteral);
  }
  const start = stringStart(node);
  return start !== null && !start.prefix.includes('b');
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

/** The source text right after the opening quote of the literal the expression starts with, or null. */
export function leadingLiteralText(node: Node): string | null {
  if (node.type === 'concatenated_string') {
    const first = namedChildren(node)[0];
    return first ? leadingLiteralText(first) : null;
  }
  if (node.type === 'binary_operator') {
    const left = node.childForFieldName('left');
    return left ? leadingLiteralText(left) : null;
  }
  if (node.type === 'call') {
    const object = node.childForFieldName('function')?.childForFieldName('object');
    return object ? leadingLiteralText(object) : null;
  }
  const start = stringStart(node);
  if (!start || start.prefix.includes('b')) return null;
  return node.text.slice(start.prefix.length + start.quote.length);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

function decodeEscapes(body: string): string | null {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) return null;
    if (next === '\r' || next === '\n') {
      // A backslash at the end of a line continues the literal on the next line.
      i += next === '\r' && body[i + 2] === '\n' ? 2 : 1;
      continue;
    }
    if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i += 1;
      continue;
    }
    const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1));
    if (octal) {
      out += String.fromCodePoint(parseInt(octal[0], 8));
      i += octal[0].length;
      continue;
    }
    const hex = /^(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/.exec(body.slice(i + 1));
    if (hex) {
      const code = parseInt(hex[1] ?? hex[2] ?? hex[3]!, 16);
      if (code > 0x10ffff) return null;
      out += String.fromCodePoint(code);
      i += hex[0].length;
      continue;
    }
    // \N{…} and escapes Python does not know (kept verbatim with a warning): not worth guessing.
    return null;
  }
  return out;
}

/**
 * The value of a single-quoted, non-f, non-bytes string literal, or null when
 * it is anything we would rather not re-encode (triple quotes, where source
 * line endings leak into the value; `\N{…}`; unknown escapes).
 */
export function literalValue(node: Node): string | null {
  const start = stringStart(node);
  if (!start || start.quote.length !== 1) return null;
  if (!['', 'u', 'r'].includes(start.prefix)) return null;
  if (namedChildren(node).some((c) => c.type === 'interpolation')) return null;
  const text = node.text;
  if (!text.endsWith(start.quote)) return null;
  const body = text.slice(start.prefix.length + 1, text.length - 1);
  if (start.prefix === 'r') return /[\r\n]/.test(body) ? null : body;
  return decodeEscapes(body);
}

/** The quote character a literal uses, when it is a plain string node. */
export function quoteOf(node: Node): '"' | "'" | null {
  const q = stringStart(node)?.quote;
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
