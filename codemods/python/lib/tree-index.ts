import type { Node, Tree } from 'web-tree-sitter';

/**
 * One index per parsed tree: every named node, grouped by type, from a single
 * cursor walk; identifiers grouped by their text on first request. Built
 * lazily on first use and shared by every codemod (and the semantic model)
 * reading the same tree, so no codemod walks the whole tree on its own.
 *
 * Nodes are numbered in document (pre-)order; a node's descendants are the
 * numbers from its own up to its `end`, so a subtree query is two binary
 * searches instead of a walk.
 */
export class TreeIndex {
  /** Named nodes in document order. */
  private readonly all: Node[] = [];
  /** For the node numbered i, the number just past its last named descendant. */
  private readonly end: number[] = [];
  private readonly order = new Map<number, number>();
  private readonly byType = new Map<string, number[]>();
  private byName: Map<string, number[]> | null = null;

  private constructor(root: Node) {
    const cursor = root.walk();
    // Open named nodes: their number and depth, closed when the walk comes back to their depth.
    const open: { index: number; depth: number }[] = [];
    let depth = 0;
    try {
      for (;;) {
        while (open.length > 0 && open.at(-1)!.depth >= depth) this.end[open.pop()!.index] = this.all.length;
        if (cursor.nodeIsNamed) {
          const node = cursor.currentNode;
          const index = this.all.length;
          this.all.push(node);
          this.end.push(index + 1);
          this.order.set(node.id, index);
          const list = this.byType.get(node.type);
          if (list) list.push(index);
          else this.byType.set(node.type, [index]);
          open.push({ index, depth });
        }
        if (cursor.gotoFirstChild()) {
          depth++;
          continue;
        }
        let done = false;
        while (!cursor.gotoNextSibling()) {
          if (depth === 0 || !cursor.gotoParent()) {
            done = true;
            break;
          }
          depth--;
        }
        if (done) break;
      }
    } finally {
      cursor.delete();
    }
    while (open.length > 0) this.end[open.pop()!.index] = this.all.length;
  }

  private static readonly cache = new WeakMap<Tree, TreeIndex>();

  /** The index of a tree (or of the tree a node belongs to), built on first use. */
  static of(tree: Tree | Node): TreeIndex {
    const key = 'rootNode' in tree ? tree : tree.tree;
    let index = TreeIndex.cache.get(key);
    if (!index) {
      index = new TreeIndex(key.rootNode);
      TreeIndex.cache.set(key, index);
    }
    return index;
  }

  /** Every named node of one of `types` in the whole tree, in document order. */
  nodes(...types: string[]): Node[] {
    return this.pick(this.numbers(types), 0, this.all.length);
  }

  /**
   * Named descendants of `node` (itself included) of one of `types`, in
   * document order: what `node.descendantsOfType(types)` gives, without a walk.
   */
  within(node: Node, ...types: string[]): Node[] {
    const at = this.order.get(node.id);
    if (at === undefined || this.all[at]!.tree !== node.tree) {
      return node.descendantsOfType(types).filter((n): n is Node => n !== null && n.isNamed);
    }
    return this.pick(this.numbers(types), at, this.end[at]!);
  }

  /** Whether `node` has a named descendant (or is itself) of one of `types`. */
  has(node: Node, ...types: string[]): boolean {
    return this.within(node, ...types).length > 0;
  }

  /** Identifier nodes spelled `name` (any role: variable, attribute, keyword, import path), in document order. */
  identifiers(name: string): Node[] {
    if (!this.byName) {
      this.byName = new Map();
      for (const i of this.byType.get('identifier') ?? []) {
        const text = this.all[i]!.text;
        const list = this.byName.get(text);
        if (list) list.push(i);
        else this.byName.set(text, [i]);
      }
    }
    return (this.byName.get(name) ?? []).map((i) => this.all[i]!);
  }

  private numbers(types: readonly string[]): number[] {
    if (types.length === 1) return this.byType.get(types[0]!) ?? [];
    const merged = [...new Set(types)].flatMap((t) => this.byType.get(t) ?? []);
    return merged.sort((a, b) => a - b);
  }

  /** The nodes numbered in [from, to) among `numbers` (sorted). */
  private pick(numbers: readonly number[], from: number, to: number): Node[] {
    let lo = lowerBound(numbers, from);
    const out: Node[] = [];
    for (; lo < numbers.length && numbers[lo]! < to; lo++) out.push(this.all[numbers[lo]!]!);
    return out;
  }
}

function lowerBound(numbers: readonly number[], value: number): number {
  let lo = 0;
  let hi = numbers.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (numbers[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
