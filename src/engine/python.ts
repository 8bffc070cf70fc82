import { createRequire } from 'node:module';
import type { Node, Parser, Tree } from 'web-tree-sitter';

const require = createRequire(import.meta.url);
let parserPromise: Promise<Parser> | undefined;

/**
 * The tree-sitter Python parser, loaded once per thread (WASM, no native
 * code), on first use: a run without a Python file to parse never loads it.
 */
export function pythonParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    const { Language, Parser } = await import('web-tree-sitter');
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/** Parses `text`; the caller owns the tree and must `delete()` it. */
export function parsePython(parser: Parser, text: string): Tree {
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/**
 * Characters of source whose trees this thread keeps after their last
 * reader gave them back. A tree takes about 24 bytes per character of
 * source (WASM memory, which never shrinks), plus the index and semantic
 * model built on it. Measured: 300,000 characters hold every repeat of
 * `apply` on a 1,100-file app (213 of 290 parses: the plan's detection, then
 * the apply, then the verification pass) and of the demo (97 of 120); a
 * `run` over a large tree repeats little, and far apart (a module read for
 * a summary early, transformed much later), so a larger cache mostly costs
 * memory there.
 */
export const TREE_CACHE_CHARS = 300_000;

interface Kept {
  tree: Tree;
  /** Readers holding it now. */
  users: number;
}

/**
 * Trees by the text they were parsed from, least recently used first. A
 * tree depends on nothing but its text, so whoever parses the same text
 * next (another codemod, a summary of an imported module, the second pass
 * of the verification, the apply after the plan's detection) gets the same
 * tree, with the index and semantic model already built on it.
 */
const kept = new Map<string, Kept>();
let keptChars = 0;

/**
 * The tree of `text`: kept from an earlier reader in this thread, or parsed
 * now. Give it back with `releaseTree` (never `delete()` it: others may read it).
 */
export function borrowTree(parser: Parser, text: string): Tree {
  const found = kept.get(text);
  if (found) {
    found.users++;
    // Most recently used last.
    kept.delete(text);
    kept.set(text, found);
    return found.tree;
  }
  const tree = parsePython(parser, text);
  if (text.length <= TREE_CACHE_CHARS) {
    kept.set(text, { tree, users: 1 });
    keptChars += text.length;
  }
  return tree;
}

/** Gives back a tree `borrowTree` lent; trees beyond the limit that nobody reads are deleted, oldest first. */
export function releaseTree(text: string, tree: Tree): void {
  const entry = kept.get(text);
  if (!entry || entry.tree !== tree) {
    tree.delete();
    return;
  }
  entry.users--;
  if (keptChars > TREE_CACHE_CHARS) forgetUnused(TREE_CACHE_CHARS);
}

/** Deletes kept trees nobody reads, oldest first, until at most `limit` characters are kept. */
function forgetUnused(limit: number): void {
  for (const [key, entry] of kept) {
    if (keptChars <= limit) break;
    if (entry.users > 0) continue;
    entry.tree.delete();
    kept.delete(key);
    keptChars -= key.length;
  }
}

/** Runs `use` on the tree of `text` (see borrowTree) and gives the tree back. */
export function withTree<T>(parser: Parser, text: string, use: (tree: Tree) => T): T {
  const tree = borrowTree(parser, text);
  try {
    return use(tree);
  } finally {
    releaseTree(text, tree);
  }
}

/** Deletes every kept tree nobody reads (tests of memory use; a run never needs to). */
export function dropKeptTrees(): void {
  forgetUnused(0);
}

/** How many trees this thread keeps and of how many characters (tests). */
export function keptTrees(): { trees: number; chars: number } {
  return { trees: kept.size, chars: keptChars };
}

/** The first ERROR or MISSING node in document order, for a precise message. */
export function firstSyntaxError(root: Node): Node | null {
  if (!root.hasError) return null;
  const cursor = root.walk();
  try {
    for (;;) {
      const node = cursor.currentNode;
      if (node.isError || node.isMissing) return node;
      if (node.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return root;
      }
    }
  } finally {
    cursor.delete();
  }
}
