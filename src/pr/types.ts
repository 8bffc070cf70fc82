import type { Safety } from '../engine/types.js';
import type { Finding } from '../findings/types.js';
import type { SprintItem } from '../plan/types.js';

export type { Safety };

/** Which part of a split sprint item a pull request carries (1-based). */
export interface PrPart {
  index: number;
  total: number;
}

/** A place a codemod saw but did not change, and why. */
export interface LeftAlone {
  path: string;
  line: number;
  message: string;
}

/** What one codemod did on the pull request's branch. */
export interface PrCodemod {
  id: string;
  version: string;
  title: string;
  /** A few words for the PR title ("print() replaced with logging"); the title is used when absent. */
  phrase?: string;
  safety: Safety;
  summary: string;
  rollback: string;
  prerequisites: string[];
  /** Files it changed, repository-relative. */
  files: string[];
  /** Changes made, one per site (a call, a class, an assignment); imports they need are not counted. */
  changes: number;
  /** The changes a reviewer must read: those that change behaviour on purpose (`review`) or may (`unsafe`). */
  review: { path: string; line: number; description: string; safety: Safety }[];
  leftAlone: LeftAlone[];
  /** Remarks on changes that were made (a deprecated key kept, with why). */
  caveats?: LeftAlone[];
}

export interface DiffStatEntry {
  path: string;
  added: number;
  removed: number;
}

export interface VerificationCheck {
  /** e.g. "reparse", "idempotent", "edits confined", "python3 compile". */
  name: string;
  ok: boolean;
  detail?: string;
}

/** Everything a pull request's title and body are made of; plain data, no I/O. */
export interface PrInput {
  item: SprintItem;
  /** Set when the item is split: "1.2 (part 1/2)". */
  part?: PrPart;
  /** `shipshape/<key>-<slug>`, see branchName. */
  branch: string;
  base: { branch: string; sha: string };
  codemods: PrCodemod[];
  diffStat: DiffStatEntry[];
  verification: VerificationCheck[];
  /** The confirmed findings this PR closes (for a part, a subset of item.findings). */
  findings: Finding[];
  /** A link to a finding's lines at the base commit (the forge's); plain text without it. */
  fileLink?: (path: string, startLine: number, endLine?: number) => string;
}

/**
 * The hidden metadata comment: what a re-run compares to decide whether the
 * pull request is already up to date.
 */
export interface PrMetadata {
  schema: 1;
  item: string;
  part?: PrPart;
  codemods: { id: string; version: string }[];
  baseSha: string;
  /**
   * Ids of the findings the PR closes. Empty when the list is too long to
   * carry inside the body limit; `findingsCount` and `findingsDigest` still
   * identify the set then.
   */
  findings: string[];
  /** How many findings the PR closes (always written; optional when reading). */
  findingsCount?: number;
  /** Hex SHA-256 (first 16 digits) over the sorted finding ids (always written; optional when reading). */
  findingsDigest?: string;
}
