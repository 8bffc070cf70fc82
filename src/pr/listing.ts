/**
 * The body is a sequence of blocks: fixed Markdown, or listings whose rows may
 * be left out (with a visible note) to fit the forge's body limit.
 */

export interface Listing {
  /** Always shown, before the rows (e.g. an intro line, `<details><summary>…`). */
  head: string;
  /** Shown only when at least one row is (a table's header). */
  rowsHead: string;
  rows: string[];
  /** Shown in place of the rows left out. */
  note(omitted: number, shown: number): string;
  /** Always shown, after everything (e.g. `</details>`). */
  tail: string;
}

export type Block = string | Listing;

/** Blocks are separated by one blank line. */
export const BLOCK_SEPARATOR = '\n\n';

export function listing(fields: Partial<Listing> & Pick<Listing, 'rows' | 'note'>): Listing {
  return { head: '', rowsHead: '', tail: '', ...fields };
}

/**
 * Rows left out, in a form that says why. The blank line before it keeps it
 * out of the list or table above (a line right under a table is a row).
 */
export function omittedNote(one: string, many = `${one}s`): (omitted: number, shown: number) => string {
  return (omitted, shown) => {
    const noun = omitted === 1 ? one : many;
    return shown === 0 ? `\n_${omitted} ${noun} not shown (body limit)_` : `\n_… ${omitted} more ${noun} not shown (body limit)_`;
  };
}

/** The listing with its first `shown` rows. */
export function renderListing(list: Listing, shown: number): string {
  const parts: string[] = [];
  if (list.head) parts.push(list.head);
  if (shown > 0 && list.rowsHead) parts.push(list.rowsHead);
  parts.push(...list.rows.slice(0, shown));
  if (shown < list.rows.length) parts.push(list.note(list.rows.length - shown, shown));
  if (list.tail) parts.push(list.tail);
  return parts.join('\n');
}

/** Measures a listing at any number of shown rows without rendering it. */
export class Measured {
  private readonly prefix: number[] = [0];

  constructor(readonly list: Listing) {
    for (const row of list.rows) this.prefix.push(this.prefix[this.prefix.length - 1]! + row.length);
  }

  get total(): number {
    return this.list.rows.length;
  }

  /** Equals `renderListing(list, shown).length`. */
  length(shown: number): number {
    const { head, rowsHead, tail, rows } = this.list;
    const extra: string[] = [];
    if (head) extra.push(head);
    if (shown > 0 && rowsHead) extra.push(rowsHead);
    if (shown < rows.length) extra.push(this.list.note(rows.length - shown, shown));
    if (tail) extra.push(tail);
    const parts = shown + extra.length;
    const chars = this.prefix[shown]! + extra.reduce((sum, s) => sum + s.length, 0);
    // Parts are joined with one newline each.
    return parts > 0 ? chars + parts - 1 : 0;
  }

  /** The most rows whose rendering fits in `cap` characters (at least 0, even when nothing fits). */
  rowsWithin(cap: number): number {
    if (this.length(this.total) <= cap) return this.total;
    // Below the full list the length grows with every row (a row adds more than the note's digits lose).
    let lo = 0;
    let hi = this.total - 1;
    if (this.length(lo) > cap) return 0;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.length(mid) <= cap) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/**
 * Renders the blocks within `maxLength`, shortening the longest listings
 * first: every listing is capped at the same length C, the largest C that
 * fits. Fixed blocks are never cut. Null when they alone do not fit.
 */
export function fitBlocks(blocks: readonly Block[], maxLength: number): string | null {
  const measured = blocks.map((b) => (typeof b === 'string' ? null : new Measured(b)));
  const separators = Math.max(0, blocks.length - 1) * BLOCK_SEPARATOR.length;
  let fixed = separators;
  for (const b of blocks) if (typeof b === 'string') fixed += b.length;
  const lists = measured.filter((m): m is Measured => m !== null);

  function total(shown: number[]): number {
    return lists.reduce((sum, m, i) => sum + m.length(shown[i]!), fixed);
  }
  function shownAt(cap: number): number[] {
    return lists.map((m) => m.rowsWithin(cap));
  }

  let shown = lists.map((m) => m.total);
  if (total(shown) > maxLength) {
    if (total(shownAt(0)) > maxLength) return null;
    // Invariant: lo fits, hi does not (the full lists did not).
    let lo = 0;
    let hi = Math.max(...lists.map((m) => m.length(m.total))) + 1;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (total(shownAt(mid)) <= maxLength) lo = mid;
      else hi = mid;
    }
    shown = shownAt(lo);
  }
  let next = 0;
  const body = blocks.map((b) => (typeof b === 'string' ? b : renderListing(b, shown[next++]!))).join(BLOCK_SEPARATOR);
  return body.length <= maxLength ? body : null;
}
