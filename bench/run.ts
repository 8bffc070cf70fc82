/**
 * `npm run bench [-- --json] [-- --quick] [-- --strict]`: shipshape's speed
 * against the floor it has to beat, whole process against whole process.
 *
 * Each pair runs the built CLI (`node dist/src/cli/main.js run <corpus>`, a
 * dry run) and a separate node process (dist/bench/baseline.js) that reads
 * and parses the same files once, single-threaded, with the same parsers.
 * Pairs alternate which side goes first and repeat (median of 3; 1 with
 * --quick). Corpora: the local python3's standard library (without test/),
 * a generated multi-service web app at 1, 2 and 4 × (1 × only with --quick),
 * and JavaScript libraries from node_modules. Then the fixed cost (`run` on
 * an empty directory vs `node -e 0`) and end-to-end runs (`demo`, `apply`
 * on the fixture repository, `apply --dry-run` on a generated 1,100-file
 * app) with the git and python3 processes each starts.
 *
 * Prints tables (or, with --json, the results) and writes bench/results.json.
 * Exits 0, or with --strict 1 when a goal is missed or a measurement failed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { copySources, largeAppCorpus, listSources, SOURCE_EXTENSIONS, WEB_APP_SERVICES, webAppCorpus, writeCorpus } from './corpus.js';
import { childCounter, CommandFailed, detectRssMethod, onPath, pair, runMeasured, stopRunning, summarise, type ChildCounter, type Command, type RssMethod, type Sample } from './measure.js';
import { evaluateGoals, formatResults, type CorpusInfo, type EndToEndRow, type PairRow, type Results } from './report.js';
import { packageRoot } from '../src/version.js';

/** JavaScript libraries (plain .js, a few MB together) copied from node_modules; a missing one is left out with a note. */
const JS_LIBRARIES = [
  { name: 'jsdom', dir: 'lib' },
  { name: 'eslint', dir: 'lib' },
  { name: '@babel/parser', dir: 'lib' },
];

const DEMO_GIT_ENV = { GIT_AUTHOR_NAME: 'PCM-Ops Dev', GIT_AUTHOR_EMAIL: 'dev@pcm-ops.example', GIT_COMMITTER_NAME: 'PCM-Ops Dev', GIT_COMMITTER_EMAIL: 'dev@pcm-ops.example' };

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

interface Context {
  root: string;
  cli: string;
  baseline: string;
  base: string;
  repeats: number;
  rss: RssMethod;
  pythonCodemods: string[];
  notes: string[];
  failures: string[];
  corpora: CorpusInfo[];
  pairs: PairRow[];
}

function node(label: string, args: string[], stdout: string, extra: Partial<Command> = {}): Command {
  return { label, file: process.execPath, args, stdout, ...extra };
}

/** Runs `section`; a failure becomes a note (and fails --strict) instead of ending the benchmark. */
async function attempt(ctx: Context, name: string, section: () => Promise<void>): Promise<void> {
  try {
    await section();
  } catch (error) {
    const message = error instanceof CommandFailed ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    ctx.failures.push(`${name}: ${message}`);
    ctx.notes.push(`${name} failed: ${message.split('\n')[0]}`);
    progress(`${name} FAILED\n${message}`);
  }
}

async function measurePair(ctx: Context, id: string, corpus: string, dir: string, scale: number | null, codemods: 'all' | 'python'): Promise<void> {
  const files = listSources(dir, codemods === 'python' ? ['.py'] : SOURCE_EXTENSIONS);
  const listFile = join(ctx.base, `${id}.files`);
  writeFileSync(listFile, `${files.join('\n')}\n`);
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const select = codemods === 'python' ? ctx.pythonCodemods.flatMap((c) => ['-c', c]) : [];
  const ship = node(`shipshape run ${id}`, [ctx.cli, 'run', dir, ...select, '--json'], join(ctx.base, `${id}.run.json`), { cwd: ctx.base });
  const raw = node(`raw parse ${id}`, [ctx.baseline, listFile], join(ctx.base, `${id}.raw.json`), { cwd: ctx.base });
  progress(`${id}: ${files.length} files, ${(bytes / 1048576).toFixed(1)} MB`);
  const [shipSamples, rawSamples] = await pair(ship, raw, ctx.repeats, ctx.rss, progress);
  const summary = (JSON.parse(readFileSync(ship.stdout, 'utf8')) as { summary?: { filesConsidered?: number; filesParsed?: number; changed?: number; skipped?: number } }).summary ?? {};
  if (summary.filesConsidered !== files.length) ctx.notes.push(`${id}: shipshape considered ${summary.filesConsidered ?? '?'} files, the raw parse read ${files.length}`);
  if (summary.skipped) ctx.notes.push(`${id}: shipshape skipped ${summary.skipped} files`);
  const shipshape = summarise(shipSamples);
  const baseline = summarise(rawSamples);
  ctx.pairs.push({
    id,
    corpus,
    scale,
    codemods,
    files: files.length,
    bytes,
    shipshape: { ...shipshape, filesConsidered: summary.filesConsidered ?? null, filesParsed: summary.filesParsed ?? null, changed: summary.changed ?? null },
    baseline,
    ratio: Math.round((baseline.medianMs / shipshape.medianMs) * 100) / 100,
  });
}

function firstLine(file: string, args: string[]): string | null {
  const out = spawnSync(file, args, { encoding: 'utf8', timeout: 30_000 });
  return out.status === 0 ? out.stdout.trim().split('\n')[0] || null : null;
}

/** A copy of the fixture repository as a fresh git repository, committed as `shipshape demo` does it. */
function fixtureRepo(fixture: string, into: string, git: string): string {
  const repo = join(into, 'pcm-ops');
  cpSync(fixture, repo, { recursive: true });
  gitIn(git, repo, DEMO_GIT_ENV, ['init', '-q'], ['add', '-A'], ['commit', '-q', '--no-verify', '--no-gpg-sign', '-m', 'PCM-Ops Tools as it runs today']);
  return repo;
}

function gitIn(git: string, repo: string, identity: Record<string, string>, ...commands: string[][]): void {
  for (const args of commands) {
    const out = spawnSync(git, ['-c', 'init.defaultBranch=main', '-c', 'core.hooksPath=/dev/null', ...args], { cwd: repo, env: { ...process.env, ...identity }, encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`git ${args.join(' ')} in ${repo} failed: ${out.stderr}`);
  }
}

/**
 * Times `repeats` runs of an end-to-end command (each after an untimed
 * `setup`), then one more run through the wrapper scripts to count the git
 * and python3 processes it starts.
 */
async function endToEnd(
  ctx: Context,
  counter: ChildCounter | null,
  row: { id: string; description: string },
  make: (i: number) => Command,
  pullRequests: (stdout: string) => number | null,
): Promise<EndToEndRow> {
  const samples: Sample[] = [];
  let last = '';
  for (let i = 0; i < ctx.repeats; i++) {
    const cmd = make(i);
    samples.push(await runMeasured(cmd, ctx.rss));
    last = cmd.stdout;
    progress(`${row.id}: ${(samples.at(-1)!.ms / 1000).toFixed(2)} s (${i + 1}/${ctx.repeats})`);
  }
  let children: Record<string, number> | null = null;
  if (counter) {
    const cmd = make(ctx.repeats);
    counter.reset();
    await runMeasured({ ...cmd, label: `${cmd.label} (counting)`, env: { ...(cmd.env ?? process.env), PATH: counter.path } }, 'none');
    children = counter.counts();
    progress(`${row.id}: ${Object.entries(children).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  }
  let prs: number | null = null;
  try {
    prs = pullRequests(readFileSync(last, 'utf8'));
  } catch {
    ctx.notes.push(`${row.id}: could not read the pull requests from its --json output`);
  }
  return { ...row, measured: summarise(samples), children, pullRequests: prs };
}

const USAGE = `usage: npm run bench [-- options]

Measures shipshape against a raw single-threaded parse of the same files,
whole process against whole process, and end to end (demo, apply); prints
tables and writes bench/results.json.

options:
  --quick    one run of each measurement, 1 x corpora only (about 1 minute)
  --json     print only the results (bench/results.schema.json) on stdout
  --strict   exit 1 when a goal is missed or a measurement failed
  -h, --help show this help
`;

/** The options, or the exit code when there is nothing to measure (help, a mistyped option). */
function options(argv: string[]): { json: boolean; quick: boolean; strict: boolean } | number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { json: { type: 'boolean', default: false }, quick: { type: 'boolean', default: false }, strict: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  return parsed.values;
}

async function main(): Promise<number> {
  const values = options(process.argv.slice(2));
  if (typeof values === 'number') return values;
  const started = performance.now();
  const root = packageRoot();
  const cli = join(root, 'dist', 'src', 'cli', 'main.js');
  const baseline = join(root, 'dist', 'bench', 'baseline.js');
  const missing = [cli, baseline].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    process.stderr.write(`bench: ${missing.join(', ')} missing: build first (npm run build)\n`);
    return 2;
  }

  const base = mkdtempSync(join(tmpdir(), 'shipshape-bench-'));
  const cleanup = () => rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  const onSignal = (signal: NodeJS.Signals) => {
    stopRunning();
    cleanup();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const codemodList = spawnSync(process.execPath, [cli, 'codemods', '--json'], { encoding: 'utf8' });
    if (codemodList.status !== 0) throw new Error(`shipshape codemods --json failed: ${codemodList.stderr}`);
    const metas = (JSON.parse(codemodList.stdout) as { codemods: { id: string; language: string }[] }).codemods;

    const git = onPath('git');
    const python3 = onPath('python3');
    const realPython = python3 ? firstLine(python3, ['-c', 'import sys; print(sys.executable)']) : null;
    const pythonVersion = python3 ? firstLine(python3, ['--version']) : null;
    const rss = detectRssMethod(base);
    const ctx: Context = {
      root,
      cli,
      baseline,
      base,
      repeats: values.quick ? 1 : 3,
      rss,
      pythonCodemods: metas.filter((m) => m.language === 'python').map((m) => m.id),
      notes: [],
      failures: [],
      corpora: [],
      pairs: [],
    };
    if (!python3 || !realPython) ctx.notes.push('python3 was not found (or did not start): the standard-library corpus was left out, and shipshape ran without its compile check');
    if (!git) ctx.notes.push('git was not found: the end-to-end runs were left out');
    if (rss === 'none') ctx.notes.push('neither GNU time nor /proc was available: peak RSS was not measured');

    // The fixed cost first: it also warms the page cache for node_modules and dist.
    let fixedCost: Results['fixedCost'] = null;
    writeFileSync(join(base, 'nothing.files'), '');
    await attempt(ctx, 'fixed cost', async () => {
      const empty = join(base, 'empty');
      mkdirSync(empty);
      const run = node('shipshape run (empty directory)', [cli, 'run', empty], join(base, 'empty.out'), { cwd: base });
      const bare = node('node -e 0', ['-e', '0'], join(base, 'node.out'), { cwd: base });
      await runMeasured(run, rss);
      await runMeasured(node('raw parse (warm-up)', [baseline, join(base, 'nothing.files')], join(base, 'warm.out')), rss).catch(() => undefined);
      const [a, b] = await pair(run, bare, values.quick ? 1 : 5, rss, progress);
      fixedCost = { shipshape: summarise(a), node: summarise(b) };
    });

    if (python3 && realPython) {
      await attempt(ctx, 'standard library', async () => {
        const stdlib = firstLine(python3, ['-c', "import sysconfig; print(sysconfig.get_paths()['stdlib'])"]);
        if (!stdlib || !existsSync(stdlib)) throw new Error(`python3 names no standard library folder (${stdlib})`);
        const dir = join(base, 'stdlib');
        const copy = copySources(stdlib, dir, ['.py'], ['test']);
        ctx.corpora.push({ id: 'stdlib', description: `Python ${pythonVersion?.replace(/^Python /, '') ?? ''} standard library`.trim(), files: copy.files, bytes: copy.bytes });
        ctx.notes.push(
          `stdlib: the .py files of ${stdlib} without test/ (CPython's own test suite, as large again as the library and full of deliberately broken files) and without site-packages/ and the folders shipshape never enters (venv/, __pycache__/); ${copy.left.tooLarge} over 1 MiB and ${copy.left.notText} not UTF-8 text left out. With no JavaScript in it, "all codemods" is the Python codemods.`,
        );
        await measurePair(ctx, 'stdlib', 'stdlib', dir, null, 'all');
        rmSync(dir, { recursive: true, force: true });
      });
    }

    for (const scale of values.quick ? [1] : [1, 2, 4]) {
      await attempt(ctx, `web app ${scale} ×`, async () => {
        const corpus = webAppCorpus(WEB_APP_SERVICES * scale);
        const dir = join(base, `web-${scale}x`);
        writeCorpus(dir, corpus);
        if (scale === 1) {
          const files = listSources(dir);
          ctx.corpora.push({ id: 'web', description: 'generated web app', files: files.length, bytes: files.reduce((n, f) => n + statSync(f).size, 0) });
        }
        await measurePair(ctx, `web-${scale}x`, 'web', dir, scale, 'all');
        if (scale === 1) await measurePair(ctx, 'web-1x-python', 'web', dir, scale, 'python');
        rmSync(dir, { recursive: true, force: true });
      });
    }

    await attempt(ctx, 'JavaScript libraries', async () => {
      const dir = join(base, 'js');
      const used: string[] = [];
      for (const lib of JS_LIBRARIES) {
        const from = join(root, 'node_modules', lib.name, lib.dir);
        if (!existsSync(from)) {
          ctx.notes.push(`js: node_modules/${lib.name}/${lib.dir} is not installed; left out`);
          continue;
        }
        copySources(from, join(dir, lib.name), ['.js']);
        const version = (JSON.parse(readFileSync(join(root, 'node_modules', lib.name, 'package.json'), 'utf8')) as { version: string }).version;
        used.push(`${lib.name}@${version}/${lib.dir}`);
      }
      if (!used.length) throw new Error('none of the JavaScript libraries is installed');
      const files = listSources(dir);
      ctx.corpora.push({ id: 'js', description: 'JavaScript libraries', files: files.length, bytes: files.reduce((n, f) => n + statSync(f).size, 0) });
      ctx.notes.push(`js: the .js files of ${used.join(', ')} (from node_modules, each under 1 MiB)`);
      await measurePair(ctx, 'js', 'js', dir, null, 'all');
      rmSync(dir, { recursive: true, force: true });
    });

    const endToEndRows: EndToEndRow[] = [];
    const fixture = join(root, 'fixtures', 'repos', 'pcm-ops');
    if (git) {
      const counter = childCounter(join(base, 'wrappers'), { git, python3: realPython });
      ctx.notes.push(
        `children: counted in one extra run of each end-to-end command, with wrapper scripts named git${realPython ? ' and python3' : ''} first on PATH${!realPython ? '' : counter.pythonThroughWrapper ? ' (python3 started by its absolute path after shipshape resolves it is counted too)' : ' (python3 started by an absolute path is not counted)'}; the timed runs have no wrappers`,
      );
      // Runs that create temporary folders (demo keeps its repository) create them under base.
      const tmp = join(base, 'tmp');
      mkdirSync(tmp);
      const env = { ...process.env, TMPDIR: tmp };
      const created = (stdout: string) => (JSON.parse(stdout) as { first?: { items: unknown[] }; items?: unknown[] }).first?.items.length ?? null;
      await attempt(ctx, 'demo', async () => {
        endToEndRows.push(await endToEnd(ctx, counter, { id: 'demo', description: '`shipshape demo`' }, (i) => node('shipshape demo', [cli, 'demo', '--json'], join(base, `demo-${i}.json`), { cwd: base, env }), created));
      });
      if (existsSync(join(fixture, 'SPRINT_PLAN.md'))) {
        await attempt(ctx, 'apply', async () => {
          const make = (i: number) => {
            const into = join(base, `apply-${i}`);
            mkdirSync(into);
            const repo = fixtureRepo(fixture, into, git);
            // The options `shipshape demo` uses.
            return node('shipshape apply', [cli, 'apply', '--repo', repo, '--plan', join(repo, 'SPRINT_PLAN.md'), '--max-open', '10', '--max-files', '10', '--max-lines', '1000', '--json'], join(into, 'apply.json'), { cwd: repo, env });
          };
          endToEndRows.push(await endToEnd(ctx, counter, { id: 'apply', description: '`apply` on fixtures/repos/pcm-ops' }, make, (out) => (JSON.parse(out) as { items: unknown[] }).items.length));
        });
      } else {
        ctx.notes.push(`apply: ${fixture}/SPRINT_PLAN.md is missing; left out`);
      }
      await attempt(ctx, 'apply --dry-run (1,100 files)', async () => {
        const repo = join(base, 'large', 'shop');
        const corpus = largeAppCorpus();
        writeCorpus(repo, corpus);
        gitIn(git, repo, { GIT_AUTHOR_NAME: 'Shop Dev', GIT_AUTHOR_EMAIL: 'dev@shop.example', GIT_COMMITTER_NAME: 'Shop Dev', GIT_COMMITTER_EMAIL: 'dev@shop.example' }, ['init', '-q'], ['add', '-A'], ['commit', '-q', '--no-verify', '--no-gpg-sign', '-m', 'shop']);
        const make = (i: number) => node('shipshape apply --dry-run', [cli, 'apply', '--repo', repo, '--dry-run', '--json'], join(base, `large-${i}.json`), { cwd: repo, env });
        endToEndRows.push(
          await endToEnd(ctx, counter, { id: 'apply-dry-run-large', description: `\`apply --dry-run\` on a generated ${corpus.size.toLocaleString('en-US')}-file app` }, make, (out) => (JSON.parse(out) as { items: unknown[] }).items.length),
        );
      });
    }

    const commit = git ? firstLine(git, ['-C', root, 'rev-parse', '--short=12', 'HEAD']) : null;
    const status = git && commit ? spawnSync(git, ['-C', root, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }) : null;
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const partial = { pairs: ctx.pairs, fixedCost, endToEnd: endToEndRows, corpora: ctx.corpora };
    const results: Results = {
      schemaVersion: 1,
      startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
      benchMs: Math.round(performance.now() - started),
      quick: values.quick,
      repeats: ctx.repeats,
      environment: {
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
        python: pythonVersion,
        git: git ? firstLine(git, ['--version']) : null,
        rssMethod: rss,
        childCounting: git ? 'wrapper scripts on PATH' : 'none',
      },
      shipshape: { version: pkg.version, commit, dirty: status ? status.stdout.trim() !== '' : null },
      ...partial,
      goals: evaluateGoals(partial),
      notes: ctx.notes,
    };
    writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(values.json ? `${JSON.stringify(results, null, 2)}\n` : `${formatResults(results)}\nwritten to bench/results.json\n`);
    const missed = results.goals.filter((g) => g.met === false);
    if (values.strict && (missed.length || ctx.failures.length)) {
      process.stderr.write(`bench --strict: ${missed.length} goal(s) missed${ctx.failures.length ? `, ${ctx.failures.length} measurement(s) failed` : ''}\n`);
      return 1;
    }
    return 0;
  } finally {
    cleanup();
  }
}

process.exitCode = await main();
