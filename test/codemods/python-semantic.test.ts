import { beforeAll, describe, expect, it } from 'vitest';
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { summariseModule } from '../../codemods/python/lib/modules.js';
import { SemanticModel } from '../../codemods/python/lib/semantic.js';
import { pythonParser } from '../../src/engine/python.js';

let parser: Parser;
const trees: Tree[] = [];
beforeAll(async () => {
  parser = await pythonParser();
  return () => trees.forEach((t) => t.delete());
});

function model(text: string): SemanticModel {
  const tree = parser.parse(text)!;
  trees.push(tree);
  return SemanticModel.of(tree);
}

/** The identifier `name` at its `n`-th use (0-based). */
function use(m: SemanticModel, name: string, n = 0): Node {
  const found = m.usesOf(name)[n];
  if (!found) throw new Error(`no use ${n} of ${name}`);
  return found;
}

function where(m: SemanticModel, name: string, n = 0): string {
  const found = m.lookup(name, use(m, name, n));
  if (found.kind !== 'bound') return found.kind;
  return `${found.scope.kind}:${found.bindings.map((b) => b.kind).join(',')}`;
}

describe('the Python semantic model', () => {
  it('follows local, enclosing, module and builtin scopes', () => {
    const m = model('x = 1\ndef f(y):\n    z = x + y\n    def g():\n        return z + len(y)\n    return g\n');
    expect(where(m, 'x', 1)).toBe('module:assignment');
    expect(where(m, 'y', 1)).toBe('function:parameter');
    expect(where(m, 'z', 1)).toBe('function:assignment');
    expect(m.lookup('len', use(m, 'len')).kind).toBe('free');
  });

  it('does not let methods see names bound in their class body', () => {
    const m = model('print = 1\nclass C:\n    print = 2\n    a = print\n    def m(self):\n        return print\n');
    const uses = m.usesOf('print');
    expect(m.lookup('print', uses[2]!)).toMatchObject({ kind: 'bound', scope: { kind: 'class' } });
    expect(m.lookup('print', uses[3]!)).toMatchObject({ kind: 'bound', scope: { kind: 'module' } });
  });

  it('evaluates defaults, annotations, decorators and bases where the def or class stands', () => {
    const m = model('D = 1\nB = object\n@dec\ndef f(D=D, *, k: B = None):\n    pass\nclass K(B):\n    B = 2\n');
    const d = m.usesOf('D');
    // D as a parameter name binds inside f; its default `D` reads the module's.
    expect(m.lookup('D', d[1]!)).toMatchObject({ scope: { kind: 'function' }, bindings: [{ kind: 'parameter' }] });
    expect(m.lookup('D', d[2]!)).toMatchObject({ scope: { kind: 'module' } });
    const b = m.usesOf('B');
    expect(m.lookup('B', b[1]!)).toMatchObject({ scope: { kind: 'module' } });
    expect(m.lookup('B', b[2]!)).toMatchObject({ scope: { kind: 'module' } });
  });

  it('gives comprehensions their own scope, except for the first iterable, and lets walrus escape them', () => {
    const m = model('xs = [1]\ndef f():\n    out = [x for x in xs if (last := x)]\n    return last, x\n');
    const x = m.usesOf('x');
    expect(m.lookup('x', x[0]!)).toMatchObject({ scope: { kind: 'comprehension' } });
    expect(m.lookup('x', x.at(-1)!).kind).toBe('free');
    expect(m.lookup('xs', use(m, 'xs', 1))).toMatchObject({ scope: { kind: 'module' } });
    expect(m.lookup('last', use(m, 'last', 1))).toMatchObject({ scope: { kind: 'function' }, bindings: [{ kind: 'other' }] });
  });

  it('honours global and nonlocal', () => {
    const m = model('def f():\n    global counter\n    counter = 1\ndef g():\n    return counter\n');
    expect(m.lookup('counter', use(m, 'counter', 2))).toMatchObject({ scope: { kind: 'module' }, bindings: [{ kind: 'assignment' }] });
  });

  it('resolves dotted names through every kind of import', () => {
    const m = model(
      'import pydantic\nimport a.b\nimport a.b as ab\nfrom pydantic import BaseModel as BM\nfrom ..schema import _base\nfrom . import models\nclass Local: pass\n' +
        'x = (pydantic.BaseModel, a.b.C, ab.C, BM, _base.AppModel, models.User, Local.Inner, str)\n',
    );
    const tuple = m.nodes('tuple')[0]!;
    const got = tuple.namedChildren.map((n) => {
      const r = m.resolve(n!);
      if (r.kind === 'imported') return `${'.'.repeat(r.level)}${r.module}:${r.path.join('.')}`;
      if (r.kind === 'local') return `local ${r.binding.kind} ${r.binding.name}.${r.rest.join('.')}`;
      if (r.kind === 'builtin') return `builtin ${r.name}`;
      return r.reason;
    });
    expect(got).toEqual(['pydantic:BaseModel', 'a:b.C', 'a.b:C', 'pydantic:BaseModel', '..schema:_base.AppModel', '.:models.User', 'local class Local.Inner', 'builtin str']);
  });

  it('calls a name bound twice in different ways unknown, and the same import twice one binding', () => {
    const m = model('from x import A\ntry:\n    from x import A\nexcept ImportError:\n    pass\nfrom y import B\nB = 1\nprint(A, B)\n');
    const call = m.nodes('call')[0]!;
    const [a, b] = call.childForFieldName('arguments')!.namedChildren;
    expect(m.resolve(a!)).toMatchObject({ kind: 'imported', module: 'x', path: ['A'] });
    expect(m.resolve(b!)).toEqual({ kind: 'unknown', reason: "'B' is bound more than once" });
  });

  it('says a star import may bind a name it cannot see', () => {
    const m = model('from helpers import *\nprint(Thing)\n');
    expect(m.resolve(use(m, 'Thing'))).toEqual({ kind: 'unknown', reason: "'Thing' may be bound by 'from helpers import *'" });
  });

  it('reads the names of a subscripted annotation; binds only the names a type parameter list or a type alias declares', () => {
    const m = model(
      'from app.schemas import Item\n' +
        'def f(x: list[Item], *rest: Item, **extra: dict[str, Item]) -> dict[str, Item]:\n    y: list[Item] = []\n    return rest, extra\n' +
        'class C[T: Item, *Ts, **P]:\n    items: list[Item] = []\n' +
        'def g[U](u: U) -> U:\n    return u\n' +
        'type Pairs[K: Item] = dict[K, Item]\ntype Plain = Item\n' +
        'print(Item)\n',
    );
    expect(m.resolve(use(m, 'Item', m.usesOf('Item').length - 1))).toMatchObject({ kind: 'imported', module: 'app.schemas', path: ['Item'] });
    expect([...m.module.bindings.keys()]).toEqual(['Item', 'f', 'C', 'T', 'Ts', 'P', 'g', 'Pairs', 'K', 'Plain']);
    const fn = m.scopes.find((s) => s.kind === 'function' && s.node.childForFieldName('name')?.text === 'f')!;
    expect([...fn.bindings.keys()]).toEqual(['x', 'rest', 'extra', 'y']);
    expect(m.lookup('rest', use(m, 'rest', 1))).toMatchObject({ scope: { kind: 'function' }, bindings: [{ kind: 'parameter' }] });
    const cls = m.scopes.find((s) => s.kind === 'class')!;
    expect([...cls.bindings.keys()]).toEqual(['items']);
    const g = m.scopes.find((s) => s.kind === 'function' && s.node.childForFieldName('name')?.text === 'g')!;
    expect([...g.bindings.keys()]).toEqual(['u', 'U']);
  });

  describe('the model a module summary reads', () => {
    const SOURCES = [
      // Bindings in every statement form at module and class level, next to bodies that bind nothing outside.
      'import os, a.b as ab\nfrom .base import Base as B, helper\nfrom x import *\n' +
        'try:\n    import ujson as json\nexcept ImportError as err:\n    json = None\n' +
        'if os.name:\n    Alias = B\nelse:\n    Alias = ab.Other\n' +
        'for i, (j, *k) in []:\n    pass\nwith open("f") as (fh, gh):\n    del gh\nx = y = 1\nz: int\nn += 1\n' +
        '@dec\nclass M(B, metaclass=Meta):\n    a: list[B] = []\n    b = c = [q for q in range(3)]\n    def m(self, *args: B):\n        inner = 1\n        return lambda v: v\n' +
        '    class Config(B.Config):\n        orm_mode = True\n    if a:\n        import json as js\n    else:\n        js = None\n' +
        'def f(p=lambda w: w) -> dict[str, M]:\n    local = 1\n    class Hidden(B):\n        pass\n    return {k: v for k, v in []}\n',
      // Type parameters and aliases, chained and annotated assignments, a match statement.
      'from base import Base, Point\ntype Alias[T] = list[T]\nclass G[U](Base[U]):\n    x: Alias[U] = make(1)\n    a = b = c.d = 2\n    @property\n    def p(self):\n        return 1\n' +
        'match cmd:\n    case Point(x=0) as pt:\n        pass\n    case [first, *others]:\n        pass\n',
      // `global` and `:=` bind module names from inside: the summary model then reads every body.
      'def setup():\n    global Late\n    class Late(Base):\n        pass\nfrom base import Base\n',
      'from base import Base\nitems = [last := i for i in range(3)]\nclass K(Base):\n    pass\n',
    ];

    it.each(SOURCES.map((s, i) => [i, s]))('summarises source %i as the full model does', (_, text) => {
      const full = parser.parse(text)!;
      const shallow = parser.parse(text)!;
      trees.push(full, shallow);
      const expected = summariseModule('m.py', SemanticModel.build(full.rootNode));
      expect(expected.names.size).toBeGreaterThan(2);
      expect(summariseModule('m.py', SemanticModel.forSummary(shallow, text))).toEqual(expected);
    });

    it('skips function bodies when nothing there can bind a module name, and shares a full model when the tree has one', () => {
      const text = SOURCES[0]!;
      const tree = parser.parse(text)!;
      trees.push(tree);
      const summary = SemanticModel.forSummary(tree, text);
      expect(summary.usesOf('local')).toEqual([]);
      expect(SemanticModel.build(tree.rootNode).usesOf('local')).toHaveLength(1);
      const withGlobal = parser.parse(SOURCES[2]!)!;
      trees.push(withGlobal);
      expect(SemanticModel.forSummary(withGlobal, SOURCES[2]!).module.bindings.has('Late')).toBe(true);
      const shared = SemanticModel.of(tree);
      expect(SemanticModel.forSummary(tree, text)).toBe(shared);
    });
  });

  it('binds what a match pattern captures, and reads class and value patterns', () => {
    const m = model(
      'from app import Point, Color\n' +
        'match event:\n    case Color.RED:\n        pass\n    case Point(x=0, y=yy) as where:\n        pass\n' +
        '    case [first, *others]:\n        pass\n    case {"k": v, **rest}:\n        pass\n    case str() | bytes():\n        pass\n' +
        'print(Point, Color, x, str)\n',
    );
    expect([...m.module.bindings.keys()].sort()).toEqual(['Color', 'Point', 'first', 'others', 'rest', 'v', 'where', 'yy']);
    expect(m.usesOf('RED')).toEqual([]);
    expect(m.usesOf('x').map((n) => n.startPosition.row)).toEqual([12]);
    const [point, color, x, str] = m.nodes('call').at(-1)!.childForFieldName('arguments')!.namedChildren;
    expect(m.resolve(point!)).toMatchObject({ kind: 'imported', module: 'app', path: ['Point'] });
    expect(m.resolve(color!)).toMatchObject({ kind: 'imported', module: 'app', path: ['Color'] });
    expect(m.resolve(x!)).toMatchObject({ kind: 'builtin', name: 'x' });
    expect(m.resolve(str!)).toMatchObject({ kind: 'builtin', name: 'str' });
  });

  it('indexes nodes by type in document order, from one walk', () => {
    const m = model('def f():\n    print(1)\n    return [print(x) for x in y]\nprint(2)\n');
    expect(m.nodes('call').map((c) => c.text)).toEqual(['print(1)', 'print(x)', 'print(2)']);
    expect(m.usesOf('print')).toHaveLength(3);
    expect(m.nodes('function_definition', 'call').map((n) => n.type)).toEqual(['function_definition', 'call', 'call', 'call']);
  });
});
