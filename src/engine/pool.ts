import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ProjectSnapshot } from '../project/index.js';
import type { FileOutcome } from './process.js';
import { FileRunner, injectedFault } from './runner.js';
import { claimSettled, claimTable, releaseClaims, SharedStore } from './shared.js';
import type { Policy } from './transform.js';
import type { Codemod } from './types.js';

/**
 * Both cores: the files of a large run are transformed by this thread and
 * worker threads together (one thread per core in all). Each thread takes
 * small batches of neighbouring files; the outcomes are put back in the
 * files' order, so the report is the same whatever thread did which file.
 * Each worker rebuilds the run's project from a snapshot (the manifests are
 * read once, here) and loads the parsers once. A value about the whole
 * project is computed by one thread and copied to the others (shared.ts); a
 * file that needs it while another thread computes it is handed back before
 * it is parsed, and done once the value is there. A worker that stops (a
 * crash, out of memory) costs only the file it was on, reported as skipped;
 * its other files go to the other threads.
 */

/** What a worker is started with (structured-clone). */
export interface WorkerInput {
  /** This worker's number, from 1. */
  owner: number;
  root: string;
  maxBytes: number;
  policy: Policy;
  /** Registry ids of the codemods, in run order. */
  codemods: string[];
  snapshot: ProjectSnapshot;
  /** The claim table of values about the whole project (shared.ts). */
  table: SharedArrayBuffer;
  channel: string;
  /** Per worker, the index of the file it is on, or -1. */
  current: SharedArrayBuffer;
}

/** `blocking`: the files were handed back once; the worker now waits for the values they need. */
export interface ToWorker {
  files: [number, string][];
  blocking: boolean;
}
/** `parked`: files handed back, each with the claim slot of the value it waits for. */
export interface FromWorker {
  results: [number, FileOutcome][];
  parked: [number, number][];
}

/**
 * Files per thread: a run of fewer files stays on one thread, and each
 * further thread needs this many more. A worker costs about half a second
 * of CPU before it is useful (its modules, the parsers, a cold JIT).
 * Measured on two cores shared with other work, side by side: 500 files of
 * the standard library were slower with a worker (0.87 ×), the 870 outside
 * its tests faster (1.13 ×), a 945-file web app even.
 */
export const POOL_MIN_FILES = 800;

/** Threads at most, this one included: `jobs`, else SHIPSHAPE_WORKERS, else one per core. */
export function threadLimit(jobs: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (jobs !== undefined) return Math.max(1, Math.floor(jobs));
  const fromEnv = Number(env.SHIPSHAPE_WORKERS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  return availableParallelism();
}

/** The compiled worker, beside this module; null when running from TypeScript sources (tests), where workers cannot load it. */
export function workerScript(): URL | null {
  return import.meta.url.endsWith('.js') ? new URL('./worker.js', import.meta.url) : null;
}

export interface PoolInput {
  /** Threads in all, this one included. */
  threads: number;
  files: readonly string[];
  script: URL;
  base: Omit<WorkerInput, 'owner' | 'table' | 'channel' | 'current'>;
  /** The codemods of `base.codemods`, for this thread's share. */
  codemods: readonly Codemod[];
  onProgress?: (done: number, total: number) => void;
  /** Each file's outcome as it comes in (in no set order). */
  onOutcome?: (outcome: FileOutcome) => void;
}

const MAX_BATCH = 8;
/** Batches a worker holds at once, so it never waits for the next one. */
const AHEAD = 3;
/** How often this thread looks whether values its handed-back files wait for are there, when it has nothing else to do. */
const POLL_MS = 5;

/**
 * The files not handed out yet. Each thread takes from the front of its own
 * run of neighbouring files (the files of one package read the same module
 * summaries, which each thread computes for itself) and, once its run is
 * done, takes over the back half of the longest other run. One thread's run
 * may start with files of its own (`home`). Files given back (put off, or
 * held by a worker that stopped) are handed out first. Exported for tests.
 */
export class Backlog {
  private readonly runs = new Map<number, number[]>();
  private readonly first: number[] = [];

  /** `home`: files one owner's run starts with (the rest of its share follows); the others share what is left. */
  constructor(total: number, owners: readonly number[], home?: { owner: number; files: (index: number) => boolean }) {
    const all = Array.from({ length: total }, (_, i) => i);
    const homeOwner = home && owners.includes(home.owner) ? home.owner : null;
    const kept = homeOwner === null ? [] : all.filter(home!.files);
    const rest = kept.length === 0 ? all : all.filter((i) => !home!.files(i));
    // The home owner's share comes from the end, as when it is the last owner and nothing is kept.
    const fill = homeOwner === null ? 0 : Math.max(0, Math.floor(total / owners.length) - kept.length);
    const others = owners.filter((o) => o !== homeOwner);
    const shared = rest.slice(0, rest.length - fill);
    others.forEach((owner, k) => {
      this.runs.set(owner, shared.slice(Math.floor((k * shared.length) / others.length), Math.floor(((k + 1) * shared.length) / others.length)));
    });
    if (homeOwner !== null) this.runs.set(homeOwner, [...kept, ...rest.slice(rest.length - fill)]);
  }

  get size(): number {
    let n = this.first.length;
    for (const run of this.runs.values()) n += run.length;
    return n;
  }

  take(owner: number, count: number): number[] {
    if (this.first.length > 0) return this.first.splice(0, count);
    let run = this.runs.get(owner);
    if (!run || run.length === 0) {
      let longest: number[] = [];
      for (const other of this.runs.values()) if (other.length > longest.length) longest = other;
      run = longest.splice(Math.floor(longest.length / 2));
      this.runs.set(owner, run);
    }
    return run.splice(0, count);
  }

  giveBack(files: readonly number[]): void {
    this.first.push(...files);
    this.first.sort((a, b) => a - b);
  }

  /** A worker that stopped: its run goes to the others. */
  drop(owner: number): void {
    const run = this.runs.get(owner);
    this.runs.delete(owner);
    if (run) this.giveBack(run);
  }
}

interface Slot {
  worker: Worker;
  owner: number;
  /** Files handed to it and not yet back. */
  held: Set<number>;
  batches: number;
  alive: boolean;
}

/**
 * Transforms `files` on this thread and `threads - 1` worker threads, and
 * returns their outcomes in the files' order. This thread never blocks: a
 * file it must hand back waits here until its value is there.
 */
export async function runPool(input: PoolInput): Promise<FileOutcome[]> {
  const total = input.files.length;
  const outcomes: (FileOutcome | undefined)[] = new Array(total);
  const table = claimTable();
  const channel = `shipshape:${randomUUID()}`;
  // Workers are numbered from 1 (restarted ones too); this thread's number comes after them all.
  const here = input.threads * 3 + 1;
  const workers = input.threads - 1;
  const fault = injectedFault(process.env);
  // JavaScript files start on this thread: a worker that never meets one never loads jscodeshift and Babel (a third of a second) nor warms them up.
  const home = { owner: here, files: (i: number) => !input.files[i]!.endsWith('.py') };
  const backlog = new Backlog(total, [...Array.from({ length: workers }, (_, i) => i + 1), ...(fault ? [] : [here])], home);
  /** Files handed back, by the claim slot of the value they wait for. */
  const parked = new Map<number, number[]>();
  const current = new Int32Array(new SharedArrayBuffer((here + 1) * Int32Array.BYTES_PER_ELEMENT)).fill(-1);
  const slots: Slot[] = [];
  const store = new SharedStore(table, channel, here, false);
  /** Files this thread handed back because they need a value no thread computes yet: a worker starts it. */
  const forWorkers: number[] = [];
  const runner = new FileRunner({ ...input.base, codemods: input.codemods }, store);
  let done = 0;
  let owners = 0;
  let restarts = workers;
  let finished = false;
  /** Wakes this thread's loop when a worker reports. */
  let wake: (() => void) | null = null;

  const live = () => slots.filter((s) => s.alive);
  const batchSize = () => Math.max(1, Math.min(MAX_BATCH, Math.floor(backlog.size / (input.threads * 4))));

  const record = (index: number, outcome: FileOutcome) => {
    if (outcomes[index]) return;
    outcomes[index] = outcome;
    done++;
    input.onOutcome?.(outcome);
    input.onProgress?.(done, total);
  };
  const park = (index: number, slot: number) => {
    if (slot < 0) return void forWorkers.push(index);
    const files = parked.get(slot);
    if (files) files.push(index);
    else parked.set(slot, [index]);
  };
  /** Parked files whose value is there are handed out again first, in the files' order. */
  const unpark = () => {
    const back: number[] = [];
    for (const [slot, files] of parked) {
      if (!claimSettled(table, slot)) continue;
      back.push(...files);
      parked.delete(slot);
    }
    if (back.length > 0) backlog.giveBack(back);
  };

  const send = (slot: Slot, files: number[], blocking: boolean) => {
    for (const i of files) slot.held.add(i);
    slot.batches++;
    const message: ToWorker = { files: files.map((i) => [i, input.files[i]!]), blocking };
    slot.worker.postMessage(message);
  };

  const feed = (slot: Slot) => {
    unpark();
    if (slot.alive && forWorkers.length > 0) send(slot, forWorkers.splice(0), false);
    while (slot.alive && slot.batches < AHEAD && backlog.size > 0) send(slot, backlog.take(slot.owner, batchSize()), false);
    if (!slot.alive || slot.batches > 0 || parked.size === 0) return;
    // Nothing else to do: this worker takes parked files and waits for their value.
    const [slotOf, files] = parked.entries().next().value!;
    const batch = files.splice(0, MAX_BATCH);
    if (files.length === 0) parked.delete(slotOf);
    send(slot, batch, true);
  };
  const feedAll = () => {
    for (const slot of live()) feed(slot);
  };

  const start = (): Slot => {
    const owner = ++owners;
    const workerInput: WorkerInput = { ...input.base, owner, table, channel, current: current.buffer as SharedArrayBuffer };
    const worker = new Worker(input.script, { workerData: workerInput });
    const slot: Slot = { worker, owner, held: new Set(), batches: 0, alive: true };
    slots.push(slot);
    worker.on('message', (message: FromWorker) => {
      for (const [index, outcome] of message.results) if (slot.held.delete(index)) record(index, outcome);
      for (const [index, claim] of message.parked) if (slot.held.delete(index)) park(index, claim);
      slot.batches--;
      feedAll();
      wake?.();
    });
    const stopped = (error: Error) => {
      if (!slot.alive || finished) return;
      slot.alive = false;
      releaseClaims(table, owner);
      const on = Atomics.load(current, owner);
      const back: number[] = [];
      for (const index of slot.held) {
        if (index === on) {
          record(index, { kind: 'skipped', path: input.files[index]!, reason: 'codemod-error', message: `the worker thread transforming it stopped: ${error.message}`, parsed: false, scope: [] });
        } else {
          back.push(index);
        }
      }
      slot.held.clear();
      backlog.giveBack(back);
      backlog.drop(owner);
      if ((backlog.size > 0 || parked.size > 0 || forWorkers.length > 0) && restarts > 0) {
        restarts--;
        start();
      }
      if (live().length === 0) {
        // No worker left: this thread does the rest, values about the whole project included.
        store.claims = true;
        backlog.giveBack(forWorkers.splice(0));
      }
      feedAll();
      wake?.();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`it exited with code ${code}`)));
    return slot;
  };

  for (let i = 0; i < workers; i++) start();
  feedAll();
  try {
    // This thread's share, between the workers' messages (handled at each await).
    while (done < total) {
      unpark();
      const batch = backlog.size > 0 && (!fault || live().length === 0) ? backlog.take(here, batchSize()) : [];
      if (batch.length === 0) {
        // Nothing to take: wait for a worker to report, or for a value a parked file waits for.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
        feedAll();
        continue;
      }
      for (const index of batch) {
        feedAll();
        const outcome = await runner.run(input.files[index]!, false);
        if (typeof outcome === 'number') park(index, outcome);
        else record(index, outcome);
        await new Promise((resolve) => setImmediate(resolve));
      }
      feedAll();
    }
  } finally {
    finished = true;
    store.close();
    // Terminated, not left to exit: the run returns as soon as its files are done.
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
  return outcomes as FileOutcome[];
}
