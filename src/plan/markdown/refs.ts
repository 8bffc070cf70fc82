import { posix } from 'node:path';
import type { PlanRef, PlanWarning } from './types.js';

/** Extensions a plan reference may end with; anything else (`1.2`, `threading.Event`, `30min`) is prose. */
export const REF_EXTENSIONS = [
  'py', 'js', 'mjs', 'cjs', 'jsx', 'ts', 'tsx', 'html', 'yaml', 'yml', 'toml', 'json', 'md', 'sh', 'cfg', 'ini', 'txt',
] as const;

const NAME_CHAR = '[\\p{L}\\p{N}_.-]';
// A basename needs a letter, digit or underscore before the extension, so `.md files` is not a reference.
const BASENAME = `(?:\\.?[\\p{L}\\p{N}_]${NAME_CHAR}*\\.(?:${REF_EXTENSIONS.join('|')})|Dockerfile(?:\\.[\\p{L}\\p{N}_-]+)?)`;
const PATH = `((?:\\.{0,2}/)?(?:${NAME_CHAR}+/)*${BASENAME})`;
const LINES = `:(\\d+)(?:[ \\t]*[-\\u2013][ \\t]*(\\d+))?(?!\\d)`;
// After a bare path the next character must not continue a file name (`a.py.bak`, `a.jsx`, `a.py:x` is fine).
const PATH_END = `(?![\\p{L}\\p{N}_/-]|\\.[\\p{L}\\p{N}]|:\\d)`;
const REF_PATTERN = new RegExp(`(?<![\\p{L}\\p{N}_./\\\\@-])${PATH}(?:${LINES}|${PATH_END})`, 'gu');

/**
 * Library names that end in `.js` but name no file; only skipped when written
 * bare (no directory, no line), so `src/Chart.js:12` is still a reference.
 */
const NOT_FILES = new Set([
  'Node.js', 'Vue.js', 'Next.js', 'Nuxt.js', 'Express.js', 'React.js', 'Three.js', 'Chart.js', 'D3.js',
  'Ember.js', 'Backbone.js', 'Alpine.js', 'Angular.js',
]);

/** Characters that end a "word" around a match when checking for URLs and e-mail addresses. */
const TOKEN_BREAK = /[\s()[\]<>`"'*|]/gu;

/**
 * Whether a match sits in a URL or an e-mail address, judged by the
 * whitespace/bracket-delimited word it starts in. A path never contains a
 * break character, so that word holds the whole path; verdicts are cached per
 * word so a huge word is only scanned once.
 */
function urlDetector(text: string): (start: number) => boolean {
  const breaks = [...text.matchAll(TOKEN_BREAK)].map((m) => m.index);
  const verdicts = new Map<number, boolean>();
  return (start) => {
    let lo = 0;
    let hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (breaks[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    const cached = verdicts.get(lo);
    if (cached !== undefined) return cached;
    const word = text.slice(lo > 0 ? breaks[lo - 1]! + 1 : 0, lo < breaks.length ? breaks[lo]! : text.length);
    const verdict = word.includes('://') || word.startsWith('www.') || word.includes('@');
    verdicts.set(lo, verdict);
    return verdict;
  };
}

/**
 * Line numbers for increasing offsets, counting CRLF, LF and lone CR alike as
 * the Markdown parser does; each call only scans the text since the last one.
 */
function lineCounter(text: string, firstLine: number): (index: number) => number {
  let at = 0;
  let line = firstLine;
  return (index) => {
    for (; at < index; at++) {
      const c = text.charCodeAt(at);
      if (c === 10 || (c === 13 && text.charCodeAt(at + 1) !== 10)) line++;
    }
    return line;
  };
}

/**
 * File references in one paragraph's or heading's Markdown source: a file
 * name ending in one of `REF_EXTENSIONS` (or `Dockerfile[.x]`), optionally
 * after directories (`a/b/`, `/` = repository root, `./`), optionally
 * followed by `:N` or `:N-M`; not inside a URL or an e-mail address, not
 * glued to a longer word. `lines 88-99` prose ranges are not read. `text` is
 * the source slice of that node and `firstLine` the plan line it starts on.
 * The source (not the rendered text) is scanned because Markdown emphasis
 * rules turn a plain `__init__.py` into `<strong>init</strong>.py`.
 * Invalid line numbers and paths that climb out of the repository are
 * reported through `warn` and dropped rather than guessed at.
 */
export function extractRefs(text: string, firstLine: number, warn: (w: PlanWarning) => void): PlanRef[] {
  const refs: PlanRef[] = [];
  const inUrl = urlDetector(text);
  const lineAt = lineCounter(text, firstLine);
  for (const m of text.matchAll(REF_PATTERN)) {
    const raw = m[0];
    const file = m[1]!;
    const index = m.index;
    if (inUrl(index)) continue;
    if (m[2] === undefined && !file.includes('/') && NOT_FILES.has(file)) continue;
    const line = lineAt(index);
    const path = normalisePlanPath(file);
    if (path === null) {
      warn({ line, message: `reference ${raw} points outside the repository; ignored` });
      continue;
    }
    const ref: PlanRef = { raw, path, line };
    if (m[2] !== undefined) {
      const start = Number(m[2]);
      const end = m[3] === undefined ? undefined : Number(m[3]);
      if (start < 1 || (end !== undefined && end < start)) {
        warn({ line, message: `reference ${raw} has an invalid line range; using the file without lines` });
      } else {
        ref.startLine = start;
        if (end !== undefined) ref.endLine = end;
      }
    }
    refs.push(ref);
  }
  return refs;
}

/** `/docs/a.md` and `./a.md` are anchored at the repository root; a bare `a.md` may live in any directory. */
export function isRootedRef(ref: PlanRef): boolean {
  return ref.raw.startsWith('/') || ref.raw.startsWith('./');
}

/** Repository-relative, forward slashes, no `.`/`..` segments; null when it escapes the repository. */
export function normalisePlanPath(file: string): string | null {
  const normal = posix.normalize(file.replace(/^\/+/, ''));
  if (normal === '..' || normal.startsWith('../') || normal === '.') return null;
  return normal;
}
