import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ProjectSnapshot } from '../project/index.js';
import type { FileOutcome } from './process.js';
import { claimSettled, claimTable, releaseClaims } from './shared.js';
import type { Policy } from './transform.js';

/**
 * Both cores: the files of a large run are transformed by worker threads.
 * The main thread hands out small batches of files as workers ask for them,
 * and puts the outcomes back in the files' order, so the report is the same
 * whatever thread did which file. A file that needs a value about the whole
 * project that another worker is computing comes back parked; it is handed
 * out again once the value is there (or, when nothing else is left, to a
 * worker that waits for it). Each worker rebuilds the run's project
 * from a snapshot (the manifests are read once, here) and loads the parsers
 * once. A worker that stops (a crash, out of memory) costs only the file it
 * was on, which is reported as skipped; its other files go to the others.
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
  type: 'results';
  results: [number, FileOutcome][];
  parked: [number, number][];
}

/** The fewest files a run needs before worker threads pay for their start (measured: see the README's Performance section). */
export const POOL_MIN_FILES = 120;

/** Worker threads at most, from `jobs` or SHIPSHAPE_WORKERS, else one per core. */
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
  threads: number;
  files: readonly string[];
  script: URL;
  base: Omit<WorkerInput, 'owner' | 'table' | 'channel' | 'current'>;
  onProgress?: (done: number, total: number) => void;
}

const MAX_BATCH = 16;
/** Batches a worker holds at once, so it never waits for the next one. */
const AHEAD = 2;

/**
 * The files not handed out yet. Each worker takes from the front of its own
 * run of neighbouring files (the files of one package read the same module
 * summaries, which each thread computes for itself) and, once its run is
 * done, takes over the back half of the longest other run. Files given back
 * (put off, or held by a worker that stopped) are handed out first.
 */
class Backlog {
  private readonly runs = new Map<number, number[]>();
  private readonly first: number[] = [];

  constructor(total: number, owners: readonly number[]) {
    owners.forEach((owner, k) => {
      const from = Math.floor((k * total) / owners.length);
      const to = Math.floor(((k + 1) * total) / owners.length);
      this.runs.set(owner, Array.from({ length: to - from }, (_, i) => from + i));
    });
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
 * Transforms `files` on worker threads. The outcome of a file no worker
 * could finish (every worker stopped) is left undefined, for the caller to
 * transform on its own thread.
 */
export function runPool(input: PoolInput): Promise<(FileOutcome | undefined)[]> {
  const total = input.files.length;
  const outcomes: (FileOutcome | undefined)[] = new Array(total);
  const backlog = new Backlog(total, Array.from({ length: input.threads }, (_, i) => i + 1));
  /** Files handed back, by the claim slot of the value they wait for. */
  const parked = new Map<number, number[]>();
  const table = claimTable();
  const channel = `shipshape:${randomUUID()}`;
  const current = new Int32Array(new SharedArrayBuffer((input.threads * 3 + 2) * Int32Array.BYTES_PER_ELEMENT)).fill(-1);
  const slots: Slot[] = [];
  let done = 0;
  let owners = 0;
  let restarts = input.threads;

  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      // Terminated, not left to exit: the run returns as soon as its files are done.
      void Promise.all(slots.map((s) => s.worker.terminate())).then(() => resolve(outcomes));
    };
    const live = () => slots.filter((s) => s.alive);
    const batchSize = () => Math.max(1, Math.min(MAX_BATCH, Math.floor(backlog.size / (Math.max(1, live().length) * 4))));

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
      while (slot.alive && slot.batches < AHEAD && backlog.size > 0) send(slot, backlog.take(slot.owner, batchSize()), false);
      if (!slot.alive || slot.batches > 0 || parked.size === 0) return;
      // Nothing else to do: this worker takes parked files and waits for their value.
      const [slotOf, files] = parked.entries().next().value!;
      const batch = files.splice(0, MAX_BATCH);
      if (files.length === 0) parked.delete(slotOf);
      send(slot, batch, true);
    };

    const settle = () => {
      if (done === total) return finish();
      // Files left that no live worker holds and none can take: the caller transforms them.
      if (live().length === 0 && restarts <= 0) {
        parked.clear();
        finish();
      }
    };

    const start = () => {
      const owner = ++owners;
      const workerInput: WorkerInput = { ...input.base, owner, table, channel, current: current.buffer as SharedArrayBuffer };
      const worker = new Worker(input.script, { workerData: workerInput });
      const slot: Slot = { worker, owner, held: new Set(), batches: 0, alive: true };
      slots.push(slot);
      worker.on('message', (message: FromWorker) => {
        for (const [index, outcome] of message.results) {
          if (!slot.held.delete(index) || outcomes[index]) continue;
          outcomes[index] = outcome;
          done++;
          input.onProgress?.(done, total);
        }
        for (const [index, claim] of message.parked) {
          if (!slot.held.delete(index)) continue;
          const files = parked.get(claim);
          if (files) files.push(index);
          else parked.set(claim, [index]);
        }
        slot.batches--;
        for (const s of [slot, ...live().filter((s) => s !== slot)]) feed(s);
        settle();
      });
      const stopped = (error: Error) => {
        if (!slot.alive || finished) return;
        slot.alive = false;
        releaseClaims(table, owner);
        const on = Atomics.load(current, owner);
        const back: number[] = [];
        for (const index of slot.held) {
          if (outcomes[index]) continue;
          if (index === on) {
            outcomes[index] = { kind: 'skipped', path: input.files[index]!, reason: 'codemod-error', message: `the worker thread transforming it stopped: ${error.message}`, parsed: false, scope: [] };
            done++;
            input.onProgress?.(done, total);
          } else {
            back.push(index);
          }
        }
        slot.held.clear();
        backlog.giveBack(back);
        backlog.drop(owner);
        if ((backlog.size > 0 || parked.size > 0) && restarts > 0) {
          restarts--;
          start();
        }
        for (const other of live()) feed(other);
        settle();
      };
      worker.on('error', stopped);
      worker.on('exit', (code) => stopped(new Error(`it exited with code ${code}`)));
      return slot;
    };

    for (let i = 0; i < input.threads; i++) start();
    for (const slot of slots) feed(slot);
    if (total === 0) finish();
  });
}
