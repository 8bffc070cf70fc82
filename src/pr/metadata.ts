import { createHash } from 'node:crypto';
import type { PrInput, PrMetadata, PrPart } from './types.js';

const OPEN = '<!-- shipshape:metadata ';
const CLOSE = '-->';

/** Identifies a set of findings independently of order, for when the id list is left out of the body. */
export function findingsDigest(ids: readonly string[]): string {
  return createHash('sha256')
    .update([...new Set(ids)].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);
}

/** The metadata of a pull request, with every finding id. */
export function prMetadata(input: PrInput): PrMetadata {
  // Sorted: the same set of findings always gives the same comment.
  const findings = [...new Set(input.findings.map((f) => f.id))].sort();
  const meta: PrMetadata = {
    schema: 1,
    item: input.item.key,
    codemods: input.codemods.map((c) => ({ id: c.id, version: c.version })),
    baseSha: input.base.sha,
    findings,
    findingsCount: findings.length,
    findingsDigest: findingsDigest(findings),
  };
  if (input.part) meta.part = { index: input.part.index, total: input.part.total };
  return meta;
}

/**
 * The hidden comment. `<` and `>` are written as JSON escapes so that no
 * value (a plan key, an id) can end the comment early; JSON.parse undoes them.
 */
export function renderMetadata(meta: PrMetadata): string {
  const json = JSON.stringify(meta).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
  return `${OPEN}${json} ${CLOSE}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** A clean copy with only the known fields, or null when anything is off. */
function validate(value: unknown): PrMetadata | null {
  if (!isRecord(value) || value.schema !== 1) return null;
  const { item, part, codemods, baseSha, findings, findingsCount, findingsDigest: digest } = value;
  if (typeof item !== 'string' || !item || typeof baseSha !== 'string' || !isStringArray(findings)) return null;
  if (!Array.isArray(codemods)) return null;
  const mods: PrMetadata['codemods'] = [];
  for (const c of codemods) {
    if (!isRecord(c) || typeof c.id !== 'string' || typeof c.version !== 'string') return null;
    mods.push({ id: c.id, version: c.version });
  }
  const meta: PrMetadata = { schema: 1, item, codemods: mods, baseSha, findings: [...findings] };
  if (part !== undefined) {
    if (!isRecord(part) || !isCount(part.index, 1) || !isCount(part.total, 1) || part.index > part.total) return null;
    meta.part = { index: part.index, total: part.total } satisfies PrPart;
  }
  if (findingsCount !== undefined) {
    if (!isCount(findingsCount, 0)) return null;
    meta.findingsCount = findingsCount;
  }
  if (digest !== undefined) {
    if (typeof digest !== 'string') return null;
    meta.findingsDigest = digest;
  }
  return meta;
}

/**
 * Reads the metadata comment back from a pull request body. People edit
 * bodies (and GitHub may turn line ends into CRLF), so the comment is looked
 * for anywhere; when there are several (a body that quotes another PR), the
 * last valid one wins, since shipshape writes its own last. Never throws.
 */
export function parseMetadata(body: string): PrMetadata | null {
  if (typeof body !== 'string') return null;
  let found: PrMetadata | null = null;
  let at = body.indexOf(OPEN);
  while (at !== -1) {
    const start = at + OPEN.length;
    const end = body.indexOf(CLOSE, start);
    if (end === -1) break;
    try {
      found = validate(JSON.parse(body.slice(start, end))) ?? found;
    } catch {
      // Not ours or damaged by an edit: keep looking.
    }
    at = body.indexOf(OPEN, start);
  }
  return found;
}
