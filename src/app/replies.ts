import type { ApplyResult } from '../apply/index.js';
import { cell, oneLine } from '../pr/markdown.js';
import type { RollbackOutcome } from '../jobs/rollback.js';
import type { Plan } from '../plan/types.js';

/** Comments the App writes. Markdown, short, and never more than what the user can act on. */

export const HELP = [
  '**shipshape** commands (for people with write access to this repository):',
  '',
  '- `/shipshape plan`: reply with the sprint plan as it stands on the default branch',
  '- `/shipshape apply`: open or update one small pull request per automatable sprint item',
  '- `/shipshape apply 1.2 2.3`: only these items (also re-proposes an item whose PR was closed)',
  "- `/shipshape rollback 1.2`: open a pull request that reverts item 1.2's merged pull request",
  '- `/shipshape help`: this list',
  '',
  'Settings live in `.github/shipshape.yml` (plan, codemods, caps, labels, reviewBot, dashboard, allow, onInstall).',
].join('\n');

export function refusal(login: string): string {
  return `Sorry @${login}, shipshape takes commands only from people with write access to this repository. Nothing was done.`;
}

export function configProblem(message: string): string {
  return `shipshape could not read its settings, so nothing was done:\n\n> ${oneLine(message)}\n\nFix \`.github/shipshape.yml\` and try again (\`/shipshape help\` lists the settings).`;
}

export function unknownCommand(text: string): string {
  return `shipshape does not know \`${oneLine(text).slice(0, 80).replace(/`/g, "'")}\`.\n\n${HELP}`;
}

const ACTION: Record<string, string> = {
  created: 'opened',
  updated: 'updated',
  unchanged: 'unchanged',
  closed: 'closed',
  skipped: 'not now',
  failed: 'failed',
  'dry-run': 'would open',
};

/** The outcome of an apply job, as a comment: one row per item with its PR and rollback note. */
export function applyReply(result: ApplyResult, reason: string): string {
  const rows = result.items.map((o) => {
    const pr = o.pr ? `#${o.pr.number}` : '';
    const part = o.part ? ` (part ${o.part.index}/${o.part.total})` : '';
    return `| ${cell(o.key + part)} | ${cell(o.title)} | ${ACTION[o.action] ?? o.action} ${pr} | ${cell(o.reason ?? '')} | ${cell(o.rollback ?? '')} |`;
  });
  const lines = [`shipshape ran (${oneLine(reason)}) on \`${result.base?.branch ?? 'the default branch'}\`${result.base ? ` at ${result.base.sha.slice(0, 7)}` : ''}.`, ''];
  if (rows.length > 0) lines.push('| Item | Title | Pull request | Note | Rollback |', '| --- | --- | --- | --- | --- |', ...rows);
  else lines.push('No sprint item had anything for a codemod to change.');
  if (result.needsHuman.length > 0) lines.push('', `Needs a human: ${result.needsHuman.map((n) => `**${n.key}** ${oneLine(n.title)}`).join('; ')}`);
  return lines.join('\n');
}

/** A plan as a comment: automatable items with their files, the others with why. */
export function planReply(plan: Plan): string {
  const lines = ['**shipshape plan**', '', '| Item | Title | Status | Files | Rollback |', '| --- | --- | --- | --- | --- |'];
  for (const item of plan.items) {
    const status = item.automatable ? `automatable (${item.codemods.join(', ')})` : `needs a human: ${item.reason ?? ''}`;
    lines.push(`| ${cell(item.key)} | ${cell(item.title)} | ${cell(status)} | ${cell(item.files.join(', '))} | ${cell(item.rollback ?? '')} |`);
  }
  const automatable = plan.items.filter((i) => i.automatable).length;
  lines.push('', `${automatable} of ${plan.items.length} items automatable. Reply \`/shipshape apply\` to open their pull requests.`);
  return lines.join('\n');
}

/** The outcome of `/shipshape rollback KEY`. */
export function rollbackReply(outcome: RollbackOutcome, revertCommand: string): string {
  switch (outcome.action) {
    case 'no-item':
      return `shipshape found no sprint item ${outcome.item} in the plan (items: ${outcome.items.join(', ') || 'none'}).`;
    case 'no-pr':
      return `shipshape found no pull request for item ${outcome.item}: there is nothing to roll back.`;
    case 'not-merged': {
      const lines = [`Item **${outcome.item}** (#${outcome.pr.number}) is ${outcome.pr.state}, not merged: closing #${outcome.pr.number} is all it takes.`];
      if (outcome.rollback) lines.push('', `Rollback (from the plan): ${oneLine(outcome.rollback)}`);
      if (outcome.pr.state === 'merged') lines.push('', revertCommand);
      return lines.join('\n');
    }
    case 'exists':
      return `Item **${outcome.item}** (#${outcome.pr.number}) already has its revert: #${outcome.revert.number}.`;
    case 'opened':
      return `Opened #${outcome.revert.number}: it reverts #${outcome.pr.number} (item **${outcome.item}**). Merge it to roll the change back.`;
  }
}
