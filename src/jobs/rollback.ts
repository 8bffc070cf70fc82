import { DEFAULT_BOT } from '../apply/index.js';
import { createForge } from '../forge/registry.js';
import type { PullRequest } from '../forge/types.js';
import { BRANCH_PREFIX, branchName } from '../pr/index.js';
import { withWorkspace } from '../workspace/index.js';
import { runPlanJob, type ApplyJob, type JobContext } from './apply.js';

export type RollbackOutcome =
  | { action: 'opened' | 'exists'; item: string; pr: PullRequest; revert: PullRequest }
  | { action: 'not-merged'; item: string; pr: PullRequest; rollback: string | null }
  | { action: 'no-pr'; item: string }
  | { action: 'no-item'; item: string; items: string[] };

/** The branch that undoes an item's branch: `shipshape/revert-1.2-xss-prevention`. */
export function revertBranch(branch: string): string {
  return `${BRANCH_PREFIX}revert-${branch.slice(BRANCH_PREFIX.length)}`;
}

function revertBody(item: { key: string; rollback: string | null }, pr: PullRequest): string {
  return [
    `Reverts #${pr.number} (sprint item ${item.key}), at the request of a maintainer.`,
    '',
    ...(item.rollback ? [`**Rollback** (from the plan): ${item.rollback}`, ''] : []),
    `This pull request is \`git revert\` of ${pr.mergeCommit}; merging it undoes #${pr.number}. Closing it changes nothing.`,
  ].join('\n');
}

/**
 * `/shipshape rollback KEY`: finds the item's pull request; when it was
 * merged, opens (once) a pull request that reverts its merge commit on the
 * base branch. A revert that does not apply cleanly is said, not forced.
 */
export async function runRollbackJob(job: Pick<ApplyJob, 'target' | 'plan' | 'codemods' | 'lockDir'>, key: string, ctx: JobContext): Promise<RollbackOutcome> {
  const forge = createForge(job.target);
  const plan = await runPlanJob(job, ctx);
  const item = plan.items.find((i) => i.key === key);
  if (!item) return { action: 'no-item', item: key, items: plan.items.map((i) => i.key) };
  const branch = branchName(item.key, item.title);
  const pr = await forge.findPr(branch);
  if (!pr) return { action: 'no-pr', item: key };
  if (pr.state !== 'merged' || !pr.mergeCommit) return { action: 'not-merged', item: key, pr, rollback: item.rollback };
  const target = revertBranch(branch);
  const existing = await forge.findPr(target);
  if (existing && existing.state !== 'closed') return { action: 'exists', item: key, pr, revert: existing };
  const base = await forge.defaultBranch();
  const mergeCommit = pr.mergeCommit;
  await withWorkspace({ remote: forge.remote(), base, bot: DEFAULT_BOT, lockDir: job.lockDir }, async (ws) => {
    const remote = await ws.remoteBranch(target);
    await ws.startBranch(target);
    await ws.revert(mergeCommit);
    await ws.push(target, remote?.sha ?? null);
  });
  const revert = await forge.createPr({ branch: target, base, title: `Revert "${pr.title}"`, body: revertBody(item, pr), labels: ['shipshape', 'rollback'] });
  return { action: 'opened', item: key, pr, revert };
}
