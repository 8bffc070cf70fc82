import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { codemods } from '../../codemods/index.js';
import { applyPlan, type ApplyOptions, type ApplyResult } from '../../src/apply/index.js';
import type { EngineContext } from '../../src/engine/transform.js';
import { createLocalForge } from '../../src/forge/local/forge.js';
import type { Forge } from '../../src/forge/types.js';
import { planRepository } from '../../src/plan/index.js';
import { testEngine } from '../helpers/fixtures.js';
import { schemaErrors } from '../helpers/schema.js';

const DEMO = join(import.meta.dirname, '..', '..', 'fixtures', 'repos', 'pcm-ops');
const HUMAN = { GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

let engine: EngineContext;
beforeAll(async () => {
  engine = await testEngine();
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...HUMAN } });
}

/** A user's repository: the demo app committed on main, and the lock dir for this test. */
function userRepo(): { repo: string; lockDir: string } {
  const base = mkdtempSync(join(tmpdir(), 'shipshape-apply-'));
  dirs.push(base);
  const repo = join(base, 'pcm-ops');
  cpSync(DEMO, repo, { recursive: true });
  git(repo, 'init', '-q');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');
  return { repo, lockDir: join(base, 'locks') };
}

function options(repo: string, lockDir: string, extra: Partial<ApplyOptions> = {}): ApplyOptions {
  return {
    forge: createLocalForge(repo),
    codemods,
    engine,
    lockDir,
    caps: { openPrs: 10 },
    plan: (dir) => planRepository({ repo: dir, planFile: join(repo, 'SPRINT_PLAN.md'), codemods, engine }),
    ...extra,
  };
}

function actions(result: ApplyResult): string[] {
  return result.items.map((i) => `${i.key}${i.part ? `#${i.part.index}` : ''}:${i.action}`);
}

const EXPECTED_FILES: Record<string, string[]> = {
  '1.1': ['backend/core/config.py'],
  '1.2': ['backend/static/js/aws-utilities.js', 'backend/static/js/linux-qc-patching-prep.js', 'backend/static/js/sft-fixer.js'],
  '1.4': ['backend/core/utils/session_store.py', 'backend/providers/aws/script_runner/api/changes.py', 'backend/providers/aws/script_runner/api/status.py', 'backend/services/credential_service.py'],
  '2.3': ['backend/core/config.py', 'backend/schemas/account.py', 'backend/schemas/change.py', 'backend/schemas/execution.py', 'backend/schemas/script.py'],
  '3.1': ['backend/db/session.py'],
};

describe('apply with the local forge', () => {
  it('opens one PR per automatable item; each branch holds exactly its codemod changes; the checkout is untouched', async () => {
    const { repo, lockDir } = userRepo();
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    const result = await applyPlan(options(repo, lockDir));
    expect(schemaErrors('apply.schema.json', result)).toBe('');
    expect(actions(result)).toEqual(['1.1:created', '1.2:created', '1.4:created', '2.3:created', '3.1:created']);
    for (const item of result.items) {
      const changed = git(repo, 'diff', '--name-only', `main...${item.branch}`).trim().split('\n').sort();
      expect(changed, item.key).toEqual(EXPECTED_FILES[item.key]);
      const authors = git(repo, 'log', '--format=%ae', `main..${item.branch}`).trim().split('\n');
      expect(new Set(authors)).toEqual(new Set(['shipshape-bot@users.noreply.github.com']));
      expect(existsSync(join(repo, '.shipshape', 'prs', `${item.branch.replace('/', '--')}.patch`))).toBe(true);
    }
    // The user's branch, index and files are as they were.
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(git(repo, 'symbolic-ref', '--short', 'HEAD').trim()).toBe('main');
    expect(git(repo, 'status', '--porcelain')).toBe('');
    const secretPr = readFileSync(join(repo, '.shipshape', 'prs', 'shipshape--1.1-immediate-security.md'), 'utf8');
    expect(secretPr).toContain('Keep old key as fallback');
    expect(secretPr).toMatch(/SECRET_KEY/);
    expect(secretPr).toContain('git revert');
    // Each finding's location links to the file, relative to the draft, and the link resolves.
    const targets = [...secretPr.matchAll(/\]\((\.\.\/\.\.\/[^)#]+)\)/g)].map((m) => m[1]!);
    expect(targets).toContain('../../backend/core/config.py');
    for (const t of targets) expect(existsSync(join(repo, '.shipshape', 'prs', decodeURIComponent(t)))).toBe(true);
  });

  it('a second run changes nothing and opens nothing twice', async () => {
    const { repo, lockDir } = userRepo();
    const first = await applyPlan(options(repo, lockDir));
    const refs = git(repo, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/shipshape');
    const second = await applyPlan(options(repo, lockDir));
    expect(actions(second)).toEqual(['1.1:unchanged', '1.2:unchanged', '1.4:unchanged', '2.3:unchanged', '3.1:unchanged']);
    expect(second.items.map((i) => i.pr?.number)).toEqual(first.items.map((i) => i.pr?.number));
    expect(git(repo, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/shipshape')).toBe(refs);
  });

  it('a moved base rebuilds and updates the PRs in place', async () => {
    const { repo, lockDir } = userRepo();
    await applyPlan(options(repo, lockDir));
    writeFileSync(join(repo, 'NOTES.md'), 'base moved\n');
    git(repo, 'add', 'NOTES.md');
    git(repo, 'commit', '-q', '-m', 'move base');
    const again = await applyPlan(options(repo, lockDir, { items: ['3.1'] }));
    expect(actions(again)).toEqual(['3.1:updated']);
    expect(git(repo, 'merge-base', '--is-ancestor', 'main', again.items[0]!.branch)).toBe('');
  });

  it('never force-pushes over someone else’s commit; comments instead', async () => {
    const { repo, lockDir } = userRepo();
    const first = await applyPlan(options(repo, lockDir, { items: ['3.1'] }));
    const branch = first.items[0]!.branch;
    const work = mkdtempSync(join(tmpdir(), 'shipshape-human-'));
    dirs.push(work);
    git(work, 'clone', '-q', '--branch', branch, repo, 'c');
    writeFileSync(join(work, 'c', 'backend', 'db', 'session.py'), readFileSync(join(work, 'c', 'backend', 'db', 'session.py'), 'utf8') + '# reviewed\n');
    git(join(work, 'c'), 'commit', '-qam', 'human tweak');
    git(join(work, 'c'), 'push', '-q', 'origin', branch);
    const tip = git(repo, 'rev-parse', branch).trim();
    writeFileSync(join(repo, 'NOTES.md'), 'base moved\n');
    git(repo, 'add', 'NOTES.md');
    git(repo, 'commit', '-q', '-m', 'move base');
    const again = await applyPlan(options(repo, lockDir, { items: ['3.1'] }));
    expect(actions(again)).toEqual(['3.1:skipped']);
    expect(again.items[0]!.reason).toContain('commits by someone else');
    expect(git(repo, 'rev-parse', branch).trim()).toBe(tip);
    const draft = () => readFileSync(join(repo, '.shipshape', 'prs', `${branch.replace('/', '--')}.md`), 'utf8');
    expect(draft().match(/shipshape did not update this branch/g)).toHaveLength(1);
    await applyPlan(options(repo, lockDir, { items: ['3.1'] }));
    expect(draft().match(/shipshape did not update this branch/g)).toHaveLength(1);
  });

  it('an item whose result fails verification is reported and never pushed', async () => {
    const { repo, lockDir } = userRepo();
    // Same id as the real codemod, but its edit does not compile: the gate must stop it.
    const real = codemods.find((c) => c.meta.id === 'python/sqlite-connect-args')!;
    const broken = {
      ...real,
      transform: (ctx: Parameters<typeof real.transform>[0]) => {
        const at = ctx.file.text.indexOf('engine = create_engine(');
        if (ctx.file.text.includes('return 1\n')) return { edits: [], notes: [] };
        return { edits: [{ start: at, end: at, text: 'return 1\n', safety: 'safe' as const, description: 'broken' }], notes: [] };
      },
    } as typeof real;
    const result = await applyPlan(options(repo, lockDir, { items: ['3.1'], codemods: codemods.map((c) => (c === real ? broken : c)) }));
    expect(result.items[0]).toMatchObject({ action: 'failed', reason: expect.stringMatching(/^verification failed: backend\/db\/session.py: the result does not compile: 'return' outside function/) });
    expect(git(repo, 'branch', '--list', 'shipshape/*')).toBe('');
  });

  it('an item over the changed-lines cap is split by files; a single file over it stays one part', async () => {
    const { repo, lockDir } = userRepo();
    const split = await applyPlan(options(repo, lockDir, { items: ['1.2'], caps: { linesPerPr: 1, openPrs: 10 } }));
    expect(actions(split)).toEqual(['1.2#1:created', '1.2#2:created', '1.2#3:created']);
    expect(split.items.map((i) => i.files)).toEqual(EXPECTED_FILES['1.2']!.map((f) => [f]));
  });

  it('a PR closed without merging is not re-created unless the item is named', async () => {
    const { repo, lockDir } = userRepo();
    const forge = createLocalForge(repo);
    const first = await applyPlan(options(repo, lockDir, { forge, items: ['1.4'] }));
    await forge.closePr(first.items[0]!.pr!.number);
    const rerun = await applyPlan(options(repo, lockDir, { forge }));
    expect(rerun.items.find((i) => i.key === '1.4')).toMatchObject({ action: 'skipped', reason: expect.stringContaining('closed without merging') });
    const asked = await applyPlan(options(repo, lockDir, { forge, items: ['1.4'] }));
    expect(actions(asked)).toEqual(['1.4:created']);
    expect(asked.items[0]!.pr!.number).not.toBe(first.items[0]!.pr!.number);
  });

  it('caps: open PRs, and an item over the file cap is split into numbered, separately revertible parts', async () => {
    const { repo, lockDir } = userRepo();
    const capped = await applyPlan(options(repo, lockDir, { caps: { openPrs: 2 } }));
    expect(actions(capped)).toEqual(['1.1:created', '1.2:created', '1.4:skipped', '2.3:skipped', '3.1:skipped']);
    expect(capped.items[2]!.reason).toContain('cap 2');

    const other = userRepo();
    const split = await applyPlan(options(other.repo, other.lockDir, { items: ['2.3'], caps: { filesPerPr: 2, openPrs: 10 } }));
    expect(actions(split)).toEqual(['2.3#1:created', '2.3#2:created', '2.3#3:created']);
    expect(split.items.map((i) => i.title)).toEqual([
      expect.stringMatching(/^Sprint 2\.3 \(part 1\/3\): /),
      expect.stringMatching(/^Sprint 2\.3 \(part 2\/3\): /),
      expect.stringMatching(/^Sprint 2\.3 \(part 3\/3\): /),
    ]);
    const files = split.items.map((i) => git(other.repo, 'diff', '--name-only', `main...${i.branch}`).trim().split('\n'));
    expect(files.flat().sort()).toEqual(EXPECTED_FILES['2.3']);
    expect(files.every((f) => f.length <= 2)).toBe(true);
  });

  it('closes the PR of an item that was fixed on the base by hand, once', async () => {
    const { repo, lockDir } = userRepo();
    const first = await applyPlan(options(repo, lockDir, { items: ['3.1'] }));
    // Someone applies the same fix on main by hand (not by merging the PR).
    git(repo, 'cherry-pick', '--no-commit', first.items[0]!.branch);
    git(repo, 'commit', '-q', '-m', 'fix sqlite args by hand');
    const again = await applyPlan(options(repo, lockDir, { items: ['3.1'] }));
    expect(actions(again)).toEqual(['3.1:closed']);
    expect(again.items[0]!.reason).toContain('nothing is left for a codemod to change');
    const forge = createLocalForge(repo);
    expect(await forge.findPr(first.items[0]!.branch)).toMatchObject({ state: 'closed' });
    expect(actions(await applyPlan(options(repo, lockDir, { items: ['3.1'] })))).toEqual([]);
  });

  it('dry run builds and verifies but pushes and opens nothing', async () => {
    const { repo, lockDir } = userRepo();
    const result = await applyPlan(options(repo, lockDir, { dryRun: true }));
    expect(actions(result).every((a) => a.endsWith(':dry-run'))).toBe(true);
    expect(git(repo, 'branch', '--list', 'shipshape/*')).toBe('');
    expect(existsSync(join(repo, '.shipshape', 'prs', 'index.json'))).toBe(false);
  });

  it('a crash between push and PR creation is repaired by the next run, without a duplicate', async () => {
    const { repo, lockDir } = userRepo();
    const real = createLocalForge(repo);
    let failures = 1;
    const flaky: Forge = {
      ...real,
      remote: real.remote,
      async createPr(pr) {
        if (failures-- > 0) throw new Error('connection reset');
        return real.createPr(pr);
      },
    };
    const first = await applyPlan(options(repo, lockDir, { forge: flaky, items: ['3.1'] }));
    expect(actions(first)).toEqual(['3.1:failed']);
    expect(git(repo, 'branch', '--list', 'shipshape/*').trim()).not.toBe('');
    const second = await applyPlan(options(repo, lockDir, { forge: flaky, items: ['3.1'] }));
    expect(actions(second)).toEqual(['3.1:created']);
    expect((await real.openPrs('shipshape/')).length).toBe(1);
  });

  it('two concurrent runs on one repository are serialised and open each PR once', async () => {
    const { repo, lockDir } = userRepo();
    const [a, b] = await Promise.all([applyPlan(options(repo, lockDir, { items: ['1.1', '3.1'] })), applyPlan(options(repo, lockDir, { items: ['1.1', '3.1'] }))]);
    const all = [...actions(a), ...actions(b)].sort();
    expect(all).toEqual(['1.1:created', '1.1:unchanged', '3.1:created', '3.1:unchanged']);
    expect((await createLocalForge(repo).openPrs('shipshape/')).length).toBe(2);
  });

  it('the dashboard mirrors the plan, needs-a-human items included', async () => {
    const { repo, lockDir } = userRepo();
    const result = await applyPlan(options(repo, lockDir, { dashboard: true, items: ['3.1'] }));
    const dashboard = readFileSync(result.dashboard!, 'utf8');
    expect(dashboard).toMatch(/- \[x\] \*\*3\.1\*\* Configuration Cleanup/);
    expect(dashboard).toMatch(/- \[ \] \*\*1\.1\*\*/);
    expect(dashboard).toContain('**1.3** CSRF & Credential Security');
  });

  it('an unknown item key is a clear error', async () => {
    const { repo, lockDir } = userRepo();
    await expect(applyPlan(options(repo, lockDir, { items: ['9.9'] }))).rejects.toThrow('no sprint item 9.9 in the plan');
  });
});
