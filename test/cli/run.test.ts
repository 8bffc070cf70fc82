import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codemods } from '../../codemods/index.js';
import { runCli } from '../helpers/cli.js';
import { schemaErrors } from '../helpers/schema.js';
import { tempTrees } from '../helpers/tree.js';

const project = tempTrees('shipshape-cli-');

const PRINTY = 'import os\n\n\ndef load():\n    print("loading", os.getcwd())\n';
// print-to-logging's changes are review changes: held unless allowed.
const REVIEW = ['--allow', 'review'];

describe('shipshape run', () => {
  it('dry run prints a plain unified diff when stdout is not a TTY, and writes nothing', async () => {
    const cwd = project({ 'app.py': PRINTY });
    const r = await runCli(['run', '.', ...REVIEW], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--- a/app.py');
    expect(r.stdout).toContain('+++ b/app.py');
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stderr).toContain('1 file would change');
    expect(readFileSync(join(cwd, 'app.py'), 'utf8')).toBe(PRINTY);
  });

  it('places left alone for the same reason are one line with a count; --verbose lists each', async () => {
    const progress = 'def tick(n):\n    print(".", end="")\n    print(n, end="")\n';
    const cwd = project({ 'a.py': progress, 'b.py': `import sys\n\n\n${progress}` });
    const r = await runCli(['run', '.'], { cwd });
    expect(r.code).toBe(0);
    const alone = r.stderr.split('\n').filter((l) => l.startsWith('left alone'));
    expect(alone).toHaveLength(1);
    expect(alone[0]).toMatch(/^left alone a\.py:2 .*\(and 3 more like it: a\.py:3, b\.py:5, …; --verbose lists each\)$/);
    expect(r.stderr).toContain('4 places left alone');
    const v = await runCli(['run', '.', '--verbose'], { cwd });
    const each = v.stderr.split('\n').filter((l) => l.startsWith('left alone'));
    expect(each.map((l) => l.split(' ')[2])).toEqual(['a.py:2', 'a.py:3', 'b.py:5', 'b.py:6']);
    expect(v.stderr).not.toContain('more like it');
  });

  it('a remark on a change that was made is a note, not a place left alone', async () => {
    const model = 'from datetime import datetime\n\nfrom pydantic import BaseModel\n\n\nclass Event(BaseModel):\n    at: datetime\n\n    class Config:\n        json_encoders = {datetime: lambda v: v.isoformat()}\n';
    const cwd = project({ 'models.py': model });
    const r = await runCli(['run', '.', '--codemod', 'python/pydantic-configdict'], { cwd });
    expect(r.stderr).toMatch(/^note models\.py:10 \[python\/pydantic-configdict\] class Event: json_encoders is deprecated/m);
    expect(r.stderr).not.toContain('left alone models.py');
    expect(r.stderr).toContain('1 change (');
    expect(r.stderr).toContain('0 places left alone');
  });

  it('honours the codemods .github/shipshape.yml turns off, unless --codemod names one', async () => {
    const model = 'from pydantic import BaseModel\n\n\nclass User(BaseModel):\n    name: str\n\n    class Config:\n        orm_mode = True\n';
    const ids = codemods.map((c) => c.meta.id);
    const only = project({ 'app.py': PRINTY, 'models.py': model, '.github/shipshape.yml': 'codemods: [python/pydantic-configdict]\n' });
    const r = await runCli(['run', '.', '--json', ...REVIEW], { cwd: only });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { options: { codemods: string[] }; project: { codemodsOff: string[] }; files: { path: string; status: string }[] };
    expect(schemaErrors('run-report.schema.json', report)).toBe('');
    expect(report.options.codemods).toEqual(['python/pydantic-configdict']);
    expect(report.project.codemodsOff).toEqual(ids.filter((id) => id !== 'python/pydantic-configdict'));
    expect(report.files.filter((f) => f.status === 'changed').map((f) => f.path)).toEqual(['models.py']);
    const human = await runCli(['run', '.', ...REVIEW], { cwd: only });
    expect(human.stderr).toMatch(/^not run .*python\/print-to-logging.*: turned off in \.github\/shipshape\.yml \(name one with --codemod to run it anyway\)$/m);
    // Named on the command line, it runs: the caller chose.
    const named = JSON.parse((await runCli(['run', '.', '--json', '-c', 'python/print-to-logging', ...REVIEW], { cwd: only })).stdout) as typeof report;
    expect(named.project.codemodsOff).toEqual([]);
    expect(named.files.filter((f) => f.status === 'changed').map((f) => f.path)).toEqual(['app.py']);
    // `id: false` turns one off and leaves the others on.
    const off = project({ 'app.py': PRINTY, 'models.py': model, '.github/shipshape.yml': 'codemods:\n  python/print-to-logging: false\n' });
    const rest = JSON.parse((await runCli(['run', '.', '--json', ...REVIEW], { cwd: off })).stdout) as typeof report;
    expect(rest.project.codemodsOff).toEqual(['python/print-to-logging']);
    expect(rest.options.codemods).toEqual(ids.filter((id) => id !== 'python/print-to-logging'));
    expect(rest.files.filter((f) => f.status === 'changed').map((f) => f.path)).toEqual(['models.py']);
  });

  it('says what a codemod assumed only of files it had something to change in', async () => {
    const flask = 'import os\n\n\nclass Config:\n    DEBUG = False\n';
    const model = 'from pydantic import BaseModel\n\n\nclass User(BaseModel):\n    name: str\n\n    class Config:\n        orm_mode = True\n';
    type Report = { scope: { codemod: string; kind: string; paths: string[] }[] };
    const scopeOf = async (files: Record<string, string>) => {
      const r = await runCli(['run', '.', '--json', '-c', 'python/pydantic-configdict', ...REVIEW], { cwd: project({ 'requirements.txt': 'flask\n', ...files }) });
      return (JSON.parse(r.stdout) as Report).scope.filter((s) => s.kind === 'assumed');
    };
    // A Flask config class is no pydantic model: no word about pydantic versions.
    expect(await scopeOf({ 'settings.py': flask })).toEqual([]);
    expect((await scopeOf({ 'settings.py': flask, 'models.py': model })).map((s) => s.paths)).toEqual([['models.py']]);
  });

  it('colours the diff on a TTY unless NO_COLOR is set', async () => {
    const cwd = project({ 'app.py': PRINTY });
    expect((await runCli(['run', ...REVIEW], { cwd, tty: true })).stdout).toContain('\x1b[');
    expect((await runCli(['run', ...REVIEW], { cwd, tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\x1b[');
  });

  it('--write applies, then --check exits 0; --check before exits 1', async () => {
    const cwd = project({ 'app.py': PRINTY });
    expect((await runCli(['run', '--check', ...REVIEW], { cwd })).code).toBe(1);
    expect(readFileSync(join(cwd, 'app.py'), 'utf8')).toBe(PRINTY);
    const w = await runCli(['run', '--write', ...REVIEW], { cwd });
    expect(w.code).toBe(0);
    expect(w.stdout).toContain('wrote app.py');
    expect(readFileSync(join(cwd, 'app.py'), 'utf8')).toContain('logger.info(');
    expect((await runCli(['run', '--check', ...REVIEW], { cwd })).code).toBe(0);
  });

  it('--json prints a report that matches the published schema', async () => {
    const cwd = project({ 'app.py': PRINTY, 'broken.py': 'print(\n' });
    const r = await runCli(['run', '--json', ...REVIEW], { cwd });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { summary: { changed: number; skipped: number } };
    expect(schemaErrors('run-report.schema.json', report)).toBe('');
    expect(report.summary).toMatchObject({ changed: 1, skipped: 1 });
  });

  it('--codemod limits the run to the named codemods', async () => {
    const cwd = project({ 'app.py': PRINTY });
    const r = await runCli(['run', '--codemod', 'python/pydantic-configdict', '--json'], { cwd });
    expect(JSON.parse(r.stdout)).toMatchObject({ options: { codemods: ['python/pydantic-configdict'] }, summary: { changed: 0 } });
  });

  it.each([
    [['run', 'missing-dir'], 'cannot read missing-dir: no such file or directory'],
    [['run', '--codemod', 'python/nope'], 'unknown codemod "python/nope"'],
    [['run', '--write', '--check'], '--write and --check cannot be combined'],
    [['run', '--max-bytes', '-5'], 'expected a positive whole number'],
    [['run', '--allow', 'unsafe'], "argument 'unsafe' is invalid"],
    [['frobnicate'], "unknown command 'frobnicate'"],
  ])('usage error %j exits 2 with one clear line', async (argv, message) => {
    const cwd = project({});
    const r = await runCli(argv, { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('shipshape codemods', () => {
  it('lists every registered codemod', async () => {
    const r = await runCli(['codemods'], { cwd: tmpdir() });
    expect(r.code).toBe(0);
    for (const c of codemods) expect(r.stdout).toContain(c.meta.id);
    expect(codemods.length).toBe(5);
  });

  it('--json lists metadata', async () => {
    const r = await runCli(['codemods', '--json'], { cwd: tmpdir() });
    const parsed = JSON.parse(r.stdout) as { codemods: { id: string; safety: string; fixes: unknown[] }[] };
    expect(parsed.codemods.map((c) => c.id)).toEqual(codemods.map((c) => c.meta.id));
    expect(parsed.codemods.every((c) => c.fixes.length > 0)).toBe(true);
    expect(schemaErrors('codemods.schema.json', parsed)).toBe('');
  });

  it('--help explains the commands and exit codes', async () => {
    const r = await runCli(['--help'], { cwd: tmpdir() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit codes');
    expect(r.stdout).toContain('run [options] [paths...]');
  });
});
