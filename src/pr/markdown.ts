/**
 * Markdown helpers for text that comes from outside shipshape (finding
 * messages, plan lines, paths): such text must not be able to break a table,
 * open an HTML comment that hides the rollback notes, or ping people.
 */

/** One line: newlines and runs of whitespace become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The first non-empty line, trimmed. */
export function firstLine(text: string): string {
  for (const line of text.split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    if (trimmed) return trimmed;
  }
  return '';
}

/** A code span that survives backticks inside the text (CommonMark: a longer fence). */
export function code(text: string): string {
  const clean = oneLine(text);
  let longest = 0;
  for (const run of clean.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  // A span starting or ending with a backtick needs a space, which CommonMark strips again.
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

const CODE_SPAN = /(`+)[\s\S]*?[^`]\1(?!`)|(`+)(?!`)/g;

/** Applies `fix` to the parts of `text` outside code spans (inside them, `&lt;` would show literally). */
function outsideCode(text: string, fix: (part: string) => string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(CODE_SPAN)) {
    // A lone backtick run with no closing partner is plain text.
    if (match[2] !== undefined) continue;
    out += fix(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + fix(text.slice(last));
}

/**
 * Prose from outside: `<` is escaped so that no HTML (above all `<!--`, which
 * would hide the rest of the body) gets through, and @mentions are broken
 * with a zero-width space so that quoting a review does not notify anyone.
 */
export function prose(text: string): string {
  return outsideCode(text, (part) => part.replace(/</g, '&lt;').replace(/@(?=[A-Za-z0-9])/g, '@&#8203;'));
}

/** A GFM table cell: one line, pipes escaped (GFM unescapes `\|` even inside code spans). */
export function cell(markdown: string): string {
  return oneLine(markdown).replace(/\|/g, '\\|');
}

/** A link destination usable in `[text](url)`, or null for anything but http(s). */
export function safeUrl(url: string | undefined): string | null {
  if (!url || !/^https?:\/\//i.test(url)) return null;
  return escapeLinkChars(url);
}

/** An http(s) URL or a relative path (no scheme), safe as a Markdown link target; null for anything else. */
export function safeLink(link: string): string | null {
  if (/^https?:\/\//i.test(link)) return safeUrl(link);
  if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('//')) return null;
  return escapeLinkChars(link);
}

function escapeLinkChars(url: string): string {
  return url.replace(/[\s()<>|`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** `text` as a blockquote, line by line (blank lines stay inside the quote). */
export function quote(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => (line.trim() ? `> ${line}` : '>'))
    .join('\n');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Cuts `text` to at most `max` UTF-16 units, never inside a surrogate pair, ending with `…` when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const char of text) {
    if (out.length + char.length > max - 1) break;
    out += char;
  }
  return `${out.trimEnd()}…`;
}
