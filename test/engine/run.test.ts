import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCodemods } from '../../src/engine/run.js';
import type { EngineContext } from '../../src/engine/transform.js';
import { testEngine } from '../helpers/fixtures.js';
import { schemaErrors } from '../helpers/schema.js';
import { tempTrees } from '../helpers/tree.js';
import { renamePython, varToLet } from '../helpers/toy-codemods.js';

let engine: EngineContext;
beforeAll(async () => {
  engine = await testEngine();
});

const repo = tempTrees('shipshape-run-');

describe('runCodemods', () => {
  it('dry run: reports diffs and writes nothing', async () => {
    const root = repo({ 'a.py': 'x = old_name\n', 'b.py': 'y = 1\n' });
    const report = await runCodemods({ paths: [root], codemods: [renamePython()], engine });
    expect(report.summary).toMatchObject({ filesConsidered: 2, filesParsed: 1, changed: 1, unchanged: 1, skipped: 0, edits: 1 });
    expect(report.files[0]).toMatchObject({ path: 'a.py', status: 'changed', written: false, diff: expect.stringContaining('+x = new_name') });
    expect(readFileSync(join(root, 'a.py'), 'utf8')).toBe('x = old_name\n');
    expect(schemaErrors('run-report.schema.json', report)).toBe('');
  });

  it('write: changes files in place keeping BOM and CRLF, leaves other files untouched', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('x = old_name\r\ny = "é"\r\n')]);
    const root = repo({ 'a.py': bom, 'b.py': 'old = 1\n', 'c.js': 'var old_name = 1;\n' });
    const untouchedBefore = statSync(join(root, 'b.py')).mtimeMs;
    const report = await runCodemods({ paths: [root], codemods: [renamePython(), varToLet()], engine, write: true });
    expect(report.summary.changed).toBe(2);
    const written = readFileSync(join(root, 'a.py'));
    expect(written.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(written.subarray(3).toString('utf8')).toBe('x = new_name\r\ny = "é"\r\n');
    expect(readFileSync(join(root, 'c.js'), 'utf8')).toBe('let old_name = 1;\n');
    expect(statSync(join(root, 'b.py')).mtimeMs).toBe(untouchedBefore);
    const again = await runCodemods({ paths: [root], codemods: [renamePython(), varToLet()], engine });
    expect(again.summary.changed).toBe(0);
  });

  it('skips binary, non-UTF-8, oversized and broken files with reasons and still processes the rest', async () => {
    const root = repo({
      'bin.py': Buffer.from([0x6f, 0x6c, 0x64, 0x00]),
      'latin.py': Buffer.from('# caf\xe9\nold_name = 1\n', 'latin1'),
      'big.py': `old_name = 1\n${'#'.repeat(5000)}\n`,
      'broken.py': 'old_name = (\n',
      'fine.py': 'old_name = 1\n',
    });
    const report = await runCodemods({ paths: [root], codemods: [renamePython()], engine, maxBytes: 4096 });
    const reasons = Object.fromEntries(report.files.map((f) => [f.path, f.status === 'skipped' ? f.reason : f.status]));
    expect(reasons).toEqual({ 'bin.py': 'binary', 'latin.py': 'not-utf8', 'big.py': 'too-large', 'broken.py': 'syntax-error', 'fine.py': 'changed' });
    expect(schemaErrors('run-report.schema.json', report)).toBe('');
  });

  it('rejects a result python3 cannot compile even when tree-sitter accepts it', async () => {
    // `return` at module level parses as a statement but is a compile-time SyntaxError.
    const root = repo({ 'a.py': 'old_name\n' });
    const report = await runCodemods({ paths: [root], codemods: [renamePython({ text: () => 'return 1' })], engine, write: true });
    expect(report.files[0]).toMatchObject({ status: 'skipped', reason: 'gate-failed', message: expect.stringContaining("'return' outside function") });
    expect(report.verification.pythonCompile).toBe('checked');
    expect(readFileSync(join(root, 'a.py'), 'utf8')).toBe('old_name\n');
  });

  it('starts the interpreter behind a version-manager shim: the shim runs once per process, not once per check', async () => {
    const bin = repo({ 'calls.log': '' });
    const shim = join(bin, 'python3-shim');
    const real = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    writeFileSync(shim, `#!/bin/sh\necho shim >> '${join(bin, 'calls.log')}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    const saved = process.env.SHIPSHAPE_PYTHON;
    process.env.SHIPSHAPE_PYTHON = shim;
    try {
      for (let i = 0; i < 3; i++) {
        const report = await runCodemods({ paths: [repo({ 'a.py': 'x = old_name\n' })], codemods: [renamePython()], engine });
        expect(report.verification).toEqual({ pythonCompile: 'checked', interpreter: real });
      }
      expect(readFileSync(join(bin, 'calls.log'), 'utf8')).toBe('shim\n');
    } finally {
      if (saved === undefined) delete process.env.SHIPSHAPE_PYTHON;
      else process.env.SHIPSHAPE_PYTHON = saved;
    }
  });

  it('says so when no Python interpreter is available for the compile check', async () => {
    const root = repo({ 'a.py': 'old_name\n' });
    const saved = process.env.SHIPSHAPE_PYTHON;
    process.env.SHIPSHAPE_PYTHON = '/nonexistent/python3';
    try {
      const report = await runCodemods({ paths: [root], codemods: [renamePython()], engine });
      expect(report.verification).toEqual({ pythonCompile: 'unavailable', interpreter: '/nonexistent/python3' });
      expect(report.summary.changed).toBe(1);
    } finally {
      if (saved === undefined) delete process.env.SHIPSHAPE_PYTHON;
      else process.env.SHIPSHAPE_PYTHON = saved;
    }
  });

  it('inside git: reads tracked and unignored files only', async () => {
    const root = repo({ '.gitignore': 'gen/\n', 'a.py': 'old_name\n', 'gen/b.py': 'old_name\n' });
    execFileSync('git', ['init', '-q'], { cwd: root });
    const report = await runCodemods({ paths: [root], codemods: [renamePython()], engine });
    expect(report.files.map((f) => f.path)).toEqual(['a.py']);
  });
});
