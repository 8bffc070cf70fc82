import { beforeAll, describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/engine/edits.js';
import { selectEdits } from '../../src/engine/policy.js';
import { transformSource, type EngineContext } from '../../src/engine/transform.js';
import type { Edit, PythonCodemod, Safety } from '../../src/engine/types.js';
import { testEngine } from '../helpers/fixtures.js';

const TEXT = 'a = 1\nb = 2\nc = 3\n';

function edit(line: number, safety: Safety, extra: Partial<Edit> = {}): Edit {
  const start = (line - 1) * 6;
  return { start, end: start + 1, text: 'z', safety, description: `line ${line}`, ...extra };
}

describe('selectEdits', () => {
  it('counts one change per site, however many edits it took', () => {
    const out = selectEdits('t', TEXT, [edit(1, 'safe', { change: 'x' }), edit(2, 'safe', { change: 'x' }), edit(3, 'safe')], 'safe');
    expect(out.changes.map((c) => [c.line, c.endLine])).toEqual([
      [1, 2],
      [3, 3],
    ]);
    expect(out.applied).toHaveLength(3);
    expect(out.held).toEqual([]);
  });

  it('holds a change whose riskiest edit is above the policy, and keeps the others', () => {
    const out = selectEdits('t', TEXT, [edit(1, 'safe', { change: 'x' }), edit(2, 'review', { change: 'x' }), edit(3, 'safe')], 'safe');
    expect(out.changes.map((c) => c.line)).toEqual([3]);
    expect(out.held).toMatchObject([{ line: 1, endLine: 2, safety: 'review' }]);
    expect(out.applied.map((e) => e.description)).toEqual(['line 3']);
  });

  it('applies a supporting edit only with a change it serves, and never counts it', () => {
    const support = edit(1, 'safe', { supports: ['p', 'q'], description: 'import' });
    const held = selectEdits('t', TEXT, [support, edit(2, 'review', { change: 'p' }), edit(3, 'review', { change: 'q' })], 'safe');
    expect(held.applied).toEqual([]);
    expect(held.held).toHaveLength(2);
    const one = selectEdits('t', TEXT, [support, edit(2, 'safe', { change: 'p' }), edit(3, 'review', { change: 'q' })], 'safe');
    expect(one.applied.map((e) => e.description)).toEqual(['import', 'line 2']);
    expect(one.changes).toHaveLength(1);
  });

  it("keeps the codemod's order, so insertions at one point build the text it meant", () => {
    const at = (text: string, extra: Partial<Edit>): Edit => ({ start: 0, end: 0, text, safety: 'safe', description: text, ...extra });
    const edits = [at('from x import A', { change: 'm' }), at(', B', { supports: ['c'] }), at('\n', { change: 'm' }), edit(2, 'safe', { change: 'c' })];
    expect(applyEdits(TEXT, selectEdits('t', TEXT, edits, 'safe').applied).split('\n')[0]).toBe('from x import A, B');
    expect(applyEdits(TEXT, selectEdits('t', TEXT, edits.slice(0, 3), 'safe').applied).split('\n')[0]).toBe('from x import A');
  });

  it('makes a change as risky as a supporting edit it needs', () => {
    const out = selectEdits('t', TEXT, [edit(1, 'review', { supports: ['p'] }), edit(2, 'safe', { change: 'p' })], 'safe');
    expect(out.applied).toEqual([]);
    expect(out.held).toMatchObject([{ line: 2, safety: 'review' }]);
  });

  it('drops a change whose required change is held, transitively', () => {
    const edits = [edit(1, 'review', { change: 'a' }), edit(2, 'safe', { change: 'b', requires: ['a'] }), edit(3, 'safe', { change: 'c', requires: ['b'] })];
    const out = selectEdits('t', TEXT, edits, 'safe');
    expect(out.applied).toEqual([]);
    expect(out.held.map((c) => c.line)).toEqual([1, 2, 3]);
    expect(selectEdits('t', TEXT, edits, 'review').changes).toHaveLength(3);
  });
});

describe('a codemod that emits an edit riskier than it declares', () => {
  let engine: EngineContext;
  beforeAll(async () => {
    engine = await testEngine();
  });

  it('is stopped with the reason, whatever the policy', () => {
    const liar: PythonCodemod = {
      meta: {
        id: 'python/liar',
        version: '0',
        title: 'liar',
        language: 'python',
        extensions: ['.py'],
        summary: 's',
        phrase: 'p',
        fixes: [],
        safety: 'safe',
        security: false,
        rollback: 'r',
        prerequisites: [],
        references: [],
        keywords: [],
        roles: ['app'],
        requires: [],
      },
      prefilter: () => true,
      transform: () => ({ edits: [{ start: 0, end: 1, text: 'b', safety: 'review', description: 'a -> b' }], notes: [] }),
    };
    const out = transformSource(engine, { path: 'x.py', text: 'a = 1\n', eol: '\n' }, [liar], { maxSafety: 'unsafe' });
    expect(out).toMatchObject({ kind: 'skipped', reason: 'codemod-error', message: expect.stringContaining('riskier than the safe it declares') });
  });
});
