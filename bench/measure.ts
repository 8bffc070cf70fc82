/**
 * Running one process and measuring it from the outside: wall time, peak
 * RSS and CPU time, and (through wrapper scripts on PATH) the git and
 * python3 processes it starts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Command {
  label: string;
  file: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where stdout goes (a file path); stderr always goes to a file next to it, read on failure. */
  stdout: string;
  /** Exit codes that count as success (default: 0). */
  okCodes?: number[];
}

export interface Sample {
  ms: number;
  /** Peak resident set size in KiB, or null when it could not be measured. */
  rssKiB: number | null;
  /** User + system CPU seconds (the process and the children it waited for), when known. */
  cpuS: number | null;
  code: number;
}

/**
 * How peak RSS is read: GNU time's %M (the kernel's ru_maxrss of the process
 * and of the children it waited for), or polling /proc/<pid>/status VmHWM
 * every 20 ms (misses a peak in the last 20 ms), or not at all.
 */
export type RssMethod = 'gnu-time' | 'proc-vmhwm' | 'none';

export function detectRssMethod(scratch: string): RssMethod {
  const time = '/usr/bin/time';
  if (existsSync(time)) {
    const out = join(scratch, 'time-probe.txt');
    const probe = spawnSync(time, ['-f', '%M %U %S', '-o', out, process.execPath, '-e', '0'], { stdio: 'ignore' });
    if (probe.status === 0 && existsSync(out) && /^\d+ [\d.]+ [\d.]+\s*$/.test(readFileSync(out, 'utf8').trim().split('\n').pop() ?? '')) return 'gnu-time';
  }
  return existsSync(`/proc/${process.pid}/status`) ? 'proc-vmhwm' : 'none';
}

function readVmHwm(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export class CommandFailed extends Error {}

let counter = 0;

/** Process groups of the commands running now (each is started in its own group). */
const running = new Set<number>();

/** Ends every command still running, with its children (e.g. on Ctrl-C). */
export function stopRunning(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  running.clear();
}

/** Runs one command to completion and measures it. Throws when it exits with an unexpected code. */
export function runMeasured(cmd: Command, rss: RssMethod): Promise<Sample> {
  const stderrPath = `${cmd.stdout}.stderr`;
  const timeOut = `${cmd.stdout}.time-${counter++}`;
  const out = openSync(cmd.stdout, 'w');
  const err = openSync(stderrPath, 'w');
  const [file, args] = rss === 'gnu-time' ? ['/usr/bin/time', ['-f', '%M %U %S', '-o', timeOut, cmd.file, ...cmd.args]] : [cmd.file, cmd.args];
  return new Promise<Sample>((resolvePromise, reject) => {
    const start = performance.now();
    // Its own process group, so that stopRunning() also reaches what it started.
    const child = spawn(file, args, { cwd: cmd.cwd, env: cmd.env ?? process.env, stdio: ['ignore', out, err], detached: true });
    if (child.pid !== undefined) running.add(child.pid);
    let peak: number | null = null;
    const poll =
      rss === 'proc-vmhwm' && child.pid !== undefined
        ? setInterval(() => {
            const v = readVmHwm(child.pid!);
            if (v !== null) peak = Math.max(peak ?? 0, v);
          }, 20)
        : undefined;
    child.on('error', (error) => {
      if (child.pid !== undefined) running.delete(child.pid);
      if (poll) clearInterval(poll);
      closeSync(out);
      closeSync(err);
      reject(new CommandFailed(`${cmd.label}: cannot start ${file}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      const ms = performance.now() - start;
      if (child.pid !== undefined) running.delete(child.pid);
      if (poll) clearInterval(poll);
      closeSync(out);
      closeSync(err);
      let cpuS: number | null = null;
      if (rss === 'gnu-time' && existsSync(timeOut)) {
        const last = readFileSync(timeOut, 'utf8').trim().split('\n').pop() ?? '';
        const [m, u, s] = last.split(' ').map(Number);
        if (Number.isFinite(m)) peak = m!;
        if (Number.isFinite(u) && Number.isFinite(s)) cpuS = u! + s!;
      }
      const exit = code ?? 128;
      if (!(cmd.okCodes ?? [0]).includes(exit) || signal) {
        const tail = readFileSync(stderrPath, 'utf8').trim().split('\n').slice(-15).join('\n');
        reject(new CommandFailed(`${cmd.label}: ${[cmd.file, ...cmd.args].join(' ')} exited with ${signal ?? exit}\n${tail}`));
        return;
      }
      resolvePromise({ ms, rssKiB: peak, cpuS, code: exit });
    });
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Measured {
  samplesMs: number[];
  medianMs: number;
  /** Highest peak RSS over the samples, MiB. */
  peakRssMiB: number | null;
  /** Median CPU seconds per wall second (above 1: more than one core busy). */
  cpuPerWall: number | null;
}

export function summarise(samples: readonly Sample[]): Measured {
  const rss = samples.map((s) => s.rssKiB).filter((v): v is number => v !== null);
  const cpu = samples.filter((s) => s.cpuS !== null).map((s) => s.cpuS! / (s.ms / 1000));
  return {
    samplesMs: samples.map((s) => Math.round(s.ms)),
    medianMs: Math.round(median(samples.map((s) => s.ms))),
    peakRssMiB: rss.length ? Math.round(Math.max(...rss) / 1024) : null,
    cpuPerWall: cpu.length ? Math.round(median(cpu) * 100) / 100 : null,
  };
}

/**
 * Runs `a` and `b` `repeats` times each, alternating which goes first so
 * neither always runs on a warmer machine.
 */
export async function pair(a: Command, b: Command, repeats: number, rss: RssMethod, progress: (m: string) => void): Promise<[Sample[], Sample[]]> {
  const as: Sample[] = [];
  const bs: Sample[] = [];
  for (let i = 0; i < repeats; i++) {
    const order: [Command, Sample[]][] = i % 2 === 0 ? [[a, as], [b, bs]] : [[b, bs], [a, as]];
    for (const [cmd, into] of order) {
      const sample = await runMeasured(cmd, rss);
      into.push(sample);
      progress(`${cmd.label}: ${(sample.ms / 1000).toFixed(2)} s (${i + 1}/${repeats})`);
    }
  }
  return [as, bs];
}

/** The first executable called `name` on PATH (as a shell would find it), or null. */
export function onPath(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const full = join(dir, name);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return null;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface ChildCounter {
  /** PATH with the wrapper directory first. */
  path: string;
  /** Whether python3's wrapper also catches starts through the absolute path shipshape resolves. */
  pythonThroughWrapper: boolean;
  reset(): void;
  counts(): Record<string, number>;
}

/**
 * Wrapper scripts named `git` and `python3` in `dir`, first on PATH: each
 * appends its name to a log, then executes the real program found before.
 * python3's wrapper runs the interpreter with argv[0] set to the wrapper
 * (bash's `exec -a`), so `sys.executable` names the wrapper, and a tool
 * that resolves the interpreter behind `python3` once and then starts it
 * by absolute path still goes through the wrapper.
 */
export function childCounter(dir: string, real: { git: string | null; python3: string | null }): ChildCounter {
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'children.log');
  writeFileSync(log, '');
  const bash = onPath('bash');
  let pythonThroughWrapper = false;
  if (real.git) {
    writeFileSync(join(dir, 'git'), `#!/bin/sh\necho git >> ${shellQuote(log)}\nexec ${shellQuote(real.git)} "$@"\n`, { mode: 0o755 });
  }
  if (real.python3) {
    const wrapper = join(dir, 'python3');
    const write = (withArgv0: boolean) =>
      writeFileSync(
        wrapper,
        withArgv0
          ? `#!${bash}\necho python3 >> ${shellQuote(log)}\nexec -a "$0" ${shellQuote(real.python3!)} "$@"\n`
          : `#!/bin/sh\necho python3 >> ${shellQuote(log)}\nexec ${shellQuote(real.python3!)} "$@"\n`,
        { mode: 0o755 },
      );
    if (bash) {
      write(true);
      const probe = spawnSync(wrapper, ['-I', '-S', '-c', 'import sys, json; sys.stdout.write(sys.executable)'], { encoding: 'utf8' });
      pythonThroughWrapper = probe.status === 0 && probe.stdout === wrapper;
    }
    if (!pythonThroughWrapper) write(false);
  }
  return {
    path: `${dir}${delimiter}${process.env.PATH ?? ''}`,
    pythonThroughWrapper,
    reset: () => writeFileSync(log, ''),
    counts: () => {
      const counts: Record<string, number> = { git: 0, python3: 0 };
      for (const line of readFileSync(log, 'utf8').split('\n')) if (line) counts[line] = (counts[line] ?? 0) + 1;
      return counts;
    },
  };
}
