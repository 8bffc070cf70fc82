/**
 * Version ranges of Python dependencies, as written in manifests: PEP 440
 * specifiers (`>=1.8,<2`, `~=1.10`, `==1.10.*`) and Poetry constraints
 * (`^1.10`, `~1.10`, `1.10.*`, `>=1.8 <3 || ^4`). A range is a union of
 * intervals over release numbers; pre-release, post-release and local parts
 * are ignored, which is all a question like "can this be pydantic 2?" needs.
 */

export type Release = readonly number[];

interface Bound {
  at: Release;
  inclusive: boolean;
}

/** `null` bounds are open: no lower bound, no upper bound. */
export interface Interval {
  lo: Bound | null;
  hi: Bound | null;
}

export type Range = readonly Interval[];

export const ANY: Range = [{ lo: null, hi: null }];
const NONE: Range = [];

export class VersionSyntaxError extends Error {}

/** `1.10.21`, `v2`, `2.0.0rc1`, `1.10.post1+local` → the release numbers; null when it is not a version. */
export function parseRelease(text: string): Release | null {
  const m = /^\s*v?(\d+(?:\.\d+)*)(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview|post|rev|r|dev)[-_.]?\d*)*(?:\+[a-z0-9.]+)?\s*$/i.exec(text);
  if (!m) return null;
  return m[1]!.split('.').map(Number);
}

export function compareReleases(a: Release, b: Release): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function bump(release: Release, index: number): Release {
  const head = release.slice(0, index + 1).map((n, i) => (i === index ? n + 1 : n));
  return head.length > 0 ? head : [1];
}

function between(lo: Release, hi: Release): Range {
  return [{ lo: { at: lo, inclusive: true }, hi: { at: hi, inclusive: false } }];
}

function atLeast(at: Release, inclusive: boolean): Range {
  return [{ lo: { at, inclusive }, hi: null }];
}

function atMost(at: Release, inclusive: boolean): Range {
  return [{ lo: null, hi: { at, inclusive } }];
}

function exactly(at: Release): Range {
  return [{ lo: { at, inclusive: true }, hi: { at, inclusive: true } }];
}

function loAbove(a: Bound | null, b: Bound | null): boolean {
  if (!a) return false;
  if (!b) return true;
  const d = compareReleases(a.at, b.at);
  return d > 0 || (d === 0 && !a.inclusive && b.inclusive);
}

function hiBelow(a: Bound | null, b: Bound | null): boolean {
  if (!a) return false;
  if (!b) return true;
  const d = compareReleases(a.at, b.at);
  return d < 0 || (d === 0 && !a.inclusive && b.inclusive);
}

function isEmpty(i: Interval): boolean {
  if (!i.lo || !i.hi) return false;
  const d = compareReleases(i.lo.at, i.hi.at);
  return d > 0 || (d === 0 && !(i.lo.inclusive && i.hi.inclusive));
}

export function intersect(a: Range, b: Range): Range {
  const out: Interval[] = [];
  for (const x of a) {
    for (const y of b) {
      const i: Interval = { lo: loAbove(x.lo, y.lo) ? x.lo : y.lo, hi: hiBelow(x.hi, y.hi) ? x.hi : y.hi };
      if (!isEmpty(i)) out.push(i);
    }
  }
  return out;
}

export function union(a: Range, b: Range): Range {
  return [...a, ...b];
}

/** Everything outside `r` (for `!=1.*`). */
function complement(r: Range): Range {
  let out: Range = ANY;
  for (const i of r) {
    const outside: Interval[] = [];
    if (i.lo) outside.push({ lo: null, hi: { at: i.lo.at, inclusive: !i.lo.inclusive } });
    if (i.hi) outside.push({ lo: { at: i.hi.at, inclusive: !i.hi.inclusive }, hi: null });
    out = intersect(out, outside);
  }
  return out;
}

export function contains(r: Range, version: Release): boolean {
  return r.some((i) => {
    if (i.lo) {
      const d = compareReleases(version, i.lo.at);
      if (d < 0 || (d === 0 && !i.lo.inclusive)) return false;
    }
    if (i.hi) {
      const d = compareReleases(version, i.hi.at);
      if (d > 0 || (d === 0 && !i.hi.inclusive)) return false;
    }
    return true;
  });
}

/** Whether every version in `inner` is in `outer` (both as written, intervals may overlap). */
export function isSubset(inner: Range, outer: Range): boolean {
  // `inner` minus `outer` is empty.
  return intersect(inner, complement(outer)).length === 0;
}

export function overlaps(a: Range, b: Range): boolean {
  return intersect(a, b).length > 0;
}

function release(text: string, spec: string): Release {
  const r = parseRelease(text);
  if (!r) throw new VersionSyntaxError(`"${text}" is not a version in "${spec}"`);
  return r;
}

/** `1.10.*` as a range, or null when `text` has no wildcard. */
function wildcard(text: string, spec: string): Range | null {
  const m = /^\s*v?(\d+(?:\.\d+)*)\.\*\s*$/.exec(text);
  if (!m) return text.trim() === '*' ? ANY : null;
  const r = release(m[1]!, spec);
  return between(r, bump(r, r.length - 1));
}

/** One PEP 440 clause (`>=1.8`, `~=1.10`, `==1.*`, `!=1.5`). */
function pep440Clause(clause: string, spec: string): Range {
  const m = /^\s*(===|==|!=|~=|>=|<=|>|<)\s*(.+?)\s*$/.exec(clause);
  if (!m) throw new VersionSyntaxError(`"${clause.trim()}" is not a version clause in "${spec}"`);
  const [, op, value] = m as unknown as [string, string, string];
  if (op === '==' || op === '!=') {
    const range = wildcard(value, spec) ?? exactly(release(value, spec));
    return op === '==' ? range : complement(range);
  }
  if (op === '===') return exactly(release(value, spec));
  const r = release(value, spec);
  switch (op) {
    case '~=':
      if (r.length < 2) throw new VersionSyntaxError(`~= needs at least two parts in "${spec}"`);
      return between(r, bump(r, r.length - 2));
    case '>=':
      return atLeast(r, true);
    case '>':
      return atLeast(r, false);
    case '<=':
      return atMost(r, true);
    default:
      return atMost(r, false);
  }
}

/** A PEP 440 specifier set (`>=1.8,<2`); empty means any version. */
export function parsePep440(spec: string): Range {
  const clauses = spec.split(',').filter((c) => c.trim() !== '');
  return clauses.reduce<Range>((acc, c) => intersect(acc, pep440Clause(c, spec)), ANY);
}

/** One Poetry constraint without `||` or `,`: `^1.2`, `~1.2`, `1.2.*`, `>=1.2`, `1.2.3`. */
function poetryAtom(atom: string, spec: string): Range {
  const text = atom.trim();
  if (text === '' || text === '*') return ANY;
  const caret = /^\^\s*(.+)$/.exec(text);
  if (caret) {
    const r = release(caret[1]!, spec);
    // ^1.2.3 → <2.0.0; ^0.2.3 → <0.3.0; ^0.0.3 → <0.0.4: the first non-zero part may not change.
    const first = r.findIndex((n) => n !== 0);
    const index = first === -1 ? Math.max(0, r.length - 1) : first;
    return between(r, bump(r, index));
  }
  const tilde = /^~(?!=)\s*(.+)$/.exec(text);
  if (tilde) {
    const r = release(tilde[1]!, spec);
    return between(r, bump(r, r.length === 1 ? 0 : 1));
  }
  const wild = wildcard(text, spec);
  if (wild) return wild;
  if (/^(===|==|!=|~=|>=|<=|>|<)/.test(text)) return pep440Clause(text, spec);
  return exactly(release(text, spec));
}

/** A Poetry constraint: `||` between alternatives, `,` or spaces between clauses that must all hold. */
export function parsePoetry(spec: string): Range {
  let out: Range = NONE;
  for (const alternative of spec.split('||')) {
    // ">= 1.2, < 3" and ">=1.2 <3" both mean "and"; an operator may stand apart from its version.
    const atoms = alternative
      .replace(/(===|==|!=|~=|>=|<=|>|<|\^|~)\s+/g, '$1')
      .split(/[\s,]+/)
      .filter((a) => a !== '');
    out = union(
      out,
      atoms.reduce<Range>((acc, a) => intersect(acc, poetryAtom(a, spec)), ANY),
    );
  }
  return out;
}

/** The major versions a range allows, from 0 up to `limit`; `open` when it has no upper bound. */
export function majors(r: Range, limit = 1000): { list: number[]; open: boolean } {
  const list: number[] = [];
  for (let m = 0; m <= limit; m++) {
    if (overlaps(r, between([m], [m + 1]))) list.push(m);
  }
  return { list: list.filter((m) => m < limit), open: list.includes(limit) };
}

/** A short human description of a range: `1`, `1 or 2`, `2 or later`, `below 2`. */
export function describeMajors(r: Range): string {
  const { list, open } = majors(r, 50);
  if (list.length === 0) return 'no version at all';
  const first = list[0]!;
  if (open) return first === 0 ? 'any version' : `${first} or later`;
  if (first === 0 && list.length > 1) return `below ${list.at(-1)! + 1}`;
  if (list.length === 1) return String(first);
  if (list.length === 2) return `${first} or ${list[1]}`;
  return `${first} to ${list.at(-1)}`;
}
