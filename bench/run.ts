/**
 * `npm run bench`: shipshape's speed and memory, measured side by side in one
 * process against a floor it cannot beat: reading and parsing the same files.
 *
 * Two corpora are generated into a temp directory from the demo app:
 *  - "demo": eight copies of pcm-ops; about a third of the files need a fix,
 *    so this is the engine's worst realistic case: every changed file is
 *    parsed again after each codemod that changed it, passed through the
 *    codemods a second time (idempotency gate) and compiled by python3;
 *  - "mostly-clean": four copies plus many files that mention nothing a
 *    codemod looks for, which the prefilter never parses.
 * For each, it times (a) reading + parsing every file once with the same
 * parsers and (b) a full `runCodemods` dry run, and reports (b)/(a). It also
 * runs the pass repeatedly and compares the heap after GC, which grows when
 * a tree-sitter tree is not deleted.
 *
 * Targets (exit 1 when missed) hold today's numbers with headroom, so a
 * regression shows: demo ratio <= 12, mostly-clean ratio <= 4, heap growth
 * over 5 repeated runs < 32 MiB.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { codemods } from '../codemods/index.js';
import { createEngine } from '../src/engine/index.js';
import { jsParserFor, parseJs } from '../src/engine/javascript.js';
import { parsePython } from '../src/engine/python.js';
import { runCodemods } from '../src/engine/run.js';
import type { EngineContext } from '../src/engine/transform.js';

const DEMO = join(import.meta.dirname, '..', '..', 'fixtures', 'repos', 'pcm-ops');
const TARGETS = { demoRatio: 12, mostlyCleanRatio: 4, heapGrowthMiB: 32 };

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => join(dir, p))
    .filter((p) => statSync(p).isFile() && (p.endsWith('.py') || p.endsWith('.js')));
}

/** Plain code that mentions no codemod's trigger word. */
function plainPython(i: number): string {
  const body = Array.from({ length: 40 }, (_, k) => `def helper_${i}_${k}(values):\n    total = 0\n    for v in values:\n        total += v * ${k}\n    return total\n`);
  return `"""Module ${i}."""\nimport math\n\n${body.join('\n')}`;
}

function plainJs(i: number): string {
  const body = Array.from({ length: 40 }, (_, k) => `export function helper${i}_${k}(values) {\n  let total = 0;\n  for (const v of values) total += v * ${k};\n  return total;\n}\n`);
  return body.join('\n');
}

function buildCorpus(root: string, copies: number, plainPerCopy: number): number {
  for (let c = 0; c < copies; c++) {
    const dest = join(root, `app${c}`);
    cpSync(DEMO, dest, { recursive: true });
    for (let i = 0; i < plainPerCopy; i++) {
      mkdirSync(join(dest, 'lib'), { recursive: true });
      writeFileSync(join(dest, 'lib', `plain_${i}.py`), plainPython(i));
      writeFileSync(join(dest, 'lib', `plain_${i}.js`), plainJs(i));
    }
  }
  return listFiles(root).length;
}

function rawParse(engine: EngineContext, files: string[]): void {
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.py')) parsePython(engine.python, text).delete();
    else parseJs(jsParserFor(file), text);
  }
}

async function time(fn: () => unknown | Promise<unknown>, repeats: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

async function measure(engine: EngineContext, name: string, root: string, repeats: number) {
  const files = listFiles(root);
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  // Warm both paths once so JIT and parser start-up are not measured.
  rawParse(engine, files);
  await runCodemods({ paths: [root], codemods, engine });
  const parseMs = await time(() => rawParse(engine, files), repeats);
  const runMs = await time(() => runCodemods({ paths: [root], codemods, engine }), repeats);
  const report = await runCodemods({ paths: [root], codemods, engine });
  return {
    corpus: name,
    files: files.length,
    megabytes: +(bytes / 1048576).toFixed(2),
    parsed: report.summary.filesParsed,
    changed: report.summary.changed,
    parseMs: +parseMs.toFixed(1),
    shipshapeMs: +runMs.toFixed(1),
    ratio: +(runMs / parseMs).toFixed(2),
    mbPerSecond: +(bytes / 1048576 / (runMs / 1000)).toFixed(2),
  };
}

async function main(): Promise<number> {
  const engine = await createEngine();
  const base = mkdtempSync(join(tmpdir(), 'shipshape-bench-'));
  try {
    const demo = join(base, 'demo');
    const mostlyClean = join(base, 'mostly-clean');
    buildCorpus(demo, 8, 0);
    buildCorpus(mostlyClean, 4, 25);
    const rows = [await measure(engine, 'demo', demo, 5), await measure(engine, 'mostly-clean', mostlyClean, 5)];

    const heapStart = heapAfterGc();
    for (let i = 0; i < 5; i++) await runCodemods({ paths: [demo], codemods, engine });
    const heapGrowthMiB = +((heapAfterGc() - heapStart) / 1048576).toFixed(2);
    const rssMiB = +(process.memoryUsage().rss / 1048576).toFixed(1);

    console.table(rows);
    console.log(`heap growth over 5 runs: ${heapGrowthMiB} MiB (gc ${typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'on' : 'off'}); rss ${rssMiB} MiB`);
    const failures: string[] = [];
    if (rows[0]!.ratio > TARGETS.demoRatio) failures.push(`demo ratio ${rows[0]!.ratio} > ${TARGETS.demoRatio}`);
    if (rows[1]!.ratio > TARGETS.mostlyCleanRatio) failures.push(`mostly-clean ratio ${rows[1]!.ratio} > ${TARGETS.mostlyCleanRatio}`);
    if (heapGrowthMiB > TARGETS.heapGrowthMiB) failures.push(`heap grew ${heapGrowthMiB} MiB > ${TARGETS.heapGrowthMiB}`);
    console.log(JSON.stringify({ rows, heapGrowthMiB, rssMiB, targets: TARGETS, failures, corpus: relative(process.cwd(), base) }));
    if (failures.length) {
      console.error(`bench targets missed: ${failures.join('; ')}`);
      return 1;
    }
    console.log('bench targets met');
    return 0;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

process.exitCode = await main();
