import type { Edit } from './types.js';

/** Edits sorted by position; zero-width insertions at one point keep their given order. */
export function sortEdits(edits: readonly Edit[]): Edit[] {
  return edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.index - b.index)
    .map(({ edit }) => edit);
}

/** Describes the first pair of edits that overlap, or null. */
export function findOverlap(sorted: readonly Edit[]): string | null {
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const next = sorted[i]!;
    if (next.start < prev.end) {
      return `edits [${prev.start},${prev.end}) and [${next.start},${next.end}) overlap`;
    }
  }
  return null;
}

export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = sortEdits(edits);
  const overlap = findOverlap(sorted);
  if (overlap) throw new Error(overlap);
  let out = '';
  let cursor = 0;
  for (const edit of sorted) {
    if (edit.start < 0 || edit.end > text.length || edit.start > edit.end) {
      throw new Error(`edit [${edit.start},${edit.end}) is outside the text (length ${text.length})`);
    }
    out += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return out + text.slice(cursor);
}

/**
 * Checks, independently of `applyEdits`, that `after` differs from `before`
 * only inside the edited ranges: every untouched stretch of `before` appears
 * unchanged, in order, at the place the edits put it.
 */
export function changesConfined(before: string, after: string, edits: readonly Edit[]): boolean {
  const sorted = sortEdits(edits);
  let srcPos = 0;
  let outPos = 0;
  for (const edit of sorted) {
    const keep = before.slice(srcPos, edit.start);
    if (after.slice(outPos, outPos + keep.length) !== keep) return false;
    outPos += keep.length;
    if (after.slice(outPos, outPos + edit.text.length) !== edit.text) return false;
    outPos += edit.text.length;
    srcPos = edit.end;
  }
  return after.slice(outPos) === before.slice(srcPos);
}

/** 1-based line of a string index. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  let pos = text.indexOf('\n');
  while (pos !== -1 && pos < index) {
    line++;
    pos = text.indexOf('\n', pos + 1);
  }
  return line;
}
