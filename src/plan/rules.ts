import type { Codemod, KeywordRule, RuleRef } from '../engine/types.js';
import type { Finding } from '../findings/types.js';

/**
 * Which codemod a finding or a piece of prose asks for. The rules live in
 * each codemod's metadata (`fixes`, `keywords`); this module only reads
 * them, in registry order, so security fixes win. A mapping only proposes a
 * codemod: every finding is then confirmed by that codemod's detector at the
 * finding's location, so a broad rule (B106, a secret passed as an argument,
 * which secret-from-env reports but does not rewrite) ends as "not
 * confirmed", never as a wrong edit.
 */

const patterns = new Map<string, RegExp>();

function rulePattern(ruleId: string): RegExp {
  let re = patterns.get(ruleId);
  if (!re) {
    re = new RegExp(`^${ruleId.replace(/[.+?^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '[\\w-]*')}$`, 'i');
    patterns.set(ruleId, re);
  }
  return re;
}

/** Whether a finding of `tool`'s rule `ruleId` is one `ref` names. */
export function ruleMatches(ref: RuleRef, tool: string, ruleId: string): boolean {
  if (ref.tool !== tool.toLowerCase()) return false;
  const re = rulePattern(ref.ruleId);
  if (re.test(ruleId)) return true;
  // Semgrep ids carry the registry path: `python.flask.security.….avoid_hardcoded_config_SECRET_KEY`.
  return ref.tool === 'semgrep' && re.test(ruleId.slice(ruleId.lastIndexOf('.') + 1));
}

/** Every codemod's keyword rules, in registry order. */
export function keywordRules(codemods: readonly Codemod[]): (KeywordRule & { codemod: string })[] {
  return codemods.flatMap((c) => c.meta.keywords.map((k) => ({ ...k, codemod: c.meta.id })));
}

/** Tools whose findings are prose (a review bot, a plan), read with the keyword rules. */
const PROSE_TOOLS = new Set(['coderabbit', 'plan', 'keyword']);

/** The codemod a text asks for; `withFile` says whether the text points at a file (a reference, a finding's location). */
export function codemodForText(text: string, codemods: readonly Codemod[], withFile = true): string | undefined {
  return keywordRules(codemods).find((r) => (withFile || !r.needsFile) && r.pattern.test(text))?.codemod;
}

/** Every codemod named by keywords in a text (not only the first). */
export function codemodsInText(text: string, codemods: readonly Codemod[]): string[] {
  return [...new Set(keywordRules(codemods).filter((r) => r.pattern.test(text)).map((r) => r.codemod))];
}

/** The codemod a finding's rule points to, or undefined when no codemod handles it. */
export function codemodForFinding(finding: Finding, codemods: readonly Codemod[]): string | undefined {
  for (const c of codemods) {
    if (c.meta.fixes.some((f) => ruleMatches(f, finding.tool, finding.ruleId))) return c.meta.id;
  }
  if (PROSE_TOOLS.has(finding.tool.toLowerCase())) return codemodForText(`${finding.ruleId} ${finding.message}`, codemods);
  return undefined;
}
