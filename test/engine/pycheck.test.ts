import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compilePython, holdPythonChecker, pythonCheckerPids, stopPythonChecker } from '../../src/engine/pycheck.js';

const SOURCE = join(import.meta.dirname, '..', '..', 'src', 'engine', 'pycheck.ts');

let root: string;
let real: string;
let counter = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'shipshape-pycheck-'));
  real = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
});

afterEach(async () => {
  await stopPythonChecker();
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An interpreter that notes each start (its pid) in a log, then runs python3 as it is. */
function loggingInterpreter(): { path: string; starts: () => number[] } {
  const log = join(root, `starts-${++counter}.log`);
  writeFileSync(log, '');
  const path = join(root, `python-${counter}`);
  writeFileSync(path, `#!/bin/sh\necho $$ >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  return { path, starts: () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map(Number) };
}

/**
 * An interpreter that runs the real checker but misbehaves on one path:
 * `crash` kills itself (once when `once`), `hang` never answers. It reports
 * itself as the executable, so a restart runs it again.
 */
function misbehavingInterpreter(mode: 'crash' | 'hang', once = false): { path: string; starts: () => number[] } {
  const log = join(root, `starts-${++counter}.log`);
  const mark = join(root, `mark-${counter}`);
  writeFileSync(log, '');
  const path = join(root, `python-${counter}`);
  writeFileSync(
    path,
    [
      `#!${real}`,
      'import os, sys, time',
      `open(${JSON.stringify(log)}, "a").write("%d\\n" % os.getpid())`,
      'program = sys.argv[sys.argv.index("-c") + 1]',
      'def trouble(path):',
      `    if path != "trouble.py" or (${once ? 'True' : 'False'} and os.path.exists(${JSON.stringify(mark)})):`,
      '        return',
      `    open(${JSON.stringify(mark)}, "w").close()`,
      mode === 'crash' ? '    os.kill(os.getpid(), 9)' : '    time.sleep(3600)',
      'sys.executable = __file__',
      'exec(program.replace("compile(text, path", "trouble(path) or compile(text, path"), {"trouble": trouble, "__name__": "__main__"})',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return { path, starts: () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map(Number) };
}

/** Running (a zombie waiting for its parent to reap it counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) [ZX]/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const GOOD = (i: number) => ({ path: `m${i}.py`, text: `def f${i}(x):\n    return x + ${i}\n` });

describe('the python3 compile checker', () => {
  it('compiles many files over one process; a syntax error in one leaves the others alone', async () => {
    const python = loggingInterpreter();
    const answers: (string | null)[] = [];
    for (let round = 0; round < 3; round++) {
      const sources = Array.from({ length: 100 }, (_, i) => GOOD(round * 100 + i));
      sources[7] = { path: 'bad.py', text: 'def broken(:\n    pass\n' };
      sources[50] = { path: 'outside.py', text: 'return 1\n' };
      sources[60] = { path: 'nul.py', text: 'x = 1\0\n' };
      sources[70] = { path: 'unicode.py', text: '# -*- coding: latin-1 -*-\nname = "café ☕ 𝄞"\n' };
      const check = await compilePython(sources, python.path);
      expect(check.interpreter).toBe(real);
      answers.push(...check.errors!);
      expect(check.errors!.filter((e) => e !== null)).toHaveLength(3);
      expect(check.errors![7]).toMatch(/^invalid syntax|^expected|\(line 1\)$/);
      expect(check.errors![50]).toBe("'return' outside function (line 1)");
      expect(check.errors![60]).toMatch(/null bytes/);
      expect(check.errors![70]).toBeNull();
    }
    expect(answers).toHaveLength(300);
    expect(python.starts()).toHaveLength(1);
    expect(pythonCheckerPids()).toEqual(python.starts());
    // Asked concurrently, the answers still go to the right caller.
    const [a, b] = await Promise.all([compilePython([GOOD(1), { path: 'x.py', text: 'if :\n' }], python.path), compilePython([{ path: 'y.py', text: 'else\n' }, GOOD(2)], python.path)]);
    expect(a.errors![0]).toBeNull();
    expect(a.errors![1]).toMatch(/line 1/);
    expect(b.errors![0]).toMatch(/line 1/);
    expect(b.errors![1]).toBeNull();
    expect(python.starts()).toHaveLength(1);
  });

  it('leaves no process behind once stopped', async () => {
    const python = loggingInterpreter();
    await compilePython([GOOD(1)], python.path);
    const [pid] = python.starts();
    expect(pythonCheckerPids()).toEqual([pid]);
    expect(alive(pid!)).toBe(true);
    await stopPythonChecker();
    expect(alive(pid!)).toBe(false);
    expect(pythonCheckerPids()).toEqual([]);
  });

  it('a run holding the checker starts it ahead of use and ends it when the last holder lets go', async () => {
    const python = loggingInterpreter();
    const saved = process.env.SHIPSHAPE_PYTHON;
    process.env.SHIPSHAPE_PYTHON = python.path;
    try {
      const first = holdPythonChecker();
      const second = holdPythonChecker();
      const [pid] = pythonCheckerPids();
      expect(pid).toBeDefined();
      expect((await compilePython([GOOD(1), { path: 'bad.py', text: 'x = (\n' }])).errors).toEqual([null, expect.stringMatching(/line 1/)]);
      first();
      first();
      expect(alive(pid!)).toBe(true);
      const pending = compilePython([GOOD(2)]);
      second();
      // What was asked before the last holder let go is still answered; then the process leaves.
      expect((await pending).errors).toEqual([null]);
      for (let i = 0; i < 50 && alive(pid!); i++) await new Promise((r) => setTimeout(r, 20));
      expect(alive(pid!)).toBe(false);
      expect(python.starts()).toEqual([pid]);
    } finally {
      if (saved === undefined) delete process.env.SHIPSHAPE_PYTHON;
      else process.env.SHIPSHAPE_PYTHON = saved;
    }
  });

  it('survives the checker being killed in the middle of a run', async () => {
    const python = loggingInterpreter();
    await compilePython([GOOD(0)], python.path);
    const [first] = pythonCheckerPids();
    // Large enough that compiling all of it takes a while.
    const body = Array.from({ length: 1000 }, (_, i) => `v${i} = [${i}, "${i}", {${i}: (${i},)}]`).join('\n');
    const sources = Array.from({ length: 40 }, (_, i) => ({ path: `big${i}.py`, text: i === 30 ? `${body}\nif :\n` : `${body}\n` }));
    const pending = compilePython(sources, python.path);
    await new Promise((r) => setTimeout(r, 150));
    process.kill(first!, 'SIGKILL');
    const check = await pending;
    expect(check.errors!.map((e, i) => (e === null ? null : i))).toEqual(sources.map((_, i) => (i === 30 ? 30 : null)));
    // A fresh checker took over, started from the interpreter found behind the wrapper.
    const [second] = pythonCheckerPids();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(python.starts()).toEqual([first]);
    expect(alive(first!)).toBe(false);
  });

  it('gives a source the checker died on a second chance, then reports it', async () => {
    const once = misbehavingInterpreter('crash', true);
    const survived = await compilePython([GOOD(1), { path: 'trouble.py', text: 'x = (\n' }, GOOD(2)], once.path);
    expect(survived.errors).toEqual([null, expect.stringMatching(/line 1/), null]);
    expect(once.starts()).toHaveLength(2);

    const always = misbehavingInterpreter('crash');
    const reported = await compilePython([GOOD(1), { path: 'trouble.py', text: 'x = 1\n' }, GOOD(2)], always.path);
    expect(reported.errors).toEqual([null, 'python3 stopped while compiling it (SIGKILL)', null]);
  });

  it('stops a checker stuck on one source, reports that source and carries on with a fresh one', async () => {
    const stuck = misbehavingInterpreter('hang');
    const check = await compilePython([GOOD(1), { path: 'trouble.py', text: 'x = 1\n' }, GOOD(2), { path: 'bad.py', text: 'x = (\n' }], stuck.path, { timeoutMs: 500 });
    expect(check.errors).toEqual([null, 'python3 did not finish compiling it within 0.5 s', null, expect.stringMatching(/line 1/)]);
    const [first, second] = stuck.starts();
    expect(second).toBeDefined();
    expect(alive(first!)).toBe(false);
  });

  it('without an interpreter the check is unavailable, as before', async () => {
    expect(await compilePython([GOOD(1)], join(root, 'no-such-python'))).toEqual({ errors: null, interpreter: join(root, 'no-such-python') });
    const broken = join(root, 'broken-python');
    writeFileSync(broken, '#!/bin/sh\necho "pyenv: python3: command not found" >&2\nexit 127\n', { mode: 0o755 });
    expect(await compilePython([GOOD(1)], broken)).toEqual({ errors: null, interpreter: broken });
    expect(await compilePython([GOOD(1)], false)).toEqual({ errors: null, interpreter: 'none' });
  });

  it('does not keep a process alive, and takes its checker along when it exits', async () => {
    const python = loggingInterpreter();
    const module = join(root, 'pycheck.mjs');
    writeFileSync(module, ts.transpileModule(readFileSync(SOURCE, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText);
    const script = `import { compilePython } from ${JSON.stringify(module)};\nconst check = await compilePython([{ path: 'a.py', text: 'x = 1\\n' }], ${JSON.stringify(python.path)});\nconsole.log(JSON.stringify(check.errors));\n`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const started = Date.now();
    await once(child, 'close');
    expect(out.trim()).toBe('[null]');
    // Well before the checker's idle timeout.
    expect(Date.now() - started).toBeLessThan(4_000);
    const [pid] = python.starts();
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid!)).toBe(false);
  });
});
