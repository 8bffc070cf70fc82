/**
 * What this codemod reads from `JsContext.options` (the config file's
 * section for it). Every field is optional; a malformed one is ignored with
 * a message, never thrown.
 *
 *   text:   ['t', 'i18n.t']          calls that return plain text (escaped where they meet markup)
 *   markup: ['icon', 'Icons.render'] calls that return markup (left as they are)
 *   escape: ['esc', 'Utils.escape']  calls that escape & < > " ' (trusted, and used to escape)
 *   importSummaries: (specifier, exportedName) => Summary | undefined   (from the project model)
 */
import type { Declarations, SummaryLookup } from './provenance.js';

export interface CodemodOptions {
  declarations: Declarations;
  lookup: SummaryLookup | undefined;
  /** Why some options were ignored. */
  problems: string[];
}

const DOTTED = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
const FIELDS = { text: 'text', markup: 'markup', escape: 'escape' } as const;

function names(value: unknown, field: string, problems: string[]): Set<string> {
  if (value === undefined) return new Set();
  if (!Array.isArray(value)) {
    problems.push(`option \`${field}\` must be a list of function names such as \`i18n.t\`; it was ignored`);
    return new Set();
  }
  const out = new Set<string>();
  for (const item of value) {
    if (typeof item === 'string' && DOTTED.test(item)) out.add(item);
    else problems.push(`option \`${field}\` holds ${JSON.stringify(item) ?? String(item)}, which is not a function name such as \`i18n.t\`; it was ignored`);
  }
  return out;
}

/** Reads and checks the options; unknown keys are reported, not fatal. */
export function readOptions(options: Readonly<Record<string, unknown>> | undefined): CodemodOptions {
  const problems: string[] = [];
  const found = { text: new Set<string>(), markup: new Set<string>(), escape: new Set<string>() };
  for (const [field, kind] of Object.entries(FIELDS)) found[kind] = names(options?.[field], field, problems);
  const lookupValue = options?.importSummaries;
  let lookup: SummaryLookup | undefined;
  if (typeof lookupValue === 'function') lookup = lookupValue as SummaryLookup;
  else if (lookupValue !== undefined) problems.push('option `importSummaries` must be a function; it was ignored');
  for (const key of Object.keys(options ?? {})) {
    if (!(key in FIELDS) && key !== 'importSummaries') problems.push(`unknown option \`${key}\` was ignored`);
  }
  for (const name of found.text) {
    if (found.markup.has(name) || found.escape.has(name)) problems.push(`\`${name}\` is declared as more than one kind of function; it is treated as unknown`);
  }
  for (const set of [found.text, found.markup, found.escape]) {
    for (const name of [...set]) {
      const kinds = [found.text, found.markup, found.escape].filter((s) => s.has(name)).length;
      if (kinds > 1) set.delete(name);
    }
  }
  return { declarations: found, lookup, problems };
}

/** A checked summary lookup that never throws into the transform: a failing or malformed answer counts as no summary. */
export function safeLookup(lookup: SummaryLookup | undefined): SummaryLookup | undefined {
  if (!lookup) return undefined;
  return (specifier, exported) => {
    try {
      const summary = lookup(specifier, exported);
      if (!summary || typeof summary !== 'object') return undefined;
      if (!['markup', 'escaped', 'data', 'text', 'unknown'].includes(summary.returns)) return undefined;
      if (summary.escapes !== undefined && !(Array.isArray(summary.escapes) && summary.escapes.every((c) => typeof c === 'string'))) return undefined;
      return summary;
    } catch {
      return undefined;
    }
  };
}
