/** Where a finding came from. */
export type FindingTool = 'codeql' | 'semgrep' | 'eslint' | 'bandit' | 'ruff' | 'coderabbit' | 'shipshape' | 'plan' | (string & {});

export type Severity = 'error' | 'warning' | 'note' | 'none';

/**
 * One problem reported by an analysis tool, a review bot or a plan, in one
 * shape for every input format. `path` is repository-relative, normalised,
 * with forward slashes; a path that escapes the repository never becomes a Finding.
 */
export interface Finding {
  /** Stable across runs for the same input: derived from tool, rule, path, lines and message. */
  id: string;
  tool: FindingTool;
  ruleId: string;
  message: string;
  path: string;
  startLine: number;
  endLine?: number;
  severity: Severity;
  url?: string;
  /** The input file (and, for SARIF, the run/result index) it was read from, for error messages. */
  source: string;
  /** Set by the planner when the codemod fixes part of it only: what remains, and why. */
  remains?: string;
}

/** A finding that could not be accepted, and why (shown to the user; the rest still goes on). */
export interface RejectedFinding {
  source: string;
  reason: string;
}

export interface FindingsResult {
  findings: Finding[];
  rejected: RejectedFinding[];
}

/** Malformed input: the file, the place in it, and what is wrong. The CLI exits 2 with this message. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${file}${where ? `: ${where}` : ''}: ${problem}`);
  }
}
