import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Worker threads load the compiled engine (they cannot load TypeScript), so
 * these tests run the build (`npm run build`, which `npm install` makes) in
 * a child process: the same run on one thread and on worker threads.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const FIXTURES = join(ROOT, 'fixtures', 'repos');

const RUNNER = `
const [dist, root, options] = process.argv.slice(2);
const { runCodemods } = await import(new URL('src/engine/run.js', dist));
const { codemods } = await import(new URL('codemods/index.js', dist));
let progress = 0;
const report = await runCodemods({ paths: [root], codemods, ...JSON.parse(options), onProgress: (done) => (progress = Math.max(progress, done)) });
delete report.elapsedMs;
delete report.startedAt;
delete report.root;
delete report.options.paths;
process.stdout.write(JSON.stringify({ report, progress }));
`;

let base: string;
let runner: string;

/** A tree large enough for worker threads: both demo apps several times, command-line modules, pydantic configs, a JS import cycle. */
function buildTree(dir: string): void {
  for (let i = 0; i < 2; i++) {
    cpSync(join(FIXTURES, 'pcm-ops'), join(dir, `pcm${i}`), { recursive: true });
    cpSync(join(FIXTURES, 'modular-app'), join(dir, `modular${i}`), { recursive: true });
  }
  const tools = join(dir, 'tools', 'shop');
  mkdirSync(tools, { recursive: true });
  writeFileSync(join(tools, '__init__.py'), '');
  writeFileSync(join(tools, 'cli.py'), 'import argparse\n\nfrom shop.report import summary\n\n\ndef main():\n    parser = argparse.ArgumentParser()\n    parser.parse_args()\n    summary()\n');
  writeFileSync(join(tools, 'report.py'), 'def summary():\n    print("Total: 3")\n\n\ndef other():\n    print("not reached from the command line")\n');
  writeFileSync(join(dir, 'tools', 'pyproject.toml'), '[project]\nname = "shop"\ndependencies = ["pydantic>=2"]\n[project.scripts]\nshop = "shop.cli:main"\n');
  for (let i = 0; i < 30; i++) {
    writeFileSync(join(tools, `m${i}.py`), `from pydantic import BaseModel\n\n\nclass M${i}(BaseModel):\n    name: str\n\n    class Config:\n        orm_mode = True\n\n\ndef show():\n    print("m${i}")\n`);
  }
  const web = join(dir, 'web');
  mkdirSync(web, { recursive: true });
  writeFileSync(join(web, 'a.js'), "import { b } from './b.js';\nexport function a(x) { return b(x); }\ndocument.body.innerHTML = a(location.hash);\n");
  writeFileSync(join(web, 'b.js'), "import { a } from './a.js';\nexport function b(x) { return x ? a(x.slice(1)) : ''; }\ndocument.title.innerHTML = b('x');\n");
  for (let i = 0; i < 20; i++) writeFileSync(join(web, `page${i}.js`), `const el = document.getElementById('p${i}');\nel.innerHTML = 'Page ${i}';\n`);
}

function treeCopy(name: string): string {
  const dir = join(base, name);
  buildTree(dir);
  return dir;
}

function run(root: string, options: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const out = spawnSync(process.execPath, [runner, pathToFileURL(`${DIST}/`).href, root, JSON.stringify(options)], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, SHIPSHAPE_PYTHON: '0', ...env },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(out.error).toBeUndefined();
  expect(out.stderr).toBe('');
  expect(out.status).toBe(0);
  return JSON.parse(out.stdout) as { report: { files: { path: string; status: string; reason?: string; message?: string }[]; summary: { filesConsidered: number } }; progress: number };
}

/** Every file under `dir` with its bytes. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[relative(dir, full)] = readFileSync(full, 'latin1');
  }
  return out;
}

const SINGLE = { jobs: 1 };
const POOLED = { jobs: 2, poolMinFiles: 1 };

beforeAll(() => {
  expect(existsSync(join(DIST, 'src', 'engine', 'worker.js'))).toBe(true);
  base = mkdtempSync(join(tmpdir(), 'shipshape-pool-'));
  runner = join(base, 'runner.mjs');
  writeFileSync(runner, RUNNER);
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('worker threads', () => {
  it('report the same files, diffs, notes and writes as one thread', () => {
    const one = treeCopy('one');
    const two = treeCopy('two');
    const dry = run(one, SINGLE);
    expect(dry.report.summary.filesConsidered).toBeGreaterThan(100);
    expect(dry.report.files.some((f) => f.status === 'changed')).toBe(true);
    expect(run(two, POOLED)).toEqual(dry);
    const written = run(one, { ...SINGLE, write: true });
    expect(run(two, { ...POOLED, write: true })).toEqual(written);
    expect(contents(two)).toEqual(contents(one));
  });

  it('report a file that throws in a worker as skipped, and the others as one thread does', () => {
    const dir = treeCopy('throw');
    const target = 'tools/shop/m7.py';
    const expected = run(dir, SINGLE).report;
    const { report } = run(dir, POOLED, { SHIPSHAPE_TEST_WORKER_FAULT: `throw:${target}` });
    expect(report.files.find((f) => f.path === target)).toEqual({ path: target, status: 'skipped', reason: 'codemod-error', message: `internal error: injected fault on ${target}` });
    expect(report.files.filter((f) => f.path !== target)).toEqual(expected.files.filter((f) => f.path !== target));
  });

  it('survive a worker that stops: its file is skipped, its other files are done by another worker, the process exits', () => {
    const dir = treeCopy('crash');
    const target = 'web/page3.js';
    const expected = run(dir, SINGLE);
    const { report, progress } = run(dir, POOLED, { SHIPSHAPE_TEST_WORKER_FAULT: `crash:${target}` });
    expect(report.files.find((f) => f.path === target)).toEqual({
      path: target,
      status: 'skipped',
      reason: 'codemod-error',
      message: 'the worker thread transforming it stopped: it exited with code 70',
    });
    expect(report.files.filter((f) => f.path !== target)).toEqual(expected.report.files.filter((f) => f.path !== target));
    expect(progress).toBe(expected.progress);
  });
});
