import { createHash } from 'node:crypto';
import type { Finding, FindingsResult, RejectedFinding } from './types.js';
import type { PathContext } from './paths.js';

/**
 * What every findings parser gets: where the repository is, and the name of
 * the input file for messages.
 */
export interface ParseContext extends PathContext {
  /** The input file as the user named it, used in messages and `Finding.source`. */
  file: string;
}

/**
 * A short id that stays the same across runs for the same finding: the first
 * 12 hex digits of a SHA-256 over tool, rule, path, lines and message. The
 * fields are JSON-encoded so that a `|` inside a message cannot make two
 * different findings collide.
 */
export function findingId(finding: Omit<Finding, 'id' | 'source' | 'severity' | 'url'>): string {
  const key = JSON.stringify([finding.tool, finding.ruleId, finding.path, finding.startLine, finding.endLine ?? null, finding.message]);
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** Builds a Finding with its id. */
export function makeFinding(fields: Omit<Finding, 'id'>): Finding {
  const finding: Finding = { id: findingId(fields), ...fields };
  if (finding.endLine === undefined) delete finding.endLine;
  if (finding.url === undefined) delete finding.url;
  return finding;
}

/**
 * Collects findings in input order; a finding identical to an earlier one (same
 * id) is the same problem reported twice (e.g. by two runs) and is kept once.
 */
export function collect(): { add(finding: Finding): void; reject(rejected: RejectedFinding): void; result(): FindingsResult } {
  const findings: Finding[] = [];
  const rejected: RejectedFinding[] = [];
  const seen = new Set<string>();
  return {
    add(finding) {
      if (seen.has(finding.id)) return;
      seen.add(finding.id);
      findings.push(finding);
    },
    reject(entry) {
      rejected.push(entry);
    },
    result() {
      return { findings, rejected };
    },
  };
}

export function emptyResult(): FindingsResult {
  return { findings: [], rejected: [] };
}
