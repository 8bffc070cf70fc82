import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { isAbsolute } from 'node:path';

/**
 * Compiles (never runs) sources read from stdin, one at a time, for as long
 * as stdin stays open. Writes `ready <sys.executable>` first, then one JSON
 * line per source: null when it compiles, else the error message. Each
 * source arrives as two big-endian 32-bit lengths (path, source) and the
 * UTF-8 bytes of both.
 */
const CHECKER = `
import json, sys, warnings
warnings.simplefilter("ignore")
read = sys.stdin.buffer.read
out = sys.stdout
out.write("ready " + (sys.executable or "") + "\\n")
out.flush()
while True:
    head = read(8)
    if len(head) < 8:
        break
    path = read(int.from_bytes(head[:4], "big")).decode("utf-8", "replace")
    text = read(int.from_bytes(head[4:], "big")).decode("utf-8", "replace")
    try:
        compile(text, path, "exec", dont_inherit=True)
        answer = None
    except SyntaxError as e:
        answer = "%s (line %s)" % (e.msg, e.lineno)
    except Exception as e:
        answer = type(e).__name__ + ": " + str(e)
    out.write(json.dumps(answer) + "\\n")
    out.flush()
`;

export interface PythonCheck {
  /** `null` when no interpreter could be started; otherwise one entry per input, `null` meaning it compiles. */
  errors: (string | null)[] | null;
  interpreter: string;
}

export interface CompileOptions {
  /** How long one source may take to compile before the checker is stopped and the source reported (default 30 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** A checker nobody asked anything for this long stops (the App lives on between runs). */
const IDLE_MS = 5_000;

export function pythonInterpreter(): string | false {
  const configured = process.env.SHIPSHAPE_PYTHON;
  if (configured === '0' || configured === 'false') return false;
  const name = configured || 'python3';
  return resolved.get(name) ?? name;
}

/**
 * The interpreter behind each name, learnt from the first checker started
 * with it: `python3` is often a version manager's shim (pyenv, asdf) that
 * takes several times longer to start than the interpreter it runs, so a
 * checker started again later skips it.
 */
const resolved = new Map<string, string>();
const checkers = new Map<string, Checker>();
/** Checkers with a process, also those retired and finishing their last sources. */
const live = new Set<Checker>();

/**
 * Compiles many sources over one long-lived python3 process (the gate's
 * "still valid Python" check); the process is shared by every check of the
 * run and stops when idle, at `stopPythonChecker()` or with this process.
 */
export async function compilePython(sources: { path: string; text: string }[], interpreter = pythonInterpreter(), options: CompileOptions = {}): Promise<PythonCheck> {
  if (interpreter === false || sources.length === 0) {
    return { errors: interpreter === false ? null : [], interpreter: interpreter || 'none' };
  }
  return checkerFor(interpreter).check(sources, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
}

function checkerFor(interpreter: string): Checker {
  let checker = checkers.get(interpreter);
  if (!checker) {
    checker = new Checker(interpreter);
    checkers.set(interpreter, checker);
  }
  return checker;
}

/**
 * Starts the checker ahead of its first use, so that a slow start (a
 * version manager's shim takes about half a second) overlaps other work.
 */
export function warmPythonChecker(interpreter = pythonInterpreter()): void {
  if (interpreter !== false) checkerFor(interpreter).warm();
}

let holders = 0;

/**
 * For a run that will check Python (an apply): starts the checker ahead of
 * use, and returns the call that ends it once no run holds it any more
 * (checks still waiting are answered first).
 */
export function holdPythonChecker(): () => void {
  holders++;
  warmPythonChecker();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders > 0) return;
    const all = [...new Set(checkers.values())];
    checkers.clear();
    for (const checker of all) checker.retire();
  };
}

/** Stops every checker and waits until its process has exited. */
export async function stopPythonChecker(): Promise<void> {
  const all = [...new Set([...checkers.values(), ...live])];
  checkers.clear();
  await Promise.all(all.map((c) => c.stop()));
}

/** Process ids of the running checkers (for tests that make sure none is left behind). */
export function pythonCheckerPids(): number[] {
  return [...live].flatMap((c) => c.pid ?? []);
}

interface Request {
  frame: Buffer;
  /** Times a checker died while this source was the one being compiled. */
  crashes: number;
  done: (answer: string | null) => void;
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  ready: boolean;
  /** Sources written to this process and not answered yet, oldest first. */
  sent: Request[];
  output: string;
  timer: NodeJS.Timeout | null;
  exited: Promise<void>;
  /** Why it was stopped on purpose (a hang), to word the answer for the source it was on. */
  stoppedFor: string | null;
}

class Checker {
  private running: Running | null = null;
  private idle: NodeJS.Timeout | null = null;
  private stopped = false;
  private timeoutMs = DEFAULT_TIMEOUT_MS;
  /** The executable the process reports, once ready. */
  private executable: string;
  /** Set when the interpreter could not start: every waiting check reports it unavailable. */
  private unavailable: (() => void)[] = [];

  constructor(private readonly name: string) {
    this.executable = name;
  }

  get pid(): number | undefined {
    return this.running?.child.pid;
  }

  check(sources: { path: string; text: string }[], timeoutMs: number): Promise<PythonCheck> {
    this.timeoutMs = timeoutMs;
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    return new Promise((resolvePromise) => {
      const errors: (string | null)[] = new Array<string | null>(sources.length).fill(null);
      let left = sources.length;
      let settled = false;
      const settle = (result: PythonCheck) => {
        if (settled) return;
        settled = true;
        this.unavailable = this.unavailable.filter((f) => f !== fail);
        resolvePromise(result);
        this.maybeIdle();
      };
      const fail = () => settle({ errors: null, interpreter: this.name });
      this.unavailable.push(fail);
      const requests = sources.map((source, index): Request => {
        const path = Buffer.from(source.path, 'utf8');
        const text = Buffer.from(source.text, 'utf8');
        const head = Buffer.alloc(8);
        head.writeUInt32BE(path.length, 0);
        head.writeUInt32BE(text.length, 4);
        return {
          frame: Buffer.concat([head, path, text]),
          crashes: 0,
          done: (answer) => {
            errors[index] = answer;
            if (--left === 0) settle({ errors, interpreter: this.executable });
          },
        };
      });
      for (const request of requests) this.send(request);
    });
  }

  warm(): void {
    if (this.running || this.stopped) return;
    this.hold(this.start(), false);
  }

  /** Takes no more work; leaves once the sources it was given are answered. */
  retire(): void {
    this.stopped = true;
    if (this.idle) clearTimeout(this.idle);
    this.running?.child.stdin.end();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.idle) clearTimeout(this.idle);
    const running = this.running;
    this.running = null;
    if (!running) return;
    running.child.stdin.end();
    // A checker that does not leave at end of input (stuck in a compile) is killed.
    const kill = setTimeout(() => running.child.kill('SIGKILL'), 1_000);
    await running.exited;
    clearTimeout(kill);
  }

  private send(request: Request): void {
    const running = this.running ?? this.start();
    running.sent.push(request);
    if (running.sent.length === 1 && running.ready) this.arm(running);
    running.child.stdin.write(request.frame);
    this.hold(running, true);
  }

  private start(): Running {
    const child = spawn(this.resolvedName(), ['-I', '-S', '-c', CHECKER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let exited!: () => void;
    const running: Running = { child, ready: false, sent: [], output: '', timer: null, exited: new Promise((r) => (exited = r)), stoppedFor: null };
    this.running = running;
    live.add(this);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.onOutput(running, chunk));
    child.stderr.resume();
    child.stdin.on('error', () => undefined);
    let gone = false;
    const leave = (code: number | null, signal: NodeJS.Signals | null) => {
      if (gone) return;
      gone = true;
      exited();
      this.onExit(running, code, signal);
    };
    // A spawn failure (no such interpreter) may come as 'error' alone.
    child.on('error', () => {
      if (child.pid === undefined) leave(null, null);
    });
    child.on('close', leave);
    // The clock runs from the start: an interpreter that never comes up counts as unavailable.
    this.arm(running);
    return running;
  }

  private resolvedName(): string {
    return resolved.get(this.name) ?? this.name;
  }

  private onOutput(running: Running, chunk: string): void {
    running.output += chunk;
    let newline: number;
    while ((newline = running.output.indexOf('\n')) >= 0) {
      const line = running.output.slice(0, newline);
      running.output = running.output.slice(newline + 1);
      if (!running.ready) {
        if (!line.startsWith('ready ')) continue;
        running.ready = true;
        const executable = line.slice('ready '.length).trim();
        if (executable && isAbsolute(executable)) {
          this.executable = executable;
          resolved.set(this.name, executable);
          checkers.set(executable, this);
        }
        if (running.sent.length > 0) {
          this.arm(running);
        } else {
          // Started ahead of use: nothing to time yet.
          if (running.timer) clearTimeout(running.timer);
          running.timer = null;
          this.maybeIdle();
        }
        continue;
      }
      const request = running.sent.shift();
      if (!request) continue;
      let answer: string | null;
      try {
        answer = JSON.parse(line) as string | null;
      } catch {
        answer = `python3 answered ${JSON.stringify(line.slice(0, 100))}`;
      }
      if (running.timer) clearTimeout(running.timer);
      running.timer = null;
      if (running.sent.length > 0) this.arm(running);
      else this.hold(running, false);
      request.done(answer);
    }
  }

  /** Starts the clock for the source the checker is on now. */
  private arm(running: Running): void {
    if (running.timer) clearTimeout(running.timer);
    running.timer = setTimeout(() => {
      running.stoppedFor = `python3 did not finish compiling it within ${this.timeoutMs / 1000} s`;
      running.child.kill('SIGKILL');
    }, this.timeoutMs);
    running.timer.unref();
  }

  private onExit(running: Running, code: number | null, signal: NodeJS.Signals | null): void {
    if (running.timer) clearTimeout(running.timer);
    if (this.running === running) this.running = null;
    if (!this.running) live.delete(this);
    const pending = running.sent;
    running.sent = [];
    if (pending.length === 0) return;
    if (!running.ready) {
      // Killed while starting: once more. Otherwise the interpreter cannot come up (missing, broken shim),
      // and the check is unavailable, as without python3.
      if (signal !== null && !running.stoppedFor && !this.stopped && !pending.some((r) => r.crashes > 0)) {
        for (const request of pending) {
          request.crashes++;
          this.send(request);
        }
        return;
      }
      for (const fail of [...this.unavailable]) fail();
      return;
    }
    const [current, ...rest] = pending as [Request, ...Request[]];
    if (running.stoppedFor) {
      current.done(running.stoppedFor);
    } else if (++current.crashes >= 2) {
      current.done(`python3 stopped while compiling it (${signal ?? `exit code ${code ?? '?'}`})`);
    } else {
      rest.unshift(current);
    }
    // The others were never looked at: a fresh checker takes them.
    if (this.stopped) {
      for (const request of rest) request.done('python3 checker was stopped');
      return;
    }
    for (const request of rest) this.send(request);
  }

  /** A checker with nothing to do neither keeps this process alive nor outlives it for long. */
  private hold(running: Running, busy: boolean): void {
    for (const handle of [running.child, running.child.stdin, running.child.stdout, running.child.stderr] as { ref?: () => void; unref?: () => void }[]) {
      if (busy) handle.ref?.();
      else handle.unref?.();
    }
  }

  private maybeIdle(): void {
    if (this.stopped || !this.running || this.running.sent.length > 0) return;
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      this.idle = null;
      const running = this.running;
      if (!running || running.sent.length > 0) return;
      this.running = null;
      running.child.stdin.end();
    }, IDLE_MS);
    this.idle.unref();
  }
}

// Leaving the process takes its checkers along (they would also stop at end of input).
process.on('exit', () => {
  for (const checker of live) {
    const pid = checker.pid;
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
});
