import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { writeFileAtomic } from '../../engine/files.js';
import { encodePath, ForgeError, type Forge, type Issue, type NewPullRequest, type PullRequest } from '../types.js';

const execFileAsync = promisify(execFile);

/** Where the local forge keeps its pull requests, inside the repository's work tree. */
export const LOCAL_DIR = '.shipshape';

interface Stored extends PullRequest {
  comments: string[];
}

interface Index {
  version: 1;
  prs: Stored[];
}

/** A file name for a branch: `shipshape/1.2-xss` → `shipshape--1.2-xss`. */
function fileStem(branch: string): string {
  return branch.replace(/[^A-Za-z0-9._-]+/g, '--');
}

/** Git as the local forge runs it: read-only or ref-only commands that never touch the user's index or work tree. */
async function git(repo: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', ['-C', repo, ...args], {
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' },
  });
  return stdout;
}

function render(pr: Stored): string {
  const lines = [
    `# ${pr.title}`,
    '',
    `- Pull request: #${pr.number} (${pr.state})`,
    `- Branch: \`${pr.branch}\` → \`${pr.base}\``,
    `- Labels: ${pr.labels.length ? pr.labels.join(', ') : '(none)'}`,
    `- Patch: ${fileStem(pr.branch)}.patch (apply with \`git am\`)`,
    '',
    pr.body,
  ];
  for (const comment of pr.comments) lines.push('', '---', '', '**Comment from shipshape**', '', comment);
  return `${lines.join('\n')}\n`;
}

/**
 * The embedded forge: no network, no account. Branches are pushed into the
 * local repository itself (never its checked-out branch); each pull request
 * is a Markdown file plus a patch under `.shipshape/prs/`, with
 * `.shipshape/prs/index.json` as the record. The user's index, work tree
 * files and current branch are never touched.
 */
export function createLocalForge(repoDir: string): Forge {
  const repo = resolve(repoDir);
  const dir = join(repo, LOCAL_DIR);
  const prDir = join(dir, 'prs');
  const indexFile = join(prDir, 'index.json');

  async function load(): Promise<Index> {
    try {
      return JSON.parse(await readFile(indexFile, 'utf8')) as Index;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, prs: [] };
      throw new ForgeError(`${indexFile} is unreadable; move it away to start afresh`, 'invalid');
    }
  }

  async function save(index: Index, changed?: Stored): Promise<void> {
    await mkdir(prDir, { recursive: true });
    // Keep the forge's own files out of the user's `git status`.
    await writeFile(join(dir, '.gitignore'), '*\n');
    if (changed) {
      const stem = join(prDir, fileStem(changed.branch));
      await writeFileAtomic(`${stem}.md`, render(changed), 0o644);
      const patch = await git(repo, ['format-patch', '--stdout', `${changed.base}..refs/heads/${changed.branch}`]).catch(() => '');
      await writeFileAtomic(`${stem}.patch`, patch, 0o644);
    }
    await writeFileAtomic(indexFile, `${JSON.stringify(index, null, 2)}\n`, 0o644);
  }

  function find(index: Index, number: number): Stored {
    const pr = index.prs.find((p) => p.number === number);
    if (!pr) throw new ForgeError(`pull request #${number} not found in ${indexFile}`, 'not-found', 404);
    return pr;
  }

  /**
   * Merge checks waiting, by base and branch ref: once no lookup under way
   * can still ask for one, one git call per base answers them all.
   */
  const mergeChecks = new Map<string, Map<string, ((merged: boolean) => void)[]>>();
  let looking = 0;

  function isMerged(pr: Stored): Promise<boolean> {
    return new Promise((answer) => {
      const byBase = mergeChecks.get(pr.base) ?? new Map<string, ((merged: boolean) => void)[]>();
      mergeChecks.set(pr.base, byBase);
      const ref = `refs/heads/${pr.branch}`;
      byBase.set(ref, [...(byBase.get(ref) ?? []), answer]);
    });
  }

  function checkMergesWhenAllAsked(): void {
    if (looking === 0 && mergeChecks.size > 0) void runMergeChecks();
  }

  async function runMergeChecks(): Promise<void> {
    const batch = [...mergeChecks];
    mergeChecks.clear();
    await Promise.all(
      batch.map(async ([base, waiting]) => {
        let merged = new Set<string>();
        try {
          // Branches whose tip the base contains.
          merged = new Set((await git(repo, ['for-each-ref', `--merged=refs/heads/${base}`, '--format=%(refname)', ...waiting.keys()])).split('\n'));
        } catch {
          // A base that does not resolve: nothing counts as merged into it.
        }
        for (const [ref, answers] of waiting) for (const answer of answers) answer(merged.has(ref));
      }),
    );
  }

  /** Changes to the record, one after another: a change reads the index, edits it and writes it back whole. */
  let turn: Promise<unknown> = Promise.resolve();
  function exclusive<T>(change: () => Promise<T>): Promise<T> {
    const run = turn.then(change);
    turn = run.catch(() => undefined);
    return run;
  }

  function publicView({ comments: _comments, ...pr }: Stored): PullRequest {
    return pr;
  }

  return {
    name: 'local',
    maxBodyLength: 1_000_000,
    repository: repo,
    remote: () => ({ url: pathToFileURL(repo).href, env: {} }),
    // Drafts lie in .shipshape/prs/: the repository's files are two levels up.
    fileLink: (path) => `../../${encodePath(path)}`,
    async defaultBranch() {
      try {
        return (await git(repo, ['symbolic-ref', '--short', 'HEAD'])).trim();
      } catch {
        throw new ForgeError(`${repo} has no current branch to target (detached HEAD?)`, 'invalid');
      }
    },
    async findPr(branch) {
      let pr: Stored | undefined;
      let merged: Promise<boolean> | null = null;
      looking++;
      try {
        pr = (await load()).prs.filter((p) => p.branch === branch).at(-1);
        // Merging happens outside the forge here: a branch that is part of its base was merged.
        if (pr?.state === 'open') merged = isMerged(pr);
      } finally {
        looking--;
        checkMergesWhenAllAsked();
      }
      if (!pr) return null;
      if (!merged || !(await merged)) return publicView(pr);
      const found = pr;
      return exclusive(async () => {
        const index = await load();
        const stored = find(index, found.number);
        if (stored.state === 'open') {
          stored.state = 'merged';
          await save(index, stored);
        }
        return publicView(stored);
      });
    },
    createPr: (input: NewPullRequest) =>
      exclusive(async () => {
        const index = await load();
        if (index.prs.some((p) => p.branch === input.branch && p.state === 'open')) {
          throw new ForgeError(`a pull request for ${input.branch} is already open`, 'invalid', 422);
        }
        const number = Math.max(0, ...index.prs.map((p) => p.number)) + 1;
        const stored: Stored = { ...input, number, state: 'open', url: join(prDir, `${fileStem(input.branch)}.md`), comments: [] };
        index.prs.push(stored);
        await save(index, stored);
        return publicView(stored);
      }),
    updatePr: (number, changes) =>
      exclusive(async () => {
        const index = await load();
        const pr = find(index, number);
        Object.assign(pr, changes);
        await save(index, pr);
        return publicView(pr);
      }),
    closePr: (number) =>
      exclusive(async () => {
        const index = await load();
        const pr = find(index, number);
        pr.state = 'closed';
        await save(index, pr);
      }),
    comment: (number, body) =>
      exclusive(async () => {
        const index = await load();
        const pr = find(index, number);
        pr.comments.push(body);
        await save(index, pr);
      }),
    async openPrs(prefix) {
      return (await load()).prs.filter((p) => p.state === 'open' && p.branch.startsWith(prefix)).map(publicView);
    },
    async ensureIssue(title, body, marker): Promise<Issue> {
      await mkdir(dir, { recursive: true });
      const file = join(dir, 'dashboard.md');
      const text = body.includes(marker) ? body : `${body}\n\n${marker}\n`;
      await writeFileAtomic(file, `# ${title}\n\n${text}`, 0o644);
      return { number: 0, url: file };
    },
  };
}
