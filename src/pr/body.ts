import { fitBlocks, type Block } from './listing.js';
import { prMetadata, renderMetadata } from './metadata.js';
import {
  changesSection,
  diffStatSection,
  findingsSection,
  itemSection,
  manualSection,
  prerequisitesSection,
  rollbackSection,
  summarySection,
  verificationSection,
  type Detail,
} from './sections.js';
import type { PrInput } from './types.js';

/** Thrown when even the parts that are never cut (rollback, prerequisites, metadata) exceed the limit. */
export class BodyLimitError extends RangeError {
  constructor(readonly maxLength: number) {
    super(`A pull request body of at most ${maxLength} characters cannot hold this item's rollback notes, deploy prerequisites and metadata`);
  }
}

function blocksOf(input: PrInput, detail: Detail, same: { findings: Block[]; prerequisites: Block[]; rollback: Block[] }): Block[] {
  return [
    ...summarySection(input, detail),
    ...itemSection(input, detail),
    ...same.findings,
    ...changesSection(input, detail),
    ...diffStatSection(input, detail),
    ...verificationSection(input, detail),
    ...same.prerequisites,
    ...same.rollback,
    ...manualSection(input, detail),
  ];
}

/**
 * The pull request body, at most `maxLength` characters. When too long, the
 * longest lists (findings, files, places left alone, diff stat, manual tasks)
 * are shortened first, with a note saying how many rows are not shown; then
 * the explanatory prose goes. Rollback, deploy prerequisites and the metadata
 * comment are never cut. The metadata carries every finding id only while
 * that takes at most a quarter of the limit (readers come first); otherwise
 * their count and digest stand in for them. Throws BodyLimitError when even
 * the uncut parts do not fit.
 */
export function prBody(input: PrInput, maxLength: number): string {
  if (!Number.isSafeInteger(maxLength) || maxLength <= 0) throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
  const meta = prMetadata(input);
  const withIds = renderMetadata(meta);
  const withoutIds = renderMetadata({ ...meta, findings: [] });
  const metadatas = meta.findings.length > 0 && withIds.length <= maxLength / 4 ? [withIds, withoutIds] : [withoutIds];
  // Built once: the findings table is the largest part, and these do not depend on the detail level.
  const same = { findings: findingsSection(input), prerequisites: prerequisitesSection(input), rollback: rollbackSection(input) };
  for (const detail of ['full', 'compact', 'minimal'] as const) {
    const blocks = blocksOf(input, detail, same);
    for (const metadata of metadatas) {
      const body = fitBlocks([...blocks, metadata], maxLength);
      if (body !== null) return body;
    }
  }
  throw new BodyLimitError(maxLength);
}
