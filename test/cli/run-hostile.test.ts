import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT, main, type Io } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { schemaErrors } from '../helpers/schema.js';
import { tempTrees } from '../helpers/tree.js';

const project = tempTrees('shipshape-cli-hostile-');

const PRINTY = 'def load():\n    print("loading")\n';
// print-to-logging's changes are review changes: every run here allows them.
const REVIEW = ['--allow', 'review'];
const LOGGED_TAIL = 'def load():\n    logger.info("loading")\n';

interface Report {
  summary: { changed: number; skipped: number; filesConsidered: number };
  options: { codemods: string[] };
  codemods: { id: string }[];
  files: { path: string; status: string; reason?: string; message?: string; written?: boolean }[];
}

describe('shipshape run --write when a file cannot be written', () => {
  it('skips the read-only file with a reason, writes the others, and exits 3', async () => {
    const cwd = project({ 'a.py': PRINTY, 'ro.py': PRINTY, 'z.py': PRINTY });
    chmodSync(join(cwd, 'ro.py'), 0o444);
    const r = await runCli(['run', ...REVIEW, '--write'], { cwd });
    expect(r.code).toBe(EXIT.failed);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('wrote a.py');
    expect(r.stdout).toContain('wrote z.py');
    expect(r.stdout).not.toContain('wrote ro.py');
    expect(r.stderr).toContain('not written ro.py: read-only file (mode 0444); not written');
    expect(r.stderr).toContain('1 file could not be written (exit code 3).');
    expect(r.stderr).not.toContain('internal error');
    expect(readFileSync(join(cwd, 'ro.py'), 'utf8')).toBe(PRINTY);
    expect(readFileSync(join(cwd, 'z.py'), 'utf8')).toContain(LOGGED_TAIL);
    expect(readdirSync(cwd).sort()).toEqual(['a.py', 'ro.py', 'z.py']);

    const json = await runCli(['run', ...REVIEW, '--write', '--json'], { cwd });
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout) as Report;
    expect(schemaErrors('run-report.schema.json', report)).toBe('');
    expect(report.files).toEqual([expect.objectContaining({ path: 'ro.py', status: 'skipped', reason: 'unwritable' })]);
  });

  it('a read-only file is not a failure of a dry run or --check', async () => {
    const cwd = project({ 'ro.py': PRINTY });
    chmodSync(join(cwd, 'ro.py'), 0o444);
    expect((await runCli(['run', ...REVIEW], { cwd })).code).toBe(0);
    expect((await runCli(['run', ...REVIEW, '--check'], { cwd })).code).toBe(1);
  });

  it('the help and the exit-code list document exit code 3 for run', async () => {
    const r = await runCli(['--help'], { cwd: project({}) });
    expect(r.stdout).toMatch(/3 a file could not be\s+written \(run --write/);
    expect((await runCli(['run', ...REVIEW, '--help'], { cwd: project({}) })).stdout).toMatch(/3 --write could not write a file\s+\(read-only, or changed on disk during the run/);
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toMatch(/`3` something could not be done: `run --write`\s+could not write a file/);
  });
});

describe('shipshape run output', () => {
  it('--json stays valid JSON, in the schema, with odd file names; the text output keeps one path per line', async () => {
    const names = ['sp ace.py', 'ünï😀.py', '-dash.py', 'new\nline.py', 'q"uote\\.py'];
    const cwd = project(Object.fromEntries(names.map((n) => [n, PRINTY])));
    const r = await runCli(['run', ...REVIEW, '--json'], { cwd });
    const report = JSON.parse(r.stdout) as Report;
    expect(schemaErrors('run-report.schema.json', report)).toBe('');
    expect(report.files.map((f) => f.path)).toEqual([...names].sort());
    const w = await runCli(['run', ...REVIEW, '--write'], { cwd });
    expect(w.stdout.split('\n').filter(Boolean).sort()).toEqual(
      ['wrote "new\\nline.py"', 'wrote "q\\"uote\\\\.py"', 'wrote -dash.py', 'wrote sp ace.py', 'wrote ünï😀.py'].map((l) => `${l} (python/print-to-logging)`).sort(),
    );
  });

  it('a name starting with a dash is a path after --', async () => {
    const cwd = project({ '-dash.py': PRINTY, 'other.py': PRINTY });
    const r = await runCli(['run', ...REVIEW, '--json', '--', '-dash.py'], { cwd });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Report).files.map((f) => f.path)).toEqual(['-dash.py']);
  });

  it('a closed stdout (shipshape run | head -1) is not a crash: the run finishes with its own exit code', async () => {
    const cwd = project({ 'a.py': PRINTY, 'b.py': PRINTY });
    let writes = 0;
    // What process.stdout does once the reader has gone: the write fails with EPIPE and the stream is destroyed.
    const closedPipe = new Writable({
      write(_chunk, _enc, callback) {
        writes++;
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' }));
      },
    }) as unknown as NodeJS.WriteStream;
    let stderr = '';
    const err = new Writable({
      write(chunk: Buffer, _enc, callback) {
        stderr += chunk.toString('utf8');
        callback();
      },
    }) as unknown as NodeJS.WriteStream;
    const io: Io = { stdout: closedPipe, stderr: err, env: { PATH: process.env.PATH }, cwd };
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const code = await main(['run', ...REVIEW, '--write'], io);
      await new Promise((r) => setTimeout(r, 20));
      expect(code).toBe(0);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    expect(writes).toBeGreaterThan(0);
    expect(stderr).toContain('2 files changed');
    expect(readFileSync(join(cwd, 'b.py'), 'utf8')).toContain(LOGGED_TAIL);
  });

  it('shows the progress line only when stderr is a terminal, and never with --json', async () => {
    const files = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`m${i}.py`, 'x = 1\n']));
    const cwd = project(files);
    const tty = await runCli(['run', ...REVIEW], { cwd, tty: true, env: { PATH: process.env.PATH, NO_COLOR: '1' } });
    expect(tty.stderr).toContain('\rshipshape: 0/201 files');
    expect(tty.stderr).toContain('\r\x1b[K');
    const piped = await runCli(['run', ...REVIEW], { cwd });
    expect(piped.stderr).not.toContain('\r');
    const json = await runCli(['run', ...REVIEW, '--json'], { cwd, tty: true });
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ summary: { filesConsidered: 201 } });
  });
});

describe('shipshape run options at the edges', () => {
  it('--codemod given twice runs that codemod once and reports it once', async () => {
    const cwd = project({ 'a.py': PRINTY });
    const r = await runCli(['run', ...REVIEW, '--json', '-c', 'python/print-to-logging', '--codemod', 'python/print-to-logging'], { cwd });
    const report = JSON.parse(r.stdout) as Report;
    expect(report.options.codemods).toEqual(['python/print-to-logging']);
    expect(report.codemods.map((c) => c.id)).toEqual(['python/print-to-logging']);
    expect(report.summary.changed).toBe(1);
  });

  it.each([['0'], ['-1'], ['1.5'], ['abc'], ['']])('--max-bytes %j is a usage error (exit 2)', async (value) => {
    const r = await runCli(['run', ...REVIEW, '--max-bytes', value], { cwd: project({}) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected a positive whole number');
  });

  it('outside git, `run src tests` runs both (the usage error is gone); a .git path is refused with exit 2', async () => {
    const cwd = project({ 'src/a.py': PRINTY, 'lib/b.py': PRINTY });
    const r = await runCli(['run', ...REVIEW, '--json', 'src', 'lib'], { cwd });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Report).files.map((f) => f.path)).toEqual(['lib/b.py', 'src/a.py']);
    const g = await runCli(['run', ...REVIEW, '.git/config'], { cwd: project({ '.git/config': '' }) });
    expect(g.code).toBe(2);
    expect(g.stderr).toContain('is inside a .git directory');
  });

  it('real codemods on mixed and lone-CR line endings: inserted lines use the majority ending; a lone CR file is skipped and kept', async () => {
    const mixed = 'import os\r\n\r\ndef f():\n    print("hi")\r\n';
    const cwd = project({ 'mixed.py': mixed, 'mac.py': 'def f():\r    print("hi")\r', 'bomcrlf.py': Buffer.from(`\uFEFF${PRINTY.replace(/\n/g, '\r\n')}`, 'utf8') });
    const r = await runCli(['run', ...REVIEW, '--write', '--json'], { cwd });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.files.find((f) => f.path === 'mac.py')).toMatchObject({ status: 'skipped', reason: 'lone-cr' });
    expect(readFileSync(join(cwd, 'mac.py'), 'utf8')).toBe('def f():\r    print("hi")\r');
    const written = readFileSync(join(cwd, 'mixed.py'), 'utf8');
    expect(written).toContain('import logging\r\nimport os\r\n');
    expect(written.endsWith('def f():\n    logger.info("hi")\r\n')).toBe(true);
    const bom = readFileSync(join(cwd, 'bomcrlf.py'));
    expect(bom.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bom.toString('utf8')).not.toMatch(/[^\r]\n/);
  });
});
