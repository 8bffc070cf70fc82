import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/index.js';
import { decodeSource, encodeSource } from '../../src/engine/files.js';
import { transformSource, type EngineContext, type Policy, type TransformOutcome } from '../../src/engine/transform.js';
import type { Codemod } from '../../src/engine/types.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'codemods');

export interface FixtureCase {
  name: string;
  ext: string;
  input: Buffer;
  expected: Buffer;
}

/** The `<case>.input.<ext>` / `<case>.output.<ext>` pairs of one codemod. */
export function fixtureCases(id: string): FixtureCase[] {
  const dir = join(FIXTURES, id);
  const cases: FixtureCase[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = /^(.*)\.input(\.[a-z]+)$/.exec(file);
    if (!m) continue;
    const [, name, ext] = m as unknown as [string, string, string];
    cases.push({
      name,
      ext,
      input: readFileSync(join(dir, file)),
      expected: readFileSync(join(dir, `${name}.output${ext}`)),
    });
  }
  return cases;
}

let enginePromise: Promise<EngineContext> | undefined;
export function testEngine(): Promise<EngineContext> {
  enginePromise ??= createEngine();
  return enginePromise;
}

/** Runs codemods over raw file bytes the way `shipshape run` does; returns the outcome and the bytes it would write. */
export function transformBytes(
  engine: EngineContext,
  codemods: readonly Codemod[],
  path: string,
  bytes: Uint8Array,
  policy?: Policy,
): { outcome: TransformOutcome; output: string; input: string } {
  const decoded = decodeSource(path, bytes);
  if (!decoded.ok) throw new Error(`fixture ${path} is not readable text: ${decoded.message}`);
  const outcome = transformSource(engine, decoded.file, codemods, policy);
  const input = encodeSource(decoded.file.text, decoded.bom);
  const output = outcome.kind === 'changed' ? encodeSource(outcome.text, decoded.bom) : input;
  return { outcome, output, input };
}

/**
 * The table every codemod's fixtures must pass: the output is exactly the
 * expected bytes; a second run changes nothing; `must-not-change` style cases
 * (input == output) are reported unchanged or skipped; `syntax-error` cases
 * are skipped with that reason. A `.review` case runs with review edits allowed.
 */
export function describeFixtures(codemod: Codemod): void {
  const cases = fixtureCases(codemod.meta.id);
  describe(`${codemod.meta.id} fixtures`, () => {
    let engine: EngineContext;
    beforeAll(async () => {
      engine = await testEngine();
    });

    it('has at least 12 cases', () => {
      expect(cases.length).toBeGreaterThanOrEqual(12);
    });

    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const policy: Policy = { maxSafety: c.name.includes('.review') ? 'review' : 'safe' };
      const path = `src/${c.name}${c.ext}`;
      const first = transformBytes(engine, [codemod], path, c.input, policy);
      if (first.outcome.kind === 'skipped' && !c.name.includes('syntax-error')) {
        throw new Error(`unexpected skip: ${first.outcome.message}`);
      }
      expect(first.output).toBe(c.expected.toString('utf8'));
      if (c.name.includes('syntax-error')) {
        expect(first.outcome).toMatchObject({ kind: 'skipped', reason: 'syntax-error' });
        return;
      }
      if (c.input.equals(c.expected)) expect(first.outcome.kind).toBe('unchanged');
      else expect(first.outcome.kind).toBe('changed');
      const second = transformBytes(engine, [codemod], path, Buffer.from(first.output, 'utf8'), policy);
      expect(second.outcome.kind).toBe('unchanged');
    });
  });
}
