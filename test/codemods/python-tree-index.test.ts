import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { isNameUse } from '../../codemods/python/lib/bindings.js';
import { SemanticModel } from '../../codemods/python/lib/semantic.js';
import { ancestors, parentOf, TreeIndex } from '../../codemods/python/lib/tree-index.js';
import { pythonParser } from '../../src/engine/python.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'codemods', 'python');
const sources = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
  .filter((p) => p.endsWith('.input.py'))
  .map((p) => readFileSync(join(FIXTURES, p), 'utf8'));

let parser: Parser;
beforeAll(async () => {
  parser = await pythonParser();
});

/** Runs `check` on a fresh tree of `text`, deleting the tree afterwards. */
function withTree(text: string, check: (tree: Tree) => void): void {
  const tree = parser.parse(text)!;
  try {
    check(tree);
  } finally {
    tree.delete();
  }
}

/** Every named node, by walking the tree itself. */
function namedNodes(root: Node): Node[] {
  const out: Node[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    stack.push(...node.namedChildren.filter((c): c is Node => c !== null).reverse());
  }
  return out;
}

const ids = (nodes: readonly (Node | null)[]): number[] => nodes.filter((n): n is Node => n !== null && n.isNamed).map((n) => n.id);

describe('the per-tree index answers what the tree answers', () => {
  it('has fixtures to read', () => {
    expect(sources.length).toBeGreaterThan(50);
  });

  it('nodes by type and subtree queries, in document order', () => {
    for (const text of sources) {
      withTree(text, (tree) => {
        const index = TreeIndex.of(tree);
        const all = namedNodes(tree.rootNode);
        const types = [...new Set(all.map((n) => n.type))];
        for (const type of types) expect(ids(index.nodes(type))).toEqual(ids(tree.rootNode.descendantsOfType(type)));
        expect(ids(index.nodes('call', 'identifier'))).toEqual(ids(tree.rootNode.descendantsOfType(['call', 'identifier'])));
        for (const node of index.nodes('function_definition', 'call', 'expression_statement')) {
          for (const wanted of [['identifier'], ['string', 'call'], ['expression_statement']]) {
            expect(ids(index.within(node, ...wanted))).toEqual(ids(node.descendantsOfType(wanted)));
          }
        }
      });
    }
  });

  it('parents, children and fields', () => {
    const fields = ['name', 'body', 'left', 'right', 'parameters', 'function', 'arguments', 'value', 'attribute', 'module_name', 'alias'];
    for (const text of sources) {
      withTree(text, (tree) => {
        const index = TreeIndex.of(tree);
        for (const node of namedNodes(tree.rootNode)) {
          expect(index.parent(node)?.id).toBe(node.parent?.id);
          expect(parentOf(node)?.id).toBe(node.parent?.id);
          expect(index.typeOf(node)).toBe(node.type);
          expect(ids(index.namedChildren(node))).toEqual(ids(node.namedChildren));
          for (const field of fields) {
            const native = node.childForFieldName(field);
            expect(index.childForField(node, field)?.id).toBe(native?.id);
            for (const child of index.namedChildren(node)) expect(index.isField(node, field, child)).toBe(native?.id === child.id);
          }
        }
      });
    }
  });

  it('ancestors, nearest first, up to the module', () => {
    withTree('class C:\n    def f(self):\n        if x:\n            print(1)\n', (tree) => {
      const call = TreeIndex.of(tree).nodes('call')[0]!;
      const native: string[] = [];
      for (let up = call.parent; up; up = up.parent) native.push(up.type);
      expect([...ancestors(call)].map((n) => n.type)).toEqual(native);
      expect(native).toEqual(['expression_statement', 'block', 'if_statement', 'block', 'function_definition', 'block', 'class_definition', 'module']);
    });
  });

  it('identifiers by name', () => {
    withTree('import os\nos.path.join(os.sep, path=os)\ndef f(os):\n    return os\n', (tree) => {
      const index = TreeIndex.of(tree);
      expect(index.identifiers('os').map((id) => id.startPosition.row)).toEqual([0, 1, 1, 1, 2, 3]);
      expect(index.identifiers('os').filter(isNameUse)).toHaveLength(6);
      expect(index.identifiers('path').filter(isNameUse)).toHaveLength(0);
    });
  });

  it('a tree with a syntax error is indexed too, ERROR nodes included', () => {
    withTree('def f(:\n    x = 1\nclass C:\n    y = (\n', (tree) => {
      const index = TreeIndex.of(tree);
      expect(tree.rootNode.hasError).toBe(true);
      expect(ids(index.nodes('ERROR'))).toEqual(ids(tree.rootNode.descendantsOfType('ERROR')));
      for (const node of namedNodes(tree.rootNode)) {
        expect(index.parent(node)?.id).toBe(node.parent?.id);
        expect(index.typeOf(node)).toBe(node.type);
      }
    });
  });

  it('knows every node itself, also after keywords spelled like node types (never asking the tree)', () => {
    // `lambda` and `yield` are node types and keywords: the parser's search returns both, the index keeps the nodes.
    withTree('f = lambda x: x\ndef g():\n    yield lambda: (yield)\nclass C:\n    h = [lambda y: y for _ in ()]\n', (tree) => {
      const index = TreeIndex.of(tree);
      const all = namedNodes(tree.rootNode);
      expect(index.nodes('lambda')).toHaveLength(3);
      expect(index.nodes('lambda').every((n) => n.isNamed)).toBe(true);
      const parent = vi.spyOn(Object.getPrototypeOf(tree.rootNode) as Node, 'parent', 'get');
      try {
        const indexed = index.nodes(...new Set(all.map((n) => n.type)));
        expect(indexed).toHaveLength(all.length);
        for (const node of indexed) index.parent(node);
        expect(parent).not.toHaveBeenCalled();
      } finally {
        parent.mockRestore();
      }
    });
  });

  it('is built once per tree and shared with the semantic model', () => {
    withTree('x = 1\n', (tree) => {
      expect(TreeIndex.of(tree)).toBe(TreeIndex.of(tree.rootNode));
      // The very same node objects: the model reads the tree's index, it does not build its own.
      expect(SemanticModel.of(tree).nodes('assignment')[0]).toBe(TreeIndex.of(tree).nodes('assignment')[0]);
    });
  });
});
