import { realpath } from 'node:fs/promises';
import { holdPythonChecker } from '../engine/pycheck.js';
import { runCodemods, type RunReport } from '../engine/run.js';
import type { EngineContext } from '../engine/transform.js';
import type { Codemod, Safety } from '../engine/types.js';
import type { Forge, PullRequest } from '../forge/types.js';
import { BRANCH_PREFIX, branchName, parseMetadata, prBody, prMetadata, prTitle, type PrInput, type PrMetadata } from '../pr/index.js';
import { accountFindings, type FindingsAccount } from '../plan/account.js';
import { code, oneLine, prose } from '../pr/markdown.js';
import type { Plan, SprintItem } from '../plan/types.js';
import { WorkspaceError, type BotIdentity, type CommitChain, type RemoteBranch, type Workspace } from '../workspace/types.js';
import { withWorkspace } from '../workspace/index.js';
import { TOOL_VERSION } from '../version.js';

export const APPLY_SCHEMA_VERSION = 1;

/** A pull request is a review: changes marked `review` are included, and listed in its body for the reviewer. */
const DEFAULT_PR_SAFETY: Safety = 'review';

function prPolicy(options: Pick<ApplyOptions, 'allow'>): { maxSafety: Safety } {
  return { maxSafety: options.allow ?? DEFAULT_PR_SAFETY };
}

export interface Caps {
  /** Open shipshape pull requests at most; an item beyond it waits for a later run. */
  openPrs: number;
  /** Pull requests created in one run at most. */
  prsPerRun: number;
  /** Files per pull request; a larger item is split into numbered parts. */
  filesPerPr: number;
  /** Changed lines (added + removed) per pull request; a part over it is split again by files. */
  linesPerPr: number;
}

export const DEFAULT_CAPS: Caps = { openPrs: 5, prsPerRun: 10, filesPerPr: 10, linesPerPr: 500 };

export const DEFAULT_BOT: BotIdentity = { name: 'shipshape[bot]', email: 'shipshape-bot@users.noreply.github.com' };

export interface ApplyOptions {
  /**
   * Builds the plan from the isolated clone (so it describes exactly what
   * will be changed); `files` are the clone's files, listed already.
   */
  plan: (repoDir: string, files: readonly string[]) => Promise<Plan>;
  forge: Forge;
  codemods: readonly Codemod[];
  engine: EngineContext;
  bot?: BotIdentity;
  /** Only these item keys. Naming an item also re-opens work on it after its PR was closed unmerged. */
  items?: readonly string[];
  dryRun?: boolean;
  caps?: Partial<Caps>;
  lockDir?: string;
  /** Also keep a dashboard issue that mirrors the plan. */
  dashboard?: boolean;
  /** Riskiest edit a pull request may carry (default `review`: a PR is a review, and lists those edits for the reviewer). */
  allow?: Safety;
  /** Labels for every pull request besides `shipshape` (and `security` for security items). */
  labels?: readonly string[];
  /** The branch pull requests target (default: the forge's default branch), e.g. the head of a reviewed PR. */
  base?: string;
  /** Names this run's branches apart (`pr-12`), for work that targets another base than the plan's. */
  branchScope?: string;
  /** Only items whose pull request is open: bring them up to date, open nothing new. */
  onlyOpen?: boolean;
  /** One event per step, for progress output (`describeEvent` words it). */
  onEvent?: (event: ApplyEvent) => void;
}

/** What happened to one item (or part) just now: progress for people, logs for the App. */
export interface ItemEvent {
  kind: 'item';
  key: string;
  part?: { index: number; total: number };
  branch: string;
  step: 'left-alone' | 'failed-verification' | 'would-open' | 'would-update' | 'pushed' | 'updated' | 'opened' | 'closed';
  title?: string;
  number?: number;
  url?: string;
}

/** A run's progress events (more kinds join from src/jobs: cloned, planned, finished). */
export type ApplyEvent = ItemEvent;

/** One line for people, as the CLI prints it. */
export function describeItemEvent(event: ItemEvent): string {
  const label = `${event.key}${event.part ? ` (part ${event.part.index}/${event.part.total})` : ''}`;
  switch (event.step) {
    case 'left-alone':
      return `${label}: left alone: someone else committed to the branch`;
    case 'failed-verification':
      return `${label}: failed verification`;
    case 'would-open':
    case 'would-update':
      return `${label}: would ${event.step === 'would-update' ? 'update' : 'open'} "${event.title ?? ''}"`;
    case 'pushed':
      return `${label}: pushed ${event.branch}`;
    case 'updated':
      return `${label}: updated #${event.number ?? ''}`;
    case 'opened':
      return `${label}: opened #${event.number ?? ''}`;
    case 'closed':
      return `${label}: closed #${event.number ?? ''}, nothing left to change`;
  }
}

export type ItemAction = 'created' | 'updated' | 'unchanged' | 'closed' | 'skipped' | 'failed' | 'dry-run';

export interface ItemOutcome {
  key: string;
  part?: { index: number; total: number };
  title: string;
  branch: string;
  action: ItemAction;
  reason?: string;
  files: string[];
  codemods: string[];
  /** The plan's Rollback line for the item. */
  rollback: string | null;
  pr?: { number: number; url: string };
  /** How many of the findings given (not the plan's own references) this PR fixes. */
  findings?: number;
  /** Dry run: the pull request's body and the patch it would carry, for review before anything is pushed. */
  body?: string;
  patch?: string;
}

export interface ApplyResult {
  schemaVersion: typeof APPLY_SCHEMA_VERSION;
  tool: { name: 'shipshape'; version: string };
  forge: { name: Forge['name']; repository: string };
  base?: { branch: string; sha: string };
  dryRun: boolean;
  items: ItemOutcome[];
  needsHuman: { key: string; title: string; reason: string }[];
  /** Every finding given, in one state: in an item, not confirmed (with its reason), no codemod, or rejected. */
  findings: FindingsAccount;
  dashboard?: string;
}

interface Part {
  item: SprintItem;
  files: string[];
  index: number;
  total: number;
  /** Built while measuring (an item of one codemod that stays one part), or why that failed. */
  built?: Built;
  failure?: Error;
}

/** Lines a unified diff adds or removes. */
function changedLines(diff: string): number {
  return diff.split('\n').filter((l) => (l.startsWith('+') || l.startsWith('-')) && !l.startsWith('+++') && !l.startsWith('---')).length;
}

/**
 * Splits an item into parts, each within the caps on files and changed lines
 * and each independently revertible. Files stay in plan order; a single file
 * over the line cap still makes one part (a file is never split).
 */
export function splitItem(item: SprintItem, linesByFile: ReadonlyMap<string, number>, caps: Pick<Caps, 'filesPerPr' | 'linesPerPr'>): Part[] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let lines = 0;
  for (const file of item.files) {
    const n = linesByFile.get(file) ?? 0;
    if (current.length > 0 && (current.length >= caps.filesPerPr || lines + n > caps.linesPerPr)) {
      chunks.push(current);
      current = [];
      lines = 0;
    }
    current.push(file);
    lines += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks.map((files, i) => ({ item, files, index: i + 1, total: chunks.length }));
}

const listings = new WeakMap<Workspace, Promise<{ root: string; files: readonly string[] }>>();

/**
 * The clone's files, listed once from the base commit's trees (the clone is
 * fresh: they are what git would list): every item starts from the base
 * commit and codemods add no files, so each run in the clone reuses the list.
 */
function listing(ws: Workspace): Promise<{ root: string; files: readonly string[] }> {
  let found = listings.get(ws);
  if (!found) {
    found = Promise.all([realpath(ws.dir), ws.files()]).then(([root, files]) => ({ root, files }));
    listings.set(ws, found);
  }
  return found;
}

function linesByFile(report: RunReport): Map<string, number> {
  return new Map(report.files.map((f) => [f.path, f.status === 'changed' ? changedLines(f.diff) : 0]));
}

/**
 * Measures, on the base commit, how many lines the item's codemods change in
 * each file, and splits the item into parts. An item of one codemod is
 * measured by the very run that builds it (writing, in a commit chain): when
 * it stays one part, that part is built already.
 */
async function measureItem(ws: Workspace, item: SprintItem, options: ApplyOptions, caps: Caps): Promise<Part[]> {
  const codemods = options.codemods.filter((c) => item.codemods.includes(c.meta.id));
  const run = { paths: item.files, listed: await listing(ws), codemods, engine: options.engine, policy: prPolicy(options) };
  const codemod = codemods[0];
  // More files than one part takes: it will be split, so the measuring run only reads.
  if (item.codemods.length !== 1 || !codemod || item.files.length > caps.filesPerPr) return splitItem(item, linesByFile(await runCodemods(run)), caps);
  return inChain(ws, item, async (chain) => {
    const report = await runCodemods({ ...run, write: true });
    const parts = splitItem(item, linesByFile(report), caps);
    const [only] = parts;
    if (only && parts.length === 1) {
      try {
        only.built = await commitRun(chain, only, codemod, report, { reports: [], problems: [] });
      } catch (error) {
        // The part fails, as its build would have; the other items go on.
        only.failure = error as Error;
      }
    }
    return parts;
  });
}

/**
 * The item's branch; with a scope (`pr-12`: fixes for pull request 12) it becomes
 * `shipshape/pr-12-<key>-<slug>`, so work for different bases never shares a branch.
 */
export function itemBranch(item: Pick<SprintItem, 'key' | 'title'>, scope?: string, part?: { index: number; total: number }): string {
  const branch = branchName(item.key, item.title, part);
  return scope ? `${BRANCH_PREFIX}${scope}-${branch.slice(BRANCH_PREFIX.length)}` : branch;
}

function partBranch(item: SprintItem, part: Part, scope?: string): string {
  return itemBranch(item, scope, { index: part.index, total: part.total });
}

function commitMessage(item: SprintItem, part: Part, codemod: Codemod, report: RunReport): string {
  const label = part.total > 1 ? `${item.key} (part ${part.index}/${part.total})` : item.key;
  const files = report.files.filter((f) => f.status === 'changed').map((f) => f.path);
  const findings = item.findings.filter((f) => files.includes(f.path)).map((f) => `${f.tool}:${f.ruleId}@${f.path}:${f.startLine} (${f.id})`);
  return [
    `Sprint ${label}: ${item.title} — ${codemod.meta.id}`,
    '',
    `Applies ${codemod.meta.id}@${codemod.meta.version} (${codemod.meta.title}) to ${files.length} file${files.length === 1 ? '' : 's'}.`,
    ...(findings.length ? ['', 'Findings:', ...findings.map((f) => `- ${f}`)] : []),
    '',
    `Rollback: ${codemod.meta.rollback}`,
  ].join('\n');
}

interface Built {
  reports: { codemod: Codemod; report: RunReport }[];
  problems: string[];
  /** The part's last commit (the base commit when nothing changed) and its tree. */
  tip: string;
  tree: string;
}

/** The work tree could not be put back as it was: later parts would start from the wrong files, so the run stops. */
class DirtyWorkTree extends Error {}

/** Runs `fn` with a commit chain on the base over the item's files, and puts the files back afterwards. */
async function inChain<T>(ws: Workspace, item: SprintItem, fn: (chain: CommitChain) => Promise<T>): Promise<T> {
  const chain = await ws.chain(item.files);
  try {
    return await fn(chain);
  } finally {
    try {
      await chain.restore();
    } catch (error) {
      // eslint-disable-next-line no-unsafe-finally
      throw new DirtyWorkTree(`could not put the clone's files back after ${item.key}: ${(error as Error).message}`);
    }
  }
}

/** Records one codemod's writing run: its problems, and a commit of the files it changed. */
async function commitRun(chain: CommitChain, part: Part, codemod: Codemod, report: RunReport, built: Pick<Built, 'reports' | 'problems'>): Promise<Built> {
  for (const f of report.files) {
    if (f.status === 'skipped' && f.reason !== 'symlink') built.problems.push(`${f.path}: ${f.message}`);
  }
  built.reports.push({ codemod, report });
  const changed = report.files.filter((f) => f.status === 'changed').map((f) => f.path);
  if (changed.length > 0) await chain.commit(commitMessage(part.item, part, codemod, report), changed);
  return { ...built, tip: chain.tip, tree: chain.tree };
}

/**
 * Runs the item's codemods on the part's files inside the workspace, one
 * commit per codemod, built on the base commit without moving HEAD; the
 * files are put back afterwards, so the next part starts from the base too.
 */
async function buildPart(ws: Workspace, part: Part, codemods: readonly Codemod[], engine: EngineContext, policy: { maxSafety: Safety }): Promise<Built> {
  if (part.failure) throw part.failure;
  if (part.built) return part.built;
  const listed = await listing(ws);
  return inChain(ws, part.item, async (chain) => {
    let built: Built = { reports: [], problems: [], tip: chain.tip, tree: chain.tree };
    for (const id of part.item.codemods) {
      const codemod = codemods.find((c) => c.meta.id === id);
      if (!codemod) {
        built.problems.push(`unknown codemod ${id}`);
        continue;
      }
      const report = await runCodemods({ paths: part.files, listed, codemods: [codemod], write: true, engine, policy });
      built = await commitRun(chain, part, codemod, report, built);
    }
    return built;
  });
}

function verification(built: Built): PrInput['verification'] {
  const changed = built.reports.reduce((n, r) => n + r.report.summary.changed, 0);
  const compile = built.reports.map((r) => r.report.verification.pythonCompile);
  const python = compile.includes('checked') ? 'checked' : compile.includes('unavailable') ? 'unavailable' : 'not-needed';
  const checks: PrInput['verification'] = [
    { name: 'Each edit stays inside its own range', ok: built.problems.length === 0, detail: `${changed} file(s)` },
    { name: 'Every changed file parses again with no error', ok: built.problems.length === 0 },
    { name: 'A second run of the same codemods changes nothing (idempotent)', ok: built.problems.length === 0 },
  ];
  if (python !== 'not-needed') {
    checks.push({ name: 'Changed Python compiles with python3', ok: python === 'checked' && built.problems.length === 0, detail: python === 'unavailable' ? 'python3 not available' : undefined });
  }
  return checks;
}

function prInput(forge: Forge, part: Part, branch: string, base: { branch: string; sha: string }, built: Built, diffStat: PrInput['diffStat']): PrInput {
  const files = new Set(part.files);
  return {
    item: part.item,
    part: part.total > 1 ? { index: part.index, total: part.total } : undefined,
    branch,
    base,
    codemods: built.reports.map(({ codemod, report }) => ({
      id: codemod.meta.id,
      version: codemod.meta.version,
      title: codemod.meta.title,
      phrase: codemod.meta.phrase,
      safety: codemod.meta.safety,
      summary: codemod.meta.summary,
      rollback: codemod.meta.rollback,
      prerequisites: [...codemod.meta.prerequisites, ...report.prerequisites],
      files: report.files.filter((f) => f.status === 'changed').map((f) => f.path),
      changes: report.summary.changes,
      review: report.files.flatMap((f) =>
        f.status === 'changed' ? f.changes.filter((c) => c.safety !== 'safe').map((c) => ({ path: f.path, line: c.line, description: c.description, safety: c.safety })) : [],
      ),
      leftAlone: report.codemods.flatMap((c) => c.notes.filter((n) => !n.caveat).map((n) => ({ path: n.path, line: n.line, message: n.message }))),
      caveats: report.codemods.flatMap((c) => c.notes.filter((n) => n.caveat).map((n) => ({ path: n.path, line: n.line, message: n.message }))),
    })),
    diffStat,
    verification: verification(built),
    findings: part.item.findings.filter((f) => files.has(f.path)),
    fileLink: forge.fileLink ? (path, start, end) => forge.fileLink!(path, base.sha, start, end) : undefined,
  };
}

/** A part on its way through a run: its outcome so far, and what the later steps need. */
interface Job {
  part: Part;
  branch: string;
  outcome: ItemOutcome;
  open: PullRequest | null;
  say: (event: Omit<ItemEvent, 'kind' | 'key' | 'part' | 'branch'>) => void;
  /** Set once the part's fate is known (skipped, failed, unchanged, dry run, …). */
  done?: ItemOutcome;
  remote?: RemoteBranch | null;
  built?: Built;
  diffStat?: PrInput['diffStat'];
  input?: PrInput;
  title?: string;
  body?: string;
  push?: boolean;
}

function failed(job: Job, error: unknown): ItemOutcome {
  if (error instanceof DirtyWorkTree) throw error;
  return { ...job.outcome, action: 'failed', reason: (error as Error).message };
}

/** What exists already: the part's pull request (merged or closed ones end it here). */
async function startPart(part: Part, options: ApplyOptions): Promise<Job> {
  const { item } = part;
  const branch = partBranch(item, part, options.branchScope);
  const outcome: ItemOutcome = {
    key: item.key,
    title: item.title,
    branch,
    action: 'skipped',
    files: part.files,
    codemods: item.codemods,
    rollback: item.rollback,
    ...(part.total > 1 ? { part: { index: part.index, total: part.total } } : {}),
    findings: item.findings.filter((f) => f.tool !== 'plan' && part.files.includes(f.path)).length,
  };
  const say = (event: Omit<ItemEvent, 'kind' | 'key' | 'part' | 'branch'>) =>
    options.onEvent?.({ kind: 'item', key: item.key, ...(part.total > 1 ? { part: { index: part.index, total: part.total } } : {}), branch, ...event });
  const job: Job = { part, branch, outcome, open: null, say };
  const explicit = options.items?.includes(item.key) ?? false;
  try {
    const existing = await options.forge.findPr(branch);
    if (existing?.state === 'merged') job.done = { ...outcome, reason: `already merged (#${existing.number})`, pr: ref(existing) };
    else if (existing?.state === 'closed' && !explicit) {
      job.done = { ...outcome, reason: `#${existing.number} was closed without merging; run with --item ${item.key} to propose it again`, pr: ref(existing) };
    } else job.open = existing?.state === 'open' ? existing : null;
  } catch (error) {
    job.done = failed(job, error);
  }
  return job;
}

/** Someone else's commits on the branch stop the part; otherwise it is built and verified. */
async function buildJob(job: Job, ws: Workspace, options: ApplyOptions): Promise<void> {
  const { open, remote, branch } = job;
  if (remote && remote.foreignCommits.length > 0) {
    const reason = `branch ${branch} has commits by someone else (${remote.foreignCommits.join(', ')}); shipshape will not force-push over them`;
    // Say so once per branch tip: the marker in the body keeps later runs quiet.
    const marker = `<!-- shipshape:paused ${remote.sha} -->`;
    if (open && !options.dryRun && !open.body.includes(marker)) {
      await options.forge.comment(open.number, `shipshape did not update this branch: it has commits that are not shipshape's (${remote.foreignCommits.join(', ')}). Resolve or close this pull request; shipshape leaves it alone meanwhile.`);
      await options.forge.updatePr(open.number, { body: `${open.body}\n${marker}` });
    }
    job.say({ step: 'left-alone' });
    job.done = { ...job.outcome, reason, pr: open ? ref(open) : undefined };
    return;
  }
  const built = await buildPart(ws, job.part, options.codemods, options.engine, prPolicy(options));
  if (built.problems.length > 0) {
    job.say({ step: 'failed-verification' });
    job.done = { ...job.outcome, action: 'failed', reason: `verification failed: ${built.problems.join('; ')}` };
    return;
  }
  if (built.tip === ws.baseSha) {
    job.done = { ...job.outcome, action: 'unchanged', reason: 'nothing to change on the base branch', pr: open ? ref(open) : undefined };
    return;
  }
  job.built = built;
}

/** The pull request's text; a dry run ends here, a real run decides whether to push. */
async function decideJob(job: Job, ws: Workspace, options: ApplyOptions, caps: Caps, base: { branch: string; sha: string }, counters: { open: number; created: number }): Promise<void> {
  const { open, remote, built } = job;
  if (!built || !job.diffStat) return;
  const input = prInput(options.forge, job.part, job.branch, base, built, job.diffStat);
  job.input = input;
  job.title = prTitle(input);
  job.body = prBody(input, options.forge.maxBodyLength);
  if (options.dryRun) {
    job.say({ step: open ? 'would-update' : 'would-open', title: job.title });
    job.done = { ...job.outcome, action: 'dry-run', title: job.title, pr: open ? ref(open) : undefined, body: job.body, patch: await ws.patch(built.tip) };
    return;
  }
  const treeUnchanged = remote != null && (await ws.treeOf(remote.sha)) === built.tree;
  if (!open) {
    if (counters.open >= caps.openPrs) {
      job.done = { ...job.outcome, reason: `${counters.open} shipshape pull requests are open (cap ${caps.openPrs}); merge or close some first` };
      return;
    }
    if (counters.created >= caps.prsPerRun) {
      job.done = { ...job.outcome, reason: `${caps.prsPerRun} pull requests opened in this run already (cap)` };
      return;
    }
    // The part's place under the caps, taken now: parts after it decide before anything is pushed.
    counters.open++;
    counters.created++;
  }
  job.push = !treeUnchanged;
}

/** After the push: the pull request is opened or brought up to date. */
async function publishJob(job: Job, options: ApplyOptions): Promise<ItemOutcome> {
  const { open, input, title = '', body = '' } = job;
  if (job.push) job.say({ step: 'pushed' });
  if (open) {
    // The PR's own record says whether anything changed: same codemods and versions, same base commit, same findings.
    if (!job.push && open.title === title && input && sameWork(parseMetadata(open.body), prMetadata(input))) return { ...job.outcome, action: 'unchanged', title, pr: ref(open) };
    const updated = await options.forge.updatePr(open.number, { title, body });
    job.say({ step: 'updated', number: updated.number, url: updated.url });
    return { ...job.outcome, action: 'updated', title, pr: ref(updated) };
  }
  const { item } = job.part;
  const labels = [...new Set(['shipshape', ...(item.security ? ['security'] : []), ...(options.labels ?? [])])];
  const created = await options.forge.createPr({ branch: job.branch, base: input!.base.branch, title, body, labels });
  job.say({ step: 'opened', number: created.number, url: created.url });
  return { ...job.outcome, action: 'created', title, pr: ref(created) };
}

/**
 * The policy for every part of a run: what exists already (PR, branch,
 * someone else's commits), then build, verify and publish. The remote is
 * asked about all branches at once and every branch goes out in one push;
 * parts stay independent (one failing does not stop the others), and a
 * re-run with nothing new leaves branches and PRs as they are.
 */
async function applyParts(ws: Workspace, parts: readonly Part[], options: ApplyOptions, caps: Caps, base: { branch: string; sha: string }, counters: { open: number; created: number }): Promise<ItemOutcome[]> {
  // Asking the forge about each part's pull request only reads: a few at a time (the local forge answers them with one git call).
  const jobs = await mapLimit(parts, FORGE_LOOKUPS, (part) => startPart(part, options));

  const live = () => jobs.filter((job) => !job.done);
  const remotes = await ws.remoteBranches(live().map((job) => job.branch));
  for (const job of live()) {
    const remote = remotes.get(job.branch);
    if (remote instanceof WorkspaceError) job.done = failed(job, remote);
    else job.remote = remote ?? null;
  }

  for (const job of live()) {
    try {
      await buildJob(job, ws, options);
    } catch (error) {
      job.done = failed(job, error);
    }
  }

  const built = live().filter((job) => job.built);
  try {
    const stats = await ws.diffStats(built.map((job) => job.built!.tip));
    built.forEach((job, i) => {
      job.diffStat = stats[i];
      // Commits that add up to no change (one codemod undoing another's edit) change nothing either.
      if (job.diffStat?.length === 0) job.done = { ...job.outcome, action: 'unchanged', reason: 'nothing to change on the base branch', pr: job.open ? ref(job.open) : undefined };
    });
  } catch (error) {
    for (const job of built) job.done = failed(job, error);
  }

  const decide = async (job: Job) => {
    try {
      await decideJob(job, ws, options, caps, base, counters);
    } catch (error) {
      job.done = failed(job, error);
    }
  };
  // A dry run's parts share no counters: their patches are made side by side. A real run decides in order (the caps).
  if (options.dryRun) await Promise.all(live().map(decide));
  else for (const job of live()) await decide(job);

  const pushing = live().filter((job) => job.push);
  const pushed = await ws
    .pushCommits(pushing.map((job) => ({ branch: job.branch, commit: job.built!.tip, expected: job.remote?.sha ?? null })))
    .catch((error: unknown) => new Map(pushing.map((job) => [job.branch, error as Error])));
  for (const job of pushing) {
    const error = pushed.get(job.branch);
    if (error) job.done = failed(job, error);
  }

  for (const job of live()) {
    try {
      job.done = await publishJob(job, options);
    } catch (error) {
      job.done = failed(job, error);
    }
  }
  return jobs.map((job) => job.done!);
}

/** Pull request lookups in flight at once. */
const FORGE_LOOKUPS = 8;

/** `fn` over `items`, at most `limit` at a time; the results in the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Two metadata records describe the same work (wording of the body aside). */
function sameWork(before: PrMetadata | null, now: PrMetadata): boolean {
  if (before === null) return false;
  const codemods = (m: PrMetadata) => m.codemods.map((c) => `${c.id}@${c.version}`).join(',');
  return (
    before.item === now.item &&
    before.baseSha === now.baseSha &&
    before.findingsDigest === now.findingsDigest &&
    codemods(before) === codemods(now) &&
    before.part?.index === now.part?.index &&
    before.part?.total === now.part?.total
  );
}

/** Closes the open PR of an item that no longer has anything to change, saying why. */
async function closeStale(item: SprintItem, options: ApplyOptions): Promise<ItemOutcome | null> {
  const branch = itemBranch(item, options.branchScope);
  const open = await options.forge.findPr(branch);
  if (open?.state !== 'open') return null;
  const outcome: ItemOutcome = { key: item.key, title: open.title, branch, action: 'closed', files: [], codemods: [], rollback: item.rollback, pr: ref(open) };
  const reason = `nothing is left for a codemod to change on the base branch (${item.reason ?? 'no finding confirmed'})`;
  if (options.dryRun) return { ...outcome, action: 'dry-run', reason: `would close: ${reason}` };
  await options.forge.comment(open.number, `shipshape is closing this pull request: ${reason}. Nothing was merged; the branch is left as it is.`);
  await options.forge.closePr(open.number);
  options.onEvent?.({ kind: 'item', key: item.key, branch, step: 'closed', number: open.number, url: open.url });
  return { ...outcome, reason };
}

function ref(pr: PullRequest): { number: number; url: string } {
  return { number: pr.number, url: pr.url };
}

const DASHBOARD_MARKER = '<!-- shipshape:dashboard -->';

function dashboardBody(plan: Plan, outcomes: readonly ItemOutcome[]): string {
  const lines = ['shipshape keeps this issue in step with the plan: one line per sprint item.', '', '## Automated'];
  for (const item of plan.items.filter((i) => i.automatable)) {
    const mine = outcomes.filter((o) => o.key === item.key);
    const prs = mine.filter((o) => o.pr).map((o) => `#${o.pr!.number}`);
    const state = mine.map((o) => o.action + (o.reason ? ` (${o.reason})` : '')).join('; ') || 'not selected';
    const done = mine.length > 0 && mine.every((o) => o.pr);
    lines.push(`- [${done ? 'x' : ' '}] **${item.key}** ${item.title} — ${item.codemods.join(', ')} ${prs.join(' ')} · ${state}`);
  }
  lines.push('', '## Needs a human');
  for (const item of plan.items.filter((i) => !i.automatable)) lines.push(`- **${item.key}** ${item.title}: ${item.reason ?? ''}`);
  const account = accountFindings(plan);
  if (account.total > 0) {
    // The same account as `shipshape plan` and `apply`: every finding given, in one state.
    lines.push('', '## Findings', '', `${account.total} findings: ${account.inItems} in ${account.items} item(s) above, ${account.notConfirmed.length} not confirmed, ${account.noCodemod.length} with no codemod${account.rejected ? `, ${account.rejected} rejected` : ''}.`);
    if (account.notConfirmed.length + account.noCodemod.length > 0) {
      lines.push('', '<details><summary>Not acted on, with the reason</summary>', '');
      for (const n of account.notConfirmed) lines.push(`- ${code(`${n.path}:${n.line}`)} ${prose(oneLine(`${n.tool} ${n.ruleId}: ${n.reason}`))}`);
      for (const u of account.noCodemod) lines.push(`- ${code(`${u.path}:${u.line}`)} ${prose(oneLine(`${u.tool} ${u.ruleId}`))}: no codemod handles this rule`);
      lines.push('', '</details>');
    }
  }
  lines.push('', DASHBOARD_MARKER);
  return lines.join('\n');
}

/**
 * Applies a plan: for each automatable item, in order, builds its branch in
 * one isolated clone, verifies it, and opens or updates its pull request.
 * Items and parts are independent: one failing does not stop the others.
 */
export async function applyPlan(options: ApplyOptions): Promise<ApplyResult> {
  const caps = { ...DEFAULT_CAPS, ...options.caps };
  const bot = options.bot ?? DEFAULT_BOT;
  const result: ApplyResult = {
    schemaVersion: APPLY_SCHEMA_VERSION,
    tool: { name: 'shipshape', version: TOOL_VERSION },
    forge: { name: options.forge.name, repository: options.forge.repository },
    dryRun: Boolean(options.dryRun),
    items: [],
    needsHuman: [],
    findings: { total: 0, inItems: 0, items: 0, notConfirmed: [], noCodemod: [], rejected: 0 },
  };
  // The compile check's python3 starts while the clone is made; it ends with the run.
  const release = holdPythonChecker();
  try {
    await applyInWorkspace(options, caps, bot, result);
  } finally {
    release();
  }
  return result;
}

async function applyInWorkspace(options: ApplyOptions, caps: Caps, bot: BotIdentity, result: ApplyResult): Promise<void> {
  const baseBranch = options.base ?? (await options.forge.defaultBranch());
  let plan: Plan | undefined;
  await withWorkspace({ remote: options.forge.remote(), base: baseBranch, bot, lockDir: options.lockDir }, async (ws) => {
    const base = { branch: baseBranch, sha: ws.baseSha };
    result.base = base;
    plan = await options.plan(ws.dir, (await listing(ws)).files);
    result.needsHuman = plan.items.filter((i) => !i.automatable).map((i) => ({ key: i.key, title: i.title, reason: i.reason ?? '' }));
    result.findings = accountFindings(plan);
    const unknown = (options.items ?? []).filter((key) => !plan!.items.some((i) => i.key === key));
    if (unknown.length > 0) throw new ApplyError(`no sprint item ${unknown.join(', ')} in the plan (items: ${plan.items.map((i) => i.key).join(', ')})`);
    const wanted = (i: SprintItem) => !options.items?.length || options.items.includes(i.key);
    const selected = plan.items.filter((i) => i.automatable && wanted(i));
    // An item the plan no longer automates (fixed on the base by hand, say) must not leave its PR open.
    for (const item of plan.items.filter((i) => !i.automatable && wanted(i))) {
      const outcome = await closeStale(item, options);
      if (outcome) result.items.push(outcome);
    }
    if (selected.length === 0) return;
    const openPrs = await options.forge.openPrs(BRANCH_PREFIX);
    const counters = { open: openPrs.length, created: 0 };
    // Re-planning after a push updates what is open and proposes nothing new.
    const hasOpenPr = (item: SprintItem) => openPrs.some((pr) => pr.branch === itemBranch(item, options.branchScope) || pr.branch.startsWith(`${itemBranch(item, options.branchScope)}-part-`));
    const parts: Part[] = [];
    for (const item of options.onlyOpen ? selected.filter(hasOpenPr) : selected) parts.push(...(await measureItem(ws, item, options, caps)));
    result.items.push(...(await applyParts(ws, parts, options, caps, base, counters)));
  });
  if (options.dashboard && !options.dryRun && plan) {
    const issue = await options.forge.ensureIssue('shipshape dashboard', dashboardBody(plan, result.items), DASHBOARD_MARKER);
    result.dashboard = issue.url;
  }
}

/** The run as asked cannot go ahead (an unknown item key, …); one line for the user. */
export class ApplyError extends Error {}
