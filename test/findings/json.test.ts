import { describe, expect, it } from 'vitest';
import { lineColumn, parseJsonText, scanForError } from '../../src/findings/json.js';

describe('scanForError agrees with V8 where V8 names the position', () => {
  it.each([
    '{"a":1',
    '{"a" 1}',
    '"abc',
    '[1] x',
    '{"a":1,}',
    '[1,]',
    '{"a":}',
    '{"a": tru}',
    '[01]',
    '[1.]',
    '["\\x"]',
    '["\\u12G4"]',
    '["tab\there"]',
    '{"a": [1, 2}',
    '  \n  ]',
    '{"a": nul',
    '{"a": 1}}',
    '[-]',
    '{1: 2}',
  ])('%j', (text) => {
    let v8: number | undefined;
    try {
      JSON.parse(text);
    } catch (error) {
      const match = /at position (\d+)/.exec((error as Error).message);
      if (match) v8 = Number(match[1]);
    }
    const offset = scanForError(text);
    expect(offset).toBeLessThanOrEqual(text.length);
    if (v8 !== undefined) expect(offset).toBe(v8);
  });

  it('valid JSON has no error before the end', () => {
    for (const text of ['{}', '[]', '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]}', ' 0 ']) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(scanForError(text)).toBe(text.length);
    }
  });
});

describe('lineColumn', () => {
  it.each([
    ['abc', 0, 1, 1],
    ['abc', 2, 1, 3],
    ['a\nbc', 2, 2, 1],
    ['a\r\nbc', 4, 2, 2],
    ['a\n', 2, 2, 1],
    ['😀x', 2, 1, 3],
  ])('%j at %i → line %i, column %i', (text, offset, line, column) => {
    expect(lineColumn(text, offset)).toEqual({ line, column });
  });
});

describe('parseJsonText', () => {
  it('reads JSON with a BOM', () => {
    expect(parseJsonText('\uFEFF{"a":1}', 'f.json')).toEqual({ a: 1 });
  });

  it('does not echo the input back in the message', () => {
    const long = `{"x": "${'y'.repeat(500)}", "z": oops}`;
    expect(() => parseJsonText(long, 'f.json')).toThrow(/^f\.json: line 1, column 516: invalid JSON: Unexpected token 'o'$/);
  });
});

describe('scanForError on mutated SARIF-like JSON (deterministic)', () => {
  it('finds the same offset as V8 whenever V8 names one, and accepts what V8 accepts', () => {
    const base = JSON.stringify({ version: '2.1.0', runs: [{ a: [1, -2.5e3, true, false, null, 'x\\n\u00e9'], b: { c: 0.5 } }] }, null, 1);
    const alphabet = ['{', '}', '[', ']', ',', ':', '"', '\\', '1', '-', '.', 'e', 't', 'n', ' ', '\n', 'x', '0', '+'];
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let compared = 0;
    for (let k = 0; k < 3000; k++) {
      let text = base;
      for (let e = 0; e < 1 + random(2); e++) {
        const at = random(text.length);
        const op = random(3);
        const ch = alphabet[random(alphabet.length)]!;
        text = op === 0 ? text.slice(0, at) + ch + text.slice(at) : op === 1 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + ch + text.slice(at + 1);
      }
      let v8: number | undefined;
      let valid = true;
      try {
        JSON.parse(text);
      } catch (error) {
        valid = false;
        const match = /at position (\d+)/.exec((error as Error).message);
        if (match) v8 = Number(match[1]);
      }
      if (valid) expect(scanForError(text), text).toBe(text.length);
      if (v8 === undefined) continue;
      compared++;
      expect(scanForError(text), text).toBe(v8);
    }
    expect(compared).toBeGreaterThan(500);
  });
});
