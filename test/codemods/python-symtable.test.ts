import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Parser } from 'web-tree-sitter';
import { SemanticModel } from '../../codemods/python/lib/semantic.js';
import { pythonParser } from '../../src/engine/python.js';

/**
 * The semantic model's module and class scopes against python3's own
 * `symtable`, over every Python file of the fixtures and a few sources
 * written for the cases a grammar makes easy to get wrong (annotations that
 * subscript, match patterns, starred and typed parameters, chained and
 * nested targets). Both must name the same bound names, except where the
 * model is right and symtable looks elsewhere: a name a function declares
 * `global` and assigns is bound in the module for the model.
 */

const ROOT = join(import.meta.dirname, '..', '..');

const SOURCES: Record<string, string> = {
  'annotations.py':
    'from typing import List, Dict\nfrom app.schemas import Item\n' +
    'def f(x: List[Item], *rest: Item, **extra: Dict[str, Item]) -> Dict[str, Item]:\n    y: List[Item] = []\n    return rest\n' +
    'class C:\n    items: List[Item] = []\n    total: int\n    a = b = c = 0\n    (d, [e, *g]) = 1, [2, 3]\n    def m(self, *args: Item) -> List[Item]:\n        return []\n',
  'patterns.py':
    'from app import Point, Color\n' +
    'match event:\n    case Color.RED:\n        pass\n    case Point(x=0, y=yy) as where:\n        pass\n' +
    '    case [first, *others]:\n        pass\n    case {"k": v, **rest}:\n        pass\n    case str() | bytes():\n        pass\n',
  'statements.py':
    'import os.path, json as j\nfrom . import sibling\ntry:\n    import ujson\nexcept ImportError as err:\n    ujson = None\n' +
    'for i, (k, *ks) in []:\n    pass\nwith open("f") as fh, open("g") as (gh, hh):\n    del gh\nn = 0\nn += 1\nwhile (m := n):\n    break\n' +
    'squares = [s * s for s in range(3)]\nlam = lambda q, r=1: q\n@dec\nclass K(Base, metaclass=Meta):\n    def __init__(self, p, /, q=1, *, r):\n        global late\n        late = 1\n',
};

/** Bound names per scope, as python3's symtable reads them: the module's, and each top-level class's (`Name:line`). */
const SYMTABLE = String.raw`
import json, symtable, sys
out = {}
for name, text in json.load(sys.stdin).items():
    try:
        top = symtable.symtable(text, name, "exec")
    except SyntaxError:
        continue
    def bound(t):
        return sorted(s.get_name() for s in t.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace() or s.is_parameter())
    out[name] = {"module": bound(top), "classes": {"%s:%d" % (c.get_name(), c.get_lineno()): bound(c) for c in top.get_children() if c.get_type() == "class"}}
print(json.dumps(out))
`;

const FUTURE = new Set(['annotations', 'division', 'absolute_import', 'generators', 'generator_stop', 'nested_scopes', 'print_function', 'unicode_literals', 'with_statement']);

function fixtureSources(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(join(ROOT, 'fixtures'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.py')) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(ROOT, path)] = readFileSync(path, 'utf8');
  }
  return out;
}

let parser: Parser;
beforeAll(async () => {
  parser = await pythonParser();
});

describe('the semantic model against python3 symtable', () => {
  it('binds the same names in every module and top-level class scope', () => {
    const sources = { ...fixtureSources(), ...SOURCES };
    const python = JSON.parse(execFileSync('python3', ['-c', SYMTABLE], { input: JSON.stringify(sources), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as Record<string, { module: string[]; classes: Record<string, string[]> }>;
    // Every hand-written source, and most fixtures, compile (some fixtures are broken on purpose).
    for (const name of Object.keys(SOURCES)) expect(python[name], name).toBeDefined();
    expect(Object.keys(python).length).toBeGreaterThan(100);
    const differences: string[] = [];
    for (const [name, expected] of Object.entries(python)) {
      const tree = parser.parse(sources[name]!)!;
      try {
        if (tree.rootNode.hasError) continue;
        const model = SemanticModel.build(tree.rootNode);
        const globals = new Set(model.scopes.flatMap((s) => (s.kind === 'module' ? [] : [...s.globals])));
        const compare = (where: string, ours: Iterable<string>, theirs: string[], module: boolean) => {
          // symtable spells a class's private names mangled (`_K__x`).
          const plain = (n: string) => n.replace(/^_[A-Za-z0-9]+?(__\w+)$/, '$1');
          const mine = new Set([...ours].map(plain));
          const python3 = new Set(theirs.filter((n) => !(module && FUTURE.has(n))).map(plain));
          for (const n of mine) if (!python3.has(n) && !(module && globals.has(n))) differences.push(`${name} ${where}: the model binds ${n}`);
          for (const n of python3) if (!mine.has(n)) differences.push(`${name} ${where}: the model misses ${n}`);
        };
        compare('module', model.module.bindings.keys(), expected.module, true);
        for (const scope of model.scopes) {
          if (scope.kind !== 'class' || scope.parent !== model.module) continue;
          const key = `${scope.node.childForFieldName('name')?.text}:${scope.node.startPosition.row + 1}`;
          if (expected.classes[key]) compare(`class ${key}`, scope.bindings.keys(), expected.classes[key], false);
        }
      } finally {
        tree.delete();
      }
    }
    expect(differences).toEqual([]);
  });
});
