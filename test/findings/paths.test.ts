import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseRepoPath, realpathOnDisk, type PathContext, type PathOptions } from '../../src/findings/paths.js';

const repo: PathContext = { repoRoot: '/repo' };

describe('normaliseRepoPath: accepted paths', () => {
  it.each<[string, string, PathContext, PathOptions?]>([
    ['backend/core/config.py', 'backend/core/config.py', repo],
    ['./backend//core/./config.py', 'backend/core/config.py', repo],
    ['backend\\core\\config.py', 'backend/core/config.py', repo],
    ['backend/static/../core/config.py', 'backend/core/config.py', repo],
    ['/repo/backend/core/config.py', 'backend/core/config.py', repo],
    ['/repo/./backend/../x.py', 'x.py', repo],
    ['/repo/backend/x.py', 'backend/x.py', { repoRoot: '/repo/' }],
    ['file:///repo/backend/a%20b.py', 'backend/a b.py', repo],
    ['file:///repo/backend/caf%C3%A9.py', 'backend/café.py', repo],
    ['file://localhost/repo/x.py', 'x.py', repo],
    ['file:///repo/x.py#L10', 'x.py', repo],
    // A relative SARIF uri is a URI reference: its escapes are decoded; a plain path keeps its '%'.
    ['src/my%20file.js', 'src/my file.js', repo, { uri: true }],
    ['src/100%25.txt', 'src/100%25.txt', repo],
    // %SRCROOT% with no declared base is the repository root.
    ['%SRCROOT%/backend/x.py', 'backend/x.py', repo],
    ['backend/x.py', 'backend/x.py', repo, { uriBaseId: '%SRCROOT%' }],
    // A base declared on another machine (CI) stands for the repository root there.
    ['src/x.py', 'src/x.py', { ...repo, uriBaseIds: { '%SRCROOT%': 'file:///home/runner/work/app/app/' } }, { uriBaseId: '%SRCROOT%' }],
    // A base inside the repository keeps its offset; a relative base is a directory of the repository.
    ['x.py', 'backend/x.py', { ...repo, uriBaseIds: { '%SRCROOT%': 'file:///repo/backend/' } }, { uriBaseId: '%SRCROOT%' }],
    ['../core/x.py', 'core/x.py', { ...repo, uriBaseIds: { '%SRCROOT%': 'file:///repo/backend/' } }, { uriBaseId: '%SRCROOT%' }],
    ['x.py', 'backend/x.py', { ...repo, uriBaseIds: { SUB: 'backend' } }, { uriBaseId: 'SUB' }],
    // srcRoot maps absolute paths written on another machine.
    ['file:///home/runner/work/app/app/src/x.js', 'src/x.js', { ...repo, srcRoot: '/home/runner/work/app/app' }],
    ['/home/runner/work/app/app/src/x.js', 'src/x.js', { ...repo, srcRoot: 'file:///home/runner/work/app/app/' }],
    ['file:///C:/a/app/src/x.js', 'src/x.js', { ...repo, srcRoot: 'C:\\a\\app' }],
    ['C:\\a\\app\\src\\x.js', 'src/x.js', { ...repo, srcRoot: 'c:/a/app' }],
  ])('%s → %s', (raw, expected, ctx, options) => {
    expect(normaliseRepoPath(raw, ctx, options)).toEqual({ ok: true, path: expected });
  });
});

describe('normaliseRepoPath: rejected paths', () => {
  it.each<[string, string, PathContext, PathOptions?]>([
    ['../x', 'path escapes the repository: ../x', repo],
    ['backend/../../x', 'path escapes the repository: backend/../../x', repo],
    ['..\\..\\windows\\system32', 'path escapes the repository', repo],
    ['..%2F..%2Fetc%2Fpasswd', 'path escapes the repository', repo, { uri: true }],
    ['/etc/passwd', 'absolute path outside the repository: /etc/passwd', repo],
    ['file:///etc/passwd', 'absolute path outside the repository: file:///etc/passwd', repo],
    ['/repo/../etc/passwd', 'absolute path outside the repository: /repo/../etc/passwd', repo],
    ['/repository/x.py', 'absolute path outside the repository', repo],
    ['C:\\Windows\\win.ini', 'absolute path outside the repository', repo],
    ['/etc/passwd', 'absolute path outside the repository', { ...repo, srcRoot: '/home/runner/work/app/app' }],
    ['https://example.com/app.js', 'not a file path or file:// URI (https:)', repo],
    ['file://fileserver/share/x.py', 'file URI names another host (fileserver)', repo],
    ['file:relative/x.py', 'file URI is not absolute', repo],
    ['file:///repo/%E0%A4%A', 'malformed percent-encoding', repo],
    ['', 'empty path', repo],
    ['   ', 'empty path', repo],
    ['.', 'names the repository root, not a file', repo],
    ['/repo', 'names the repository root, not a file', repo],
    ['x\0.py', 'NUL character', repo],
    // The base is inside the repository, so leaving it through '..' leaves the repository.
    ['../../etc/passwd', 'path escapes the repository: ../../etc/passwd (relative to %SRCROOT% = file:///repo/backend/)', { ...repo, uriBaseIds: { '%SRCROOT%': 'file:///repo/backend/' } }, { uriBaseId: '%SRCROOT%' }],
    ['../../x', 'path escapes the repository', { ...repo, uriBaseIds: { '%SRCROOT%': 'file:///ci/checkout/' } }, { uriBaseId: '%SRCROOT%' }],
  ])('%j is rejected: %s', (raw, reason, ctx, options) => {
    const result = normaliseRepoPath(raw, ctx, options);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('suggests srcRoot when an absolute path may come from another machine', () => {
    expect(normaliseRepoPath('/home/runner/work/app/app/x.py', repo)).toEqual({
      ok: false,
      reason: 'absolute path outside the repository: /home/runner/work/app/app/x.py (made on another machine? give that checkout as srcRoot)',
    });
  });
});

describe('normaliseRepoPath: symlinks (injected realpath)', () => {
  const links: Record<string, string> = {
    '/repo': '/repo',
    '/repo/backend/config.py': '/repo/backend/config.py',
    '/repo/backend/passwd': '/etc/passwd',
    '/repo/vendor/lib.js': '/repo/node_modules/lib/index.js',
  };
  const ctx: PathContext = { repoRoot: '/repo', realpath: (p) => links[p] };

  it.each([
    ['backend/config.py', { ok: true, path: 'backend/config.py' }],
    ['vendor/lib.js', { ok: true, path: 'vendor/lib.js' }],
    ['backend/missing.py', { ok: true, path: 'backend/missing.py' }],
    ['backend/passwd', { ok: false, reason: 'symlink leaves the repository: backend/passwd resolves to /etc/passwd' }],
  ])('%s', (raw, expected) => {
    expect(normaliseRepoPath(raw, ctx)).toEqual(expected);
  });
});

describe('normaliseRepoPath: symlinks on disk (realpathOnDisk)', () => {
  let dir = '';
  let repoRoot = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipshape-paths-'));
    repoRoot = join(dir, 'repo');
    mkdirSync(join(repoRoot, 'backend'), { recursive: true });
    writeFileSync(join(dir, 'secret.txt'), 'outside\n');
    writeFileSync(join(repoRoot, 'backend', 'config.py'), 'X = 1\n');
    symlinkSync(join(dir, 'secret.txt'), join(repoRoot, 'backend', 'secret.txt'));
    symlinkSync(dir, join(repoRoot, 'escape'));
    symlinkSync(join(repoRoot, 'backend', 'config.py'), join(repoRoot, 'alias.py'));
    // The repository itself reached through a symlink must still work.
    symlinkSync(repoRoot, join(dir, 'repo-link'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['backend/config.py', true],
    ['alias.py', true],
    ['backend/not-there.py', true],
    ['backend/secret.txt', false],
    ['escape/secret.txt', false],
  ])('%s accepted: %s', (raw, accepted) => {
    const result = normaliseRepoPath(raw, { repoRoot, realpath: realpathOnDisk });
    expect(result.ok).toBe(accepted);
    if (!result.ok) expect(result.reason).toMatch(new RegExp(`^symlink leaves the repository: ${raw} resolves to .*secret\\.txt$`));
  });

  it('accepts files of a repository whose root is itself a symlink', () => {
    expect(normaliseRepoPath('backend/config.py', { repoRoot: join(dir, 'repo-link'), realpath: realpathOnDisk })).toEqual({
      ok: true,
      path: 'backend/config.py',
    });
  });

  it('realpathOnDisk is undefined for a missing file', () => {
    expect(realpathOnDisk(join(repoRoot, 'nope'))).toBeUndefined();
  });
});
