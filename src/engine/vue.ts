import { lineAt } from './edits.js';
import type { JsParserName } from './javascript.js';

/**
 * The code of a Vue single-file component (`.vue`): its `<script>` and
 * `<script setup>` blocks. JavaScript codemods read the component as one
 * program in which everything outside those blocks (the template, styles,
 * the tags themselves) is blanked to spaces, line breaks kept: every offset
 * and line of that program is the component's own, so an edit made on it
 * applies to the component unchanged. Vue compiles both blocks into one ES
 * module, which is how the program is parsed.
 */
export interface VueScript {
  /** Offsets of the block's content, between `<script …>` and `</script>`. */
  start: number;
  end: number;
  /** The `lang` attribute (`ts`, `tsx`, `jsx`), or null for JavaScript. */
  lang: string | null;
}

export type VueCode = { ok: true; text: string; scripts: VueScript[]; parser: JsParserName } | { ok: false; message: string };

// Attribute values may hold `>` (`generic="T extends Record<string, unknown>"`).
const OPEN = /<script\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;
const CLOSE = /<\/script\s*>/gi;
const COMMENT = /<!--[\s\S]*?-->/g;

export function isVuePath(path: string): boolean {
  return path.toLowerCase().endsWith('.vue');
}

function attribute(attrs: string, name: string): string | null {
  const found = new RegExp(`(?:^|\\s)${name}(?:\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+)))?`, 'i').exec(attrs);
  if (!found) return null;
  return found[1] ?? found[2] ?? found[3] ?? '';
}

/** `text` with every character outside `keep` replaced by a space, line breaks kept (so offsets and lines stay). */
export function blankOutside(text: string, keep: readonly { start: number; end: number }[]): string {
  let out = '';
  let at = 0;
  const blank = (s: string) => s.replace(/[^\r\n]/g, ' ');
  for (const range of keep) {
    out += blank(text.slice(at, range.start)) + text.slice(range.start, range.end);
    at = range.end;
  }
  return out + blank(text.slice(at));
}

/**
 * The component's inline script blocks, as the program codemods read. A
 * block at the top level of the file counts (a `<script>` line starting in
 * the first column, as every SFC block does); one with `src=` is another
 * file's code. A block that is not closed, or script blocks in two
 * languages, leave the component unread, with why.
 */
export function vueCode(text: string): VueCode {
  const comments: { start: number; end: number }[] = [];
  for (const m of text.matchAll(COMMENT)) comments.push({ start: m.index, end: m.index + m[0].length });
  const inComment = (at: number) => comments.some((c) => at >= c.start && at < c.end);
  const scripts: VueScript[] = [];
  OPEN.lastIndex = 0;
  for (let open = OPEN.exec(text); open; open = OPEN.exec(text)) {
    if (inComment(open.index) || (open.index > 0 && text[open.index - 1] !== '\n')) continue;
    const start = open.index + open[0].length;
    CLOSE.lastIndex = start;
    const close = CLOSE.exec(text);
    if (!close) return { ok: false, message: `the <script> block at line ${lineAt(text, open.index)} is not closed` };
    OPEN.lastIndex = close.index + close[0].length;
    const attrs = open[1] ?? '';
    if (attribute(attrs, 'src') !== null) continue;
    const lang = attribute(attrs, 'lang')?.toLowerCase() || null;
    scripts.push({ start, end: close.index, lang });
  }
  const langs = new Set(scripts.map((s) => (s.lang === 'jsx' ? null : s.lang)));
  if (langs.size > 1) return { ok: false, message: `its <script> blocks are in different languages (${[...langs].map((l) => l ?? 'js').join(', ')})` };
  const lang = scripts[0]?.lang ?? null;
  if (lang !== null && !['ts', 'tsx', 'jsx'].includes(lang)) return { ok: false, message: `its <script> block is in ${lang}, not JavaScript or TypeScript` };
  const parser: JsParserName = lang === 'ts' ? 'ts' : lang === 'tsx' ? 'tsx' : 'babylon';
  return { ok: true, text: blankOutside(text, scripts), scripts, parser };
}

/** Whether an edit stays inside one of the component's script blocks. */
export function insideScripts(scripts: readonly VueScript[], edit: { start: number; end: number }): boolean {
  return scripts.some((s) => edit.start >= s.start && edit.end <= s.end);
}
