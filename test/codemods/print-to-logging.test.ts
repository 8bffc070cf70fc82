import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codemod } from '../../codemods/python/print-to-logging/index.js';
import type { EngineContext, ScopeNote } from '../../src/engine/transform.js';
import type { CodemodNote } from '../../src/engine/types.js';
import type { RunReport } from '../../src/engine/run.js';
import { runCli } from '../helpers/cli.js';
import { testEngine, transformBytes } from '../helpers/fixtures.js';


let engine: EngineContext;
beforeAll(async () => {
  engine = await testEngine();
});

function run(source: string, path = 'app/service.py'): { output: string; kind: string; notes: CodemodNote[]; scope: ScopeNote[] } {
  const { outcome, output } = transformBytes(engine, [codemod], path, Buffer.from(source, 'utf8'), { maxSafety: 'review' });
  if (outcome.kind === 'skipped') throw new Error(`skipped: ${outcome.message}`);
  return { output, kind: outcome.kind, notes: outcome.notes, scope: outcome.scope };
}

/** The converted statement for a one-line print inside a function of a module that already has a logger. */
function convertOne(statement: string): string {
  const source = `import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef f(a, b):\n    ${statement}\n`;
  const { output } = run(source);
  return output.split('\n')[6]!.trim();
}

describe('python/print-to-logging: prints a linter was told to allow', () => {
  const source = (line: string) => `def f(a):\n    ${line}\n`;
  it.each([
    ['print("kept")  # noqa: T201', '# noqa: T201'],
    ['print("kept")  # noqa:T201,E501', '# noqa:T201,E501'],
    ['print("kept")  # noqa', '# noqa'],
    ['print("kept")  # NOQA: T001', '# NOQA: T001'],
    ['print(  # noqa: T201\n        "kept"\n    )', '# noqa: T201'],
  ])('%s stays', (line, marker) => {
    const { output, notes } = run(source(line));
    expect(output).toBe(source(line));
    expect(notes).toEqual([expect.objectContaining({ line: 2, message: `print() is marked \`${marker}\`: the project keeps it on purpose` })]);
  });

  it('another rule silenced on the line, or a marker on another line, does not keep it', () => {
    expect(run(source('print("moved")  # noqa: E501')).output).toContain('logger.info("moved")  # noqa: E501');
    expect(run(source('print(\n        "moved"  # noqa: T201\n    )')).output).toContain('logger.info(');
  });
});

describe('python/print-to-logging: messages', () => {
  it.each([
    ['print("Table ready")', 'logger.info("Table ready")'],
    ['print("50% done")', 'logger.info("50% done")'],
    ['print(f"{a} rows")', 'logger.info(f"{a} rows")'],
    ['print("%s rows" % a)', 'logger.info("%s rows" % a)'],
    ['print("{} rows".format(a))', 'logger.info("{} rows".format(a))'],
    ['print(a)', 'logger.debug("%s", a)'],
    ['print(b"x")', 'logger.info("%s", b"x")'],
    ['print()', 'logger.info("")'],
    ['print("Loaded", a, "accounts")', 'logger.info("Loaded %s accounts", a)'],
    ['print(a, b)', 'logger.info("%s %s", a, b)'],
    ['print("50%", a)', 'logger.info("50%% %s", a)'],
    ['print("x", "y")', 'logger.info("x y")'],
    ['print(a, b, sep="")', 'logger.info("%s%s", a, b)'],
    ['print(a, b, sep="%")', 'logger.info("%s%%%s", a, b)'],
    ['print(a, b, sep=None)', 'logger.info("%s %s", a, b)'],
    ['print(a, sep="-")', 'logger.debug("%s", a)'],
    ["print('q\"uote', a)", "logger.info('q\"uote %s', a)"],
    ['print("tab\\t", a)', 'logger.info("tab\\t %s", a)'],
    ['print("\\N{SNOWMAN}", a)', 'logger.info("%s %s", "\\N{SNOWMAN}", a)'],
    ['print("""doc""", a)', 'logger.info("%s %s", """doc""", a)'],
    ['print("Warning: low disk", a)', 'logger.warning("Warning: low disk %s", a)'],
    ['print(f"WARNING {a}")', 'logger.warning(f"WARNING {a}")'],
    ['print("warning: any case")', 'logger.warning("warning: any case")'],
    ['print("Warnings are plural")', 'logger.info("Warnings are plural")'],
    ['print("Error:", a)', 'logger.error("Error: %s", a)'],
    ['print(f"upload FAILED for {a}")', 'logger.error(f"upload FAILED for {a}")'],
    ['print("caught an exception: %s" % a)', 'logger.error("caught an exception: %s" % a)'],
    ['print("{} is deprecated".format(a))', 'logger.warning("{} is deprecated".format(a))'],
    ['print("Warning: the upload failed")', 'logger.warning("Warning: the upload failed")'],
    ['print("failed; the warning came later")', 'logger.error("failed; the warning came later")'],
    ['print("errors", "exceptional", "failedover")', 'logger.info("errors exceptional failedover")'],
    ['print(f"{error} rows")', 'logger.info(f"{error} rows")'],
    ['print(a.total)', 'logger.debug("%s", a.total)'],
    ['print(a[0])', 'logger.debug("%s", a[0])'],
    ['print("a =", a)', 'logger.debug("a = %s", a)'],
    ['print("A:", a)', 'logger.debug("A: %s", a)'],
    ['print("b =", a)', 'logger.info("b = %s", a)'],
    ['print(f"{a=}")', 'logger.debug(f"{a=}")'],
    ['print(f"total {a + b = }")', 'logger.debug(f"total {a + b = }")'],
    ['print(len(a))', 'logger.info("%s", len(a))'],
  ])('%s -> %s', (statement, expected) => {
    expect(convertOne(statement)).toBe(expected);
  });

  it('uses error inside an except body, and warning text wins over it', () => {
    const source = [
      'import logging',
      'logger = logging.getLogger(__name__)',
      'def f():',
      '    try:',
      '        g()',
      '    except Exception as e:',
      '        print("failed", e)',
      '        print("Warning: retrying")',
      '        def later():',
      '            print("not handling it")',
      '    else:',
      '        print("ok")',
      '',
    ].join('\n');
    const lines = run(source).output.split('\n');
    expect(lines[6]!.trim()).toBe('logger.error("failed %s", e)');
    expect(lines[7]!.trim()).toBe('logger.warning("Warning: retrying")');
    expect(lines[9]!.trim()).toBe('logger.info("not handling it")');
    expect(lines[11]!.trim()).toBe('logger.info("ok")');
  });
});

describe('python/print-to-logging: left alone, with a note', () => {
  it.each([
    ['print("x", file=sys.stderr)', 'file= already chooses its stream'],
    ['print(".", end="")', 'end= is progress'],
    ['print("x", flush=True)', 'flush= is progress'],
    ['print(a, b, sep=SEP)', 'sep= that is not a literal string'],
    ['print(a, b, sep=f"{a}")', 'sep= that is not a literal string'],
    ['print(*a)', '*args/**kwargs unpacking'],
    ['print(**a)', '*args/**kwargs unpacking'],
    ['print(x for x in a)', 'generator argument'],
    ['print("x", colour=1)', 'unknown keyword colour='],
    ['x = print("x")', 'part of an expression'],
    ['a or print("x")', 'part of an expression'],
    ['h = lambda: print("x")', 'part of an expression'],
  ])('%s', (statement, reason) => {
    const source = `import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef f(a, b):\n    ${statement}\n`;
    const result = run(source);
    expect(result.kind).toBe('unchanged');
    expect(result.output).toBe(source);
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toMatchObject({ line: 7, codemod: 'python/print-to-logging' });
    expect(result.notes[0]!.message).toContain(reason);
  });

  it.each([['callback = print'], ['list(map(print, a))']])('%s, in a module that also calls print()', (statement) => {
    const source = `import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef f(a, b):\n    ${statement}\n    print(".", end="")\n`;
    const result = run(source);
    expect(result.kind).toBe('unchanged');
    expect(result.output).toBe(source);
    expect(result.notes.map((n) => [n.line, n.message])).toEqual([
      [7, expect.stringContaining('print is used as a value, not called')],
      [8, expect.stringContaining('end= is progress')],
    ]);
  });

  it.each([['callback = print'], ['list(map(print, a))'], ["'fingerprint(x), blueprint'"]])('a module that never calls print() is not parsed: %s', (statement) => {
    const source = `def f(a, b):\n    ${statement}\n`;
    expect(codemod.prefilter(source)).toBe(false);
    expect(run(source)).toMatchObject({ kind: 'unchanged', output: source, notes: [] });
  });

  it.each([
    ['main guard', 'import sys\nif __name__ == "__main__":\n    print(sys.argv)\n', 3, '__main__'],
    ['click command', 'import click\n\n@click.command()\ndef go():\n    print("x")\n', 5, 'CLI command (@click.command)'],
    ['click group sub-command', 'import click\n\n@cli.command("sync")\ndef go():\n    print("x")\n', 5, 'CLI command (@cli.command)'],
    ['typer command', 'import typer\napp = typer.Typer()\n@app.command()\ndef go():\n    print("x")\n', 5, 'CLI command (@app.command)'],
    ['main() of an argparse module', 'import argparse\n\ndef main():\n    print("x")\n', 4, 'main() of a module that uses argparse'],
    ['function using argparse', 'def parse(argv):\n    p = argparse.ArgumentParser()\n    print("x")\n', 3, 'argparse'],
  ])('%s', (_name, source, line, reason) => {
    const result = run(source);
    expect(result.kind).toBe('unchanged');
    expect(result.notes).toEqual([expect.objectContaining({ line, message: expect.stringContaining(reason) })]);
  });

  it.each([
    ['a parameter named print', 'def f(print):\n    pass\n\ndef g():\n    print("x")\n', 1],
    ['an assignment to print', 'def g():\n    print("x")\n\nprint = log_it\n', 4],
    ['an imported print', 'from rich import print as print\n\ndef g():\n    print("x")\n', 1],
    ['a def named print', 'def print(*a):\n    pass\n\nprint("x")\n', 1],
    ['a loop variable', 'for print in hooks:\n    print("x")\n', 1],
    ['an except target', 'try:\n    pass\nexcept E as print:\n    print("x")\n', 3],
    ['a global declaration', 'def f():\n    global print\n    print("x")\n', 2],
  ])('whole file when print is shadowed: %s', (_name, source, line) => {
    const result = run(source);
    expect(result.kind).toBe('unchanged');
    expect(result.notes).toEqual([expect.objectContaining({ line, message: expect.stringContaining('print is bound in this module') })]);
  });

  it.each([
    ['pkg/__main__.py'],
    ['setup.py'],
    ['tests/conftest.py'],
    ['app/test_service.py'],
    ['app/service_test.py'],
    ['tests/helpers/data.py'],
    ['scripts/backfill.py'],
  ])('whole file when it is not an application module: %s', (path) => {
    const source = 'import os\n\n\ndef f():\n    print(os.getcwd())\n';
    const result = run(source, path);
    expect(result.kind).toBe('unchanged');
    expect(result.notes).toEqual([]);
    expect(result.scope).toEqual([{ codemod: codemod.meta.id, kind: 'role', reason: path.includes('test') || path === 'conftest.py' ? 'tests' : 'scripts' }]);
  });

  it.each([
    ['logger is something else', 'logger = Audit()\n\ndef f():\n    print("x")\n', 1, 'name logger is already used'],
    ['a local logger variable', 'def f(logger):\n    print("x")\n', 1, 'name logger is already used'],
    ['the reused logger is rebound', 'import logging\nlog = logging.getLogger(__name__)\ndef f():\n    log = []\n    print("x")\n', 4, 'rebound or shadowed'],
    ['logging is not the module', 'from structlog import logging\n\ndef f():\n    print("x")\n', 1, 'logging is bound to something other'],
  ])('whole file when the logger name is taken: %s', (_name, source, line, reason) => {
    const result = run(source);
    expect(result.kind).toBe('unchanged');
    expect(result.notes).toEqual([expect.objectContaining({ line, message: expect.stringContaining(reason) })]);
  });

  it.each([
    ['two arguments, a comment after the first', 'print("a",  # why\n          a)', 'logger.info("a %s",  # why\n          a)'],
    ['a literal merged away on its own line', 'print(\n        "Synced", n,  # count\n        "paths",\n    )', 'logger.info(\n        "Synced %s paths", n,  # count\n    )'],
    ['a literal after a comment, no trailing comma', 'print("Synced",  # count\n          "paths")', 'logger.info("Synced paths",  # count\n          )'],
    ['a value first', 'print(\n        n,  # count\n        "paths",\n    )', 'logger.info(\n        "%s paths",\n        n,  # count\n    )'],
    ['sep= removed', 'print(n, n,  # twice\n          sep="-")', 'logger.info("%s-%s", n, n,  # twice\n          )'],
    ['sep= on its own line', 'print(\n        n,\n        n,  # twice\n        sep="-",\n    )', 'logger.info(\n        "%s-%s",\n        n,\n        n,  # twice\n    )'],
    ['a comment before the only argument', 'print(  # note\n        n\n    )', 'logger.debug(  # note\n        "%s",\n        n\n    )'],
  ])('edits a print with a comment among its arguments in place, keeping the comment: %s', (_name, statement, expected) => {
    const source = `import logging\nlogger = logging.getLogger(__name__)\ndef f(a, n):\n    ${statement}\n`;
    const result = run(source);
    expect(result.notes).toEqual([]);
    expect(result.output).toBe(source.replace(statement, expected));
  });

  it('keeps both comments around a literal merged into the message', () => {
    const source = 'import logging\nlogger = logging.getLogger(__name__)\ndef f(n):\n    print("a",  # one\n          "b"  # two\n          )\n';
    const result = run(source);
    expect(result.output).toBe(source.replace('print("a",  # one\n          "b"  # two', 'logger.info("a b",  # one\n            # two'));
  });

  it.each([
    ['a module-level print', 'import warnings\nprint("shop.old is deprecated; import shop.new")\n', 2, 'print() runs at import time, before the application configures logging'],
    ['a print in a class body', 'class Config:\n    print("loading config")\n', 2, 'runs at import time'],
    ['a print in a module-level try', 'try:\n    import ujson\nexcept ImportError:\n    print("ujson missing, using json")\n', 4, 'runs at import time'],
    ['a print after an existing logger', 'import logging\nlogger = logging.getLogger(__name__)\nprint("ready")\n', 3, 'runs at import time'],
    ['a function module code calls', 'import logging\ndef setup():\n    print("x")\nsetup()\nlog = logging.getLogger(__name__)\n', 3, 'print() in setup, which module code runs at import time'],
    ['a function called after the logger', 'import logging\nlog = logging.getLogger(__name__)\ndef setup():\n    print("x")\nsetup()\n', 4, 'print() in setup, which module code runs at import time'],
    ['a method of a class used as a decorator', 'import logging\nclass R:\n    def add(self, f):\n        print("x")\n@R().add\ndef h():\n    pass\nlogger = logging.getLogger(__name__)\n', 4, 'print() in add'],
    ['a constructor of a class instantiated at import', 'class R:\n    def __init__(self):\n        print("x")\nREGISTRY = R()\n', 3, 'print() in __init__'],
    ['a function reached through another one', 'import logging\ndef a():\n    print("x")\ndef b():\n    a()\nX = b()\nlogger = logging.getLogger(__name__)\n', 3, 'print() in a,'],
    ['a function used as a default value', 'import logging\ndef a():\n    print("x")\ndef b(cb=a):\n    cb()\nlogger = logging.getLogger(__name__)\n', 3, 'print() in a,'],
  ])('leaves a print alone when it runs at import time, before logging is configured: %s', (_name, source, line, reason) => {
    const result = run(source);
    expect(result.kind).toBe('unchanged');
    expect(result.notes).toEqual([expect.objectContaining({ line, message: expect.stringContaining(reason) })]);
  });

  it.each([
    ['a function the main guard calls', 'def report():\n    print("done")\n\n\nif __name__ == "__main__":\n    report()\n', 2],
    ['a nested function of one the main guard calls', 'def main():\n    def usage():\n        print("usage: tool FILE")\n\n    usage()\n\n\nif __name__ == "__main__":\n    main()\n', 3],
  ])('leaves a print alone in what the main guard runs, as the script\'s output: %s', (_name, source, line) => {
    const result = run(source);
    expect(result.kind).toBe('unchanged');
    expect(result.notes).toEqual([expect.objectContaining({ line, message: expect.stringContaining('which this file\'s if __name__ == "__main__": block runs, is the script\'s own output') })]);
  });

  it('says import time for a function both the import and the main guard run', () => {
    const result = run('def banner():\n    print("v1")\n\n\nbanner()\nif __name__ == "__main__":\n    banner()\n');
    expect(result.notes).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining('which module code runs at import time') })]);
  });

  it('still converts prints in functions that are only defined, decorated, or returned by a decorator', () => {
    const source = [
      'import logging',
      'def helper(x=1) -> None:',
      '    print("x")',
      '@decorate',
      'def h():',
      '    print("y")',
      'def timed(fn):',
      '    def wrapper(*a):',
      '        print("calling")',
      '        return fn(*a)',
      '    return wrapper',
      '@timed',
      'def job(record):',
      '    print(record)',
      'logger = logging.getLogger(__name__)',
      '',
    ].join('\n');
    const result = run(source);
    expect(result.notes).toEqual([]);
    expect(result.output).toBe(
      source.replace('print("x")', 'logger.info("x")').replace('print("y")', 'logger.info("y")').replace('print("calling")', 'logger.info("calling")').replace('print(record)', 'logger.debug("%s", record)'),
    );
  });

  it.each([
    ['a logging.Handler subclass', 'import logging\nclass H(logging.Handler):\n    def emit(self, record):\n        print(record)\n', 4, 'print() in H, which logging calls'],
    ['a Formatter imported from logging', 'from logging import Formatter\nclass F(Formatter):\n    def format(self, record):\n        print(record)\n        return ""\n', 4, 'print() in F, which logging calls'],
    ['a subclass of an in-file handler', 'import logging.handlers\nclass A(logging.handlers.MemoryHandler):\n    pass\nclass B(A):\n    def flush(self):\n        print("x")\n', 6, 'print() in B, which logging calls'],
    ['a function handed to addFilter', 'import logging\ndef keep(record):\n    print(record)\n    return True\nlogging.getLogger().addFilter(keep)\n', 3, 'print() in keep, which logging calls'],
  ])('leaves prints inside logging machinery alone (logging there would recurse): %s', (_name, source, line, reason) => {
    const result = run(source);
    expect(result.kind).toBe('unchanged');
    expect(result.notes).toEqual([expect.objectContaining({ line, message: expect.stringContaining(reason) })]);
  });

  it('converts prints in handler-like classes that are not logging classes', () => {
    const source = 'from tornado.web import RequestHandler\n\n\nclass Page(RequestHandler):\n    def get(self):\n        print("page")\n';
    expect(run(source).output).toContain('        logger.info("page")');
  });

  it.each([['from rich import *'], ['from .helpers import *']])('whole file when a star import may bind print: %s', (line) => {
    const source = `${line}\n\n\ndef f():\n    print("x")\n`;
    const result = run(source);
    expect(result.kind).toBe('unchanged');
    expect(result.notes).toEqual([expect.objectContaining({ line: 1, message: expect.stringContaining('may bind print') })]);
  });

  it('does not add a logger when every print is left alone', () => {
    const source = 'import sys\n\ndef f():\n    print("x", file=sys.stderr)\n';
    expect(run(source)).toMatchObject({ kind: 'unchanged', output: source });
  });

  it('ignores files that only mention print in strings and comments', () => {
    const source = '# print("x")\nDOC = "call print() here"\n';
    expect(run(source)).toEqual({ kind: 'unchanged', output: source, notes: [], scope: [] });
  });
});

describe('python/print-to-logging: the logger line', () => {
  it('adds import logging in sorted position and the logger once, after the imports', () => {
    const { output } = run('import os\nfrom x import y\n\nX = 1\n\ndef f():\n    print("a")\n    print("b")\n');
    expect(output).toBe(
      'import logging\nimport os\nfrom x import y\n\nlogger = logging.getLogger(__name__)\n\nX = 1\n\ndef f():\n    logger.info("a")\n    logger.info("b")\n',
    );
  });

  it('puts the logger at the top of a module with no imports and no docstring', () => {
    expect(run('def f():\n    print("a")\n').output).toBe('import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef f():\n    logger.info("a")\n');
  });

  it('keeps the shebang and encoding lines first', () => {
    expect(run('#!/usr/bin/env python\n# coding: utf-8\ndef f():\n    print("a")').output).toBe(
      '#!/usr/bin/env python\n# coding: utf-8\nimport logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef f():\n    logger.info("a")',
    );
  });

  it('puts the logger after imports that follow a try: import block (never between imports)', () => {
    const source = 'import os\ntry:\n    import ujson as json\nexcept ImportError:\n    import json\nimport sys\n\n\ndef f():\n    print(os, json, sys)\n';
    expect(run(source).output).toBe(
      'import logging\nimport os\ntry:\n    import ujson as json\nexcept ImportError:\n    import json\nimport sys\n\nlogger = logging.getLogger(__name__)\n\n\ndef f():\n    logger.info("%s %s %s", os, json, sys)\n',
    );
  });

  it('says the level and why in each change, and holds the changes unless review is allowed', () => {
    const source = 'def f(a):\n    print("upload failed")\n    print(a)\n    try:\n        g()\n    except E:\n        print("retrying")\n    print("done")\n';
    const { outcome } = transformBytes(engine, [codemod], 'app/service.py', Buffer.from(source), { maxSafety: 'safe' });
    expect(outcome.kind).toBe('unchanged');
    if (outcome.kind !== 'unchanged') return;
    expect(outcome.held.map((h) => [h.line, h.description, h.safety])).toEqual([
      [2, 'print() -> logger.error() (the message says "failed")', 'review'],
      [3, 'print() -> logger.debug() (a variable dump)', 'review'],
      [7, 'print() -> logger.error() (in an except block)', 'review'],
      [8, 'print() -> logger.info()', 'review'],
    ]);
  });

  it('prefers a logger named after __name__ when there are several', () => {
    const source = 'import logging\naudit = logging.getLogger("audit")\nlog = logging.getLogger(__name__)\n\ndef f():\n    print("a")\n';
    expect(run(source).output).toContain('    log.info("a")');
  });
});

describe('python/print-to-logging: behaviour', () => {
  const RUNNER = [
    'import logging, runpy, sys',
    'if sys.argv[2] != "none":',
    '    logging.basicConfig(level=logging.DEBUG, format=sys.argv[2], stream=sys.stdout)',
    'ns = runpy.run_path(sys.argv[1], run_name="not_main")',
    // What the application does once it has started (and configured logging): not at import time.
    'if "run" in ns:',
    '    ns["run"]()',
  ].join('\n');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipshape-print-to-logging-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const REVIEW = { maxSafety: 'review' } as const;
  const ENV = { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONUTF8: '1', PYTHONDONTWRITEBYTECODE: '1' };

  function save(name: string, text: string): string {
    const file = join(dir, name);
    writeFileSync(file, text, 'utf8');
    return file;
  }

  /** stdout of the module run by a python3 whose logging writes bare messages to stdout. */
  function execute(name: string, text: string, format = '%(message)s'): string {
    return execFileSync('python3', ['-c', RUNNER, save(name, text), format], { encoding: 'utf8', env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  const MESSAGES = [
    'class Thing:',
    '    def __str__(self):',
    '        return "Thing<é>"',
    '    def __repr__(self):',
    '        return "repr-not-used"',
    '',
    '',
    'def run():',
    '    name = "Zoë 😀"',
    '    count = 3',
    '    ratio = 0.5',
    '    data = {"k": [1, 2]}',
    '    print("Loading", name)',
    '    print(count)',
    '    print(data)',
    '    print({})',
    '    print((1, 2))',
    '    print(Thing())',
    '    print([Thing()])',
    '    print()',
    '    print(f"{name}: {count} rows")',
    '    print("%s has %d rows" % (name, count))',
    '    print("{} has {} rows".format(name, count))',
    '    print("done", count, sep=": ")',
    '    print("a", "b", "c", sep="")',
    '    print("Progress 100%")',
    '    print("Progress", ratio, "%")',
    '    print("50% of", count, "is %d")',
    '    print("only", "literals", "50%")',
    '    print(b"raw bytes")',
    '    print(None, True, 1.5)',
    '    print("tab\\there", \'quote"s\', "back\\\\slash", sep="\\t")',
    '    print("multi", "sep", sep=" -> ")',
    '    print(\'it\' \'s\', count)',
    '    print(r"raw \\n text", count)',
    '    print("\\x41\\u00e9\\N{SNOWMAN}", count)',
    '    print("two\\nlines", count)',
    '    print(',
    '        "in place", count,  # a comment among the arguments',
    '        "kept",',
    '        sep="-",',
    '    )',
    '    print("upload failed for", name)',
    '    print("count =", count)',
    '    print(f"{count=}")',
    '    print("old_api is deprecated")',
    '    print("Warning: careful", count)',
    '    print("a\\',
    'b", count, sep="%%")',
    '    try:',
    '        raise ValueError("bad % value")',
    '    except ValueError as e:',
    '        print("Error:", e)',
    '',
  ].join('\n');

  const LOGGER_REUSE = [
    '"""A module that already has a logger under another name."""',
    'import logging',
    'import sys',
    '',
    'log = logging.getLogger("app")',
    'print("module level, after the logger")',
    '',
    '',
    'class Registry:',
    '    print("class body runs at import")',
    '',
    '    def add(self, item):',
    '        print("added", item, sep="=")',
    '        print("to stderr", file=sys.stderr)',
    '',
    '',
    'def run():',
    '    Registry().add("é")',
    '',
    'if __name__ == "__main__":',
    '    print("never printed when imported")',
    '',
  ].join('\r\n');

  const LATE_LOGGER = [
    'import logging',
    '',
    '',
    'class Registry:',
    '    names = []',
    '',
    '    @classmethod',
    '    def register(cls, fn):',
    '        print("registered", fn.__name__)',
    '        cls.names.append(fn.__name__)',
    '        return fn',
    '',
    '',
    'def setup():',
    '    print("setting up")',
    '',
    '',
    '@Registry.register',
    'def on_start():',
    '    print("started")',
    '',
    '',
    'def later():',
    '    print("later")',
    '',
    '',
    'setup()',
    'log = logging.getLogger(__name__)',
    'print("after the logger")',
    '',
    '',
    'def run():',
    '    on_start()',
    '    later()',
    '',
  ].join('\n');

  const HANDLER = [
    'import logging',
    '',
    'logger = logging.getLogger(__name__)',
    '',
    '',
    'class PrintHandler(logging.Handler):',
    '    def emit(self, record):',
    '        print("AUDIT:", record.getMessage())',
    '',
    '',
    'audit = logging.getLogger("audit")',
    'audit.propagate = False',
    'audit.addHandler(PrintHandler())',
    '',
    '',
    'def record(event):',
    '    print("recording", event)',
    '    audit.warning(event)',
    '',
    '',
    'def run():',
    '    record("login")',
    '',
  ].join('\n');

  const NO_IMPORTS = '\uFEFF"""Docstring first."""\ndef greet(who):\n    print("Hello,", who, "😀")\n\n\ndef run():\n    greet("Zoë")\n';

  it.each([
    ['messages.py', MESSAGES, 33],
    ['reuse.py', LOGGER_REUSE, 1],
    ['bom.py', NO_IMPORTS, 1],
    ['late_logger.py', LATE_LOGGER, 2],
    ['handler.py', HANDLER, 1],
  ])('%s logs exactly what it printed', (name, source, conversions) => {
    const { outcome, output, input } = transformBytes(engine, [codemod], `app/${name}`, Buffer.from(source, 'utf8'), REVIEW);
    expect(outcome.kind).toBe('changed');
    expect(output.match(/\b(?:logger|log)\.(?:debug|info|warning|error)\(/g)).toHaveLength(conversions);
    const before = execute(`before_${name}`, input);
    const after = execute(`after_${name}`, output);
    expect(before.length).toBeGreaterThan(0);
    expect(after.split('\n')).toEqual(before.split('\n'));
  });

  it('logs each message at the level it says, with the text print wrote', () => {
    const { output } = transformBytes(engine, [codemod], 'app/messages.py', Buffer.from(MESSAGES, 'utf8'), REVIEW);
    const before = execute('levels_before.py', MESSAGES).split('\n');
    const after = execute('levels.py', output, '%(levelname)s|%(message)s').split('\n');
    expect(after.map((l) => l.replace(/^(DEBUG|INFO|WARNING|ERROR)\|/, ''))).toEqual(before);
    const levels = after.map((l) => /^(DEBUG|INFO|WARNING|ERROR)\|/.exec(l)?.[1]).filter(Boolean);
    const leveled = (level: string) => after.filter((l) => l.startsWith(`${level}|`));
    expect(levels).toHaveLength(33);
    expect(leveled('DEBUG')).toEqual(['DEBUG|3', "DEBUG|{'k': [1, 2]}", 'DEBUG|count = 3', 'DEBUG|count=3']);
    expect(leveled('WARNING')).toEqual(['WARNING|old_api is deprecated', 'WARNING|Warning: careful 3']);
    expect(leveled('ERROR')).toEqual(['ERROR|upload failed for Zoë 😀', 'ERROR|Error: bad % value']);
    expect(levels.filter((l) => l === 'INFO')).toHaveLength(25);
    expect(after).toContain('INFO|in place-3-kept');
    expect(output).toContain('# a comment among the arguments');
  });

  it('drops info records when logging is not configured (the documented behaviour change)', () => {
    const { output } = transformBytes(engine, [codemod], 'app/messages.py', Buffer.from(MESSAGES, 'utf8'), REVIEW);
    const result = spawnSync('python3', ['-c', RUNNER, save('unconfigured.py', output), 'none'], { encoding: 'utf8', env: ENV });
    expect(result.status).toBe(0);
    const { stdout, stderr } = result;
    expect(stdout).toBe('');
    expect(stderr.split('\n').filter(Boolean)).toEqual(['upload failed for Zoë 😀', 'old_api is deprecated', 'Warning: careful 3', 'Error: bad % value']);
  });
});

describe('python/print-to-logging: command-line output through helpers', () => {
  it.each([
    [
      'a helper a click command calls',
      'import click\n\n\ndef fail(msg):\n    print("Error:", msg)\n\n\n@click.command()\ndef go():\n    fail("bad")\n',
      5,
      'print() is command output: fail() is called by go() in app/service.py:9 (go() is a CLI command (@click.command))',
    ],
    [
      'a helper of a helper',
      'import argparse\n\n\ndef show(x):\n    print(x)\n\n\ndef report(x):\n    show(x)\n\n\ndef main():\n    report(argparse.ArgumentParser().parse_args())\n',
      5,
      'show() is called by report(), reached from main() in app/service.py:12',
    ],
  ])('leaves prints alone in %s', (_name, source, line, reason) => {
    const result = run(source);
    expect(result.kind).toBe('unchanged');
    expect(result.notes).toEqual([expect.objectContaining({ line, message: expect.stringContaining(reason) })]);
  });

  it('converts a helper no command calls, in the same module as a command', () => {
    const source = 'import click\n\n\ndef fail(msg):\n    print("Error:", msg)\n\n\ndef sync():\n    print("synced")\n\n\n@click.command()\ndef go():\n    fail("bad")\n';
    const result = run(source);
    expect(result.output).toContain('    logger.info("synced")');
    expect(result.output).toContain('    print("Error:", msg)');
  });

  describe('across the project', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'shipshape-print-cli-'));
      const tree: Record<string, string> = {
        'pyproject.toml': '[project]\nname = "tool"\nversion = "1"\n\n[project.scripts]\ntool = "tool.entry:run"\n',
        'tool/__init__.py': '',
        // A console script whose target does not look like a command: its helpers print for the terminal.
        'tool/entry.py': 'from tool.util import say\n\n\ndef run():\n    say("hello")\n',
        'tool/util.py': 'def say(text):\n    print(text)\n\n\ndef log_only(text):\n    print(text)\n',
        // python -m tool runs __main__.py: what it calls is command output too.
        'tool/__main__.py': 'from tool import helpers\n\nhelpers.banner()\n',
        'tool/helpers.py': 'from .deep import emit\n\n\ndef banner():\n    emit("Tool 1.0")\n',
        'tool/deep.py': 'def emit(text):\n    print(text)\n',
        // An entry point whose helper is imported inside `try:` at module level: still the module's name.
        'tool/guarded.py': 'import argparse\n\ntry:\n    from tool.extra import shout\nexcept ImportError:\n    raise\n\n\ndef main():\n    shout(argparse.ArgumentParser().prog)\n',
        'tool/extra.py': 'def shout(text):\n    print(text)\n',
        // Application code calling the same kind of helper: converted.
        'tool/service.py': 'from tool.util import log_only\n\n\ndef handle():\n    log_only("handled")\n',
      };
      for (const [path, text] of Object.entries(tree)) {
        execFileSync('mkdir', ['-p', join(dir, path, '..')]);
        writeFileSync(join(dir, path), text);
      }
      execFileSync('git', ['init', '-q'], { cwd: dir });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('leaves prints alone in helpers that console scripts and __main__.py reach, in other modules', async () => {
      const cli = await runCli(['run', '--json', '--allow', 'review', '--codemod', 'python/print-to-logging'], { cwd: dir });
      expect(cli.code, cli.stderr).toBe(0);
      const report = JSON.parse(cli.stdout) as RunReport;
      const notes = report.codemods[0]!.notes.map((n) => `${n.path}:${n.line} ${n.message}`);
      expect(notes).toEqual([
        'tool/deep.py:2 print() is command output: emit() is called by banner(), reached from the module code of tool/__main__.py (tool/__main__.py is what python -m runs)',
        'tool/extra.py:2 print() is command output: shout() is called by main() in tool/guarded.py:9 (main() of a module that uses argparse/click/typer is a CLI entry point)',
        'tool/util.py:2 print() is command output: say() is called by run() in tool/entry.py:4 (run() is the console script "tool" (pyproject.toml))',
      ]);
      expect(report.files.filter((f) => f.status === 'changed').map((f) => f.path)).toEqual(['tool/util.py']);
      const changed = report.files.find((f) => f.path === 'tool/util.py');
      expect(changed?.status === 'changed' && changed.changes.map((c) => c.line)).toEqual([6]);
    });
  });
});

describe('python/print-to-logging: the pull request says where the project configures logging', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  async function prerequisites(tree: Record<string, string>): Promise<string[]> {
    const dir = mkdtempSync(join(tmpdir(), 'shipshape-print-setup-'));
    dirs.push(dir);
    for (const [path, text] of Object.entries(tree)) {
      execFileSync('mkdir', ['-p', join(dir, path, '..')]);
      writeFileSync(join(dir, path), text);
    }
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const cli = await runCli(['run', '--json', '--allow', 'review', '--codemod', 'python/print-to-logging'], { cwd: dir });
    expect(cli.code, cli.stderr).toBe(0);
    const report = JSON.parse(cli.stdout) as RunReport;
    expect(report.summary.changed).toBe(1);
    return report.prerequisites;
  }

  const SERVICE = { 'app/__init__.py': '', 'app/service.py': 'def handle():\n    print("handled")\n' };

  it('names the setup that runs on import in application code, before one in a function or a script', async () => {
    const found = await prerequisites({
      ...SERVICE,
      'app/cli_tools.py': 'import logging\n\n\ndef setup():\n    logging.basicConfig(level=logging.DEBUG)\n',
      'app/main.py': 'import logging\nimport logging.config\n\n# logging.basicConfig() in a comment does not count\nlogging.config.dictConfig({"version": 1})\n',
      'tests/conftest.py': 'import logging\n\nlogging.basicConfig()\n',
    });
    expect(found).toEqual([expect.stringMatching(/^Logging is configured at app\/main\.py:5 \(logging\.config\.dictConfig\(…\)\)/)]);
  });

  it("finds Django's LOGGING setting", async () => {
    const found = await prerequisites({ ...SERVICE, 'app/settings.py': 'DEBUG = False\nLOGGING = {"version": 1}\n' });
    expect(found).toEqual([expect.stringMatching(/^Logging is configured at app\/settings\.py:2 \(LOGGING = …\)/)]);
  });

  it('says so when nothing but tests and comments configure logging', async () => {
    const found = await prerequisites({
      ...SERVICE,
      'app/notes.py': '# call logging.basicConfig(level=logging.INFO) at startup\nX = 1\n',
      'tests/conftest.py': 'import logging\n\nlogging.basicConfig()\n',
    });
    expect(found).toEqual([expect.stringMatching(/^No logging configuration was found in this project/)]);
  });
});
