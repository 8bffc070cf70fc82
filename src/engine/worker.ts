import { parentPort, workerData } from 'node:worker_threads';
import { findCodemod } from '../../codemods/index.js';
import type { FromWorker, ToWorker, WorkerInput } from './pool.js';
import { FileRunner, injectedFault } from './runner.js';
import { SharedStore } from './shared.js';

/**
 * A worker thread of a pooled run (see pool.ts): it transforms the files the
 * main thread hands it, one message at a time, and sends back the outcomes
 * and the files it hands back.
 */

const input = workerData as WorkerInput;
const port = parentPort!;
const runner = new FileRunner(
  { ...input, codemods: input.codemods.map((id) => findCodemod(id)!) },
  new SharedStore(input.table, input.channel, input.owner),
  injectedFault(process.env),
);
/** Where this thread tells the main thread which file it is on (-1: none), so a crash names its file. */
const current = new Int32Array(input.current);

async function handle(message: ToWorker): Promise<void> {
  const reply: FromWorker = { results: [], parked: [] };
  for (const [index, path] of message.files) {
    Atomics.store(current, input.owner, index);
    const outcome = await runner.run(path, message.blocking);
    Atomics.store(current, input.owner, -1);
    if (typeof outcome === 'number') reply.parked.push([index, outcome]);
    else reply.results.push([index, outcome]);
  }
  port.postMessage(reply);
}

// One message at a time, in order: a file's transform is synchronous, the parser load is not.
let queue = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(() => handle(message));
});
