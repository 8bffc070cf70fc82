import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan, type ApplyOptions } from '../../src/apply/index.js';
import type { EngineContext } from '../../src/engine/transform.js';
import type { PythonCodemod } from '../../src/engine/types.js';
import { createLocalForge } from '../../src/forge/local/forge.js';
import type { Plan, SprintItem } from '../../src/plan/types.js';
import { testEngine } from '../helpers/fixtures.js';
import { renamePython } from '../helpers/toy-codemods.js';

const HUMAN = { GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };
const FILES = { 'app/a.py': 'old_name = 1\n', 'app/b.py': 'print(old_name)\r\n', 'app/c.py': '\uFEFFold_name = 3\n' };

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

function userRepo(): { repo: string; lockDir: string } {
  const base = mkdtempSync(join(tmpdir(), 'shipshape-chains-'));
  dirs.push(base);
  const repo = join(base, 'repo');
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  git(repo, 'init', '-q');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');
  return { repo, lockDir: join(base, 'locks') };
}

function item(key: string, codemods: string[]): SprintItem {
  return {
    key,
    title: `item ${key}`,
    origin: 'plan',
    codemods,
    files: Object.keys(FILES),
    findings: [],
    rollback: 'revert it',
    prerequisites: [],
    security: false,
    automatable: true,
    manualTasks: [],
  };
}

function plan(items: SprintItem[]): (dir: string) => Promise<Plan> {
  return async (dir) => ({ schemaVersion: 1, repo: dir, inputs: { findings: [] }, items, notConfirmed: [], unhandled: [], rejected: [], warnings: [] });
}

/** A codemod that counts how often it is asked to transform a file. */
function counted(codemod: PythonCodemod): { codemod: PythonCodemod; calls: () => number } {
  let calls = 0;
  return {
    codemod: {
      ...codemod,
      transform: (ctx) => {
        calls++;
        return codemod.transform(ctx);
      },
    },
    calls: () => calls,
  };
}

function options(repo: string, lockDir: string, extra: Partial<ApplyOptions>): ApplyOptions {
  return { forge: createLocalForge(repo), codemods: [], engine, lockDir, caps: { openPrs: 10 }, plan: plan([]), ...extra };
}

describe('apply on commit chains', () => {
  it('an item of several codemods gets one commit per codemod, files byte for byte as the codemods left them', async () => {
    const { repo, lockDir } = userRepo();
    const rename = renamePython({ id: 'python/rename' });
    const again = renamePython({ id: 'python/rename-again', from: 'new_name', to: 'newer_name' });
    const result = await applyPlan(options(repo, lockDir, { codemods: [rename, again], plan: plan([item('1.1', ['python/rename', 'python/rename-again'])]) }));
    expect(result.items.map((i) => i.action)).toEqual(['created']);
    const branch = result.items[0]!.branch;
    expect(git(repo, 'log', '--format=%s|%ae', `main..${branch}`).trim().split('\n')).toEqual([
      'Sprint 1.1: item 1.1 — python/rename-again|shipshape-bot@users.noreply.github.com',
      'Sprint 1.1: item 1.1 — python/rename|shipshape-bot@users.noreply.github.com',
    ]);
    expect(git(repo, 'show', `${branch}~1:app/b.py`)).toBe('print(new_name)\r\n');
    expect(git(repo, 'show', `${branch}:app/a.py`)).toBe('newer_name = 1\n');
    expect(git(repo, 'show', `${branch}:app/b.py`)).toBe('print(newer_name)\r\n');
    expect(git(repo, 'show', `${branch}:app/c.py`)).toBe('\uFEFFnewer_name = 3\n');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('codemods whose edits cancel out leave nothing to change, and nothing is pushed', async () => {
    const { repo, lockDir } = userRepo();
    const there = renamePython({ id: 'python/there' });
    const back = renamePython({ id: 'python/back', from: 'new_name', to: 'old_name' });
    const result = await applyPlan(options(repo, lockDir, { codemods: [there, back], plan: plan([item('2.1', ['python/there', 'python/back'])]) }));
    expect(result.items.map((i) => [i.action, i.reason])).toEqual([['unchanged', 'nothing to change on the base branch']]);
    expect(git(repo, 'branch', '--list', 'shipshape/*')).toBe('');
  });

  it('an item of one codemod that stays one part is transformed once: its measuring run is its build', async () => {
    const { repo, lockDir } = userRepo();
    const alone = counted(renamePython({ id: 'python/rename' }));
    const result = await applyPlan(options(repo, lockDir, { codemods: [alone.codemod], plan: plan([item('3.1', ['python/rename'])]), dryRun: true }));
    expect(result.items.map((i) => i.action)).toEqual(['dry-run']);
    const once = alone.calls();

    // Split in two parts, the item is measured once and each part built on its own.
    const split = counted(renamePython({ id: 'python/rename' }));
    const parts = await applyPlan(options(repo, lockDir, { codemods: [split.codemod], plan: plan([item('3.1', ['python/rename'])]), dryRun: true, caps: { filesPerPr: 2, openPrs: 10 } }));
    expect(parts.items.map((i) => i.files)).toEqual([['app/a.py', 'app/b.py'], ['app/c.py']]);
    expect(split.calls()).toBe(2 * once);
    expect(parts.items.map((i) => i.patch).join('')).toContain('-old_name = 1\n+new_name = 1\n');
    expect(result.items[0]!.patch).toContain('-\uFEFFold_name = 3\n+\uFEFFnew_name = 3\n');
  });
});
