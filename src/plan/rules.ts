import type { Codemod } from '../engine/types.js';
import type { Finding } from '../findings/types.js';

/**
 * Analysis rules that a codemod may fix, beyond the rules in each codemod's
 * own `meta.fixes`. A mapping only proposes a codemod: every finding is
 * confirmed by running that codemod's detector at the finding's location, so
 * a broad mapping (B106 keyword-argument secrets, which secret-from-env
 * reports but does not rewrite) ends as "not confirmed", never as a wrong edit.
 * docs/rules.md is this table for users; a test keeps the two in step.
 */
export const RULE_TABLE: readonly { tool: string; ruleId: string | RegExp; codemod: string }[] = [
  { tool: 'codeql', ruleId: 'js/xss', codemod: 'js/innerhtml-to-textcontent' },
  { tool: 'codeql', ruleId: 'js/xss-through-dom', codemod: 'js/innerhtml-to-textcontent' },
  { tool: 'codeql', ruleId: 'js/html-injection', codemod: 'js/innerhtml-to-textcontent' },
  { tool: 'codeql', ruleId: 'js/reflected-xss', codemod: 'js/innerhtml-to-textcontent' },
  { tool: 'codeql', ruleId: 'js/stored-xss', codemod: 'js/innerhtml-to-textcontent' },
  { tool: 'eslint', ruleId: 'no-unsanitized/property', codemod: 'js/innerhtml-to-textcontent' },
  { tool: 'semgrep', ruleId: /(?:^|\.)(?:insecure-innerhtml|insecure-document-method|innerhtml[\w-]*)$/i, codemod: 'js/innerhtml-to-textcontent' },
  { tool: 'codeql', ruleId: 'py/hardcoded-credentials', codemod: 'python/secret-from-env' },
  { tool: 'bandit', ruleId: 'B105', codemod: 'python/secret-from-env' },
  { tool: 'bandit', ruleId: 'B106', codemod: 'python/secret-from-env' },
  { tool: 'bandit', ruleId: 'B107', codemod: 'python/secret-from-env' },
  { tool: 'ruff', ruleId: 'S105', codemod: 'python/secret-from-env' },
  { tool: 'ruff', ruleId: 'S106', codemod: 'python/secret-from-env' },
  { tool: 'ruff', ruleId: 'S107', codemod: 'python/secret-from-env' },
  { tool: 'semgrep', ruleId: /(?:^|\.)(?:hardcoded-secret-key|avoid_hardcoded_config_SECRET_KEY|django-secret-key[\w-]*)$/i, codemod: 'python/secret-from-env' },
  { tool: 'ruff', ruleId: 'T201', codemod: 'python/print-to-logging' },
];

/**
 * Prose rules: what a sprint plan's task or a review comment says, mapped to
 * the codemod that does it. Checked in order; the first match wins, so the
 * security fixes come first.
 */
export const KEYWORD_RULES: readonly { id: string; pattern: RegExp; codemod: string; needsFile?: boolean }[] = [
  { id: 'hardcoded-secret-key', pattern: /\bhard-?coded\s+(?:`?[A-Z_]*SECRET[A-Z_]*`?|secrets?|JWT secret)|\bSECRET_KEY\b.*\b(?:hard-?coded|environment)/i, codemod: 'python/secret-from-env' },
  { id: 'innerHTML', pattern: /\binnerHTML\b/i, codemod: 'js/innerhtml-to-textcontent' },
  // "XSS" alone also names tests and motivations ("XSS attack simulation fails"): it
  // counts only where the text points at a file, never for a repository-wide sweep.
  { id: 'xss', pattern: /\bXSS\b/i, codemod: 'js/innerhtml-to-textcontent', needsFile: true },
  { id: 'print-statements', pattern: /\bprint\(\)|\bprint statements?\b/i, codemod: 'python/print-to-logging' },
  { id: 'pydantic-config-class', pattern: /\bConfig class(?:es)?\b|\bConfigDict\b|\bclass Config\b/i, codemod: 'python/pydantic-configdict' },
  { id: 'check-same-thread', pattern: /\bcheck_same_thread\b|\bdatabase connection conditional\b|\bsqlite[- ]only connect_args\b/i, codemod: 'python/sqlite-connect-args' },
];

/** Tools whose findings are prose (a review bot, a plan), read with the keyword rules. */
const PROSE_TOOLS = new Set(['coderabbit', 'plan', 'keyword']);

/** The codemod a text asks for; `withFile` says whether the text points at a file (a reference, a finding's location). */
export function codemodForText(text: string, withFile = true): string | undefined {
  return KEYWORD_RULES.find((r) => (withFile || !r.needsFile) && r.pattern.test(text))?.codemod;
}

/** The codemod a finding's rule points to, or undefined when no codemod handles it. */
export function codemodForFinding(finding: Finding, codemods: readonly Codemod[]): string | undefined {
  const tool = finding.tool.toLowerCase();
  for (const c of codemods) {
    if (c.meta.fixes.some((f) => f.tool === tool && f.ruleId === finding.ruleId)) return c.meta.id;
  }
  const row = RULE_TABLE.find((r) => r.tool === tool && (typeof r.ruleId === 'string' ? r.ruleId === finding.ruleId : r.ruleId.test(finding.ruleId)));
  if (row) return row.codemod;
  if (PROSE_TOOLS.has(tool)) return codemodForText(`${finding.ruleId} ${finding.message}`);
  return undefined;
}
