import { describe, expect, it } from 'vitest';
import { groupBy, reasonShape } from '../../src/cli/output.js';

describe('grouping notes by reason', () => {
  it('notes that differ only in the names, places and numbers they mention have one shape', () => {
    const same = [
      'class ShoppingListOut: key getter_dict was removed in pydantic v2 (decide what replaces it); class Config left alone',
      'class UserBase: key getter_dict was removed in pydantic v2 (decide what replaces it); class Config left alone',
    ];
    expect(reasonShape(same[0]!)).toBe(reasonShape(same[1]!));
    expect(reasonShape('`i.time` needs an escape helper (line 12 of app/x.js)')).toBe(reasonShape('`mh` needs an escape helper (line 7 of static/y.js)'));
    // A different reason is a different shape.
    expect(reasonShape(same[0]!)).not.toBe(reasonShape('class UserBase: key orm_mode has no v2 equivalent; class Config left alone'));
  });

  it('groups in order of first appearance, keeping every member', () => {
    const groups = groupBy(['a1', 'b1', 'a2', 'c1', 'b2'], (s) => s[0]!);
    expect(groups.map((g) => [g.first, g.all])).toEqual([
      ['a1', ['a1', 'a2']],
      ['b1', ['b1', 'b2']],
      ['c1', ['c1']],
    ]);
  });
});
