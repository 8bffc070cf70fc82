import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const C_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\v': '\\v', '\f': '\\f', '\r': '\\r', '"': '\\"', '\\': '\\\\' };

/**
 * A path for a line of human-readable output, quoted the way git quotes it
 * (`"a\nb.py"`) when it holds a control character, a quote or a backslash,
 * so one path is always one line and a diff header reads back as that path.
 */
export function quotePath(path: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x1f\x7f"\\]/.test(path)) return path;
  // eslint-disable-next-line no-control-regex
  const body = path.replace(/[\x00-\x1f\x7f"\\]/g, (ch) => C_ESCAPES[ch] ?? `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return `"${body}"`;
}

/** `a/path` or, for a path that needs quoting, `"a/pa\\th"` as git writes it. */
function diffName(prefix: string, path: string): string {
  const quoted = quotePath(path);
  return quoted === path ? `${prefix}${path}` : `"${prefix}${quoted.slice(1)}`;
}

export function unifiedDiff(path: string, before: string, after: string): string {
  // The diff library is loaded with the first changed file, not at start.
  const { createTwoFilesPatch } = require('diff') as typeof import('diff');
  return createTwoFilesPatch(diffName('a/', path), diffName('b/', path), before, after, undefined, undefined, { context: 3 })
    .split('\n')
    .slice(1) // drop the "Index:"-style separator line the library starts with
    .join('\n');
}
