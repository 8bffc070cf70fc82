/** A file reference found in a plan, e.g. `aws-utilities.js:110-122`. */
export interface PlanRef {
  /** The reference exactly as written (`session_store.py:30-40`, `/docs/x.md`). */
  raw: string;
  /** The file part, normalised: forward slashes, no leading `/` or `./`, no `..` segments. */
  path: string;
  startLine?: number;
  endLine?: number;
  /** Line of the plan file the reference is written on. */
  line: number;
  /**
   * For issue references only: what the plan says about the file, with the
   * reference itself removed (`Hardcoded SECRET_KEY`, `XSS Fix 1`).
   */
  note?: string;
}

export interface PlanTask {
  /** The item's Markdown source with line breaks folded to spaces (inline code and links kept). */
  text: string;
  /** A checked GFM task box (`- [x]`). */
  done: boolean;
  /** Whether the item has a GFM task box at all; plain and numbered list items are tasks too. */
  checkbox: boolean;
  refs: PlanRef[];
  line: number;
}

export interface PlanCode {
  lang?: string;
  value: string;
  line: number;
}

export interface PlanSection {
  /** '1.2' for `Sprint 1.2: …`; `w1-d1-2` for `Day 1-2: …` under `Week 1: …`; `w4` for a `Week 4: …` section. */
  key: string;
  /** Without the `(Days 3-4)` / `(HIGHEST PRIORITY)` suffixes and without trailing emoji. */
  title: string;
  /** `Days 3-4`, `Day 1-2`, `Week 4`. */
  when?: string;
  /** `Phase 1: Critical Security Fixes (Week 1)` or `Week 1: Critical Security Fixes`. */
  phase?: string;
  /** `HIGHEST PRIORITY` from the heading, a `**Priority:** …` label, or an enclosing `Priority N…` heading. */
  priority?: string;
  tasks: PlanTask[];
  rollback?: string;
  /** References named as the problem: `**Issue:** \`path:57\` - …` and sub-headings such as `#### XSS Fix 1: \`path\``. */
  issues: PlanRef[];
  code: PlanCode[];
  /** Line of the section's heading (or bold sprint paragraph). */
  line: number;
}

export interface PlanWarning {
  line: number;
  message: string;
}

export interface ParsedPlan {
  /** The file name or label the plan was read from, for messages. */
  source: string;
  /** Text of the first level-1 heading. */
  title?: string;
  sections: PlanSection[];
  warnings: PlanWarning[];
}

/** Where in the plan a reference was found. */
export interface PlanRefOrigin {
  /** Key of the section. */
  section: string;
  kind: 'task' | 'issue';
}

export interface ResolvedPlanRef extends PlanRefOrigin {
  ref: PlanRef;
  /** The repository-relative path the reference names. */
  file: string;
}

export interface PlanRefProblem extends PlanRefOrigin {
  ref: PlanRef;
  reason: 'missing' | 'ambiguous';
  /** Every repository path the reference could mean (empty when missing), sorted. */
  candidates: string[];
}

export interface PlanRefResolution {
  resolved: ResolvedPlanRef[];
  problems: PlanRefProblem[];
}
