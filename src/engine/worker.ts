import { parentPort, workerData } from 'node:worker_threads';
import { findCodemod } from '../../codemods/index.js';
import { projectFromSnapshot } from '../project/index.js';
import { lazyEngine } from './index.js';
import type { FromWorker, ToWorker, WorkerInput } from './pool.js';
import { mayParsePython, readCandidate, transformCandidate, type FileContext, type FileOutcome } from './process.js';
import { Deferred, SharedStore } from './shared.js';
import { codemodsFor } from './transform.js';

/**
 * A worker thread of a run (see pool.ts): it rebuilds the run's project from
 * its snapshot, loads the codemods and, on the first file that needs it,
 * the Python parser, then transforms the files the main thread hands it.
 */

const input = workerData as WorkerInput;
const port = parentPort!;
const store = new SharedStore(input.table, input.channel, input.owner);
const lazy = lazyEngine();
const context: FileContext = {
  root: input.root,
  maxBytes: input.maxBytes,
  policy: input.policy,
  codemods: input.codemods.map((id) => findCodemod(id)!),
  project: projectFromSnapshot(input.snapshot, store),
  engine: lazy.engine,
};
/** Where this thread tells the main thread which file it is on (-1: none), so a crash names its file. */
const current = new Int32Array(input.current);
/**
 * Codemods that asked for a value another thread is still computing, with
 * its slot: until it is there, a file they would read is handed back before
 * it is parsed rather than after.
 */
const waitingCodemods = new Map<string, number>();

/** For the tests only: makes this thread fail on one file the way a crash or a bug would. */
const fault = /^(crash|throw):(.+)$/.exec(process.env.SHIPSHAPE_TEST_WORKER_FAULT ?? '');

/** The slot of a value this file's codemods wait for, or -1. */
function waitsFor(path: string, text: string): number {
  for (const [id, slot] of waitingCodemods) {
    if (store.ready(slot)) waitingCodemods.delete(id);
  }
  if (waitingCodemods.size === 0) return -1;
  const role = context.project.role(path).role;
  for (const codemod of codemodsFor(path, context.codemods)) {
    const slot = waitingCodemods.get(codemod.meta.id);
    if (slot !== undefined && codemod.meta.roles.includes(role) && codemod.prefilter(text)) return slot;
  }
  return -1;
}

/** The file's outcome, or the slot of the value it waits for. */
async function transform(index: number, path: string, blocking: boolean): Promise<FileOutcome | number> {
  Atomics.store(current, input.owner, index);
  try {
    if (fault?.[2] === path && fault[1] === 'crash') process.exit(70);
    const read = readCandidate(context, path);
    if (read.ok && !blocking) {
      const slot = waitsFor(path, read.file.text);
      if (slot >= 0) return slot;
    }
    if (read.ok && !lazy.loaded() && mayParsePython(path, read.file.text, context.codemods)) await lazy.load();
    if (fault?.[2] === path) throw new Error(`injected fault on ${path}`);
    return transformCandidate(context, path, read);
  } catch (error) {
    if (error instanceof Deferred) {
      if (error.codemod) waitingCodemods.set(error.codemod, error.slot);
      return error.slot;
    }
    // Whatever goes wrong with one file (the parser failing to load, a bug) is that file's skip, never the run's end.
    return { kind: 'skipped', path, reason: 'codemod-error', message: `internal error: ${(error as Error).message}`, parsed: false, scope: [] };
  } finally {
    Atomics.store(current, input.owner, -1);
  }
}

async function handle(message: ToWorker): Promise<void> {
  const reply: FromWorker = { type: 'results', results: [], parked: [] };
  // Files handed back once already are not handed back again: this thread waits for their value.
  store.blocking = message.blocking;
  try {
    for (const [index, path] of message.files) {
      const outcome = await transform(index, path, message.blocking);
      if (typeof outcome === 'number') reply.parked.push([index, outcome]);
      else reply.results.push([index, outcome]);
    }
  } finally {
    store.blocking = false;
  }
  port.postMessage(reply);
}

// One message at a time, in order: a file's transform is synchronous, the parser load is not.
let queue = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(() => handle(message));
});
