import { describe, expect, it } from 'vitest';
import { Backlog } from '../../src/engine/pool.js';

describe('the backlog of a pooled run', () => {
  it('without home files, splits the files into neighbouring runs, one per owner', () => {
    const backlog = new Backlog(10, [1, 2, 7]);
    expect(backlog.size).toBe(10);
    expect(backlog.take(1, 10)).toEqual([0, 1, 2]);
    expect(backlog.take(2, 10)).toEqual([3, 4, 5]);
    expect(backlog.take(7, 10)).toEqual([6, 7, 8, 9]);
    expect(backlog.size).toBe(0);
  });

  it("starts the home owner's run with its files, fills its share from the others' end, and gives the workers none of them", () => {
    // Files 1, 4 and 5 are JavaScript: they start the main thread's (owner 9's) run.
    const js = new Set([1, 4, 5]);
    const backlog = new Backlog(12, [1, 2, 9], { owner: 9, files: (i) => js.has(i) });
    expect(backlog.take(9, 12)).toEqual([1, 4, 5, 11]);
    expect(backlog.take(1, 12)).toEqual([0, 2, 3, 6]);
    expect(backlog.take(2, 12)).toEqual([7, 8, 9, 10]);
  });

  it('gives the home owner every home file even beyond its share, and the rest to the others', () => {
    const backlog = new Backlog(6, [1, 9], { owner: 9, files: (i) => i !== 2 });
    expect(backlog.take(9, 6)).toEqual([0, 1, 3, 4, 5]);
    expect(backlog.take(1, 6)).toEqual([2]);
  });

  it('a thread whose run is done takes the back half of the longest other run', () => {
    const backlog = new Backlog(8, [1, 9], { owner: 9, files: (i) => i < 2 });
    expect(backlog.take(1, 8)).toEqual([2, 3, 4, 5]);
    // Owner 9's run is [0, 1, 6, 7]: owner 1 takes its back half, past the home files.
    expect(backlog.take(1, 8)).toEqual([6, 7]);
    expect(backlog.take(9, 8)).toEqual([0, 1]);
    expect(backlog.size).toBe(0);
  });
});
