import { lineAt, sortEdits } from './edits.js';
import type { ChangeSite, Edit, Safety } from './types.js';

export const RISK: Readonly<Record<Safety, number>> = { safe: 0, review: 1, unsafe: 2 };

export function riskier(a: Safety, b: Safety): Safety {
  return RISK[b] > RISK[a] ? b : a;
}

/** One change of a codemod's result: its own edits and the supporting edits it needs. */
interface Group {
  id: string;
  edits: Edit[];
  safety: Safety;
  requires: Set<string>;
}

export interface Selection {
  /** Edits to apply, change edits and the supporting edits they need. */
  applied: Edit[];
  /** The changes applied, one per site. */
  changes: ChangeSite[];
  /** The changes held back by the policy (or by a change they require), one per site. */
  held: ChangeSite[];
}

function site(codemod: string, text: string, group: Group): ChangeSite {
  const sorted = sortEdits(group.edits);
  const first = sorted[0]!;
  const line = lineAt(text, first.start);
  const endLine = Math.max(...sorted.map((e) => lineAt(text, Math.max(e.start, e.end - 1))));
  return { codemod, line, endLine, description: first.description, safety: group.safety };
}

/**
 * Which of a codemod's edits in one file a policy lets through. Edits are
 * grouped into changes (`Edit.change`); a change is applied when its
 * riskiest edit, and every supporting edit it needs, is within `maxSafety`,
 * and every change it requires is applied too. Supporting edits go with the
 * changes they serve and are never counted as changes themselves.
 */
export function selectEdits(codemod: string, text: string, edits: readonly Edit[], maxSafety: Safety): Selection {
  const groups = new Map<string, Group>();
  const supports: Edit[] = [];
  edits.forEach((edit, index) => {
    if (edit.supports && edit.supports.length > 0) {
      supports.push(edit);
      return;
    }
    const id = edit.change ?? `#${index}`;
    let group = groups.get(id);
    if (!group) {
      group = { id, edits: [], safety: 'safe', requires: new Set() };
      groups.set(id, group);
    }
    group.edits.push(edit);
    group.safety = riskier(group.safety, edit.safety);
    for (const r of edit.requires ?? []) group.requires.add(r);
  });
  // A change is as risky as the supporting edits it cannot go without.
  for (const edit of supports) {
    for (const id of edit.supports!) {
      const group = groups.get(id);
      if (group) group.safety = riskier(group.safety, edit.safety);
    }
  }
  const allowed = new Set([...groups.values()].filter((g) => RISK[g.safety] <= RISK[maxSafety]).map((g) => g.id));
  for (let dropped = true; dropped; ) {
    dropped = false;
    for (const id of allowed) {
      const group = groups.get(id)!;
      if ([...group.requires].every((r) => allowed.has(r))) continue;
      allowed.delete(id);
      dropped = true;
    }
  }
  const changes: ChangeSite[] = [];
  const held: ChangeSite[] = [];
  for (const group of groups.values()) {
    if (allowed.has(group.id)) changes.push(site(codemod, text, group));
    else held.push(site(codemod, text, group));
  }
  // In the codemod's own order: insertions at one point (an import line built from a change
  // and a supporting edit) keep the order the codemod gave them.
  const applied = edits.filter((edit, index) =>
    edit.supports && edit.supports.length > 0 ? edit.supports.some((id) => allowed.has(id)) : allowed.has(edit.change ?? `#${index}`),
  );
  const byLine = (a: ChangeSite, b: ChangeSite) => a.line - b.line;
  return { applied, changes: changes.sort(byLine), held: held.sort(byLine) };
}
