import type { Finding, RejectedFinding } from '../findings/types.js';

export const PLAN_SCHEMA_VERSION = 1;

/** One unit of work: later, one small pull request. */
export interface SprintItem {
  /** The plan's key (`1.2`), or `S1`, `S2`… for items made from findings or detectors. */
  key: string;
  title: string;
  phase?: string;
  when?: string;
  /** Where the item comes from: a sprint plan section, findings without a plan, or a repository scan. */
  origin: 'plan' | 'findings' | 'scan';
  /** Codemods with at least one confirmed finding, in registry (security-first) order. */
  codemods: string[];
  /** Files the item's codemods change, sorted. */
  files: string[];
  /** Confirmed findings the item closes. */
  findings: Finding[];
  /** The plan's Rollback line, as written; null when the plan gives none. */
  rollback: string | null;
  prerequisites: string[];
  security: boolean;
  automatable: boolean;
  /** Why the item is not automatable (needs a human), when it is not. */
  reason?: string;
  /** Tasks of the item no codemod matched: a person checks them (some may be covered by the change) and does the rest. */
  manualTasks: string[];
}

export interface NotConfirmed {
  item?: string;
  finding: Finding;
  codemod: string;
  reason: string;
}

export interface Plan {
  schemaVersion: typeof PLAN_SCHEMA_VERSION;
  repo: string;
  inputs: { plan?: string; findings: string[] };
  items: SprintItem[];
  /** Findings a codemod was proposed for but its detector did not confirm: never applied elsewhere. */
  notConfirmed: NotConfirmed[];
  /** Findings no codemod handles (unknown rules), grouped per rule. */
  unhandled: { tool: string; ruleId: string; findings: Finding[] }[];
  /** Findings refused while reading (paths that escape the repository, no location…). */
  rejected: RejectedFinding[];
  warnings: string[];
}
