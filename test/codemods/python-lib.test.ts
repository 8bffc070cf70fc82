import { execFileSync } from 'node:child_process';
import type { Node, Parser } from 'web-tree-sitter';
import { beforeAll, describe, expect, it } from 'vitest';
import { bindingIdentifiers, importBindings } from '../../codemods/python/lib/bindings.js';
import {
  addImport,
  addImports,
  allImports,
  fromImportsOf,
  importInsertionPoint,
  importsOf,
  insertIntoFromImport,
  leadingImports,
  mergeableFromImport,
  topLevelImports,
} from '../../codemods/python/lib/imports.js';
import { SemanticModel, type Scope } from '../../codemods/python/lib/semantic.js';
import { stringDelimiters, stringValue } from '../../codemods/python/lib/strings.js';
import { descendantsOfType, lineOf, namedChildren } from '../../codemods/python/lib/syntax.js';
import type { Edit, SourceFile } from '../../src/engine/types.js';
import type { ImportStyle } from '../../src/project/index.js';
import { parsePython, pythonParser } from '../../src/engine/python.js';

let parser: Parser;
beforeAll(async () => {
  parser = await pythonParser();
});

function parse(source: string): Node {
  return parsePython(parser, source).rootNode;
}

/** The first `string` node of a one-expression module. */
function literal(source: string): Node {
  const found = descendantsOfType(parse(source), 'string')[0];
  if (!found) throw new Error(`no string in ${JSON.stringify(source)}`);
  return found;
}

function apply(text: string, edit: Edit): string {
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

function sourceFile(text: string): SourceFile {
  return { path: 'app/module.py', text, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

describe('lib/strings: stringValue reads a literal as Python does', () => {
  const cases: Array<[string, string, string | null]> = [
    ['plain', '"abc"', 'abc'],
    ['single quotes', "'it\\'s'", "it's"],
    ['unicode prefix', 'u"x"', 'x'],
    ['common escapes', '"a\\tb\\nc\\\\d"', 'a\tb\nc\\d'],
    ['\\a \\b \\f \\v', '"\\a\\b\\f\\v"', '\x07\b\f\v'],
    ['octal, hex and unicode escapes', '"\\101\\x42\\u0043\\U00000044\\0"', 'ABCD\0'],
    ['non-ASCII text', '"café ☃"', 'café ☃'],
    ['raw keeps backslashes', 'r"\\d\\n"', '\\d\\n'],
    ['upper-case raw prefix', 'R"\\t"', '\\t'],
    ['line continuation', '"a\\\nb"', 'ab'],
    ['line continuation in a CRLF file', '"a\\\r\nb"', 'ab'],
    ['triple quotes', '"""one\ntwo"""', 'one\ntwo'],
    ['triple quotes in a CRLF file', '"""one\r\ntwo"""', 'one\ntwo'],
    ['raw triple quotes in a CRLF file', "r'''a\\\r\nb'''", 'a\\\nb'],
    ['empty triple quotes', "''''''", ''],
    ['unknown escape', '"\\d"', null],
    ['named escape', '"\\N{SNOWMAN}"', null],
    ['f-string', 'f"x"', null],
    ['bytes', 'b"x"', null],
    ['raw bytes', 'rb"x"', null],
  ];

  it.each(cases)('%s: %s', (_name, source, expected) => {
    expect(stringValue(literal(source))).toBe(expected);
  });

  it('agrees with python3 on every case it reads', () => {
    const readable = cases.filter(([, , expected]) => expected !== null).map(([, source]) => source);
    const script = 'import ast, json, sys\nprint(json.dumps([ast.literal_eval(s) for s in json.load(sys.stdin)]))';
    const python = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(readable), encoding: 'utf8' })) as string[];
    expect(readable.map((source) => stringValue(literal(source)))).toEqual(python);
  });

  it.each([
    ['rb"x"', { prefix: 'rb', quote: '"' }],
    ["F'''x'''", { prefix: 'f', quote: "'''" }],
    ["'x'", { prefix: '', quote: "'" }],
  ])('stringDelimiters(%s)', (source, expected) => {
    expect(stringDelimiters(literal(source))).toEqual(expected);
  });

  it('stringDelimiters is null for anything but a string', () => {
    expect(stringDelimiters(descendantsOfType(parse('x\n'), 'identifier')[0]!)).toBeNull();
    expect(stringValue(descendantsOfType(parse('"a" "b"\n'), 'concatenated_string')[0]!)).toBeNull();
  });
});

/** `name:kind[:module[:name]][=value]` for every binding of a scope, sorted: a readable table cell. */
function describeBindings(scope: Scope): string[] {
  const out: string[] = [];
  for (const [name, list] of scope.bindings) {
    for (const b of list) {
      let cell = `${name}:${b.kind}`;
      if (b.kind === 'import') cell += `:${'.'.repeat(b.level)}${b.module}${b.imported === null ? '' : `:${b.imported}`}`;
      if (b.kind === 'assignment' && b.value) cell += `=${b.value.text}`;
      out.push(cell);
    }
  }
  return out.sort();
}

describe('lib/semantic: what one scope binds', () => {
  it.each([
    ['plain and dotted imports', 'import os.path, sys\n', ['os:import:os', 'sys:import:sys']],
    ['aliased import', 'import os.path as p\n', ['p:import:os.path']],
    ['from-imports with an alias', 'from a.b import c, d as e\n', ['c:import:a.b:c', 'e:import:a.b:d']],
    ['relative from-import', 'from ..m import n\n', ['n:import:..m:n']],
    ['star import binds nothing known', 'from m import *\n', []],
    ['plain assignment keeps its value', 'DEBUG = True\n', ['DEBUG:assignment=True']],
    ['annotated assignment', 'DEBUG: bool = False\n', ['DEBUG:assignment=False']],
    ['augmented and tuple targets have no value', 'x += 1\na, *b = c\n', ['a:other', 'b:other', 'x:other']],
    ['chained assignment', 'x = y = 1\n', ['x:assignment', 'y:assignment=1']],
    ['attributes and subscripts bind nothing', 'a.b = 1\nc[0] = 2\n', []],
    ['def and class', 'def f(x):\n    y = 1\nclass C:\n    z = 2\n', ['C:class', 'f:function']],
    ['decorated class', '@dataclass\nclass C:\n    pass\n', ['C:class']],
    ['loop and with targets', 'for i, (j, k) in x:\n    pass\nwith f() as (*m, n), g() as (o):\n    pass\n', ['i:other', 'j:other', 'k:other', 'm:other', 'n:other', 'o:other']],
    ['except target', 'try:\n    pass\nexcept E as e:\n    pass\n', ['e:other']],
    ['walrus, but not inside a lambda', 'if (n := 1):\n    pass\ng = lambda: (m := 2)\n', ['g:assignment=lambda: (m := 2)', 'n:other']],
    ['walrus in a comprehension binds here', '[y for x in z if (y := x)]\n', ['y:other']],
    ['lambda parameters are their own scope', 'f = lambda a: a\n', ['f:assignment=lambda a: a']],
    ['global at module level declares, binds nothing', 'global G\n', []],
    ['a function declaring a name global binds it here', 'def f():\n    global G\n    G = 1\n', ['G:assignment=1', 'f:function']],
    ['imports inside if/try count', 'try:\n    import ujson as json\nexcept ImportError:\n    import json\n', ['json:import:json', 'json:import:ujson']],
  ])('%s', (_name, source, expected) => {
    expect(describeBindings(SemanticModel.build(parse(source)).module)).toEqual(expected);
  });

  it('a class body is a scope of its own', () => {
    const model = SemanticModel.build(parse('class C:\n    X = 1\n    def m(self):\n        Y = 2\n'));
    const body = model.nodes('class_definition')[0]!.childForFieldName('body')!;
    expect(describeBindings(model.scopeOf(body.namedChildren[0]!))).toEqual(['X:assignment=1', 'm:function']);
  });

  it.each([
    ['def f(a, b=1, *c, d: int, e: int = 2, **g): pass', ['a', 'b', 'c', 'd', 'e', 'g']],
    ['def f(a, /, *, b): pass', ['a', 'b']],
    ['f = lambda x, y=0: x', ['x', 'y']],
  ])('parameters of %s', (source, expected) => {
    const model = SemanticModel.build(parse(`${source}\n`));
    const fn = model.scopes.find((scope) => scope.kind === 'function' || scope.kind === 'lambda')!;
    expect(describeBindings(fn).filter((cell) => cell.endsWith(':parameter'))).toEqual(expected.map((name) => `${name}:parameter`));
  });
});

describe('lib/bindings: importBindings', () => {
  it.each([
    ['import a . b', [{ kind: 'module-import', local: 'a', module: 'a' }]],
    ['from . import x as y', [{ kind: 'from-import', local: 'y', module: '.', name: 'x' }]],
    ['from __future__ import annotations', []],
  ])('importBindings(%s)', (source, expected) => {
    const stmt = namedChildren(parse(`${source}\n`))[0]!;
    expect(importBindings(stmt).map(({ node: _node, ...rest }) => rest)).toEqual(expected);
  });
});

describe('lib/bindings: bindingIdentifiers finds every rebinding of a name, in any scope', () => {
  it.each([
    ['assignment', 'x = 1', [1]],
    ['read only', 'print(x)\ny = x', []],
    ['attribute and keyword are not the name', 'a.x = 1\nf(x=1)', []],
    ['loop and comprehension targets', 'for x in y: pass\n[x for x in y]', [1, 2]],
    ['starred target under with', 'with f() as (*x, y): pass', [1]],
    ['parameters', 'def f(x): pass\ndef g(*x): pass\ndef h(**x): pass\ndef k(x: int = 1): pass\nlambda x: 0', [1, 2, 3, 4, 5]],
    ['a default or an annotation is a read', 'def f(a=x, b: x = 1): pass', []],
    ['imports', 'import x.y\nimport y as x\nfrom m import x\nimport x as z\nfrom x import z', [1, 2, 3]],
    ['del, global, walrus', 'del x\nglobal x\n(x := 1)', [1, 2, 3]],
    ['match capture', 'match v:\n    case [x]: pass', [2]],
    ['type parameter', 'class C[x]: pass', [1]],
    ['def and class names', 'def x(): pass\nclass x: pass', [1, 2]],
  ])('%s', (_name, source, lines) => {
    expect(bindingIdentifiers(parse(`${source}\n`), 'x').map(lineOf)).toEqual(lines);
  });
});

describe('lib/imports: finding imports', () => {
  const MODULE = [
    '"""Doc."""',
    'from __future__ import annotations',
    'import os.path as p, sys',
    'from a . b import (c, d as e)',
    'from m import *',
    'x = 1',
    'from late import c',
    'def f():',
    '    from inner import c as g',
    '',
  ].join('\n');

  it('leadingImports stops at the first other statement; topLevelImports does not', () => {
    const root = parse(MODULE);
    expect(leadingImports(root).map(lineOf)).toEqual([2, 3, 4, 5]);
    expect(topLevelImports(root).map(lineOf)).toEqual([2, 3, 4, 5, 7]);
  });

  it('allImports lists what every import imports, nested ones too', () => {
    expect(allImports(parse(MODULE)).map(({ module, name }) => `${module}:${name}`)).toEqual([
      'os.path:null',
      'sys:null',
      'a.b:c',
      'a.b:d',
      'm:*',
      'late:c',
      'inner:c',
    ]);
  });

  it('fromImportsOf gives the local name of each import of a name', () => {
    const root = parse(MODULE);
    const found = fromImportsOf(topLevelImports(root), 'c').map(({ module, local, stmt }) => [module, local, lineOf(stmt)]);
    expect(found).toEqual([
      ['a.b', 'c', 4],
      ['late', 'c', 7],
    ]);
    expect(fromImportsOf(topLevelImports(root), 'd').map((i) => i.local)).toEqual(['e']);
  });

  it.each([
    ['import a', [{ module: 'a', name: null }]],
    ['from .pkg import x', [{ module: '.pkg', name: 'x' }]],
    ['from __future__ import annotations', []],
  ])('importsOf(%s)', (source, expected) => {
    expect(importsOf(namedChildren(parse(`${source}\n`))[0]!).map(({ module, name }) => ({ module, name }))).toEqual(expected);
  });

  it.each([
    ['after the leading imports', 'import os\nimport sys\nx = 1\n', 2],
    ['after the docstring', '"""Doc."""\nx = 1\n', 1],
    ['after a shebang and encoding comment', '#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nx = 1\n', 2],
    ['at the top', 'x = 1\n', 0],
    ['after __future__ imports', '"""Doc."""\nfrom __future__ import annotations\nx = 1\n', 2],
  ])('importInsertionPoint: %s', (_name, source, linesBefore) => {
    const at = importInsertionPoint(parse(source), source);
    expect(source.slice(0, at).split('\n').length - 1).toBe(linesBefore);
  });

  it('mergeableFromImport skips star imports and other modules', () => {
    const root = parse('from m import *\nfrom n import a\nfrom m import b\n');
    expect(lineOf(mergeableFromImport(topLevelImports(root), 'm')!)).toBe(3);
    expect(mergeableFromImport(topLevelImports(root), 'x')).toBeNull();
  });
});

describe('lib/imports: adding a name to a from-import', () => {
  it.each([
    ['sorted: constants, classes, functions', 'from m import CONST, Model, helper\n', 'Field', 'from m import CONST, Field, Model, helper\n'],
    ['sorted: at the end', 'from m import Alpha, Beta\n', 'Gamma', 'from m import Alpha, Beta, Gamma\n'],
    ['unsorted: at the end', 'from m import b, a\n', 'Field', 'from m import b, a, Field\n'],
    ['one name, before it', 'from m import field\n', 'Field', 'from m import Field, field\n'],
    ['one name, after it', 'from m import BaseModel\n', 'Field', 'from m import BaseModel, Field\n'],
    ['one name per line', 'from m import (\n    BaseModel,\n    validator,\n)\n', 'Field', 'from m import (\n    BaseModel,\n    Field,\n    validator,\n)\n'],
    ['one name per line, CRLF', 'from m import (\r\n    BaseModel,\r\n)\r\n', 'Field', 'from m import (\r\n    BaseModel,\r\n    Field,\r\n)\r\n'],
    ['a comment between names', 'from m import (\n    A,  # first\n    C,\n)\n', 'B', 'from m import (\n    A,  # first\n    B,\n    C,\n)\n'],
  ])('insertIntoFromImport: %s', (_name, source, name, expected) => {
    const stmt = topLevelImports(parse(source))[0]!;
    expect(apply(source, insertIntoFromImport(sourceFile(source), stmt, name, `add ${name}`))).toBe(expected);
  });
});

describe('lib/imports: addImport puts a new import where an import sorter would', () => {
  const app: ImportStyle = { firstParty: new Set(['app']), forceSortWithinSections: false, source: null };
  const together: ImportStyle = { firstParty: new Set(['app']), forceSortWithinSections: true, source: 'pyproject.toml [tool.ruff.lint.isort]' };
  const configuredApart: ImportStyle = { ...together, forceSortWithinSections: false };
  const LOGGING = { module: 'logging' };
  const PYDANTIC = { module: 'pydantic', name: 'ConfigDict' };

  it.each([
    ['sorted stdlib group, in the middle', 'import json\nimport os\n\nimport requests\n', app, LOGGING, 'import json\nimport logging\nimport os\n\nimport requests\n'],
    ['sorted stdlib group, first', 'import os\nimport sys\n', app, LOGGING, 'import logging\nimport os\nimport sys\n'],
    ['sorted stdlib group, last', 'import io\nimport json\n\nfrom app import x\n', app, LOGGING, 'import io\nimport json\nimport logging\n\nfrom app import x\n'],
    ['plain imports before from-imports', 'import os\nfrom datetime import date\nfrom pathlib import Path\n', app, LOGGING, 'import logging\nimport os\nfrom datetime import date\nfrom pathlib import Path\n'],
    ['inferred: the file sorts plain and from-imports together', 'from datetime import date\nimport os\nfrom pathlib import Path\n', app, LOGGING, 'from datetime import date\nimport logging\nimport os\nfrom pathlib import Path\n'],
    ['configured: force-sort-within-sections', 'from datetime import date\nimport os\n', together, LOGGING, 'from datetime import date\nimport logging\nimport os\n'],
    ['configured apart: the file\'s mixed order is not followed', 'from datetime import date\nimport os\n', configuredApart, LOGGING, 'from datetime import date\nimport os\nimport logging\n'],
    ['unsorted group: after its last import', 'import sys\nimport os\n\nimport requests\n', app, LOGGING, 'import sys\nimport os\nimport logging\n\nimport requests\n'],
    ['no stdlib group: a group of its own before third party', '"""Doc."""\nimport requests\n\nfrom app import x\n', app, LOGGING, '"""Doc."""\nimport logging\n\nimport requests\n\nfrom app import x\n'],
    ['no stdlib group: after __future__', 'from __future__ import annotations\n\nfrom app import x\n', app, LOGGING, 'from __future__ import annotations\n\nimport logging\n\nfrom app import x\n'],
    ['only __future__: a group after it', 'from __future__ import annotations\n\nX = 1\n', app, LOGGING, 'from __future__ import annotations\n\nimport logging\n\nX = 1\n'],
    ['a section header comment stays above its group', 'import os\n\n# first party\nfrom app import x\n', app, PYDANTIC, 'import os\n\nfrom pydantic import ConfigDict\n\n# first party\nfrom app import x\n'],
    ['third party before first party', 'from fastapi import APIRouter\n\nfrom app.models import Base\n', app, PYDANTIC, 'from fastapi import APIRouter\nfrom pydantic import ConfigDict\n\nfrom app.models import Base\n'],
    ['no third party group: a group of its own before first party', 'import os\n\nfrom app.models import Base\n', app, PYDANTIC, 'import os\n\nfrom pydantic import ConfigDict\n\nfrom app.models import Base\n'],
    ['no third party group, first party last: after it', 'import os\nfrom . import x\n', app, PYDANTIC, 'import os\nfrom pydantic import ConfigDict\nfrom . import x\n'],
    ['relative imports are local', 'from pydantic import BaseModel\n\nfrom .base import Base\n', app, PYDANTIC, 'from pydantic import BaseModel\nfrom pydantic import ConfigDict\n\nfrom .base import Base\n'],
    ['CRLF', 'import os\r\nimport sys\r\n', app, LOGGING, 'import logging\r\nimport os\r\nimport sys\r\n'],
    ['a module with no import', '"""Doc."""\nX = 1\n', app, LOGGING, '"""Doc."""\nimport logging\nX = 1\n'],
    ['imports after a try: import block', 'try:\n    import ujson as json\nexcept ImportError:\n    import json\nimport sys\n', app, LOGGING, 'try:\n    import ujson as json\nexcept ImportError:\n    import json\nimport logging\nimport sys\n'],
  ])('%s', (_name, source, style, spec, expected) => {
    expect(apply(source, addImport(sourceFile(source), parse(source), style, spec, 'add'))).toBe(expected);
  });
});

describe('lib/imports: addImports puts several new imports in place together', () => {
  const app: ImportStyle = { firstParty: new Set(['app']), forceSortWithinSections: false, source: null };
  const OS = { module: 'os' };
  const SECRETS = { module: 'secrets' };
  const FIELD = { module: 'pydantic', name: 'Field' };

  it.each([
    ['two stdlib and one third-party before the only import', 'from pydantic_settings import BaseSettings\n', [FIELD, SECRETS, OS], 'import os\nimport secrets\n\nfrom pydantic import Field\nfrom pydantic_settings import BaseSettings\n'],
    ['into existing sections', 'import json\nimport sys\n\nfrom pydantic_settings import BaseSettings\n', [OS, SECRETS, FIELD], 'import json\nimport os\nimport secrets\nimport sys\n\nfrom pydantic import Field\nfrom pydantic_settings import BaseSettings\n'],
    ['a stdlib import and a third-party section after the last import', 'import json\n\nX = 1\n', [FIELD, OS], 'import json\nimport os\n\nfrom pydantic import Field\n\nX = 1\n'],
    ['a module without imports: sections apart', '"""Doc."""\nX = 1\n', [FIELD, SECRETS, OS], '"""Doc."""\nimport os\nimport secrets\n\nfrom pydantic import Field\nX = 1\n'],
    ['a stdlib section before first party', 'from app import x\n', [SECRETS, OS], 'import os\nimport secrets\n\nfrom app import x\n'],
  ] as const)('%s', (_name, source, specs, expected) => {
    const edits = addImports(sourceFile(source), parse(source), app, specs, 'add');
    const text = [...edits].reverse().reduce<string>((t, e) => apply(t, e), source);
    expect(text).toBe(expected);
  });

  it('gives nothing to add as no edit', () => {
    expect(addImports(sourceFile('import os\n'), parse('import os\n'), app, [], 'add')).toEqual([]);
  });
});
