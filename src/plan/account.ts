import type { Plan } from './types.js';

/** Where one finding the user gave ended up, when it did not go into an item. */
export interface FindingPlace {
  path: string;
  line: number;
  tool: string;
  ruleId: string;
}

/**
 * Every finding given to a plan, in exactly one state: in an item (its PR
 * fixes it), not confirmed (with the codemod's reason; out-of-scope ones
 * say so), no codemod for its rule, or rejected while reading. Plan-made findings (a sprint plan's
 * own references) are not counted: the user did not give them as findings.
 */
export interface FindingsAccount {
  total: number;
  /** Given findings in sprint items, and how many items hold them. */
  inItems: number;
  items: number;
  notConfirmed: (FindingPlace & { reason: string })[];
  noCodemod: FindingPlace[];
  /** Refused while reading (a path outside the repository, no location): counted, listed by the plan's `rejected`. */
  rejected: number;
}

export function accountFindings(plan: Plan): FindingsAccount {
  const given = plan.items.map((i) => i.findings.filter((f) => f.tool !== 'plan').length);
  const notConfirmed = plan.notConfirmed.map((n) => ({ path: n.finding.path, line: n.finding.startLine, tool: n.finding.tool, ruleId: n.finding.ruleId, reason: n.reason }));
  const noCodemod = plan.unhandled.flatMap((u) => u.findings.map((f) => ({ path: f.path, line: f.startLine, tool: f.tool, ruleId: f.ruleId })));
  const inItems = given.reduce((a, b) => a + b, 0);
  const rejected = plan.rejected.length;
  return { total: inItems + notConfirmed.length + noCodemod.length + rejected, inItems, items: given.filter((n) => n > 0).length, notConfirmed, noCodemod, rejected };
}
