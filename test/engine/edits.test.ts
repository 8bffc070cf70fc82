import { describe, expect, it } from 'vitest';
import { applyEdits, changesConfined, findOverlap, lineAt, sortEdits } from '../../src/engine/edits.js';
import type { Edit } from '../../src/engine/types.js';

function edit(start: number, end: number, text: string): Edit {
  return { start, end, text, safety: 'safe', description: 't' };
}

describe('edits', () => {
  it.each([
    ['replace one word', 'hello world', [edit(6, 11, 'there')], 'hello there'],
    ['insert at start', 'abc', [edit(0, 0, 'x')], 'xabc'],
    ['insert at end', 'abc', [edit(3, 3, 'x')], 'abcx'],
    ['two insertions at one point keep their order', 'ab', [edit(1, 1, '1'), edit(1, 1, '2')], 'a12b'],
    ['unordered edits', 'abcdef', [edit(4, 5, 'E'), edit(0, 1, 'A')], 'AbcdEf'],
    ['delete', 'a, b', [edit(1, 3, '')], 'ab'],
    ['non-ASCII indices are UTF-16', 'é😀x', [edit(3, 4, 'y')], 'é😀y'],
  ])('%s', (_name, text, edits, expected) => {
    const after = applyEdits(text, edits);
    expect(after).toBe(expected);
    expect(changesConfined(text, after, edits)).toBe(true);
  });

  it('rejects overlapping edits', () => {
    expect(() => applyEdits('abcdef', [edit(0, 3, 'x'), edit(2, 4, 'y')])).toThrow(/overlap/);
    expect(findOverlap(sortEdits([edit(0, 3, 'x'), edit(3, 4, 'y')]))).toBeNull();
  });

  it('rejects edits outside the text', () => {
    expect(() => applyEdits('abc', [edit(2, 9, 'x')])).toThrow(/outside/);
  });

  it('detects a change outside the edited ranges', () => {
    const edits = [edit(0, 1, 'A')];
    expect(changesConfined('abc', 'Abc', edits)).toBe(true);
    expect(changesConfined('abc', 'AbC', edits)).toBe(false);
    expect(changesConfined('abc', 'Ab', edits)).toBe(false);
  });

  it('computes 1-based lines', () => {
    const text = 'a\nb\r\nc';
    expect(lineAt(text, 0)).toBe(1);
    expect(lineAt(text, 2)).toBe(2);
    expect(lineAt(text, 5)).toBe(3);
  });
});
