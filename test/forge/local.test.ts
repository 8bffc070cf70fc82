import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalForge } from '../../src/forge/local/forge.js';

const HUMAN = { GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...HUMAN } });
}

/** A repository with branches shipshape/b0…b5, one commit each on top of main; b0, b2 and b4 merged into main afterwards. */
function repoWithBranches(): string {
  const repo = mkdtempSync(join(tmpdir(), 'shipshape-localforge-'));
  dirs.push(repo);
  git(repo, 'init', '-q');
  writeFileSync(join(repo, 'a.txt'), 'a\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');
  for (let i = 0; i < 6; i++) {
    git(repo, 'checkout', '-q', '-b', `shipshape/b${i}`, 'main');
    writeFileSync(join(repo, `b${i}.txt`), `${i}\n`);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', `b${i}`);
  }
  git(repo, 'checkout', '-q', 'main');
  for (const i of [0, 2, 4]) git(repo, 'merge', '-q', '--no-ff', '-m', `merge b${i}`, `shipshape/b${i}`);
  return repo;
}

describe('the local forge', () => {
  it('answers lookups made together with one git call, and records merges without losing a change', async () => {
    const repo = repoWithBranches();
    const forge = createLocalForge(repo);
    const created = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => forge.createPr({ branch: `shipshape/b${i}`, base: 'main', title: `b${i}`, body: 'body', labels: [] })));
    // Created side by side, numbered one after another with no number twice.
    expect(created.map((pr) => pr.number).sort()).toEqual([1, 2, 3, 4, 5, 6]);

    const bin = mkdtempSync(join(tmpdir(), 'shipshape-localforge-bin-'));
    dirs.push(bin);
    const log = join(bin, 'calls.log');
    writeFileSync(log, '');
    const real = execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim();
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}/git' "$@"\n`, { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved ?? ''}`;
    let found;
    try {
      found = await Promise.all([0, 1, 2, 3, 4, 5, 9].map((i) => forge.findPr(`shipshape/b${i}`)));
    } finally {
      process.env.PATH = saved;
    }
    expect(found.map((pr) => pr?.state ?? null)).toEqual(['merged', 'open', 'merged', 'open', 'merged', 'open', null]);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls.filter((c) => c.includes('for-each-ref'))).toHaveLength(1);
    expect(calls.filter((c) => c.includes('merge-base'))).toEqual([]);

    // Every merge was written to the record, none lost to another.
    const index = JSON.parse(readFileSync(join(repo, '.shipshape', 'prs', 'index.json'), 'utf8')) as { prs: { branch: string; state: string }[] };
    expect(Object.fromEntries(index.prs.map((p) => [p.branch, p.state]))).toEqual({
      'shipshape/b0': 'merged',
      'shipshape/b1': 'open',
      'shipshape/b2': 'merged',
      'shipshape/b3': 'open',
      'shipshape/b4': 'merged',
      'shipshape/b5': 'open',
    });
    expect((await forge.openPrs('shipshape/')).map((pr) => pr.branch)).toEqual(['shipshape/b1', 'shipshape/b3', 'shipshape/b5']);
    // Asked one at a time, the answer is the same.
    expect((await forge.findPr('shipshape/b1'))?.state).toBe('open');
    expect((await forge.findPr('shipshape/b2'))?.state).toBe('merged');
  });
});
