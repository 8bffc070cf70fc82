import { BroadcastChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { SharedValues } from '../project/index.js';

/**
 * Values about the whole project (`Project.shared`) across the worker
 * threads of one run: the first thread that needs one claims it in a table
 * in shared memory and computes it; it then sends a copy to the others on a
 * broadcast channel. A thread that needs a value another thread is still
 * computing puts the current file off (`Deferred`) and does other files
 * first; once it has nothing else to do it waits for the value.
 */

/** Thrown out of a transform to put the file off until another thread has computed a shared value. */
export class Deferred extends Error {
  /** The codemod that asked for the value (set by the engine on the way out). */
  codemod: string | null = null;

  constructor(
    readonly key: string,
    readonly slot: number,
  ) {
    super(`waiting for ${key}`);
  }
}

const FREE = 0;
const RUNNING = 1;
const DONE = 2;
const FAILED = 3;

const SLOTS = 1024;
/** Per slot: two hashes of the key, the state, the owning thread. */
const WIDTH = 4;
const LOCK = 0;

/** The shared memory behind a run's claim table. */
export function claimTable(): SharedArrayBuffer {
  return new SharedArrayBuffer((1 + SLOTS * WIDTH) * Int32Array.BYTES_PER_ELEMENT);
}

/** Two independent 32-bit hashes (FNV-1a with two offsets): 64 bits, so distinct keys never share a slot in practice. */
function hashes(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return [a | 0, b | 0];
}

/** Marks every value a thread that stopped was computing as failed, so the others compute it themselves. */
export function releaseClaims(table: SharedArrayBuffer, owner: number): void {
  const cells = new Int32Array(table);
  for (let slot = 0; slot < SLOTS; slot++) {
    const at = 1 + slot * WIDTH;
    if (Atomics.load(cells, at + 3) === owner && Atomics.compareExchange(cells, at + 2, RUNNING, FAILED) === RUNNING) {
      Atomics.notify(cells, at + 2);
    }
  }
}

function slotReady(cells: Int32Array, slot: number): boolean {
  return Atomics.load(cells, 1 + slot * WIDTH + 2) !== RUNNING;
}

/** Whether the value of `slot` in `table` is no longer being computed. */
export function claimSettled(table: SharedArrayBuffer, slot: number): boolean {
  return slotReady(new Int32Array(table), slot);
}

type Claim = { slot: number; mine: true } | { slot: number; mine: false; state: number } | 'absent';

export class SharedStore implements SharedValues {
  private readonly cells: Int32Array;
  private readonly channel: BroadcastChannel;
  private readonly received = new Map<string, unknown>();
  /** When set, a value another thread is computing is waited for instead of putting the file off. */
  blocking = false;
  /** How many values this thread is computing, one inside another. */
  private depth = 0;

  constructor(
    table: SharedArrayBuffer,
    channelName: string,
    /** This thread's number, from 1 (0 is a free slot's owner). */
    private readonly owner: number,
    /**
     * Whether this thread computes values no thread has started: the main
     * thread does not (it would keep the workers waiting for their next
     * files meanwhile); a file that needs one goes to a worker (`Deferred`
     * with slot -1).
     */
    public claims = true,
  ) {
    this.cells = new Int32Array(table);
    this.channel = new BroadcastChannel(channelName);
    // Messages the event loop delivers (between files) land here; those that arrive during a
    // transform are read synchronously (`has`). Without a listener the event loop drops them.
    this.channel.onmessage = (event) => this.keep((event as { data: unknown }).data);
    this.channel.unref();
  }

  private keep(message: unknown): void {
    const { key, value } = message as { key: string; value: unknown };
    this.received.set(key, value);
  }

  close(): void {
    this.channel.close();
  }

  get<T>(key: string, compute: () => { value: T; keep: boolean }): T {
    if (this.has(key)) return this.received.get(key) as T;
    const claim = this.claim(key, this.claims);
    if (claim === 'absent') throw new Deferred(key, -1);
    if (claim === null || claim.mine) return this.computeHere(key, claim?.slot ?? -1, compute);
    if (claim.state === RUNNING) {
      // Inside a value this thread is computing, never wait for another thread (it may be waiting for this one).
      if (this.depth > 0) return compute().value;
      if (!this.blocking) throw new Deferred(key, claim.slot);
      this.waitFor(claim.slot);
    }
    if (this.has(key)) return this.received.get(key) as T;
    // The other thread failed (an error, a cut cycle, it stopped): compute it here, as a single thread would.
    return compute().value;
  }

  lookup(key: string): { value: unknown } | undefined {
    return this.has(key) ? { value: this.received.get(key) } : undefined;
  }

  offer(key: string, value: unknown): void {
    try {
      this.channel.postMessage({ key, value });
    } catch {
      // Not plain data: the other threads compute it themselves.
    }
  }

  /**
   * What a file that needs `key` waits for: the claim slot while another
   * thread computes it, -1 while no thread does and this one does not start
   * values, null once nothing stops this thread from having it.
   */
  pending(key: string): number | null {
    if (this.has(key)) return null;
    const claim = this.claim(key, false);
    if (claim === 'absent') return this.claims ? null : -1;
    if (claim === null || claim.mine) return null;
    return claim.state === RUNNING ? claim.slot : null;
  }

  /** Waits until the value of `slot` is no longer being computed by another thread. */
  waitFor(slot: number): void {
    const at = 1 + slot * WIDTH + 2;
    while (Atomics.load(this.cells, at) === RUNNING) Atomics.wait(this.cells, at, RUNNING, 1000);
  }

  private has(key: string): boolean {
    // Node reads a broadcast channel like a port (its types only name MessagePort).
    const port = this.channel as unknown as MessagePort;
    for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) this.keep(message.message);
    return this.received.has(key);
  }

  private computeHere<T>(key: string, slot: number, compute: () => { value: T; keep: boolean }): T {
    let result: { value: T; keep: boolean };
    this.depth++;
    try {
      result = compute();
    } catch (error) {
      // Put off inside (another value it needs is being computed elsewhere): let another thread, or this one later, claim it again.
      if (slot >= 0) this.finish(slot, error instanceof Deferred ? FREE : FAILED);
      throw error;
    } finally {
      this.depth--;
    }
    if (slot >= 0) {
      let sent = false;
      if (result.keep) {
        try {
          this.channel.postMessage({ key, value: result.value });
          sent = true;
        } catch {
          // Not plain data: the other threads compute it themselves.
        }
      }
      this.finish(slot, sent ? DONE : FAILED);
    }
    return result.value;
  }

  private finish(slot: number, state: number): void {
    const at = 1 + slot * WIDTH + 2;
    Atomics.store(this.cells, at, state);
    Atomics.notify(this.cells, at);
  }

  /**
   * Finds the slot of `key` and, with `take`, takes it when no thread has
   * (`'absent'` without). Null when the table is full: the value is then
   * computed here.
   */
  private claim(key: string, take: boolean): Claim | null {
    const [h1, h2] = hashes(key);
    const cells = this.cells;
    while (Atomics.compareExchange(cells, LOCK, 0, 1) !== 0) Atomics.wait(cells, LOCK, 1, 1);
    try {
      for (let probe = 0; probe < SLOTS; probe++) {
        const slot = ((h1 >>> 0) + probe) % SLOTS;
        const at = 1 + slot * WIDTH;
        const owner = Atomics.load(cells, at + 3);
        if (owner === 0) {
          if (!take) return 'absent';
          Atomics.store(cells, at, h1);
          Atomics.store(cells, at + 1, h2);
          Atomics.store(cells, at + 2, RUNNING);
          Atomics.store(cells, at + 3, this.owner);
          return { slot, mine: true };
        }
        if (Atomics.load(cells, at) !== h1 || Atomics.load(cells, at + 1) !== h2) continue;
        const state = Atomics.load(cells, at + 2);
        if (state === FREE) {
          if (!take) return 'absent';
          Atomics.store(cells, at + 2, RUNNING);
          Atomics.store(cells, at + 3, this.owner);
          return { slot, mine: true };
        }
        return { slot, mine: false, state };
      }
      return take ? null : 'absent';
    } finally {
      Atomics.store(cells, LOCK, 0);
      Atomics.notify(cells, LOCK);
    }
  }
}
