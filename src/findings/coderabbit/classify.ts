import type { Severity } from '../types.js';

/**
 * How a CodeRabbit review comment body reads. CodeRabbit opens each comment
 * with an italic marker line, then a bold title, then the explanation:
 *
 *     _⚠️ Potential issue_ | _🔴 Critical_
 *
 *     **Fix XSS in innerHTML**
 *
 *     The instance name comes from the API…
 */
export interface CommentHeading {
  /** The bold title, or the first line of text when there is none; plain text. */
  title: string;
  /** The marker line(s) before the title, e.g. `⚠️ Potential issue | 🔴 Critical`; '' when absent. */
  marker: string;
  severity: Severity;
}

const MARKER_LINE = /^\s*_[^_\n]+_(?:\s*\|\s*_[^_\n]+_)*\s*$/;
const LEADING_BOLD = /^\*\*(.+?)\*\*/;

/**
 * Severity, from the marker CodeRabbit puts first (documented in
 * docs/findings-format.md):
 * - a 🔴 Critical label, or "critical"/"security"/"vulnerab…"/"XSS"/"injection"
 *   in the marker or the title → error;
 * - ⚠️ Potential issue, or a 🟠 Major label → warning;
 * - 🛠️ Refactor suggestion, 🧹 Nitpick, 💡 verification/suggestion, or a
 *   🟡 Minor / 🔵 Trivial label → note;
 * - anything else → warning (a bot comment is worth a look).
 * Only the marker and the title are searched: a refactoring hint that merely
 * mentions "security" in its explanation is not an error.
 */
export function classifyComment(body: string): CommentHeading {
  const lines = stripHtmlComments(body).split(/\r?\n/);
  const markers: string[] = [];
  let title = '';
  for (const line of lines) {
    const trimmed = line.trim();
    // Blank lines and bare HTML tags (<details>, <summary>) carry no title.
    if (trimmed === '' || /^<\/?[a-z][^>]*>$/i.test(trimmed)) continue;
    if (MARKER_LINE.test(trimmed)) {
      markers.push(trimmed.replace(/_/g, '').replace(/\s+/g, ' ').trim());
      continue;
    }
    const bold = LEADING_BOLD.exec(trimmed);
    title = plainText(bold ? bold[1]! : trimmed);
    break;
  }
  const marker = markers.join(' | ');
  const shortTitle = title.length > 120 ? `${title.slice(0, 119)}…` : title;
  return { title: shortTitle || 'CodeRabbit comment', marker, severity: severityOf(marker, title) };
}

function severityOf(marker: string, title: string): Severity {
  const heading = `${marker} ${title}`.toLowerCase();
  if (/🔴|\bcritical\b|\bsecurity\b|vulnerab|\bxss\b|injection/.test(heading)) return 'error';
  if (/potential issue|🟠|\bmajor\b/.test(heading)) return 'warning';
  if (/refactor suggestion|nitpick|🧹|🛠|💡|verification|suggestion|🟡|\bminor\b|🔵|\btrivial\b/.test(heading)) return 'note';
  return 'warning';
}

/** `coderabbit/<slug>`: lower-case ASCII words joined by '-', at most 60 characters. */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const short = slug.length > 60 ? slug.slice(0, 60).replace(/-[^-]*$/, '') : slug;
  return short || 'comment';
}

/** HTML comments are invisible on GitHub; CodeRabbit hides its bookkeeping in them. */
export function stripHtmlComments(body: string): string {
  return body.replace(/<!--[\s\S]*?-->/g, '');
}

/** Markdown inline syntax off a one-line title. */
function plainText(line: string): string {
  return line
    .replace(/<[^>]+>/g, '')
    .replace(/^#+\s*/, '')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*|__/g, '')
    .replace(/(^|\s)[*_]([^*_]+)[*_](?=\s|$)/g, '$1$2')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim();
}
