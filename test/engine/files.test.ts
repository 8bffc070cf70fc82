import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeSource, detectEol, discoverFiles, readSource, writeFileAtomic } from '../../src/engine/files.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-files-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function write(root: string, path: string, content: string | Buffer): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), content);
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, stdio: 'ignore' });
}

describe('decodeSource', () => {
  it.each([
    ['LF', 'a\nb\n', '\n'],
    ['CRLF', 'a\r\nb\r\n', '\r\n'],
    ['mostly CRLF', 'a\r\nb\r\nc\n', '\r\n'],
    ['no line break', 'a', '\n'],
  ])('line endings: %s', (_n, text, eol) => {
    expect(detectEol(text)).toBe(eol);
  });

  it('strips and reports a BOM', () => {
    const r = decodeSource('a.py', Buffer.from('\uFEFFx = 1\n', 'utf8'));
    expect(r).toMatchObject({ ok: true, bom: true, file: { text: 'x = 1\n' } });
  });

  it.each([
    ['binary', Buffer.from([0x78, 0x00, 0x79]), 'binary'],
    ['latin-1', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), 'not-utf8'],
  ])('refuses %s content', (_n, bytes, reason) => {
    expect(decodeSource('a.py', bytes)).toMatchObject({ ok: false, reason });
  });
});

describe('readSource', () => {
  it('skips symlinks, saying whether they leave the repository', () => {
    const outside = tempDir();
    const root = tempDir();
    write(outside, 'secret.py', 'x = 1\n');
    write(root, 'real.py', 'x = 1\n');
    symlinkSync(join(outside, 'secret.py'), join(root, 'out.py'));
    symlinkSync(join(root, 'real.py'), join(root, 'in.py'));
    symlinkSync(join(root, 'missing.py'), join(root, 'dangling.py'));
    return Promise.all([
      expect(readSource(root, 'out.py')).resolves.toMatchObject({ ok: false, reason: 'symlink-outside-root' }),
      expect(readSource(root, 'in.py')).resolves.toMatchObject({ ok: false, reason: 'symlink', message: expect.stringContaining('real.py') }),
      expect(readSource(root, 'dangling.py')).resolves.toMatchObject({ ok: false, reason: 'unreadable', message: 'dangling symlink' }),
    ]);
  });

  it('skips files over the size cap without reading them', async () => {
    const root = tempDir();
    write(root, 'big.py', 'x = 1\n'.repeat(100));
    await expect(readSource(root, 'big.py', 100)).resolves.toMatchObject({ ok: false, reason: 'too-large', message: expect.stringContaining('600 bytes') });
    await expect(readSource(root, 'big.py', 1000)).resolves.toMatchObject({ ok: true });
  });

  it('keeps the file mode for later writes', async () => {
    const root = tempDir();
    write(root, 'tool.py', '#!/usr/bin/env python3\n');
    chmodSync(join(root, 'tool.py'), 0o751);
    await expect(readSource(root, 'tool.py')).resolves.toMatchObject({ ok: true, mode: 0o751 });
  });
});

describe('writeFileAtomic', () => {
  it('replaces content, keeps the mode and leaves no temporary file', async () => {
    const root = tempDir();
    write(root, 'a.py', 'old\n');
    chmodSync(join(root, 'a.py'), 0o640);
    await writeFileAtomic(join(root, 'a.py'), 'new\r\n', 0o640);
    expect(readFileSync(join(root, 'a.py'), 'utf8')).toBe('new\r\n');
    expect(statSync(join(root, 'a.py')).mode & 0o777).toBe(0o640);
    expect(readdirSync(root)).toEqual(['a.py']);
  });

  it('leaves the original intact when the write fails', async () => {
    const root = tempDir();
    write(root, 'a.py', 'old\n');
    await expect(writeFileAtomic(join(root, 'missing-dir', 'a.py'), 'new', 0o644)).rejects.toThrow();
    expect(readFileSync(join(root, 'a.py'), 'utf8')).toBe('old\n');
    expect(readdirSync(root)).toEqual(['a.py']);
  });
});

describe('discoverFiles', () => {
  it('in a git work tree: tracked and untracked files, never ignored ones', async () => {
    const root = tempDir();
    git(root, 'init', '-q');
    write(root, '.gitignore', 'ignored.py\nbuild/\n');
    write(root, 'tracked.py', 'x = 1\n');
    write(root, 'pkg/untracked.py', 'x = 1\n');
    write(root, 'ignored.py', 'x = 1\n');
    write(root, 'build/gen.py', 'x = 1\n');
    git(root, 'add', 'tracked.py', '.gitignore');
    const found = await discoverFiles([root]);
    expect(found.git).toBe(true);
    expect(found.files).toEqual(['.gitignore', 'pkg/untracked.py', 'tracked.py']);
    const sub = await discoverFiles(['pkg'], root);
    expect(sub.files).toEqual(['pkg/untracked.py']);
  });

  it('outside git: walks, skipping dependencies, virtualenvs and build output', async () => {
    const root = tempDir();
    write(root, 'app.py', 'x = 1\n');
    write(root, 'node_modules/lib/index.js', 'x');
    write(root, '.venv/lib/site.py', 'x');
    write(root, 'dist/bundle.js', 'x');
    write(root, 'src/main.js', 'x');
    const found = await discoverFiles([root]);
    expect(found.git).toBe(false);
    expect(found.files).toEqual(['app.py', 'src/main.js']);
  });

  it('names a path that does not exist', async () => {
    await expect(discoverFiles(['no/such/place'], tempDir())).rejects.toThrow('cannot read no/such/place: no such file or directory');
  });
});
