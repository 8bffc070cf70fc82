import type { Parser } from 'web-tree-sitter';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SemanticModel } from '../../codemods/python/lib/semantic.js';
import { codemods as registry } from '../../codemods/index.js';
import { borrowTree, dropKeptTrees, keptTrees, pythonParser, releaseTree, TREE_CACHE_CHARS, withTree } from '../../src/engine/python.js';
import { transformSource } from '../../src/engine/transform.js';

let parser: Parser;
beforeAll(async () => {
  parser = await pythonParser();
});
beforeEach(() => dropKeptTrees());

/** A module of about `chars` characters, different for each `n`. */
function module(n: number, chars: number): string {
  const line = `value_${n} = ${n}  # ${'x'.repeat(40)}\n`;
  return line.repeat(Math.floor(chars / line.length));
}

describe('trees kept by text', () => {
  it('gives the next reader of the same text the same tree, with its semantic model', () => {
    const text = 'import os\n\ndef f(x):\n    return os.path.join(x)\n';
    const first = withTree(parser, text, (tree) => ({ tree, model: SemanticModel.of(tree) }));
    const second = withTree(parser, `${text}`, (tree) => ({ tree, model: SemanticModel.of(tree) }));
    expect(second.tree).toBe(first.tree);
    expect(second.model).toBe(first.model);
    // A different text is a different tree.
    const other = withTree(parser, `${text}\n`, (tree) => tree);
    expect(other).not.toBe(first.tree);
  });

  it('shares a tree between readers at once, and keeps it until the last gives it back', () => {
    const text = 'x = 1\n';
    const a = borrowTree(parser, text);
    const b = borrowTree(parser, text);
    expect(b).toBe(a);
    releaseTree(text, a);
    dropKeptTrees();
    // Still lent to b: not deleted, still readable.
    expect(b.rootNode.text).toBe(text);
    releaseTree(text, b);
    expect(keptTrees().trees).toBe(1);
    dropKeptTrees();
    expect(keptTrees()).toEqual({ trees: 0, chars: 0 });
  });

  it('deletes the least recently used trees beyond its limit, never one in use', () => {
    const size = Math.floor(TREE_CACHE_CHARS / 3);
    const texts = [0, 1, 2, 3].map((n) => module(n, size));
    const held = borrowTree(parser, texts[0]!);
    for (const text of texts.slice(1)) withTree(parser, text, () => undefined);
    const kept = keptTrees();
    expect(kept.chars).toBeLessThanOrEqual(TREE_CACHE_CHARS);
    // The oldest one not in use (texts[1]) made room; the one still lent (texts[0]) stays and stays usable.
    expect(kept.trees).toBe(3);
    expect(borrowTree(parser, texts[0]!)).toBe(held);
    expect(held.rootNode.namedChildCount).toBeGreaterThan(0);
    releaseTree(texts[0]!, held);
    releaseTree(texts[0]!, held);
    const again = borrowTree(parser, texts[1]!);
    expect(keptTrees().trees).toBe(4);
    releaseTree(texts[1]!, again);
    expect(keptTrees().chars).toBeLessThanOrEqual(TREE_CACHE_CHARS);
  });

  it('never keeps a text larger than the whole cache', () => {
    const big = module(9, TREE_CACHE_CHARS + 100);
    const tree = borrowTree(parser, big);
    expect(keptTrees().trees).toBe(0);
    releaseTree(big, tree);
    expect(keptTrees().trees).toBe(0);
  });

  it('a transform run twice on the same text parses it once and gives the same result', () => {
    const file = { path: 'app/service.py', text: 'def handler(x):\n    print("got", x)\n    return x\n', eol: '\n' as const };
    const codemods = registry.filter((c) => c.meta.language === 'python');
    const first = transformSource({ python: parser }, file, codemods, { maxSafety: 'review' });
    expect(keptTrees().trees).toBeGreaterThan(0);
    const trees = keptTrees().trees;
    const second = transformSource({ python: parser }, { ...file }, codemods, { maxSafety: 'review' });
    expect(second).toEqual(first);
    // The second run parsed nothing new: the input's tree and the result's were both kept.
    expect(keptTrees().trees).toBe(trees);
    expect(first.kind).toBe('changed');
  });
});
