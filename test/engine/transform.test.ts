import { beforeAll, describe, expect, it } from 'vitest';
import { transformSource, type EngineContext } from '../../src/engine/transform.js';
import type { PythonCodemod, SourceFile } from '../../src/engine/types.js';
import { testEngine } from '../helpers/fixtures.js';
import { renamePython, varToLet } from '../helpers/toy-codemods.js';

let engine: EngineContext;
beforeAll(async () => {
  engine = await testEngine();
});

function py(text: string, path = 'app.py'): SourceFile {
  return { path, text, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

describe('transformSource', () => {
  it('applies a codemod and keeps every other byte, CRLF included', () => {
    const out = transformSource(engine, py('x = old_name  # keep\r\ny = 2\r\n'), [renamePython()]);
    expect(out).toMatchObject({ kind: 'changed', text: 'x = new_name  # keep\r\ny = 2\r\n' });
  });

  it('never parses a file no prefilter accepts', () => {
    const out = transformSource(engine, py('x = (\n'), [renamePython()]);
    expect(out).toMatchObject({ kind: 'unchanged', parsed: false });
  });

  it('skips a file with a syntax error, naming the place', () => {
    const out = transformSource(engine, py('x = old_name\ndef f(:\n'), [renamePython()]);
    expect(out).toMatchObject({ kind: 'skipped', reason: 'syntax-error', message: expect.stringMatching(/line 2/) });
  });

  it('holds edits riskier than the policy and reports them', () => {
    const out = transformSource(engine, py('a = old_name\n'), [renamePython({ safety: 'review' })]);
    expect(out).toMatchObject({ kind: 'unchanged', held: [{ codemod: 'python/rename', line: 1, safety: 'review' }] });
    const allowed = transformSource(engine, py('a = old_name\n'), [renamePython({ safety: 'review' })], { maxSafety: 'review' });
    expect(allowed.kind).toBe('changed');
  });

  it('runs codemods in sequence, reparsing only after a change', () => {
    const first = renamePython({ from: 'a', to: 'b', id: 'python/a-to-b' });
    const second = renamePython({ from: 'b', to: 'c', id: 'python/b-to-c' });
    const out = transformSource(engine, py('a = 1\n'), [first, second]);
    expect(out).toMatchObject({ kind: 'changed', text: 'c = 1\n' });
    if (out.kind === 'changed') expect(out.steps.map((s) => s.codemod)).toEqual(['python/a-to-b', 'python/b-to-c']);
  });

  it('fails the gate when a second pass would change the result again', () => {
    const growing = renamePython({ from: 'y', text: () => 'y + y' });
    const out = transformSource(engine, py('a = y\n'), [growing]);
    expect(out).toMatchObject({ kind: 'skipped', reason: 'gate-failed', message: expect.stringContaining('not idempotent') });
  });

  it('fails the gate when the result does not parse', () => {
    // One result no prefilter matches any more, one the second pass reads again: both are reparsed.
    for (const text of ['def (', 'x x']) {
      const breaking = renamePython({ from: 'x', text: () => text });
      const out = transformSource(engine, py('x = 1\n'), [breaking]);
      expect(out).toMatchObject({ kind: 'skipped', reason: 'gate-failed', message: expect.stringContaining('does not parse') });
    }
  });

  it('reports a codemod that throws or returns overlapping edits instead of crashing', () => {
    const throwing: PythonCodemod = { ...renamePython(), transform: () => { throw new Error('boom'); } };
    expect(transformSource(engine, py('old_name\n'), [throwing])).toMatchObject({ kind: 'skipped', reason: 'codemod-error', message: 'python/rename failed: boom' });
    const overlapping: PythonCodemod = {
      ...renamePython(),
      transform: () => ({
        edits: [
          { start: 0, end: 4, text: 'a', safety: 'safe', description: '' },
          { start: 2, end: 6, text: 'b', safety: 'safe', description: '' },
        ],
        notes: [],
      }),
    };
    expect(transformSource(engine, py('old_name\n'), [overlapping])).toMatchObject({ kind: 'skipped', reason: 'codemod-error', message: expect.stringContaining('overlap') });
  });

  it('only runs codemods of the file type', () => {
    expect(transformSource(engine, py('var old_name = 1;\n', 'a.js'), [renamePython(), varToLet()])).toMatchObject({ kind: 'changed', text: 'let old_name = 1;\n' });
  });

  it('skips JavaScript that does not parse', () => {
    expect(transformSource(engine, py('var x = ;\n', 'a.js'), [varToLet()])).toMatchObject({ kind: 'skipped', reason: 'syntax-error', message: expect.stringMatching(/line 1/) });
  });

  it('gives JS codemods positions in the exact text, even with tab indentation and CRLF', () => {
    const text = 'function f() {\r\n\t\tvar a = 1;\r\n\tvar b = "é😀";\r\n}\r\n';
    expect(transformSource(engine, py(text, 'a.js'), [varToLet()])).toMatchObject({ kind: 'changed', text: text.replaceAll('var ', 'let ') });
  });

  it('parses TypeScript with the TypeScript parser', () => {
    expect(transformSource(engine, py('var x: number = 1;\n', 'a.ts'), [varToLet()])).toMatchObject({ kind: 'changed', text: 'let x: number = 1;\n' });
  });
});
