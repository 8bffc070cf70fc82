import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withWorkspace } from '../../src/workspace/index.js';
import { createBareRepo, git, testGitEnv } from '../helpers/git-http-server.js';

const HOOKS = [
  'pre-commit',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'post-checkout',
  'pre-push',
  'reference-transaction',
  'post-index-change',
  'pre-auto-gc',
  'fsmonitor-watchman',
];

let root: string;
let markers: string;
let userRepo: string;
const saved: Record<string, string | undefined> = {};
const HOSTILE_VARIABLES = ['HOME', 'XDG_CONFIG_HOME', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_SYSTEM', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_TEMPLATE_DIR'];

/**
 * A user whose own git setup would run programs on every command: a global
 * hooks directory, a filter for every file, an fsmonitor program, a template
 * with hooks, an ignore file that hides Python files, and GIT_DIR pointing at
 * their own repository (as inside one of their hooks). Programs leave marker
 * files when they run.
 */
function hostileUser(): Record<string, string> {
  const home = join(root, 'home');
  const hooks = join(home, 'hooks');
  const template = join(home, 'template');
  mkdirSync(hooks, { recursive: true });
  mkdirSync(join(template, 'hooks'), { recursive: true });
  for (const hook of HOOKS) {
    for (const dir of [hooks, join(template, 'hooks')]) {
      writeFileSync(join(dir, hook), `#!/bin/sh\ntouch "${markers}/${hook}"\ncat >/dev/null 2>&1 || true\nexit 0\n`);
      chmodSync(join(dir, hook), 0o755);
    }
  }
  const program = join(home, 'program.sh');
  writeFileSync(program, `#!/bin/sh\ntouch "${markers}/program-$1"\ncat\n`);
  chmodSync(program, 0o755);
  writeFileSync(join(home, 'attributes'), '* filter=evil\n');
  writeFileSync(join(home, 'ignore'), '*.py\n');
  const config = join(home, '.gitconfig');
  writeFileSync(
    config,
    [
      '[core]',
      `  hooksPath = ${hooks}`,
      `  fsmonitor = ${program}`,
      `  attributesFile = ${join(home, 'attributes')}`,
      `  excludesFile = ${join(home, 'ignore')}`,
      '[filter "evil"]',
      `  clean = ${program} clean`,
      `  smudge = ${program} smudge`,
      '[init]',
      `  templateDir = ${template}`,
      '[commit]',
      '  gpgSign = true',
      '[gpg]',
      `  program = ${program}`,
      '',
    ].join('\n'),
  );
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'xdg'),
    GIT_CONFIG_GLOBAL: config,
    GIT_CONFIG_SYSTEM: config,
    GIT_DIR: join(userRepo, '.git'),
    GIT_WORK_TREE: userRepo,
    GIT_TEMPLATE_DIR: template,
  };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'shipshape-hardening-'));
  markers = join(root, 'markers');
  mkdirSync(markers);
  userRepo = join(root, 'user-repo');
  mkdirSync(userRepo);
  git(userRepo, ['init', '--quiet', '--initial-branch=main']);
  writeFileSync(join(userRepo, 'mine.txt'), 'mine\n');
  git(userRepo, ['add', '--all']);
  git(userRepo, ['commit', '--quiet', '-m', 'user work']);
  const env = hostileUser();
  for (const key of HOSTILE_VARIABLES) saved[key] = process.env[key];
  Object.assign(process.env, env);
});

afterAll(() => {
  for (const key of HOSTILE_VARIABLES) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  rmSync(root, { recursive: true, force: true });
});

describe('a workspace under a user config that runs programs', () => {
  it('the hostile setup really runs programs for a plain git (the check below can fail)', () => {
    const scratch = mkdtempSync(join(root, 'scratch-'));
    const env = { ...process.env, ...testGitEnv(), ...hostileUser() };
    delete env.GIT_DIR;
    delete env.GIT_WORK_TREE;
    // Only the global config under test; the helper's identity, no gpg signing (it would fail the commit).
    env.GIT_CONFIG_GLOBAL = join(root, 'home', '.gitconfig');
    execFileSync('git', ['init', '--quiet'], { cwd: scratch, env });
    writeFileSync(join(scratch, 'a.txt'), 'a\n');
    execFileSync('git', ['add', 'a.txt'], { cwd: scratch, env });
    execFileSync('git', ['-c', 'commit.gpgSign=false', 'commit', '--quiet', '-m', 'x'], { cwd: scratch, env });
    const ran = readdirSync(markers);
    expect(ran).toContain('pre-commit');
    expect(ran).toContain('program-clean');
    for (const marker of ran) rmSync(join(markers, marker));
  });

  it('runs none of them, ignores the user ignore file and leaves the user repository alone', async () => {
    const reposDir = join(root, 'repos');
    mkdirSync(reposDir);
    const initial = createBareRepo(reposDir, 'r.git', {
      'app.py': 'print(1)\n',
      // The repository asks for the user's filter too.
      '.gitattributes': '*.py filter=evil\n',
    });
    const userHead = git(userRepo, ['rev-parse', 'HEAD']);
    const userBranches = git(userRepo, ['branch', '--list']);

    await withWorkspace(
      { remote: { url: join(reposDir, 'r.git'), env: {} }, base: 'main', bot: { name: 'bot', email: 'bot@example.com' }, lockDir: join(root, 'locks') },
      async (ws) => {
        expect(ws.baseSha).toBe(initial);
        expect(existsSync(join(ws.dir, '.git', 'hooks'))).toBe(false);
        // The clone's own config keeps hooks and fsmonitor off for anyone running git there later.
        const local = { ...testGitEnv() };
        expect(git(ws.dir, ['config', '--get', 'core.hooksPath'], local).trim()).toBe('/dev/null');
        expect(git(ws.dir, ['config', '--get', 'core.fsmonitor'], local).trim()).toBe('false');

        await ws.startBranch('shipshape/1.1-x');
        writeFileSync(join(ws.dir, 'app.py'), 'import logging\n');
        writeFileSync(join(ws.dir, 'new.py'), 'x = 1\n');
        const commit = await ws.commitAll('change');
        expect(commit).not.toBeNull();
        // The user's ignore file would have hidden new.py; the commit is the same for every user.
        expect(git(ws.dir, ['show', '--name-only', '--format=', 'HEAD'], local).split('\n').filter(Boolean).sort()).toEqual(['app.py', 'new.py']);
        expect(git(ws.dir, ['show', 'HEAD:app.py'], local)).toBe('import logging\n');
        expect(git(ws.dir, ['cat-file', '-p', 'HEAD'], local)).not.toContain('gpgsig');
        await ws.push('shipshape/1.1-x', null);
        await ws.remoteBranch('shipshape/1.1-x');
        await ws.patch();
        await ws.diffStat();

        // The plumbing path: objects hashed, trees and commits written, branches asked and pushed in batches.
        expect(await ws.files()).toEqual(['.gitattributes', 'app.py']);
        const chain = await ws.chain(['app.py']);
        writeFileSync(join(ws.dir, 'app.py'), 'import logging  # by chain\n');
        const tip = await chain.commit('change by chain', ['app.py']);
        await chain.restore();
        expect(git(ws.dir, ['show', `${tip}:app.py`], local)).toBe('import logging  # by chain\n');
        expect(git(ws.dir, ['cat-file', '-p', tip ?? ''], local)).not.toContain('gpgsig');
        expect(await ws.diffStats([tip ?? ''])).toEqual([[{ path: 'app.py', added: 1, removed: 1 }]]);
        await ws.patch(tip ?? '');
        expect([...(await ws.pushCommits([{ branch: 'shipshape/1.2-y', commit: tip ?? '', expected: null }]))]).toEqual([['shipshape/1.2-y', null]]);
        await ws.remoteBranches(['shipshape/1.1-x', 'shipshape/1.2-y']);
      },
    );

    expect(readdirSync(markers)).toEqual([]);
    expect(git(userRepo, ['rev-parse', 'HEAD'])).toBe(userHead);
    expect(git(userRepo, ['branch', '--list'])).toBe(userBranches);
    expect(readFileSync(join(userRepo, 'mine.txt'), 'utf8')).toBe('mine\n');
  });
});
