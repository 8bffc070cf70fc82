import type { Node, Tree } from 'web-tree-sitter';

/**
 * One index per parsed tree: every named node, grouped by type, from a single
 * walk; identifiers grouped by their text on first request; each node's
 * parent and children, and the fields of a node's children once asked. Built
 * lazily on first use and shared by every codemod (and the semantic model)
 * reading the same tree, so no codemod walks the whole tree on its own, and
 * nobody asks the tree for a parent (which it finds by walking down from the
 * root).
 *
 * Nodes are numbered in document (pre-)order; a node's descendants are the
 * numbers from its own up to its `end`, so a subtree query is two binary
 * searches instead of a walk.
 */
export class TreeIndex {
  /** Named nodes in document order. */
  private readonly all: Node[];
  /** The type names of the tree's language, by type id. */
  private readonly names: readonly string[];
  /** For the node numbered i, its type id. */
  private readonly typeIds: Uint16Array;
  /** For the node numbered i, the number just past its last named descendant. */
  private readonly end: Int32Array;
  /** For the node numbered i, its parent's number (-1 for the root). */
  private readonly up: Int32Array;
  /** For the node numbered i, its start (ascending: document order); with the id, finds a node's number. */
  private readonly starts: Int32Array;
  /** For a node number, the fields its named children fill (`body`, `left`, …; null for none), once asked. */
  private readonly fields = new Map<number, (string | null)[]>();
  /** For a node number, the field it fills in its parent, once its parent's fields were read. */
  private readonly fieldOfNode: (string | null)[] = [];
  /** Numbers of the nodes of one type, or of several merged in document order, by the types asked for; filled on request. */
  private readonly byType = new Map<string, number[]>();
  private byName: Map<string, number[]> | null = null;

  private constructor(root: Node) {
    // One call into the parser collects every named node in document order (far cheaper than
    // stepping a cursor through every token from JavaScript); parents and subtree ends follow
    // from the byte ranges, since a node's descendants come right after it and inside it. The
    // numbers go in typed arrays sized once: a tree has tens of thousands of nodes, and growing
    // arrays of them is garbage the collector then spends more time on than the walk.
    const language = languageOf(root);
    const found = root.hasError ? namedNodesByCursor(root) : root.descendantsOfType(language.namedTypes);
    const total = found.length;
    const all = new Array<Node>(total);
    const typeIds = new Uint16Array(total);
    const end = new Int32Array(total);
    const up = new Int32Array(total);
    const starts = new Int32Array(total);
    const ends = new Int32Array(total);
    const open = new Int32Array(total);
    let depth = 0;
    let count = 0;
    for (const node of found) {
      if (!node) continue;
      // Each getter is a call into the parser: the type id once (a keyword spelled like a named type is left out).
      const typeId = node.typeId;
      if (!language.named[typeId]) continue;
      const startIndex = node.startIndex;
      const endIndex = node.endIndex;
      while (depth > 0) {
        const top = open[depth - 1]!;
        if (startIndex >= starts[top]! && endIndex <= ends[top]!) break;
        end[top] = count;
        depth--;
      }
      all[count] = node;
      typeIds[count] = typeId;
      starts[count] = startIndex;
      ends[count] = endIndex;
      end[count] = count + 1;
      up[count] = depth > 0 ? open[depth - 1]! : -1;
      open[depth++] = count;
      count++;
    }
    while (depth > 0) end[open[--depth]!] = count;
    // Keywords left out leave room at the end: every array is exactly one entry per node kept.
    all.length = count;
    this.all = all;
    this.names = language.names;
    this.typeIds = typeIds.subarray(0, count);
    this.end = end.subarray(0, count);
    this.up = up.subarray(0, count);
    this.starts = starts.subarray(0, count);
  }

  /** The fields of a node's named children, read once per node that is asked about. */
  private fieldsOf(at: number): (string | null)[] {
    let fields = this.fields.get(at);
    if (fields) return fields;
    fields = [];
    const cursor = this.all[at]!.walk();
    try {
      if (cursor.gotoFirstChild()) {
        do {
          if (cursor.nodeIsNamed) fields.push(cursor.currentFieldName ?? null);
        } while (cursor.gotoNextSibling());
      }
    } finally {
      cursor.delete();
    }
    this.fields.set(at, fields);
    for (let c = at + 1, k = 0; c < this.end[at]!; c = this.end[c]!, k++) this.fieldOfNode[c] = fields[k] ?? null;
    return fields;
  }

  /** The field the node numbered `at` fills in its parent, or null. */
  private fieldAt(at: number): string | null {
    const up = this.up[at]!;
    if (up < 0) return null;
    this.fieldsOf(up);
    return this.fieldOfNode[at] ?? null;
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

  /** The number of a node of this tree, or undefined. */
  private numberOf(node: Node): number | undefined {
    // Nodes starting at the same place are one inside another (a handful): a binary search and a short scan by id.
    const start = node.startIndex;
    const all = this.all;
    for (let at = lowerBound(this.starts, start); at < all.length && this.starts[at] === start; at++) {
      const found = all[at]!;
      if (found.id === node.id) return found.tree === node.tree ? at : undefined;
    }
    return undefined;
  }

  /** A node's type, read once when the index was built (`node.type` asks the parser each time). */
  typeOf(node: Node): string {
    const at = this.numberOf(node);
    return at === undefined ? node.type : this.typeAt(at);
  }

  /** A node's parent, without asking the tree (which walks down from the root to find it). */
  parent(node: Node): Node | null {
    const at = this.numberOf(node);
    if (at === undefined) return node.parent;
    const up = this.up[at]!;
    return up < 0 ? null : this.all[up]!;
  }

  /** Named children, in order. */
  namedChildren(node: Node): Node[] {
    const at = this.numberOf(node);
    if (at === undefined) return node.namedChildren.filter((n): n is Node => n !== null);
    const out: Node[] = [];
    for (let c = at + 1; c < this.end[at]!; c = this.end[c]!) out.push(this.all[c]!);
    return out;
  }

  /** The first named child filling `field` (as `childForFieldName`, for fields that hold named nodes). */
  childForField(node: Node, field: string): Node | null {
    const at = this.numberOf(node);
    if (at !== undefined) {
      const fields = this.fieldsOf(at);
      for (let c = at + 1, k = 0; c < this.end[at]!; c = this.end[c]!, k++) if (fields[k] === field) return this.all[c]!;
    }
    return node.childForFieldName(field);
  }

  /** Whether `child` is the (first) child of `parent` filling `field`, as `parent.childForFieldName(field)` says. */
  isField(parent: Node, field: string, child: Node): boolean {
    const at = this.numberOf(child);
    if (at === undefined) return parent.childForFieldName(field)?.id === child.id;
    if (this.all[this.up[at]!]?.id !== parent.id || this.fieldAt(at) !== field) return false;
    return this.childForField(parent, field)?.id === child.id;
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
    const at = this.numberOf(node);
    if (at === undefined) {
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
      for (const i of this.numbers(['identifier'])) {
        const text = this.all[i]!.text;
        const list = this.byName.get(text);
        if (list) list.push(i);
        else this.byName.set(text, [i]);
      }
    }
    return (this.byName.get(name) ?? []).map((i) => this.all[i]!);
  }

  private numbers(types: readonly string[]): number[] {
    const key = types.length === 1 ? types[0]! : types.join(' ');
    let numbers = this.byType.get(key);
    if (!numbers) {
      // One pass over the type ids, for the types of one request, the first time they are asked for.
      const wanted = new Set(types);
      numbers = [];
      for (let at = 0; at < this.typeIds.length; at++) if (wanted.has(this.typeAt(at))) numbers.push(at);
      this.byType.set(key, numbers);
    }
    return numbers;
  }

  /** The type of the node numbered `at`. */
  private typeAt(at: number): string {
    return this.names[this.typeIds[at]!] || 'ERROR';
  }

  /** The nodes numbered in [from, to) among `numbers` (sorted). */
  private pick(numbers: readonly number[], from: number, to: number): Node[] {
    let lo = lowerBound(numbers, from);
    const out: Node[] = [];
    for (; lo < numbers.length && numbers[lo]! < to; lo++) out.push(this.all[numbers[lo]!]!);
    return out;
  }
}

/**
 * A node's parent through its tree's index (`node.parent` walks down from
 * the root on every call, which made climbing from a node quadratic in its
 * depth).
 */
export function parentOf(node: Node): Node | null {
  return TreeIndex.of(node).parent(node);
}

/** Whether `child` is the (first) child of `parent` filling `field`, through its tree's index. */
export function isField(parent: Node, field: string, child: Node): boolean {
  return TreeIndex.of(child).isField(parent, field, child);
}

/** A node's type through its tree's index (`node.type` is a call into the parser each time). */
export function typeOf(node: Node): string {
  return TreeIndex.of(node).typeOf(node);
}

/** A node's ancestors, nearest first, through its tree's index. */
export function* ancestors(node: Node): Generator<Node> {
  const index = TreeIndex.of(node);
  for (let up = index.parent(node); up; up = index.parent(up)) yield up;
}

/**
 * Named nodes in document order by stepping a cursor: for trees holding
 * ERROR nodes, which the parser's own search cannot be asked for together
 * with other types.
 */
function namedNodesByCursor(root: Node): Node[] {
  const out: Node[] = [];
  const cursor = root.walk();
  try {
    for (;;) {
      if (cursor.nodeIsNamed) out.push(cursor.currentNode);
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return out;
    }
  } finally {
    cursor.delete();
  }
}

interface LanguageInfo {
  /** Every named node type (not ERROR: see namedNodesByCursor). */
  namedTypes: string[];
  /** Type names by type id. */
  names: readonly string[];
  /** By type id, 1 for a named type (ERROR, 65535, included): a keyword spelled like a named type is 0. */
  named: Uint8Array;
}

const LANGUAGES = new WeakMap<object, LanguageInfo>();

function languageOf(root: Node): LanguageInfo {
  const language = root.tree.language;
  let info = LANGUAGES.get(language);
  if (!info) {
    const named = new Uint8Array(0x10000);
    named[0xffff] = 1;
    const namedTypes = new Set<string>();
    for (let id = 0; id < language.nodeTypeCount; id++) {
      const type = language.nodeTypeForId(id);
      if (!type || !language.nodeTypeIsNamed(id)) continue;
      named[id] = 1;
      namedTypes.add(type);
    }
    info = { namedTypes: [...namedTypes], names: language.types, named };
    LANGUAGES.set(language, info);
  }
  return info;
}

function lowerBound(numbers: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = numbers.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (numbers[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
