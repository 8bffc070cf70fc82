import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { chmod, lstat, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HARDENING_CONFIG,
  failureLine,
  gitEnvironment,
  hardeningArgs,
  isSecretEnv,
  isSafeBranchName,
  remoteUrl,
  runGit,
  scrubSecrets,
  type GitResult,
} from './git.js';
import { acquireRepoLock, type RepoLock } from './lock.js';
import { commitText, GitPipe, isFileMode, isTreeMode, mktreeInput, parseTree, readLine, readObject, stdinPath, type GitObject, type TreeEntry } from './objects.js';
import {
  WorkspaceError,
  type CommitChain,
  type DiffStatEntry,
  type PushUpdate,
  type RemoteBranch,
  type Workspace,
  type WorkspaceOptions,
} from './types.js';

export type DisposableWorkspace = Workspace & { dispose(): Promise<void> };

/** git commands that reach the remote, and so need valid credentials. */
const NETWORK_COMMANDS = new Set(['clone', 'fetch', 'ls-remote', 'push']);
const DEFAULT_LOCK_TIMEOUT_MS = 10 * 60 * 1000;
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** upload-pack for a remote on this machine, where packing is pure cost (the pack does not travel over a network). */
const LOCAL_UPLOAD_PACK = 'git -c pack.window=0 -c pack.compression=0 upload-pack';
/** How far back the base is searched for a branch that looks merged. */
const MERGED_SEARCH_DEPTH = 200;

/**
 * Opens a workspace, runs `fn` in it and always removes it again (also when
 * `fn` throws); the repository stays locked for the whole time.
 */
export async function withWorkspace<T>(options: WorkspaceOptions, fn: (ws: Workspace) => Promise<T>): Promise<T> {
  const workspace = await openWorkspace(options);
  try {
    return await fn(workspace);
  } finally {
    await workspace.dispose();
  }
}

/**
 * Locks the repository and clones `options.base` shallowly into a fresh
 * temporary directory. `dispose()` removes the directory and releases the
 * lock; until then an exit or SIGINT/SIGTERM/SIGHUP removes them too.
 */
export async function openWorkspace(options: WorkspaceOptions): Promise<DisposableWorkspace> {
  if (!isSafeBranchName(options.base)) throw new WorkspaceError(`invalid base branch name ${JSON.stringify(options.base)}`, 'clone');
  const remote = remoteUrl(options.remote.url);
  const lock = await acquireRepoLock(remote.url.replace(/\/+$/, ''), {
    lockDir: options.lockDir ?? join(tmpdir(), 'shipshape-locks'),
    timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
  });
  let root: string;
  try {
    root = await mkdtemp(join(tmpdir(), 'shipshape-'));
  } catch (error) {
    await lock.release();
    throw error;
  }
  const workspace = new GitWorkspace(options, root, remote.local, lock);
  try {
    await workspace.clone(remote.url);
  } catch (error) {
    await workspace.dispose();
    throw error;
  }
  return workspace;
}

/** The long-lived git processes of a workspace: one reader and three writers of objects. */
interface Pipes {
  cat: GitPipe;
  blobs: GitPipe;
  trees: GitPipe;
  commits: GitPipe;
}

class GitWorkspace implements DisposableWorkspace {
  readonly dir: string;
  private sha = '';
  private baseTree = '';
  private pipes: Pipes | null = null;
  /** Trees read or written, by id; and the tree of each commit known here. */
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly commitTrees = new Map<string, string>();
  private scratch = 0;
  private readonly children = new Set<ChildProcess>();
  private env: Record<string, string>;
  /** Every credential this workspace was ever given (a refreshed token does not make the old one printable). */
  private secrets: Record<string, string>;
  private refreshes = 0;
  private readonly cleanup: () => void;
  private disposed = false;

  constructor(
    private readonly options: WorkspaceOptions,
    private readonly root: string,
    private readonly localRemote: boolean,
    private readonly lock: RepoLock,
  ) {
    this.dir = join(root, 'repo');
    this.secrets = options.remote.env;
    this.env = gitEnvironment(options.remote.env, options.bot);
    this.cleanup = () => {
      // git may be writing into the directory; stop it first so the removal is complete.
      for (const child of this.children) child.kill('SIGKILL');
      rmSync(this.root, { recursive: true, force: true, maxRetries: 5 });
      this.lock.releaseSync();
    };
    registerCleanup(this.cleanup);
  }

  get baseSha(): string {
    return this.sha;
  }

  async clone(url: string): Promise<void> {
    const persisted = HARDENING_CONFIG.flatMap((entry) => ['--config', entry]);
    const args = [
      'clone',
      '--quiet',
      // No template: not even sample hooks land in the clone.
      '--template=',
      '--depth=1',
      '--single-branch',
      `--branch=${this.options.base}`,
      '--no-tags',
      '--no-recurse-submodules',
      // From a repository on this machine the pack is only copied: no delta search, no compression (often loose objects).
      ...(this.localRemote ? [`--upload-pack=${LOCAL_UPLOAD_PACK}`] : []),
      ...persisted,
      '--',
      url,
      this.dir,
    ];
    const result = await this.git(args, { cwd: this.root });
    if (result.code !== 0) throw new WorkspaceError(`cloning ${this.options.base} failed: ${failureLine(result, this.secrets)}`, 'clone');
    const head = await this.object('HEAD^{commit}');
    const tree = head?.type === 'commit' ? /^tree ([0-9a-f]+)$/m.exec(head.data.toString('latin1'))?.[1] : undefined;
    if (!head || !tree) throw new WorkspaceError(`the clone of ${this.options.base} has no commit to start from`, 'clone');
    this.sha = head.oid;
    this.baseTree = tree;
    this.commitTrees.set(this.sha, tree);
  }

  async remoteBranch(branch: string): Promise<RemoteBranch | null> {
    checkBranch(branch);
    const ref = `refs/heads/${branch}`;
    const tracking = `refs/remotes/origin/${branch}`;
    const baseRef = `refs/heads/${this.options.base}`;
    const listed = await this.ok(['ls-remote', 'origin', ref, baseRef]);
    const tips = new Map(listed.split('\n').map((entry) => [entry.split('\t')[1], entry.split('\t')[0]] as const));
    const tip = tips.get(ref);
    if (tip === undefined) return null;
    if (tip === this.sha || tip === tips.get(baseRef)) {
      await this.fetchTip(ref, tracking);
      return { sha: await this.revParse(tracking), foreignCommits: [] };
    }

    // Only the branch's own commits: history the base also has is not fetched (bounded, and never mistaken for foreign work).
    const fetch = await this.git(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', `--shallow-exclude=${baseRef}`, 'origin', `+${ref}:${tracking}`]);
    if (fetch.code !== 0) return this.mergedBranch(branch, ref, tracking, failureLine(fetch, this.secrets));
    const sha = await this.revParse(tracking);
    const log = await this.ok(['log', '--format=%H%x09%ae%x09%ce', tracking, '--not', this.sha, '--']);
    const bot = this.options.bot.email.toLowerCase();
    const foreignCommits = log
      .split('\n')
      .filter((entry) => entry !== '')
      .map((entry) => entry.split('\t'))
      .filter(([, author, committer]) => author?.toLowerCase() !== bot || committer?.toLowerCase() !== bot)
      .map(([commit, author]) => `${commit} ${author ?? ''}`);
    return { sha, foreignCommits };
  }

  /**
   * The exclusion fetch selects nothing, and fails, when every commit of the
   * branch is already on the base (a merged branch). Confirm that within a
   * bounded stretch of the base's history; anything else is a real failure.
   */
  private async mergedBranch(branch: string, ref: string, tracking: string, failure: string): Promise<RemoteBranch> {
    await this.fetchTip(ref, tracking);
    const baseTracking = `refs/remotes/origin/${this.options.base}`;
    await this.ok(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', `--deepen=${MERGED_SEARCH_DEPTH}`, 'origin', `+refs/heads/${this.options.base}:${baseTracking}`]);
    const sha = await this.revParse(tracking);
    const merged = await this.git(['merge-base', '--is-ancestor', sha, baseTracking]);
    if (merged.code === 0) return { sha, foreignCommits: [] };
    throw new WorkspaceError(`listing the commits of ${branch} failed: ${failure}`, 'git');
  }

  private async fetchTip(ref: string, tracking: string): Promise<void> {
    await this.ok(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', '--depth=1', 'origin', `+${ref}:${tracking}`]);
  }

  async remoteBranches(branches: readonly string[]): Promise<Map<string, RemoteBranch | null | WorkspaceError>> {
    branches.forEach(checkBranch);
    const wanted = [...new Set(branches)];
    const states = new Map<string, RemoteBranch | null | WorkspaceError>();
    if (wanted.length === 0) return states;
    const baseRef = `refs/heads/${this.options.base}`;
    let tips: Map<string, string>;
    try {
      const listed = await this.ok(['ls-remote', 'origin', ...wanted.map((b) => `refs/heads/${b}`), baseRef]);
      tips = new Map(listed.split('\n').map((entry) => [entry.split('\t')[1] ?? '', entry.split('\t')[0] ?? ''] as const));
    } catch (error) {
      for (const branch of wanted) states.set(branch, asWorkspaceError(error));
      return states;
    }
    // Tips to fetch: a branch at the clone's base commit needs nothing more, one at a moved base is rare and goes alone.
    const fetched: string[] = [];
    const alone: string[] = [];
    for (const branch of wanted) {
      const tip = tips.get(`refs/heads/${branch}`);
      if (tip === undefined) states.set(branch, null);
      else if (tip === this.sha) states.set(branch, { sha: tip, foreignCommits: [] });
      else if (tip === tips.get(baseRef)) alone.push(branch);
      else fetched.push(branch);
    }
    if (fetched.length > 0) {
      try {
        alone.push(...(await this.branchesTogether(fetched, baseRef, states)));
      } catch {
        // Whatever the batch could not settle is asked branch by branch, with its own error if any.
        alone.push(...fetched.filter((branch) => !states.has(branch)));
      }
    }
    for (const branch of alone) {
      try {
        states.set(branch, await this.remoteBranch(branch));
      } catch (error) {
        states.set(branch, asWorkspaceError(error));
      }
    }
    return new Map(wanted.map((branch) => [branch, states.get(branch) ?? null]));
  }

  /**
   * Fetches the branches' own commits (as remoteBranch() does) for all of
   * them at once, settles in `states` those with only the bot's commits, and
   * returns the others to be asked the exact way: someone else's commits, or
   * a branch already merged into the base (a shallow clone cannot tell).
   */
  private async branchesTogether(branches: readonly string[], baseRef: string, states: Map<string, RemoteBranch | null | WorkspaceError>): Promise<string[]> {
    const tracking = (branch: string) => `refs/remotes/origin/${branch}`;
    const fetch = await this.git(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', `--shallow-exclude=${baseRef}`, 'origin', ...branches.map((b) => `+refs/heads/${b}:${tracking(b)}`)]);
    if (fetch.code !== 0) return [...branches];
    const refs = await this.ok(['for-each-ref', '--format=%(objectname) %(refname)', ...branches.map(tracking)]);
    const shas = new Map(refs.split('\n').filter(Boolean).map((line) => [line.slice(line.indexOf(' ') + 1), line.slice(0, line.indexOf(' '))] as const));
    const log = await this.ok(['log', '--format=%H%x09%P%x09%ae%x09%ce', ...branches.map((b) => shas.get(tracking(b)) ?? tracking(b)), '--not', this.sha, '--']);
    const commits = new Map<string, { parents: string[]; foreign: string | null }>();
    const bot = this.options.bot.email.toLowerCase();
    for (const line of log.split('\n').filter(Boolean)) {
      const [commit = '', parents = '', author = '', committer = ''] = line.split('\t');
      const foreign = author.toLowerCase() !== bot || committer.toLowerCase() !== bot;
      commits.set(commit, { parents: parents.split(' ').filter(Boolean), foreign: foreign ? `${commit} ${author}` : null });
    }
    const exact: string[] = [];
    for (const branch of branches) {
      const sha = shas.get(tracking(branch));
      const foreign = sha === undefined ? null : foreignCommits(sha, commits);
      if (sha === undefined || foreign === null || foreign.length > 0) exact.push(branch);
      else states.set(branch, { sha, foreignCommits: [] });
    }
    return exact;
  }

  async files(): Promise<string[]> {
    const found: string[] = [];
    const walk = async (tree: string, prefix: string): Promise<void> => {
      const below: Promise<void>[] = [];
      for (const entry of await this.readTree(tree)) {
        const path = `${prefix}${entry.name.toString('utf8')}`;
        if (isTreeMode(entry.mode)) below.push(walk(entry.oid, `${path}/`));
        else found.push(path);
      }
      await Promise.all(below);
    };
    await walk(this.baseTree, '');
    return [...new Set(found)].sort();
  }

  async chain(files: readonly string[]): Promise<CommitChain> {
    const snapshot = new Map<string, { bytes: Buffer; mode: number }>();
    for (const file of files) {
      const full = join(this.dir, checkPath(file));
      const info = await lstat(full).catch(() => null);
      if (info?.isFile()) snapshot.set(file, { bytes: await readFile(full), mode: info.mode & 0o7777 });
    }
    let tip = this.sha;
    let tree = this.baseTree;
    return {
      get tip() {
        return tip;
      },
      get tree() {
        return tree;
      },
      commit: async (message, paths) => {
        if (message.trim() === '') throw new WorkspaceError('a commit needs a message', 'git');
        const blobs = await Promise.all(paths.map(async (path) => [checkPath(path), await this.hashFile(path)] as const));
        const next = await this.rewriteTree(tree, new Map(blobs), '');
        if (next === tree) return null;
        const commit = await this.writeCommit(next, tip, message);
        tip = commit;
        tree = next;
        return commit;
      },
      restore: async () => {
        for (const [file, saved] of snapshot) {
          const full = join(this.dir, file);
          const now = await readFile(full).catch(() => null);
          if (now?.equals(saved.bytes)) continue;
          await writeFile(full, saved.bytes);
          await chmod(full, saved.mode);
        }
      },
    };
  }

  async treeOf(commit: string): Promise<string | null> {
    const known = this.commitTrees.get(commit);
    if (known !== undefined) return known;
    if (!SHA.test(commit)) return null;
    const tree = await this.object(`${commit}^{tree}`);
    if (tree?.type !== 'tree') return null;
    this.commitTrees.set(commit, tree.oid);
    return tree.oid;
  }

  async diffStats(commits: readonly string[]): Promise<DiffStatEntry[][]> {
    const trees = await Promise.all(
      commits.map(async (commit) => {
        const tree = await this.treeOf(commit);
        if (tree === null) throw new WorkspaceError(`commit ${commit.slice(0, 12)} is not in the clone`, 'git');
        return tree;
      }),
    );
    const pairs = [...new Set(trees.filter((tree) => tree !== this.baseTree))];
    const stats = new Map<string, DiffStatEntry[]>();
    if (pairs.length > 0) {
      const input = pairs.map((tree) => `${this.baseTree} ${tree}\n`).join('');
      const output = await this.ok(['diff-tree', '--stdin', '-r', '--numstat', '-z', '--no-renames', '--no-ext-diff', '--no-textconv'], input);
      let current: DiffStatEntry[] | null = null;
      let at = 0;
      while (at < output.length) {
        const header = /^([0-9a-f]{40,64}) ([0-9a-f]{40,64})\n/.exec(output.slice(at, at + 140));
        if (header) {
          current = [];
          stats.set(header[2] ?? '', current);
          at += header[0].length;
          continue;
        }
        const end = output.indexOf('\0', at);
        const record = output.slice(at, end < 0 ? output.length : end);
        at = end < 0 ? output.length : end + 1;
        const match = /^(\d+|-)\t(\d+|-)\t(.+)$/s.exec(record);
        if (match && current) current.push({ path: match[3] ?? '', added: count(match[1]), removed: count(match[2]) });
      }
    }
    return trees.map((tree) => stats.get(tree) ?? []);
  }

  async pushCommits(updates: readonly PushUpdate[]): Promise<Map<string, WorkspaceError | null>> {
    for (const update of updates) {
      checkBranch(update.branch);
      if (!SHA.test(update.commit)) throw new WorkspaceError(`invalid commit ${JSON.stringify(update.commit)}`, 'git');
      if (update.expected !== null && !SHA.test(update.expected)) throw new WorkspaceError(`invalid expected commit ${JSON.stringify(update.expected)}`, 'git');
    }
    const results = await this.pushRefs(updates.map((u) => ({ branch: u.branch, source: u.commit, expected: u.expected })));
    const refused = updates.filter((u) => results.get(u.branch) !== null);
    // A remote may refuse a whole push for one branch's sake (a pre-receive hook): each refused branch on its own says why.
    if (updates.length > 1 && refused.length > 0) {
      for (const update of refused) {
        const alone = await this.pushRefs([{ branch: update.branch, source: update.commit, expected: update.expected }]);
        results.set(update.branch, alone.get(update.branch) ?? null);
      }
    }
    return results;
  }

  private async object(name: string): Promise<GitObject | null> {
    return this.pipe('cat').request(`${name}\n`, readObject);
  }

  private async readTree(oid: string): Promise<TreeEntry[]> {
    let entries = this.trees.get(oid);
    if (!entries) {
      const tree = await this.object(oid);
      if (tree?.type !== 'tree') throw new WorkspaceError(`tree ${oid.slice(0, 12)} is not in the clone`, 'git');
      entries = parseTree(tree.data, oid.length / 2);
      this.trees.set(oid, entries);
    }
    return entries;
  }

  /** The blob of a work tree file, written by git with the repository's attributes applied (as `git add` does). */
  private async hashFile(path: string): Promise<string> {
    const info = await lstat(join(this.dir, checkPath(path))).catch(() => null);
    if (!info?.isFile()) throw new WorkspaceError(`${path} is not a regular file in the work tree`, 'git');
    const oid = await this.pipe('blobs').request(stdinPath(path), readLine);
    if (!SHA.test(oid)) throw new WorkspaceError(`git hash-object answered ${JSON.stringify(oid.slice(0, 80))} for ${path}`, 'git');
    return oid;
  }

  /** `tree` with the blobs of `changes` (paths below it) in place of the files' old ones; the modes stay. */
  private async rewriteTree(tree: string, changes: ReadonlyMap<string, string>, prefix: string): Promise<string> {
    const files = new Map<string, { path: string; blob: string }>();
    const below = new Map<string, Map<string, string>>();
    for (const [path, blob] of changes) {
      const slash = path.indexOf('/');
      const name = Buffer.from(slash < 0 ? path : path.slice(0, slash), 'utf8').toString('latin1');
      if (slash < 0) files.set(name, { path, blob });
      else below.set(name, (below.get(name) ?? new Map()).set(path.slice(slash + 1), blob));
    }
    let changed = false;
    const entries: TreeEntry[] = [];
    for (const entry of await this.readTree(tree)) {
      const name = entry.name.toString('latin1');
      const file = files.get(name);
      const subtree = below.get(name);
      files.delete(name);
      below.delete(name);
      let oid = entry.oid;
      if (file) {
        if (!isFileMode(entry.mode)) throw new WorkspaceError(`${prefix}${file.path} is not a regular file of the base commit`, 'git');
        oid = file.blob;
      } else if (subtree) {
        if (!isTreeMode(entry.mode)) throw new WorkspaceError(`${prefix}${entry.name.toString('utf8')} is not a directory of the base commit`, 'git');
        oid = await this.rewriteTree(entry.oid, subtree, `${prefix}${entry.name.toString('utf8')}/`);
      }
      changed ||= oid !== entry.oid;
      entries.push(oid === entry.oid ? entry : { ...entry, oid });
    }
    const missing = [...files.values()].map((f) => f.path).concat([...below.keys()].map((name) => Buffer.from(name, 'latin1').toString('utf8')));
    if (missing.length > 0) throw new WorkspaceError(`${prefix}${missing[0] ?? ''} is not in the base commit`, 'git');
    if (!changed) return tree;
    const written = await this.pipe('trees').request(mktreeInput(entries), readLine);
    if (!SHA.test(written)) throw new WorkspaceError(`git mktree answered ${JSON.stringify(written.slice(0, 80))}`, 'git');
    this.trees.set(written, entries);
    return written;
  }

  /** A commit of `tree` on `parent` by the bot (author and committer), with the message cleaned as `git commit` would. */
  private async writeCommit(tree: string, parent: string, message: string): Promise<string> {
    const file = join(this.root, `commit-${++this.scratch}`);
    await writeFile(file, commitText({ tree, parents: [parent], who: this.options.bot, when: new Date(), message }), { mode: 0o600 });
    try {
      const oid = await this.pipe('commits').request(stdinPath(file), readLine);
      if (!SHA.test(oid)) throw new WorkspaceError(`git hash-object answered ${JSON.stringify(oid.slice(0, 80))} for a commit`, 'git');
      this.commitTrees.set(oid, tree);
      return oid;
    } finally {
      await rm(file, { force: true });
    }
  }

  private pipe(name: keyof Pipes): GitPipe {
    if (this.disposed) throw new WorkspaceError('the workspace was disposed', 'git');
    if (!this.pipes) {
      // They never reach the remote: no credentials in their environment.
      const env = gitEnvironment({}, this.options.bot);
      const run = () => ({ cwd: this.dir, env, children: this.children });
      const secrets = () => this.secrets;
      const args = (...command: string[]) => [...hardeningArgs(this.localRemote), ...command];
      this.pipes = {
        cat: new GitPipe(args('cat-file', '--batch'), run, secrets),
        blobs: new GitPipe(args('hash-object', '-w', '--stdin-paths'), run, secrets),
        trees: new GitPipe(args('mktree', '-z', '--batch'), run, secrets),
        commits: new GitPipe(args('hash-object', '-w', '-t', 'commit', '--stdin-paths'), run, secrets),
      };
    }
    return this.pipes[name];
  }

  async startBranch(branch: string): Promise<void> {
    checkBranch(branch);
    await this.ok(['checkout', '--quiet', '--force', '--no-recurse-submodules', '-B', branch, this.sha, '--']);
    // -x as well: ignored files left by an earlier codemod must not survive into the next branch.
    await this.ok(['clean', '-ffdxq']);
  }

  async commitAll(message: string): Promise<string | null> {
    if (message.trim() === '') throw new WorkspaceError('a commit needs a message', 'git');
    await this.ok(['add', '--all']);
    const staged = await this.git(['diff', '--cached', '--quiet', '--no-ext-diff']);
    if (staged.code === 0) return null;
    if (staged.code !== 1) throw new WorkspaceError(`git diff failed: ${failureLine(staged, this.secrets)}`, 'git');
    // --cleanup=whitespace keeps lines starting with '#' (issue references) that the default would drop.
    await this.ok(['commit', '--quiet', '--no-verify', '--no-gpg-sign', '--cleanup=whitespace', '--file=-'], message);
    return this.revParse('HEAD');
  }

  async sameTree(sha: string): Promise<boolean> {
    if (!SHA.test(sha)) return false;
    const other = await this.git(['rev-parse', '--verify', '--quiet', `${sha}^{tree}`]);
    if (other.code !== 0) return false;
    return other.stdout.trim() === (await this.revParse('HEAD^{tree}'));
  }

  async patch(commit = 'HEAD'): Promise<string> {
    if (commit !== 'HEAD' && !SHA.test(commit)) throw new WorkspaceError(`invalid commit ${JSON.stringify(commit)}`, 'git');
    // No signature: the patch must not change with the git version that made it.
    return this.ok(['format-patch', '--stdout', '--no-signature', `${this.sha}..${commit}`, '--']);
  }

  async diffStat(): Promise<DiffStatEntry[]> {
    const output = await this.ok(['diff', '--numstat', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', this.sha, 'HEAD', '--']);
    const entries: DiffStatEntry[] = [];
    for (const record of output.split('\0')) {
      const match = /^(\d+|-)\t(\d+|-)\t(.+)$/s.exec(record);
      if (!match) continue;
      // Binary files have no line counts ('-').
      entries.push({ path: match[3] ?? '', added: count(match[1]), removed: count(match[2]) });
    }
    return entries;
  }

  async revert(commit: string): Promise<string> {
    if (!SHA.test(commit)) throw new WorkspaceError(`invalid commit ${JSON.stringify(commit)}`, 'git');
    const base = this.options.base;
    // The clone is shallow: deepen the base (bounded) until the commit and its parents are there.
    await this.ok(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', `--deepen=${MERGED_SEARCH_DEPTH}`, 'origin', `+refs/heads/${base}:refs/remotes/origin/${base}`]);
    const present = await this.git(['merge-base', '--is-ancestor', commit, `refs/remotes/origin/${base}`]);
    if (present.code !== 0) throw new WorkspaceError(`commit ${commit.slice(0, 12)} is not among the last ${MERGED_SEARCH_DEPTH} commits of ${base}; revert it by hand`, 'git');
    const parents = (await this.ok(['rev-list', '--parents', '--max-count=1', commit, '--'])).trim().split(' ').length - 1;
    const reverted = await this.git(['revert', '--no-edit', '--no-gpg-sign', ...(parents > 1 ? ['--mainline=1'] : []), commit]);
    if (reverted.code !== 0) {
      await this.git(['revert', '--abort']);
      throw new WorkspaceError(`reverting ${commit.slice(0, 12)} does not apply cleanly on ${base} (later changes touch the same lines); revert it by hand`, 'git');
    }
    return this.revParse('HEAD');
  }

  async push(branch: string, expected: string | null): Promise<void> {
    checkBranch(branch);
    if (expected !== null && !SHA.test(expected)) throw new WorkspaceError(`invalid expected commit ${JSON.stringify(expected)}`, 'git');
    const error = (await this.pushRefs([{ branch, source: 'HEAD', expected }])).get(branch);
    if (error) throw error;
  }

  /** One push of several refs, each with its own lease; per branch, null when it went through. */
  private async pushRefs(refs: readonly { branch: string; source: string; expected: string | null }[]): Promise<Map<string, WorkspaceError | null>> {
    const results = new Map<string, WorkspaceError | null>();
    if (refs.length === 0) return results;
    const result = await this.git([
      'push',
      '--porcelain',
      '--no-verify',
      '--recurse-submodules=no',
      // An empty expected value means the branch must not exist yet.
      ...refs.map((r) => `--force-with-lease=refs/heads/${r.branch}:${r.expected ?? ''}`),
      'origin',
      ...refs.map((r) => `${r.source}:refs/heads/${r.branch}`),
    ]);
    const remoteLines = result.stderr
      .split(/\r?\n|\r/)
      .filter((entry) => entry.startsWith('remote:'))
      .map((entry) => entry.slice('remote:'.length).trim())
      .filter((entry) => entry !== '');
    const detail = remoteLines.length > 0 ? ` (remote: ${remoteLines.join('; ')})` : '';
    // Porcelain lines: `<flag>\t<from>:<to>\t<summary>`, one per ref.
    const lines = new Map<string, string[]>();
    for (const line of result.stdout.split('\n')) {
      const fields = line.split('\t');
      if (fields.length < 3) continue;
      const to = fields[1]!.slice(fields[1]!.lastIndexOf(':') + 1);
      lines.set(to, fields);
    }
    for (const r of refs) {
      const fields = lines.get(`refs/heads/${r.branch}`);
      if (fields?.[0] === '!') {
        const reason = fields[2]?.trim() || 'rejected';
        results.set(r.branch, new WorkspaceError(scrubSecrets(`push of ${r.branch} was rejected: ${reason}${detail}`, this.secrets).slice(0, 500), 'push-rejected'));
      } else if (fields === undefined && result.code !== 0) {
        results.set(r.branch, new WorkspaceError(`pushing ${r.branch} failed: ${failureLine(result, this.secrets)}`, 'git'));
      } else {
        results.set(r.branch, null);
      }
    }
    return results;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const pipes = this.pipes;
    this.pipes = null;
    if (pipes) await Promise.all(Object.values(pipes).map((p: GitPipe) => p.close()));
    try {
      await rm(this.root, { recursive: true, force: true, maxRetries: 5 });
    } finally {
      unregisterCleanup(this.cleanup);
      await this.lock.release();
    }
  }

  /** Asks the remote for fresh credentials before a command that talks to it. */
  private async freshen(command: string | undefined): Promise<void> {
    const refresh = this.options.remote.refresh;
    if (!refresh || !NETWORK_COMMANDS.has(command ?? '')) return;
    const env = await refresh();
    this.refreshes += 1;
    this.env = gitEnvironment(env, this.options.bot);
    const renamed = Object.entries(env).map(([key, value]) => [isSecretEnv(key) ? `${key}#${this.refreshes}` : key, value] as const);
    this.secrets = { ...this.secrets, ...Object.fromEntries(renamed) };
  }

  private async git(args: string[], options: { cwd?: string; input?: string } = {}): Promise<GitResult> {
    if (this.disposed) throw new WorkspaceError('the workspace was disposed', 'git');
    await this.freshen(args[0]);
    return runGit([...hardeningArgs(this.localRemote), ...args], {
      cwd: options.cwd ?? this.dir,
      env: this.env,
      input: options.input,
      children: this.children,
    });
  }

  /** Runs git and returns its output, or throws a scrubbed one-line WorkspaceError. */
  private async ok(args: string[], input?: string): Promise<string> {
    const result = await this.git(args, { input });
    if (result.code !== 0) throw new WorkspaceError(`git ${args[0] ?? ''} failed: ${failureLine(result, this.secrets)}`, 'git');
    return result.stdout;
  }

  private async revParse(rev: string): Promise<string> {
    return (await this.ok(['rev-parse', '--verify', rev])).trim();
  }
}

function checkBranch(branch: string): void {
  if (!isSafeBranchName(branch)) throw new WorkspaceError(`invalid branch name ${JSON.stringify(branch)}`, 'git');
}

/** A path inside the clone, as the engine reports it: relative, `/`-separated, nothing that climbs out. */
function checkPath(path: string): string {
  if (path === '' || path.startsWith('/') || path.split('/').some((part) => part === '' || part === '.' || part === '..' || part === '.git')) {
    throw new WorkspaceError(`invalid path ${JSON.stringify(path)}`, 'git');
  }
  return path;
}

function asWorkspaceError(error: unknown): WorkspaceError {
  return error instanceof WorkspaceError ? error : new WorkspaceError((error as Error).message, 'git');
}

/**
 * The branch's commits that are not the bot's, walking from `tip` through
 * the logged commits (those not on the base); null when the tip itself was
 * not logged (it is on the base).
 */
function foreignCommits(tip: string, commits: ReadonlyMap<string, { parents: string[]; foreign: string | null }>): string[] | null {
  if (!commits.has(tip)) return null;
  const seen = new Set<string>();
  const stack = [tip];
  const found: string[] = [];
  while (stack.length > 0) {
    const sha = stack.pop()!;
    const commit = commits.get(sha);
    if (!commit || seen.has(sha)) continue;
    seen.add(sha);
    if (commit.foreign) found.push(commit.foreign);
    stack.push(...commit.parents);
  }
  return found;
}

function count(value: string | undefined): number {
  return value === undefined || value === '-' ? 0 : Number(value);
}

/*
 * Cleanup on the way out. One listener per signal serves every open
 * workspace; it is installed while at least one is open and removed with the
 * last, so a process without workspaces keeps Node's default behaviour.
 */
const cleanups = new Set<() => void>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function registerCleanup(cleanup: () => void): void {
  if (cleanups.size === 0) {
    for (const signal of SIGNALS) process.on(signal, onSignal);
    process.on('exit', runCleanups);
  }
  cleanups.add(cleanup);
}

function unregisterCleanup(cleanup: () => void): void {
  if (!cleanups.delete(cleanup) || cleanups.size > 0) return;
  removeListeners();
}

function removeListeners(): void {
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  process.removeListener('exit', runCleanups);
}

function runCleanups(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // Best effort while the process goes down; the next cleanup must still run.
    }
  }
  cleanups.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  runCleanups();
  removeListeners();
  // With no other listener, raising the signal again gives its default action (the process ends by that signal,
  // exit status 128+n); if the program has its own handler, that handler decides.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
