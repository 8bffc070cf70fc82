import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { ApplyResult } from '../apply/index.js';
import { holdPythonChecker } from '../engine/pycheck.js';
import type { EngineContext } from '../engine/transform.js';
import type { Codemod } from '../engine/types.js';
import { repoDirectory } from './args.js';
import { UsageError, writeFileAtomic } from '../engine/files.js';
import type { ForgeTarget } from '../forge/registry.js';
import { describeEvent, runApplyJob } from '../jobs/apply.js';
import { colorDiff, formatFindings, plural, type Colors } from './output.js';
import { packageRoot } from '../version.js';

export interface ApplyCliOptions {
  repo: string;
  plan?: string;
  findings: string[];
  item: string[];
  forge: 'local' | 'github';
  dryRun?: boolean;
  dashboard?: boolean;
  bot: string;
  srcRoot?: string;
  maxOpen: number;
  maxFiles: number;
  maxLines: number;
}

const OWNER_NAME = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;

/** Where a CLI run publishes: the local repository, or GitHub with GITHUB_TOKEN as the token provider. */
export function targetFor(opts: Pick<ApplyCliOptions, 'repo' | 'forge'>, cwd: string, env: NodeJS.ProcessEnv): ForgeTarget {
  if (opts.forge === 'github') {
    if (!OWNER_NAME.test(opts.repo)) throw new UsageError(`--forge github needs --repo owner/name, not "${opts.repo}"`);
    const token = env.GITHUB_TOKEN;
    if (!token) throw new UsageError('--forge github needs a token in GITHUB_TOKEN');
    return { forge: 'github', repository: opts.repo, token: async () => token, apiUrl: env.GITHUB_API_URL, serverUrl: env.GITHUB_SERVER_URL };
  }
  if (OWNER_NAME.test(opts.repo) && !existsSync(resolve(cwd, opts.repo))) {
    throw new UsageError(`--repo ${opts.repo}: no such directory (for a GitHub repository add --forge github)`);
  }
  return { forge: 'local', dir: repoDirectory(opts.repo, cwd, { needGit: true, purpose: 'the local forge pushes branches into it' }) };
}

/** `shipshape apply`: the options become an apply job; its events become progress lines. */
export async function runApply(
  opts: ApplyCliOptions,
  ctx: { cwd: string; env: NodeJS.ProcessEnv; codemods: readonly Codemod[]; engine: EngineContext; onEvent?: (m: string) => void },
): Promise<ApplyResult> {
  const target = targetFor(opts, ctx.cwd, ctx.env);
  // Plan and findings files are the user's, read from where the user is; inside the clone
  // only repository-relative paths count. A local checkout's absolute paths map onto the clone.
  const srcRoot = opts.srcRoot ?? (opts.forge === 'local' ? resolve(ctx.cwd, opts.repo) : undefined);
  const print = ctx.onEvent;
  return runApplyJob(
    {
      target,
      plan: opts.plan ? { file: resolve(ctx.cwd, opts.plan) } : undefined,
      findingsFiles: opts.findings.map((f) => resolve(ctx.cwd, f)),
      items: opts.item,
      dryRun: opts.dryRun,
      dashboard: opts.dashboard,
      botLogin: opts.bot,
      srcRoot,
      caps: { openPrs: opts.maxOpen, filesPerPr: opts.maxFiles, linesPerPr: opts.maxLines },
    },
    {
      codemods: ctx.codemods,
      engine: ctx.engine,
      onEvent: print
        ? (event) => {
            const line = describeEvent(event);
            if (line !== null) print(line);
          }
        : undefined,
    },
  );
}

/** The body's opening paragraphs (before its first heading): what a reviewer reads first. */
function bodyLead(body: string): string[] {
  const head = body.split(/^## /m)[0] ?? '';
  return head.split('\n').filter((l) => l.trim() && !l.startsWith('<!--')).slice(0, 6);
}

/** Pull requests fixed or (in a dry run) to be fixed, and how many given findings they close. */
function fixedCounts(result: ApplyResult): { findings: number; prs: number } {
  const counted = result.items.filter((o) => o.action !== 'failed' && o.action !== 'skipped' && o.action !== 'closed');
  return { findings: counted.reduce((n, o) => n + (o.findings ?? 0), 0), prs: counted.length };
}

export function formatApply(result: ApplyResult, c: Colors, opts: { verbose?: boolean; drafts?: ReadonlyMap<string, string> } = {}): string {
  const out: string[] = [];
  const mark: Record<string, string> = {
    created: c.green('opened'),
    updated: c.cyan('updated'),
    unchanged: c.dim('unchanged'),
    closed: c.magenta('closed'),
    skipped: c.yellow('skipped'),
    failed: c.red('failed'),
    'dry-run': c.cyan('would open'),
  };
  for (const o of result.items) {
    const part = o.part ? ` (part ${o.part.index}/${o.part.total})` : '';
    const pr = o.pr ? ` ${o.pr.url}` : '';
    out.push(`${mark[o.action]} ${c.bold(`${o.key}${part}`)} ${o.title} → ${o.branch}${pr}`);
    out.push(`    ${o.codemods.join(', ')}: ${o.files.join(', ')}`);
    if (o.reason) out.push(`    ${c.dim(o.reason)}`);
    if (o.action !== 'dry-run') continue;
    const draft = opts.drafts?.get(o.branch);
    if (draft) {
      out.push(`    draft: ${draft}.md, patch: ${draft}.patch`);
    } else {
      if (o.body) out.push(...bodyLead(o.body).map((l) => `    ${c.dim(l)}`));
      // The diff itself: the patch's mail headers are for `git am`, not for reading.
      const diff = o.patch?.slice(Math.max(0, o.patch.indexOf('diff --git'))).replace(/\n-- \n[\s\S]*$|\n$/, '');
      if (diff) out.push('', colorDiff(diff, c), '');
    }
  }
  if (result.needsHuman.length > 0) {
    out.push('', `${result.needsHuman.length} item(s) need a human: ${result.needsHuman.map((n) => n.key).join(', ')} (see \`shipshape plan\`)`);
  }
  const count = (a: string) => result.items.filter((o) => o.action === a).length;
  out.push(
    c.bold(
      `${count('created')} opened, ${count('updated')} updated, ${count('unchanged')} unchanged, ${count('closed')} closed, ${count('skipped')} skipped, ${count('failed')} failed` +
        (result.dryRun ? ` (dry run: nothing pushed, ${count('dry-run')} would be opened or updated)` : ''),
    ),
  );
  const fixed = fixedCounts(result);
  const left = result.findings.inItems - fixed.findings;
  const inItems = `${fixed.findings} ${result.dryRun ? 'would be fixed' : 'fixed'} in ${plural(fixed.prs, 'PR')}${left > 0 ? `, ${left} in items not opened (see above)` : ''}`;
  out.push(...formatFindings(result.findings, c, { verbose: opts.verbose, inItems }));
  if (result.dashboard) out.push(`dashboard: ${result.dashboard}`);
  return out.join('\n');
}

/**
 * `apply --dry-run --output DIR`: each pull request's body and patch as
 * files, named after its branch; returns branch → path without extension.
 */
export async function writeDrafts(result: ApplyResult, dir: string): Promise<Map<string, string>> {
  await mkdir(dir, { recursive: true });
  const written = new Map<string, string>();
  for (const o of result.items) {
    if (o.action !== 'dry-run' || o.body === undefined) continue;
    const stem = join(dir, o.branch.replace(/\//g, '--'));
    await writeFileAtomic(`${stem}.md`, o.body, 0o644);
    await writeFileAtomic(`${stem}.patch`, o.patch ?? '', 0o644);
    written.set(o.branch, stem);
  }
  return written;
}

/**
 * `shipshape demo`: the demo app in a new temporary git repository, its own
 * sprint plan applied with the local forge, then applied again to show that
 * a second run changes nothing. The repository is kept for reading.
 */
export async function runDemo(ctx: { codemods: readonly Codemod[]; engine: EngineContext; onEvent?: (m: string) => void }) {
  // One compile checker for both runs, starting while the repository is made.
  const release = holdPythonChecker();
  try {
    const source = join(packageRoot(), 'fixtures', 'repos', 'pcm-ops');
    const repo = join(mkdtempSync(join(tmpdir(), 'shipshape-demo-')), 'pcm-ops');
    cpSync(source, repo, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'core.hooksPath=/dev/null', '-c', 'maintenance.auto=false', '-c', 'gc.auto=0', ...args], {
        cwd: repo,
        stdio: 'ignore',
        env: { ...process.env, GIT_AUTHOR_NAME: 'PCM-Ops Dev', GIT_AUTHOR_EMAIL: 'dev@pcm-ops.example', GIT_COMMITTER_NAME: 'PCM-Ops Dev', GIT_COMMITTER_EMAIL: 'dev@pcm-ops.example' },
      });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '--no-verify', '--no-gpg-sign', '-m', 'PCM-Ops Tools as it runs today');
    const opts: ApplyCliOptions = { repo, plan: join(repo, 'SPRINT_PLAN.md'), findings: [], item: [], forge: 'local', bot: 'coderabbitai[bot]', maxOpen: 10, maxFiles: 10, maxLines: 1000 };
    const first = await runApply(opts, { cwd: repo, env: process.env, ...ctx });
    const second = await runApply(opts, { cwd: repo, env: process.env, codemods: ctx.codemods, engine: ctx.engine });
    return { repo, prsDir: join(repo, '.shipshape', 'prs'), first, second, relativeTo: (p: string) => relative(repo, p) };
  } finally {
    release();
  }
}
