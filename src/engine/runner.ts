import { projectFromSnapshot, type ProjectSnapshot } from '../project/index.js';
import { lazyEngine, type LazyEngine } from './index.js';
import { mayParsePython, readCandidate, transformCandidate, type FileContext, type FileOutcome } from './process.js';
import { Deferred, SharedStore } from './shared.js';
import { codemodsFor, type Policy } from './transform.js';
import type { Codemod } from './types.js';

/**
 * One thread's share of a pooled run (pool.ts), the same on the main thread
 * and in each worker: its own copy of the project (from the snapshot, with
 * values about the whole project shared through `store`), its own Python
 * parser loaded on first need, and the files it was handed.
 */
export class FileRunner {
  private readonly lazy: LazyEngine = lazyEngine();
  private readonly context: FileContext;
  /**
   * Codemods that asked for a value this thread cannot have yet, by the
   * value's key: until it is there, a file they would read is handed back
   * before it is parsed rather than after.
   */
  private readonly waiting = new Map<string, string>();

  constructor(
    input: { root: string; maxBytes: number; policy: Policy; snapshot: ProjectSnapshot; codemods: readonly Codemod[] },
    readonly store: SharedStore,
    /** For the tests only: fail on one file the way a crash (`crash:`) or a bug (`throw:`) would. */
    private readonly fault: { kind: 'crash' | 'throw'; path: string } | null = null,
  ) {
    this.context = {
      root: input.root,
      maxBytes: input.maxBytes,
      policy: input.policy,
      codemods: input.codemods,
      project: projectFromSnapshot(input.snapshot, store),
      engine: this.lazy.engine,
    };
  }

  /**
   * The file's outcome, or the claim slot of the value it waits for (handed
   * back; -1: a value no thread computes yet, for a worker to start). With
   * `blocking`, a value another thread is computing is waited for instead.
   */
  async run(path: string, blocking: boolean): Promise<FileOutcome | number> {
    const { context, store } = this;
    try {
      if (this.fault?.path === path && this.fault.kind === 'crash') process.exit(70);
      const read = readCandidate(context, path);
      if (read.ok && !blocking) {
        const slot = this.waitsFor(path, read.file.text);
        if (slot !== null) return slot;
      }
      if (read.ok && !this.lazy.loaded() && mayParsePython(path, read.file.text, context.codemods)) await this.lazy.load();
      if (this.fault?.path === path) throw new Error(`injected fault on ${path}`);
      store.blocking = blocking;
      return transformCandidate(context, path, read);
    } catch (error) {
      if (error instanceof Deferred) {
        if (error.codemod) this.waiting.set(error.codemod, error.key);
        return error.slot;
      }
      // Whatever goes wrong with one file (the parser failing to load, a bug) is that file's skip, never the run's end.
      return { kind: 'skipped', path, reason: 'codemod-error', message: `internal error: ${(error as Error).message}`, parsed: false, scope: [] };
    } finally {
      store.blocking = false;
    }
  }

  /** What this file's codemods wait for (see SharedStore.pending), or null. */
  private waitsFor(path: string, text: string): number | null {
    const pending = new Map<string, number>();
    for (const [id, key] of this.waiting) {
      const slot = this.store.pending(key);
      if (slot === null) this.waiting.delete(id);
      else pending.set(id, slot);
    }
    if (pending.size === 0) return null;
    const role = this.context.project.role(path).role;
    for (const codemod of codemodsFor(path, this.context.codemods)) {
      const slot = pending.get(codemod.meta.id);
      if (slot !== undefined && codemod.meta.roles.includes(role) && codemod.prefilter(text)) return slot;
    }
    return null;
  }
}

/** The test-only fault of SHIPSHAPE_TEST_WORKER_FAULT (`crash:<path>` or `throw:<path>`), for worker threads. */
export function injectedFault(env: NodeJS.ProcessEnv): { kind: 'crash' | 'throw'; path: string } | null {
  const match = /^(crash|throw):(.+)$/.exec(env.SHIPSHAPE_TEST_WORKER_FAULT ?? '');
  return match ? { kind: match[1] as 'crash' | 'throw', path: match[2]! } : null;
}
