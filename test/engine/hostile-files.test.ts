import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSource, discoverFiles, readSource, replaceFile, writeFileAtomic } from '../../src/engine/files.js';
import { quotePath, runCodemods, type FileEntry, type RunReport } from '../../src/engine/run.js';
import type { EngineContext } from '../../src/engine/transform.js';
import { testEngine } from '../helpers/fixtures.js';
import { schemaErrors } from '../helpers/schema.js';
import { tempTrees } from '../helpers/tree.js';
import { renamePython } from '../helpers/toy-codemods.js';

let engine: EngineContext;
beforeAll(async () => {
  engine = await testEngine();
});

const tree = tempTrees('shipshape-hostile-');

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** Every file under `dir` (recursively) whose name marks it as one of our temporary files. */
function leftoverTemps(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes('.shipshape-') && f.endsWith('.tmp'));
}

function byPath(report: RunReport): Record<string, FileEntry> {
  return Object.fromEntries(report.files.map((f) => [f.path, f]));
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) chownSync(join(dir, f), uid, gid);
}

/** Sets the effective group and user ids (root only; the real ids stay 0, so this can be undone). */
function setEffectiveIds(uid: number, gid: number): void {
  if (!process.seteuid || !process.setegid) throw new Error('no POSIX ids on this platform');
  // The group first: once the user id is dropped, the group can no longer be changed.
  if (uid !== 0) process.setegid(gid);
  process.seteuid(uid);
  if (uid === 0) process.setegid(gid);
}

/**
 * Runs `fn` as an ordinary user. Root ignores permission bits, so when the
 * tests run as root the tree is handed to `nobody` and the effective ids
 * dropped for the duration (and restored after).
 */
async function asOrdinaryUser<T>(dir: string, fn: () => Promise<T>, prepareAsRoot?: () => void): Promise<T> {
  if (!isRoot) return fn();
  chownTree(dir, NOBODY, NOBODY);
  prepareAsRoot?.();
  setEffectiveIds(NOBODY, NOBODY);
  try {
    return await fn();
  } finally {
    setEffectiveIds(0, 0);
  }
}

describe('run --write when a file cannot be written', () => {
  it('a read-only file is skipped as unwritable; the other files are still written; no temporary file is left', async () => {
    const root = tree({ 'a.py': 'x = old_name\n', 'ro.py': 'y = old_name\n', 'z.py': 'z = old_name\n' });
    chmodSync(join(root, 'ro.py'), 0o444);
    const report = await runCodemods({ paths: [root], codemods: [renamePython()], engine, write: true });
    const files = byPath(report);
    expect(files['ro.py']).toMatchObject({ status: 'skipped', reason: 'unwritable', message: expect.stringContaining('read-only file (mode 0444)') });
    expect(files['a.py']).toMatchObject({ status: 'changed', written: true });
    expect(files['z.py']).toMatchObject({ status: 'changed', written: true });
    expect(readFileSync(join(root, 'ro.py'), 'utf8')).toBe('y = old_name\n');
    expect(statSync(join(root, 'ro.py')).mode & 0o777).toBe(0o444);
    expect(readFileSync(join(root, 'z.py'), 'utf8')).toBe('z = new_name\n');
    expect(report.summary).toMatchObject({ changed: 2, skipped: 1 });
    expect(leftoverTemps(root)).toEqual([]);
    expect(schemaErrors('run-report.schema.json', report)).toBe('');
  });

  it('a directory that refuses new files: its file is unwritable, the rest are written', async () => {
    const root = tree({ 'a.py': 'x = old_name\n', 'locked/c.py': 'c = old_name\n', 'z.py': 'z = old_name\n' });
    const report = await asOrdinaryUser(root, async () => {
      chmodSync(join(root, 'locked'), 0o555);
      try {
        return await runCodemods({ paths: [root], codemods: [renamePython()], engine, write: true });
      } finally {
        chmodSync(join(root, 'locked'), 0o755);
      }
    });
    const files = byPath(report);
    expect(files['locked/c.py']).toMatchObject({ status: 'skipped', reason: 'unwritable', message: expect.stringContaining('cannot create a file in its directory (EACCES)') });
    expect(readFileSync(join(root, 'locked/c.py'), 'utf8')).toBe('c = old_name\n');
    expect(readFileSync(join(root, 'a.py'), 'utf8')).toBe('x = new_name\n');
    expect(readFileSync(join(root, 'z.py'), 'utf8')).toBe('z = new_name\n');
    expect(leftoverTemps(root)).toEqual([]);
  });

  it.runIf(isRoot)('a world-writable file owned by someone else: unwritable, since replacing it would change its owner', async () => {
    const root = tree({ 'theirs.py': 'x = old_name\n' });
    const report = await asOrdinaryUser(root, () => runCodemods({ paths: [root], codemods: [renamePython()], engine, write: true }), () => {
      chownSync(join(root, 'theirs.py'), 0, 0);
      chmodSync(join(root, 'theirs.py'), 0o666);
    });
    expect(report.files[0]).toMatchObject({ status: 'skipped', reason: 'unwritable', message: 'owned by uid 0, gid 0; replacing it would change its owner or group' });
    expect(statSync(join(root, 'theirs.py')).uid).toBe(0);
    expect(readFileSync(join(root, 'theirs.py'), 'utf8')).toBe('x = old_name\n');
    expect(leftoverTemps(root)).toEqual([]);
  });

  it.runIf(isRoot)('keeps the owner of a file it replaces (run as root over a user\'s tree)', async () => {
    const root = tree({ 'a.py': 'x = old_name\n' });
    chownSync(join(root, 'a.py'), NOBODY, NOBODY);
    chmodSync(join(root, 'a.py'), 0o4755);
    const report = await runCodemods({ paths: [root], codemods: [renamePython()], engine, write: true });
    expect(report.files[0]).toMatchObject({ status: 'changed', written: true });
    const after = statSync(join(root, 'a.py'));
    expect([after.uid, after.gid]).toEqual([NOBODY, NOBODY]);
    expect(after.mode & 0o7777).toBe(0o4755);
  });

  it('a file of a very long name (240 bytes) is written: the temporary name is shortened', async () => {
    const name = `${'é'.repeat(118)}.py`; // 236 + 3 bytes
    const root = tree({ [name]: 'x = old_name\n' });
    const report = await runCodemods({ paths: [root], codemods: [renamePython()], engine, write: true });
    expect(report.files[0]).toMatchObject({ path: name, status: 'changed', written: true });
    expect(readFileSync(join(root, name), 'utf8')).toBe('x = new_name\n');
    await writeFileAtomic(join(root, name), 'y = 1\n', 0o644);
    expect(readFileSync(join(root, name), 'utf8')).toBe('y = 1\n');
    expect(leftoverTemps(root)).toEqual([]);
  });
});

describe('run --write when a file changes on disk during the run', () => {
  /** Runs with a hook between the last read and the first write (the progress callback's final call). */
  function runWithInterference(root: string, interfere: () => void): Promise<RunReport> {
    return runCodemods({
      paths: [root],
      codemods: [renamePython()],
      engine,
      write: true,
      onProgress: (done, total) => {
        if (done === total) interfere();
      },
    });
  }

  it('edited since it was read: not overwritten, reported as changed-during-run; the others are written', async () => {
    const root = tree({ 'a.py': 'x = old_name\n', 'b.py': 'y = old_name\n' });
    const report = await runWithInterference(root, () => writeFileSync(join(root, 'a.py'), 'x = old_name  # my edit\n'));
    expect(byPath(report)['a.py']).toMatchObject({ status: 'skipped', reason: 'changed-during-run', message: expect.stringContaining('changed on disk since it was read') });
    expect(readFileSync(join(root, 'a.py'), 'utf8')).toBe('x = old_name  # my edit\n');
    expect(readFileSync(join(root, 'b.py'), 'utf8')).toBe('y = new_name\n');
    expect(leftoverTemps(root)).toEqual([]);
    expect(schemaErrors('run-report.schema.json', report)).toBe('');
  });

  it('deleted since it was read: not recreated', async () => {
    const root = tree({ 'a.py': 'x = old_name\n' });
    const report = await runWithInterference(root, () => unlinkSync(join(root, 'a.py')));
    expect(report.files[0]).toMatchObject({ status: 'skipped', reason: 'changed-during-run', message: expect.stringContaining('deleted') });
    expect(readdirSync(root)).toEqual([]);
  });

  it('replaced by a symlink since it was read: neither the link nor its target is touched', async () => {
    const root = tree({ 'a.py': 'x = old_name\n', 'other.txt': 'x = old_name\n' });
    const report = await runWithInterference(root, () => {
      unlinkSync(join(root, 'a.py'));
      symlinkSync('other.txt', join(root, 'a.py'));
    });
    expect(report.files[0]).toMatchObject({ status: 'skipped', reason: 'changed-during-run' });
    expect(lstatSync(join(root, 'a.py')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(root, 'other.txt'), 'utf8')).toBe('x = old_name\n');
    expect(leftoverTemps(root)).toEqual([]);
  });

  it('replaceFile writes when the file is as it was read, BOM and CRLF bytes included', async () => {
    const before = '\uFEFFx = 1\r\n';
    const root = tree({ 'a.py': before });
    await expect(replaceFile(join(root, 'a.py'), before, '\uFEFFx = 2\r\n')).resolves.toEqual({ ok: true });
    expect(readFileSync(join(root, 'a.py'))).toEqual(Buffer.from('\uFEFFx = 2\r\n', 'utf8'));
  });
});

describe('odd file names', () => {
  const NAMES = ['sp ace.py', 'ünï😀.py', '-dash.py', 'new\nline.py', 'q"uote\\.py', 'tab\t.py'];

  it.each([false, true])('are read, written and reported exactly (git: %s)', async (git) => {
    const root = tree(Object.fromEntries(NAMES.map((n) => [n, 'x = old_name\n'])));
    if (git) execFileSync('git', ['init', '-q'], { cwd: root });
    const report = await runCodemods({ paths: [root], codemods: [renamePython()], engine, write: true });
    expect(report.files.map((f) => [f.path, f.status])).toEqual([...NAMES].sort().map((n) => [n, 'changed']));
    for (const n of NAMES) expect(readFileSync(join(root, n), 'utf8')).toBe('x = new_name\n');
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(schemaErrors('run-report.schema.json', report)).toBe('');
  });

  it('a diff header names an odd path on one line, quoted as git quotes it', async () => {
    const root = tree({ 'new\nline.py': 'x = old_name\n' });
    const report = await runCodemods({ paths: [root], codemods: [renamePython()], engine });
    const diff = (report.files[0] as Extract<FileEntry, { status: 'changed' }>).diff;
    expect(diff.split('\n').slice(0, 2)).toEqual(['--- "a/new\\nline.py"', '+++ "b/new\\nline.py"']);
  });

  it.each([
    ['plain.py', 'plain.py'],
    ['sp ace/ünï😀.py', 'sp ace/ünï😀.py'],
    ['new\nline.py', '"new\\nline.py"'],
    ['q"uote\\.py', '"q\\"uote\\\\.py"'],
    ['bell\x07\x1b.py', '"bell\\a\\033.py"'],
  ])('quotePath(%j) is %s', (path, quoted) => {
    expect(quotePath(path)).toBe(quoted);
  });

  it('inside git, a path argument is that path, never a pattern (a[1].py, *.py, :x.py)', async () => {
    const root = tree({ 'a[1].py': 'x = old_name\n', 'a1.py': 'x = old_name\n', '*.py': 'x = old_name\n', ':x.py': 'x = old_name\n' });
    execFileSync('git', ['init', '-q'], { cwd: root });
    for (const name of ['a[1].py', '*.py', ':x.py']) {
      const found = await discoverFiles([name], root);
      expect(found.files).toEqual([name]);
    }
  });

  it('a file name that is not UTF-8 is skipped with that reason', async () => {
    const root = tree({});
    writeFileSync(Buffer.from(join(root, 'caf\xe9.py'), 'latin1'), 'x = old_name\n');
    const report = await runCodemods({ paths: [root], codemods: [renamePython()], engine, write: true });
    expect(report.files).toEqual([expect.objectContaining({ status: 'skipped', reason: 'unreadable', message: 'the file name is not valid UTF-8' })]);
  });
});

describe('which files a run considers', () => {
  it('a path inside .git is refused, however it is named', async () => {
    const root = tree({ 'a.py': 'x = 1\n' });
    execFileSync('git', ['init', '-q'], { cwd: root });
    mkdirSync(join(root, '.git', 'hooks'), { recursive: true });
    writeFileSync(join(root, '.git', 'hooks', 'h.py'), 'x = old_name\n');
    for (const [paths, cwd] of [[['.git'], root], [['.git/hooks/h.py'], root], [[], join(root, '.git')], [['hooks'], join(root, '.git')]] as const) {
      await expect(discoverFiles(paths, cwd)).rejects.toThrow('is inside a .git directory');
    }
    expect(readFileSync(join(root, '.git', 'hooks', 'h.py'), 'utf8')).toBe('x = old_name\n');
  });

  it('outside git, several directories or files in different directories run together', async () => {
    const root = tree({ 'src/a.py': 'x\n', 'tests/t.py': 'x\n', 'docs/d.py': 'x\n' });
    await expect(discoverFiles(['src', 'tests'], root)).resolves.toMatchObject({ files: ['src/a.py', 'tests/t.py'] });
    await expect(discoverFiles(['src/a.py', 'tests/t.py'], root)).resolves.toMatchObject({ files: ['src/a.py', 'tests/t.py'] });
    // One directory keeps reporting paths relative to itself.
    await expect(discoverFiles(['src'], root)).resolves.toMatchObject({ files: ['a.py'] });
  });

  it('outside git, a subdirectory that cannot be listed is reported; the rest of the tree is still read and written', async () => {
    const root = tree({ 'a.py': 'x = old_name\n', 'locked/b.py': 'x = old_name\n', 'z/c.py': 'x = old_name\n' });
    const report = await asOrdinaryUser(root, async () => {
      chmodSync(join(root, 'locked'), 0o000);
      try {
        return await runCodemods({ paths: [root], codemods: [renamePython()], engine, write: true });
      } finally {
        chmodSync(join(root, 'locked'), 0o755);
      }
    });
    expect(report.files.map((f) => [f.path, f.status === 'skipped' ? f.reason : f.status])).toEqual([
      ['a.py', 'changed'],
      ['locked', 'unreadable'],
      ['z/c.py', 'changed'],
    ]);
    expect(report.files[1]).toMatchObject({ message: 'cannot list this directory (EACCES); its files were not read' });
    expect(readFileSync(join(root, 'z/c.py'), 'utf8')).toBe('x = new_name\n');
    expect(schemaErrors('run-report.schema.json', report)).toBe('');
  });

  it('a path given twice (or inside another given path) is read once', async () => {
    const root = tree({ 'a.py': 'x = old_name\n', 'pkg/b.py': 'x = old_name\n' });
    for (const git of [false, true]) {
      if (git) execFileSync('git', ['init', '-q'], { cwd: root });
      const report = await runCodemods({ paths: ['a.py', './a.py', join(root, 'a.py'), '.', 'pkg'], cwd: root, codemods: [renamePython()], engine });
      expect(report.files.map((f) => f.path)).toEqual(['a.py', 'pkg/b.py']);
      expect(report.summary.filesConsidered).toBe(2);
    }
  });

  it('an empty directory is a run over nothing, not an error', async () => {
    const root = tree({});
    mkdirSync(join(root, 'empty'));
    const report = await runCodemods({ paths: ['empty'], cwd: root, codemods: [renamePython()], engine, write: true });
    expect(report.summary).toMatchObject({ filesConsidered: 0, changed: 0, skipped: 0 });
  });

  it('outside git: node_modules and .venv are never read, even with --write', async () => {
    const root = tree({ 'app.py': 'x = old_name\n', 'node_modules/pkg/x.py': 'x = old_name\n', '.venv/lib/site.py': 'x = old_name\n' });
    const report = await runCodemods({ paths: [root], codemods: [renamePython()], engine, write: true });
    expect(report.files.map((f) => f.path)).toEqual(['app.py']);
    expect(readFileSync(join(root, 'node_modules/pkg/x.py'), 'utf8')).toBe('x = old_name\n');
    expect(readFileSync(join(root, '.venv/lib/site.py'), 'utf8')).toBe('x = old_name\n');
  });

  it.each([false, true])('a directory symlink leading outside the root is not followed (git: %s)', async (git) => {
    const outside = tree({ 'o.py': 'x = old_name\n' });
    const root = tree({ 'a.py': 'x = old_name\n' });
    symlinkSync(outside, join(root, 'linked'));
    symlinkSync(join(outside, 'o.py'), join(root, 'link.py'));
    if (git) execFileSync('git', ['init', '-q'], { cwd: root });
    const report = await runCodemods({ paths: [root], codemods: [renamePython()], engine, write: true });
    expect(report.files.map((f) => [f.path, f.status === 'skipped' ? f.reason : f.status])).toEqual([
      ['a.py', 'changed'],
      ['link.py', 'symlink-outside-root'],
    ]);
    expect(readFileSync(join(outside, 'o.py'), 'utf8')).toBe('x = old_name\n');
  });

  it('run from a subdirectory of a git repository: that subtree, paths relative to the top level; .. and absolute paths work', async () => {
    const root = tree({ 'top.py': 'x = old_name\n', 'sub/s.py': 'x = old_name\n', 'sub/deep/d.py': 'x = old_name\n' });
    execFileSync('git', ['init', '-q'], { cwd: root });
    const sub = join(root, 'sub');
    expect((await discoverFiles([], sub)).files).toEqual(['sub/deep/d.py', 'sub/s.py']);
    expect((await discoverFiles(['..'], sub)).files).toEqual(['sub/deep/d.py', 'sub/s.py', 'top.py']);
    expect((await discoverFiles(['../top.py', join(sub, 'deep')], sub)).files).toEqual(['sub/deep/d.py', 'top.py']);
    const outside = tree({ 'o.py': 'x\n' });
    await expect(discoverFiles(['.', join(outside, 'o.py')], sub)).rejects.toThrow('is outside the git work tree');
  });
});

describe('file contents at the edges', () => {
  it.each([
    ['empty file', Buffer.alloc(0), { bom: false, text: '' }],
    ['only a BOM', Buffer.from([0xef, 0xbb, 0xbf]), { bom: true, text: '' }],
    ['BOM and CRLF', Buffer.from('\uFEFFa\r\nb\r\n', 'utf8'), { bom: true, text: 'a\r\nb\r\n', eol: '\r\n' }],
    ['mixed endings, mostly LF', Buffer.from('a\r\nb\nc\n', 'utf8'), { bom: false, eol: '\n' }],
  ])('%s decodes', (_n, bytes, expected) => {
    const r = decodeSource('a.py', bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect({ bom: r.bom, text: r.file.text, eol: r.file.eol }).toMatchObject(expected);
  });

  it.each([
    ['old Mac line endings', 'def f():\r    pass\r', 1],
    ['one lone CR in an LF file', 'x = 1\ny = 2 # a\rb\n', 2],
    ['a lone CR at the very end', 'x = 1\r\ny = 2\r', 2],
  ])('%s: skipped as lone-cr, naming the line', (_n, text, line) => {
    expect(decodeSource('a.py', Buffer.from(text))).toEqual({ ok: false, reason: 'lone-cr', message: expect.stringContaining(`line ${line} ends with a lone carriage return`) });
  });

  it('a NUL byte after the first 8000 bytes still makes the file binary', () => {
    const bytes = Buffer.concat([Buffer.from('x = old_name\n'), Buffer.alloc(9000, 0x23), Buffer.from([0x00, 0x0a])]);
    expect(decodeSource('a.js', bytes)).toMatchObject({ ok: false, reason: 'binary' });
  });

  it('the size cap is inclusive: 1 MiB is read, 1 MiB + 1 byte is not', async () => {
    const body = 'x = old_name\n';
    const root = tree({ 'exact.py': body + '#'.repeat(1024 * 1024 - body.length - 1) + '\n', 'over.py': body + '#'.repeat(1024 * 1024 - body.length) + '\n' });
    await expect(readSource(root, 'exact.py')).resolves.toMatchObject({ ok: true, size: 1024 * 1024 });
    await expect(readSource(root, 'over.py')).resolves.toMatchObject({ ok: false, reason: 'too-large', message: expect.stringContaining('1048577 bytes') });
  });

  it('empty, BOM-only and 0-byte files are unchanged and never rewritten', async () => {
    const root = tree({ 'empty.py': '', 'bom.py': Buffer.from([0xef, 0xbb, 0xbf]), 'only_comment.py': '# old_name\n' });
    const mtimes = ['empty.py', 'bom.py'].map((f) => statSync(join(root, f)).mtimeMs);
    const report = await runCodemods({ paths: [root], codemods: [renamePython()], engine, write: true });
    expect(report.summary).toMatchObject({ filesConsidered: 3, changed: 0, unchanged: 3, skipped: 0 });
    expect(['empty.py', 'bom.py'].map((f) => statSync(join(root, f)).mtimeMs)).toEqual(mtimes);
    expect(readFileSync(join(root, 'bom.py'))).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('the same codemod passed twice runs once and is reported once', async () => {
    const root = tree({ 'a.py': 'x = old_name\n' });
    const rename = renamePython();
    const report = await runCodemods({ paths: [root], codemods: [rename, rename], engine });
    expect(report.options.codemods).toEqual(['python/rename']);
    expect(report.codemods).toHaveLength(1);
    expect(report.codemods[0]!.changedFiles).toHaveLength(1);
  });
});
