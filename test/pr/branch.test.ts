import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { branchName, slugify } from '../../src/pr/index.js';
import type { PrPart } from '../../src/pr/index.js';

/** Asks git itself: exit status 0 means a valid branch name. */
function gitAccepts(name: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', '--branch', name], { stdio: 'pipe', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const LONG = 'Replace fifteen print statements with proper logging across the whole backend';

const CASES: [key: string, title: string, part: PrPart | undefined, expected: string][] = [
  ['1.2', 'XSS Prevention', undefined, 'shipshape/1.2-xss-prevention'],
  ['1.2', 'XSS Prevention', { index: 1, total: 2 }, 'shipshape/1.2-xss-prevention'],
  ['1.2', 'XSS Prevention', { index: 2, total: 2 }, 'shipshape/1.2-xss-prevention-part-2'],
  ['1.1', 'Immediate Security (Days 1-2)', undefined, 'shipshape/1.1-immediate-security-days-1-2'],
  ['2.3', 'Pydantic v2 Migration (Day 5.5)', undefined, 'shipshape/2.3-pydantic-v2-migration-day-5-5'],
  ['S1', 'Hardcoded secret', undefined, 'shipshape/s1-hardcoded-secret'],
  ['１.２', 'Full-width key', undefined, 'shipshape/1.2-full-width-key'],
  ['1.3', 'Sécurité des données — CSRF', undefined, 'shipshape/1.3-securite-des-donnees-csrf'],
  ['4.1', '日本語のタイトル', undefined, 'shipshape/4.1'],
  ['5.1', '🚀 Deploy 🚀', undefined, 'shipshape/5.1-deploy'],
  ['1.2', 'a..b', undefined, 'shipshape/1.2-a-b'],
  ['1.2', 'refs@{upstream}', undefined, 'shipshape/1.2-refs-upstream'],
  ['1.2', 'config.lock', undefined, 'shipshape/1.2-config-lock'],
  ['x.lock', '', undefined, 'shipshape/x-lock'],
  ['x.lock', '🙂', { index: 3, total: 3 }, 'shipshape/x-lock-part-3'],
  ['..1..2..', 'Title', undefined, 'shipshape/1.2-title'],
  ['-1', '--force', undefined, 'shipshape/1-force'],
  ['1.2', '   spaced   out   ', undefined, 'shipshape/1.2-spaced-out'],
  ['1.2', 'back\\slash ~tilde ^caret :colon ?q *star [br', undefined, 'shipshape/1.2-back-slash-tilde-caret-colon-q-star-br'],
  ['1.2', 'line\nbreak\ttab\u0000nul\u007fdel', undefined, 'shipshape/1.2-line-break-tab-nul-del'],
  ['1.2', 'path/like/title/', undefined, 'shipshape/1.2-path-like-title'],
  ['1.4', LONG, undefined, 'shipshape/1.4-replace-fifteen-print-statements-with'],
  ['1.4', 'a'.repeat(100), undefined, `shipshape/1.4-${'a'.repeat(40)}`],
  ['1.2.3.4.5.6.7.8.9.10.11.12.13', 'Deep', undefined, 'shipshape/1.2.3.4.5.6.7.8.9.10.11-deep'],
  ['', '', undefined, 'shipshape/item'],
  ['@', '@', undefined, 'shipshape/item'],
  ['@{', '.', undefined, 'shipshape/item'],
];

describe('branchName', () => {
  it.each(CASES)('%j %j %j -> %s', (key, title, part, expected) => {
    const name = branchName(key, title, part);
    expect(name).toBe(expected);
    expect(gitAccepts(name)).toBe(true);
  });

  it('the git check itself refuses what branchName must avoid', () => {
    // Guards the helper: if git accepted everything, the table above would prove nothing.
    for (const bad of ['shipshape/a..b', 'shipshape/x.lock', 'shipshape/a@{b', 'shipshape/a b', '-shipshape', 'shipshape/a.']) {
      expect(gitAccepts(bad)).toBe(false);
    }
  });

  it('is deterministic and distinguishes parts', () => {
    expect(branchName('1.2', 'XSS Prevention')).toBe(branchName('1.2', 'XSS Prevention'));
    const names = [1, 2, 3].map((index) => branchName('1.2', 'XSS Prevention', { index, total: 3 }));
    expect(new Set(names).size).toBe(3);
  });

  it('stays valid and short for random nasty input', () => {
    // A fixed-seed generator: the same strings on every run.
    let seed = 42;
    function random(n: number): number {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    }
    const alphabet = [...'aZ09 .-_/\\@{}~^:?*[]\t\n\u0000éß😀日', '..', '@{', '.lock', '//'];
    const word = (len: number): string => Array.from({ length: len }, () => alphabet[random(alphabet.length)]).join('');
    for (let i = 0; i < 60; i++) {
      const name = branchName(word(random(12)), word(random(80)), { index: 1 + random(3), total: 3 });
      expect(name.length).toBeLessThanOrEqual('shipshape/'.length + 24 + 1 + 40 + '-part-3'.length);
      expect(name).toMatch(/^shipshape\/[a-z0-9][a-z0-9.-]*$/);
      expect(gitAccepts(name), name).toBe(true);
    }
  });
});

describe('slugify', () => {
  it.each([
    ['Logging Standardization (Day 5.5)', 'logging-standardization-day-5-5'],
    ['  --Hello--World--  ', 'hello-world'],
    ['Ünïcödé', 'unicode'],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(slugify(input)).toBe(expected);
  });
});
