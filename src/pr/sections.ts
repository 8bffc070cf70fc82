/**
 * One builder per section of the pull request body. Each returns blocks
 * (see listing.ts). `detail` drops explanatory prose when the body must
 * shrink: 'compact' keeps every section's facts, 'minimal' keeps one line per
 * section around the parts that are never cut (prerequisites, rollback).
 */
import type { Finding } from '../findings/types.js';
import { listing, omittedNote, type Block, type Listing } from './listing.js';
import { cell, clip, code, firstLine, oneLine, plural, prose, quote, safeLink, safeUrl } from './markdown.js';
import { itemLabel } from './title.js';
import type { PrCodemod, PrInput, Safety } from './types.js';

export type Detail = 'full' | 'compact' | 'minimal';

/** Lists longer than this fold into `<details>`. */
const FOLD_AFTER = { files: 10, leftAlone: 5 } as const;
/** A table cell longer than this is clipped: a message's first line is enough to recognise it. */
const CELL_MAX = 200;

export const REVERT_COMMAND =
  'After merging, revert with `git revert -m 1 <merge-commit-sha>` (or, for a squash merge, `git revert <squash-commit-sha>`).';
export const CLOSE_NOTE = 'Closing this PR without merging changes nothing.';

export const SAFETY_EXPLANATIONS: Record<Safety, string> = {
  safe: 'behaviour is kept for every input the codemod accepts; it applies such edits without asking',
  review: 'the codemod is confident of the edit, but it changes behaviour on purpose: a reviewer should read it before merging',
  unsafe: 'the edit may change behaviour the codemod cannot see: read every edit and test before merging',
};

function short(sha: string): string {
  return sha.slice(0, 12);
}

/** Prerequisites of the item and of every codemod, each once (compared without case or extra spaces). */
export function prerequisitesOf(input: PrInput): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const text of [...input.item.prerequisites, ...input.codemods.flatMap((c) => c.prerequisites)]) {
    const line = oneLine(text);
    const key = line.toLowerCase();
    if (!line || seen.has(key)) continue;
    seen.add(key);
    out.push(line);
  }
  return out;
}

function changesCount(input: PrInput): number {
  return input.codemods.reduce((sum, c) => sum + c.changes, 0);
}

export function summarySection(input: PrInput, detail: Detail): Block[] {
  const { item, part } = input;
  const title = oneLine(item.title);
  const files = new Set([...input.diffStat.map((d) => d.path), ...input.codemods.flatMap((c) => c.files)]).size;
  const partText = part ? ` (part ${part.index} of ${part.total})` : '';
  const sentences = [
    detail === 'minimal'
      ? `Sprint item **${prose(itemLabel(item.key, part))}**: ${plural(changesCount(input), 'change')} in ${plural(files, 'file')}, closing ${plural(input.findings.length, 'finding')}.`
      : `This pull request carries sprint item **${prose(oneLine(item.key))}${title ? ` — ${prose(title)}` : ''}**${partText}: ` +
        `${plural(changesCount(input), 'change')} by ${plural(input.codemods.length, 'codemod')} in ${plural(files, 'file')}, ` +
        `closing ${plural(input.findings.length, 'finding')}.`,
  ];
  if (prerequisitesOf(input).length > 0) sentences.push('**Before merging, do the deploy prerequisites below.**');
  if (detail === 'full') {
    const failed = input.verification.filter((v) => !v.ok).length;
    if (input.verification.length === 0) sentences.push('No verification checks were recorded.');
    else if (failed === 0) sentences.push(`Every changed file passed verification (${plural(input.verification.length, 'check')}) before the branch was pushed.`);
    else sentences.push(`${failed} of ${plural(input.verification.length, 'verification check')} failed: see Verification.`);
    sentences.push(`The branch ${code(input.branch)} starts from ${code(input.base.branch)} at ${code(short(input.base.sha))}.`);
  }
  return [sentences.join(' ')];
}

export function itemSection(input: PrInput, detail: Detail): Block[] {
  const { item, part } = input;
  const heading = '## Sprint item';
  // The summary's first sentence already names the item.
  if (detail === 'minimal') return [];
  if (detail === 'compact') {
    return [heading, `**${prose(itemLabel(item.key, part))}** — ${prose(oneLine(item.title))}${item.phase ? ` (${prose(oneLine(item.phase))})` : ''}`];
  }
  const lines = [`- **Key:** ${prose(oneLine(item.key))}`, `- **Title:** ${prose(oneLine(item.title))}`];
  if (item.phase) lines.push(`- **Phase:** ${prose(oneLine(item.phase))}`);
  if (item.when) lines.push(`- **When:** ${prose(oneLine(item.when))}`);
  if (part) {
    lines.push(`- **Part:** ${part.index} of ${part.total}; the parts are separate pull requests, each can be merged and reverted on its own.`);
    lines.push(`- **Findings:** ${input.findings.length} of the item's ${item.findings.length} are closed here.`);
  }
  if (item.security) lines.push('- **Security:** yes');
  lines.push(`- **Base:** ${code(input.base.branch)} at ${code(input.base.sha)}`);
  return [heading, lines.join('\n')];
}

function location(f: Finding): string {
  const end = f.endLine !== undefined && f.endLine !== f.startLine ? `-${f.endLine}` : '';
  return `${f.path}:${f.startLine}${end}`;
}

/** A finding's row: its location links to the lines at the base commit, its rule id to the rule's documentation. */
function findingRow(f: Finding, fileLink: PrInput['fileLink']): string {
  const where = code(location(f));
  const rule = code(clip(f.ruleId, CELL_MAX));
  const ruleUrl = safeUrl(f.url);
  const fileUrl = fileLink ? safeLink(fileLink(f.path, f.startLine, f.endLine)) : undefined;
  const cells = [
    prose(clip(oneLine(f.tool), CELL_MAX)),
    ruleUrl ? `[${rule}](${ruleUrl})` : rule,
    fileUrl ? `[${where}](${fileUrl})` : where,
    prose(clip(firstLine(f.message), CELL_MAX)) + (f.remains ? ` — **partly fixed**: ${prose(clip(oneLine(f.remains), CELL_MAX))}` : ''),
  ];
  return `| ${cells.map(cell).join(' | ')} |`;
}

/** Findings in a stable order: the same set always gives the same body. */
function sortedFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.path.localeCompare(b.path) ||
      a.startLine - b.startLine ||
      a.tool.localeCompare(b.tool) ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.id.localeCompare(b.id),
  );
}

export function findingsSection(input: PrInput): Block[] {
  const heading = '## Findings closed';
  if (input.findings.length === 0) return [heading, '_No findings are attached to this item._'];
  return [
    heading,
    listing({
      head: `${plural(input.findings.length, 'finding')}:`,
      rowsHead: '\n| Tool | Rule | Location | Message |\n| --- | --- | --- | --- |',
      rows: sortedFindings(input.findings).map((f) => findingRow(f, input.fileLink)),
      note: omittedNote('finding'),
    }),
  ];
}

/** A list that folds into `<details>` past `foldAfter` rows. */
function foldable(intro: string, rows: string[], foldAfter: number, note: Listing['note']): Block {
  if (rows.length <= foldAfter) return listing({ head: `${intro}\n`, rows, note });
  return listing({
    head: `<details>\n<summary>${intro.replace(/:$/, '')}</summary>\n`,
    rows,
    note,
    tail: '\n</details>',
  });
}

function codemodBlocks(c: PrCodemod, detail: Detail): Block[] {
  const blocks: Block[] = [`### ${prose(oneLine(c.title))}`];
  const safety = `safety **${c.safety}**`;
  blocks.push(
    detail === 'full'
      ? `${code(`${c.id}@${c.version}`)} · ${safety}: ${SAFETY_EXPLANATIONS[c.safety]}.\n\n${prose(oneLine(c.summary))}`
      : `${code(`${c.id}@${c.version}`)} · ${safety}`,
  );
  const files = [...c.files].sort();
  const intro = `${plural(c.changes, 'change')} in ${plural(files.length, 'file')}`;
  blocks.push(files.length === 0 ? `${intro}.` : foldable(`${intro}:`, files.map((f) => `- ${code(f)}`), FOLD_AFTER.files, omittedNote('file')));
  if (c.review.length > 0) {
    const rows = [...c.review]
      .sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line)
      .map((r) => `- ${code(`${r.path}:${r.line}`)} — ${prose(oneLine(r.description))} (**${r.safety}**)`);
    blocks.push(foldable(`To review (${c.review.length}): these change behaviour on purpose, read them before merging:`, rows, FOLD_AFTER.files, omittedNote('change')));
  }
  if (c.caveats?.length) {
    const rows = [...c.caveats].sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line).map((l) => `- ${code(`${l.path}:${l.line}`)} — ${prose(oneLine(l.message))}`);
    blocks.push(foldable(`Notes on these changes (${c.caveats.length}):`, rows, FOLD_AFTER.leftAlone, omittedNote('note')));
  }
  if (c.leftAlone.length > 0) {
    const rows = [...c.leftAlone]
      .sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line)
      .map((l) => `- ${code(`${l.path}:${l.line}`)} — ${prose(oneLine(l.message))}`);
    blocks.push(foldable(`Left alone (${c.leftAlone.length}), with the reason:`, rows, FOLD_AFTER.leftAlone, omittedNote('place left alone', 'places left alone')));
  }
  return blocks;
}

function codemodLine(c: PrCodemod): string {
  const left = c.leftAlone.length > 0 ? `, ${c.leftAlone.length} left alone` : '';
  const review = c.review.length > 0 ? `, ${c.review.length} to review` : '';
  return `- ${prose(oneLine(c.title))}: ${code(`${c.id}@${c.version}`)} · safety **${c.safety}** · ${plural(c.changes, 'change')} in ${plural(c.files.length, 'file')}${review}${left}`;
}

export function changesSection(input: PrInput, detail: Detail): Block[] {
  const heading = '## What changed';
  if (input.codemods.length === 0) return [heading, '_No codemod changed anything._'];
  if (detail === 'minimal') return [heading, input.codemods.map(codemodLine).join('\n')];
  return [heading, ...input.codemods.flatMap((c) => codemodBlocks(c, detail))];
}

export function diffStatSection(input: PrInput, detail: Detail): Block[] {
  const heading = '## Diff stat';
  if (input.diffStat.length === 0) return [heading, '_No file changes._'];
  const entries = [...input.diffStat].sort((a, b) => a.path.localeCompare(b.path));
  const added = entries.reduce((sum, d) => sum + d.added, 0);
  const removed = entries.reduce((sum, d) => sum + d.removed, 0);
  // Totals come first so that they stay complete when rows are left out.
  const totals = `**${plural(entries.length, 'file')} changed**, ${plural(added, 'insertion')}(+), ${plural(removed, 'deletion')}(−)`;
  if (detail === 'minimal') return [heading, totals];
  return [
    heading,
    listing({
      head: totals,
      rowsHead: '\n| File | + | − |\n| --- | ---: | ---: |',
      rows: entries.map((d) => `| ${cell(code(d.path))} | ${d.added} | ${d.removed} |`),
      note: omittedNote('file'),
    }),
  ];
}

export function verificationSection(input: PrInput, detail: Detail): Block[] {
  const heading = '## Verification';
  if (input.verification.length === 0) return [heading, '_No verification checks were recorded._'];
  const line = (v: PrInput['verification'][number]): string =>
    `- ${v.ok ? '✅' : '❌'} ${prose(oneLine(v.name))}${v.detail ? ` — ${prose(oneLine(v.detail))}` : ''}`;
  if (detail === 'full') return [heading, input.verification.map(line).join('\n')];
  const failed = input.verification.filter((v) => !v.ok);
  const passed = input.verification.length - failed.length;
  return [heading, [...(passed > 0 ? [`- ✅ ${plural(passed, 'check')} passed`] : []), ...failed.map(line)].join('\n')];
}

export function prerequisitesSection(input: PrInput): Block[] {
  const heading = '## Deploy prerequisites';
  const items = prerequisitesOf(input);
  if (items.length === 0) return [heading, 'None: this change needs nothing done in any environment before it is merged.'];
  const lines = ['[!IMPORTANT]', 'Do these before merging; the change depends on them:', '', ...items.map((p) => `- ${prose(p)}`)];
  return [heading, lines.map((l) => (l ? `> ${l}` : '>')).join('\n')];
}

export function rollbackSection(input: PrInput): Block[] {
  const blocks: Block[] = ['## Rollback'];
  const planLine = input.item.rollback?.trim();
  blocks.push(planLine ? `The plan's rollback for this item:\n\n${quote(prose(planLine))}` : 'The plan gives no rollback line for this item.');
  const notes = new Map<string, PrCodemod>();
  for (const c of input.codemods) if (c.rollback.trim() && !notes.has(c.id)) notes.set(c.id, c);
  if (notes.size > 0) {
    const lines = [...notes.values()].map((c) => `- **${prose(oneLine(c.title))}** (${code(c.id)}): ${prose(oneLine(c.rollback))}`);
    blocks.push(`What each codemod says about undoing it:\n\n${lines.join('\n')}`);
  }
  const partNote = input.part ? ' This reverts this part only; the other parts stay as they are.' : '';
  blocks.push(`${REVERT_COMMAND}${partNote}`, CLOSE_NOTE);
  return blocks;
}

export function manualSection(input: PrInput, detail: Detail): Block[] {
  const heading = '## Not in this PR';
  const tasks = input.item.manualTasks.map(oneLine).filter(Boolean);
  const blocks: Block[] = [heading];
  if (input.part) {
    blocks.push(`This is part ${input.part.index} of ${input.part.total} of sprint item ${prose(oneLine(input.item.key))}; the other parts are separate pull requests.`);
  }
  if (tasks.length === 0) {
    if (!input.part) blocks.push('Nothing: no codemod-free task is left in this sprint item.');
    return blocks;
  }
  blocks.push(
    listing({
      head: detail === 'minimal' ? '' : 'Tasks of this sprint item that no codemod matched. Some may be covered by the change above (the plan words them its own way); check each, and do the rest by hand:\n',
      rows: tasks.map((t) => `- ${prose(t)}`),
      note: omittedNote('task'),
    }),
  );
  return blocks;
}
