import type { PrPart } from './types.js';

export const BRANCH_PREFIX = 'shipshape/';

const SLUG_MAX = 40;
const KEY_MAX = 24;

/** Lowercase ASCII: accents are dropped ("Sécurité" → "securite") rather than the whole letter. */
function ascii(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** Cuts at the last word boundary within `max` when there is one in its second half. */
function cut(slug: string, max: number): string {
  if (slug.length <= max) return slug;
  const head = slug.slice(0, max);
  const dash = head.lastIndexOf('-');
  return (dash >= max / 2 ? head.slice(0, dash) : head).replace(/-+$/, '');
}

export function slugify(text: string, max = SLUG_MAX): string {
  return cut(
    ascii(text)
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, ''),
    max,
  );
}

/** The key keeps its dots (`1.2`) but nothing git refuses: no `..`, no leading or trailing dot. */
function keyPart(key: string): string {
  const clean = ascii(key)
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '');
  const short = clean.slice(0, KEY_MAX).replace(/[.-]+$/, '');
  return short || 'item';
}

/**
 * The pull request's branch, `shipshape/<key>-<slug>`: deterministic, because
 * it is how a re-run finds its earlier pull request. Part 1 of a split item
 * keeps the plain name (an item that later gets split keeps its open PR as
 * part 1); parts 2 and up append `-part-<n>`. Always a valid branch name for
 * `git check-ref-format --branch`: lowercase ASCII letters, digits, `-`, and
 * the dots of the key, never `..`, `@{`, a `.lock` ending or a leading `-`.
 */
export function branchName(key: string, title: string, part?: PrPart): string {
  const slug = slugify(title);
  let name = slug ? `${keyPart(key)}-${slug}` : keyPart(key);
  // Only a bare key can end in ".lock"; git refuses such a component.
  if (name.endsWith('.lock')) name = `${name.slice(0, -'.lock'.length)}-lock`;
  if (part && part.index > 1) name += `-part-${part.index}`;
  return `${BRANCH_PREFIX}${name}`;
}
