import type { Node } from 'web-tree-sitter';
import { namedChildren } from './syntax.js';

export interface StringDelimiters {
  /** The prefix letters, lower-cased: `''`, `f`, `rb`, … */
  prefix: string;
  /** The opening quote: `'`, `"`, `'''` or `"""`. */
  quote: string;
}

export type Quote = '"' | "'";

/** The quote most of a file's strings open with (`starts`: its `string_start` nodes); `tie` when as many use each. */
export function majorityQuote(starts: readonly Node[], tie: Quote): Quote {
  let single = 0;
  let double = 0;
  for (const start of starts) {
    if (start.text.endsWith("'")) single++;
    else if (start.text.endsWith('"')) double++;
  }
  return single === double ? tie : single > double ? "'" : '"';
}

/** The prefix and opening quote of a `string` node, or null for anything else. */
export function stringDelimiters(node: Node): StringDelimiters | null {
  if (node.type !== 'string') return null;
  const start = namedChildren(node).find((c) => c.type === 'string_start');
  if (!start) return null;
  const m = /^([a-zA-Z]*)(['"]{1,3})$/.exec(start.text);
  if (!m) return null;
  return { prefix: m[1]!.toLowerCase(), quote: m[2]! };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
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
    if (next === '\n') {
      // A backslash at the end of a line continues the literal on the next line.
      i += 1;
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
    // \N{…} needs Unicode's name table; an escape Python does not know is kept verbatim
    // with a warning today and is an error in future versions. Neither is worth guessing.
    return null;
  }
  return out;
}

/**
 * The value Python gives a `str` literal (plain, raw or unicode, any quotes),
 * or null for f-strings, bytes, implicit concatenation and escapes whose value
 * is not worth guessing (`\N{…}`, unknown escapes).
 */
export function stringValue(node: Node): string | null {
  const delimiters = stringDelimiters(node);
  if (!delimiters || !['', 'u', 'r'].includes(delimiters.prefix)) return null;
  const { prefix, quote } = delimiters;
  const text = node.text;
  if (text.length < prefix.length + 2 * quote.length || !text.endsWith(quote)) return null;
  // Python reads source with universal newlines: a literal of a CRLF file holds '\n' only.
  const body = text.slice(prefix.length + quote.length, text.length - quote.length).replace(/\r\n?/g, '\n');
  return prefix === 'r' ? body : decodeEscapes(body);
}
