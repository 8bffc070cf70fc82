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
