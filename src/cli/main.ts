#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { codemods as allCodemods, findCodemod } from '../../codemods/index.js';
import { UsageError } from '../engine/files.js';
import { repoDirectory } from './args.js';
import { createEngine } from '../engine/index.js';
import { quotePath, runCodemods, WRITE_FAILURES } from '../engine/run.js';
import { POOL_MIN_FILES, threadLimit } from '../engine/pool.js';
import { InputError } from '../findings/types.js';
import { ForgeError } from '../forge/types.js';
import { WorkspaceError } from '../workspace/types.js';
import type { Codemod, Safety } from '../engine/types.js';
import { TOOL_VERSION } from '../version.js';
import type { ApplyCliOptions } from './apply.js';
import { colorDiff, colorsFor, formatCodemodTable, formatPlan, formatSummary } from './output.js';

/**
 * Exit codes: 0 done; 1 `--check` found changes; 2 usage error or bad input;
 * 3 something could not be done: a file `run --write` could not write, or a
 * sprint item that failed (apply/demo); 70 internal error.
 */
export const EXIT = { ok: 0, changes: 1, usage: 2, failed: 3, internal: 70 } as const;

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const PROGRESS_THRESHOLD = 200;
/** A plan's progress line is rewritten every this many files checked. */
const PROGRESS_EVERY = 25;

const guarded = new WeakSet<NodeJS.WriteStream>();

/**
 * A reader that goes away (`shipshape run | head -1`) is not an error: the
 * run finishes, the rest of the output is dropped. Any other stream error
 * still surfaces.
 */
function ignoreClosedPipe(stream: NodeJS.WriteStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** Commander parser for a repeatable option: every occurrence, in order. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function selectCodemods(ids: readonly string[]): Codemod[] {
  if (ids.length === 0) return [...allCodemods];
  return [...new Set(ids)].map((id) => {
    const codemod = findCodemod(id);
    if (!codemod) throw new UsageError(`unknown codemod "${id}"; run \`shipshape codemods\` to list them`);
    return codemod;
  });
}

function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('shipshape')
    .description(
      'Deterministic codemods for analysis findings: each fix is a small, verified, reversible edit.\n' +
        'Files are changed only with --write; without it you get a unified diff.',
    )
    .version(TOOL_VERSION, '-V, --version')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ shipshape codemods                       list the codemods
  $ shipshape run src/                       show what would change, as a diff
  $ shipshape run . --codemod python/print-to-logging --allow review --write
  $ shipshape run . --check                  exit 1 when a codemod would change something (CI)
  $ shipshape run . --json > report.json     the versioned run report
  $ shipshape plan --plan SPRINTS.md         sprint items from a Markdown plan
  $ shipshape plan --findings eslint.sarif   sprint items from findings (SARIF, CodeRabbit, shipshape YAML)

Exit codes: 0 done, 1 --check found changes, 2 usage error or bad input, 3 a file could not be\nwritten (run --write: read-only, or changed on disk during the run) or a sprint item failed\n(apply, demo), 70 internal error.`,
    );

  program
    .command('codemods')
    .description('list the codemods: id, safety, what each fixes')
    .option('--json', 'print the list as JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) {
        const metas = allCodemods.map((c) => ({ ...c.meta, keywords: c.meta.keywords.map((k) => ({ ...k, pattern: k.pattern.source })) }));
        io.stdout.write(`${JSON.stringify({ schemaVersion: 2, codemods: metas }, null, 2)}\n`);
        return;
      }
      io.stdout.write(`${formatCodemodTable(allCodemods, colorsFor(io.stdout, io.env))}\n`);
    });

  program
    .command('run')
    .description('run codemods over files and directories (default: the current directory)')
    .argument('[paths...]', 'files or directories; inside a git repository only tracked and unignored files are read (put -- before a name starting with -)')
    .option('-c, --codemod <id>', 'run only this codemod (repeatable); default: all, less those .github/shipshape.yml turns off', collect, [] as string[])
    .option('-w, --write', 'write the changes (atomically); default is a dry run printing a diff')
    .option('--check', 'exit 1 if any file would change; writes nothing')
    .option('--json', 'print the versioned JSON run report on stdout instead of a diff')
    .option('--max-bytes <n>', 'skip files larger than this many bytes (at least 1)', positiveInt, 1024 * 1024)
    .option('-v, --verbose', 'list every place left alone (by default places with the same reason are one line with a count)')
    .option('-j, --jobs <n>', `threads at most; 1 keeps the run on one thread (default: SHIPSHAPE_WORKERS, else one per core; a run uses one thread per ${POOL_MIN_FILES} files)`, positiveInt)
    .addOption(new Option('--allow <safety>', 'also apply edits of this risk level (edits riskier than "safe" are held by default)').choices(['safe', 'review']).default('safe'))
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 --check found changes, 2 usage error, 3 --write could not write a file\n' +
        '(read-only, or changed on disk during the run: it is kept as it is and named; the others are written).',
    )
    .action(async (paths: string[], opts: { codemod: string[]; write?: boolean; check?: boolean; json?: boolean; verbose?: boolean; maxBytes: number; allow: Safety; jobs?: number }) => {
      if (opts.write && opts.check) throw new UsageError('--write and --check cannot be combined');
      const codemods = selectCodemods(opts.codemod);
      const mode = opts.check ? 'check' : opts.write ? 'write' : 'dry-run';
      const showProgress = Boolean(io.stderr.isTTY) && !opts.json;
      const report = await runCodemods({
        paths,
        codemods,
        cwd: io.cwd,
        write: mode === 'write',
        maxBytes: opts.maxBytes,
        policy: { maxSafety: opts.allow },
        // Without -c, the config file's choice of codemods stands (as in the App).
        configChooses: opts.codemod.length === 0,
        jobs: threadLimit(opts.jobs, io.env),
        onProgress: showProgress
          ? (done, total) => {
              if (total < PROGRESS_THRESHOLD) return;
              io.stderr.write(done === total ? '\r\x1b[K' : `\rshipshape: ${done}/${total} files`);
            }
          : undefined,
      });
      if (opts.json) {
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        const c = colorsFor(io.stdout, io.env);
        for (const file of report.files) {
          if (file.status !== 'changed') continue;
          if (mode === 'write') io.stdout.write(`${c.green('wrote')} ${quotePath(file.path)} (${file.codemods.join(', ')})\n`);
          else io.stdout.write(`${colorDiff(file.diff, c)}${file.diff.endsWith('\n') ? '' : '\n'}`);
        }
        io.stderr.write(`${formatSummary(report, colorsFor(io.stderr, io.env), mode, opts.verbose)}\n`);
      }
      if (mode === 'check' && report.summary.changed > 0) setExit(EXIT.changes);
      if (report.files.some((f) => f.status === 'skipped' && WRITE_FAILURES.has(f.reason))) setExit(EXIT.failed);
    });

  program
    .command('plan')
    .description('turn a sprint plan and/or findings into sprint items, each one future pull request')
    .option('--repo <dir>', 'the repository the plan and findings refer to', '.')
    .option('--plan <file>', 'a Markdown sprint plan (sprints with file:line items and Rollback lines)')
    .option('--findings <file>', 'SARIF 2.1.0, GitHub review comments (CodeRabbit) or shipshape findings; repeatable', collect, [] as string[])
    .option('--bot <login>', 'review bot whose comments count as findings', 'coderabbitai[bot]')
    .option('--src-root <dir>', 'where the repository was checked out when the findings were made (absolute paths under it are mapped onto --repo)')
    .option('--json', 'print the plan as JSON (schemas/plan.schema.json)')
    .option('-v, --verbose', 'list every finding not confirmed (by default findings with the same rule and reason are one line with a count)')
    .addHelpText('after', '\nWith neither --plan nor --findings, every codemod scans the repository and proposes one item.')
    .action(async (opts: { repo: string; plan?: string; findings: string[]; bot: string; srcRoot?: string; json?: boolean; verbose?: boolean }) => {
      // Read from where the user is; name files in messages the way the user wrote them.
      const resolveIn = (p: string) => relative(process.cwd(), resolve(io.cwd, p)) || '.';
      repoDirectory(opts.repo, io.cwd, { needGit: false, purpose: '' });
      // Loaded on use: the Markdown parser and the apply job are not needed by `run`.
      const { planRepository } = await import('../plan/index.js');
      const plan = await planRepository({
        repo: resolveIn(opts.repo),
        planFile: opts.plan ? resolveIn(opts.plan) : undefined,
        findingsFiles: opts.findings.map(resolveIn),
        botLogin: opts.bot,
        srcRoot: opts.srcRoot,
        codemods: allCodemods,
        engine: await createEngine(),
        onProgress: io.stderr.isTTY && !opts.json ? (n) => n % PROGRESS_EVERY === 0 && io.stderr.write(`\rshipshape: planning, ${n} files checked`) : undefined,
      });
      if (io.stderr.isTTY && !opts.json) io.stderr.write('\r\x1b[K');
      if (opts.json) io.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
      else io.stdout.write(`${formatPlan(plan, colorsFor(io.stdout, io.env), opts.verbose)}\n`);
    });

  program
    .command('apply')
    .description('plan, then open one small verified pull request per automatable sprint item')
    .option('--repo <dir|owner/name>', 'a local git repository (local forge) or owner/name (GitHub forge)', '.')
    .option('--plan <file>', 'a Markdown sprint plan')
    .option('--findings <file>', 'findings (SARIF, review comments, shipshape format); repeatable', collect, [] as string[])
    .option('--item <key>', 'only this sprint item (repeatable); also re-proposes an item whose PR was closed', collect, [] as string[])
    .addOption(new Option('--forge <name>', 'where pull requests go').choices(['local', 'github']).default('local'))
    .option('--dry-run', 'build and verify every branch, push nothing, open nothing')
    .option('--dashboard', 'also keep a dashboard issue (GitHub) or .shipshape/dashboard.md (local) mirroring the plan')
    .option('--bot <login>', 'review bot whose comments count as findings', 'coderabbitai[bot]')
    .option('--src-root <dir>', 'where the repository was checked out when the findings were made')
    .option('--max-open <n>', 'open shipshape pull requests at most', positiveInt, 5)
    .option('--max-files <n>', 'files per pull request; larger items are split into parts', positiveInt, 10)
    .option('--max-lines <n>', 'changed lines per pull request; larger items are split into parts', positiveInt, 500)
    .option('--json', 'print the run as JSON (schemas/apply.schema.json)')
    .option('--output <dir>', 'with --dry-run: write each pull request\'s body (.md) and patch (.patch) into this folder instead of printing the diffs')
    .option('-v, --verbose', 'list every finding not acted on (by default findings with the same rule and reason are one line with a count)')
    .addHelpText(
      'after',
      `
With --dry-run every branch is built and verified as for real; each pull
request's title, summary and diff are printed (or written with --output).

The local forge (default) needs no account: branches are pushed into the local
repository and each pull request is written to .shipshape/prs/<branch>.md plus
a .patch. Your checkout, index and current branch are not touched. The GitHub
forge reads GITHUB_TOKEN, and GITHUB_API_URL / GITHUB_SERVER_URL when set
(GitHub Enterprise Server, GitHub Actions).`,
    )
    .action(async (opts: ApplyCliOptions & { json?: boolean; output?: string; verbose?: boolean }) => {
      if (opts.output && !opts.dryRun) throw new UsageError('--output goes with --dry-run (a real run publishes the pull requests)');
      const progress = io.stderr.isTTY && !opts.json ? (m: string) => io.stderr.write(`${m}\n`) : undefined;
      const { formatApply, runApply, writeDrafts } = await import('./apply.js');
      const result = await runApply(opts, { cwd: io.cwd, env: io.env, codemods: allCodemods, engine: await createEngine(), onEvent: progress });
      const drafts = opts.output ? await writeDrafts(result, resolve(io.cwd, opts.output)) : undefined;
      if (opts.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else io.stdout.write(`${formatApply(result, colorsFor(io.stdout, io.env), { verbose: opts.verbose, drafts })}\n`);
      if (result.items.some((i) => i.action === 'failed')) setExit(EXIT.failed);
    });

  program
    .command('worker')
    .description('run GitHub App jobs from Redis (REDIS_URL), without the webhook server; see "Install the GitHub App" in the README')
    .action(async () => {
      const { AppConfigError, startWorker } = await import('../app/server.js');
      try {
        const worker = await startWorker(io.env);
        await new Promise<void>((resolve) => {
          const stop = () => void worker.close().then(resolve, resolve);
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
        });
      } catch (error) {
        if (error instanceof AppConfigError) throw new UsageError(error.message);
        throw error;
      }
    });

  program
    .command('demo')
    .description('apply the demo app\'s sprint plan with the local forge in a temporary repository (no account, no network)')
    .option('--json', 'print both runs as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { runDemo } = await import('./apply.js');
      const demo = await runDemo({ codemods: allCodemods, engine: await createEngine() });
      if (opts.json) {
        io.stdout.write(`${JSON.stringify({ repo: demo.repo, prs: demo.prsDir, first: demo.first, second: demo.second }, null, 2)}\n`);
        return;
      }
      const c = colorsFor(io.stdout, io.env);
      io.stdout.write(`${c.bold('shipshape demo')}: the PCM-Ops app, its SPRINT_PLAN.md, the local forge\n\n`);
      for (const o of demo.first.items) {
        io.stdout.write(`${c.green(o.action === 'created' ? 'PR' : o.action)} ${c.bold(o.title)}\n`);
        io.stdout.write(`   branch   ${o.branch}\n   files    ${o.files.join(', ')}\n   rollback ${o.rollback ?? '(none in the plan)'}\n`);
        if (o.pr) io.stdout.write(`   draft    ${demo.relativeTo(o.pr.url)}\n`);
        if (o.reason) io.stdout.write(`   note     ${o.reason}\n`);
      }
      const human = demo.first.needsHuman;
      io.stdout.write(`\n${human.length} sprint items need a human: ${human.map((h) => `${h.key} ${h.title}`).join('; ')}\n`);
      const again = demo.second.items;
      io.stdout.write(`Second run: ${again.filter((o) => o.action === 'unchanged').length} of ${again.length} pull requests unchanged, none opened twice.\n`);
      io.stdout.write(`\nThe drafts lie in ${demo.prsDir}\n(the repository is ${demo.repo}; delete it when done).\n`);
      if (demo.first.items.some((i) => i.action === 'failed')) setExit(EXIT.failed);
    });

  return program;
}

/**
 * The apply job is loaded only by the commands that run it (it is a large
 * part of the start-up of `run`): an ApplyError can only come from them.
 */
async function isApplyError(error: unknown): Promise<boolean> {
  if (!(error instanceof Error) || error.constructor.name !== 'ApplyError') return false;
  const { ApplyError } = await import('../apply/index.js');
  return error instanceof ApplyError;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  ignoreClosedPipe(io.stdout);
  ignoreClosedPipe(io.stderr);
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version requests end here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError || error instanceof InputError || (await isApplyError(error))) {
      io.stderr.write(`shipshape: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ForgeError || error instanceof WorkspaceError) {
      io.stderr.write(`shipshape: ${error.message}\n`);
      return EXIT.failed;
    }
    io.stderr.write(`shipshape: internal error: ${(error as Error).message}\n`);
    if (io.env.SHIPSHAPE_DEBUG) io.stderr.write(`${(error as Error).stack}\n`);
    return EXIT.internal;
  }
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // The CLI is its own process: a heap that grows by a quarter at a time instead of V8's default
  // (up to four times at a high allocation rate) keeps a large run's peak memory to about two
  // thirds, with no measurable cost in time. It applies to the worker threads of a run as well.
  try {
    setFlagsFromString('--heap-growing-percent=25');
  } catch {
    // An engine without the flag keeps its default.
  }
  const io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = EXIT.internal;
    },
  );
}
