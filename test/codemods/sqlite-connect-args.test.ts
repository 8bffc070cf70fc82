import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codemod } from '../../codemods/python/sqlite-connect-args/index.js';
import { transformSource, type EngineContext } from '../../src/engine/transform.js';
import type { Note } from '../../src/engine/types.js';
import { fixtureCases, testEngine } from '../helpers/fixtures.js';


const ROOT = join(import.meta.dirname, '..', '..');
const PCM_OPS = join(ROOT, 'fixtures', 'repos', 'pcm-ops');

let engine: EngineContext;
beforeAll(async () => {
  engine = await testEngine();
});

function run(source: string): { output: string; changed: boolean; notes: Note[] } {
  const outcome = transformSource(engine, { path: 'app/db.py', text: source, eol: '\n' }, [codemod]);
  if (outcome.kind === 'skipped') throw new Error(`skipped: ${outcome.message}`);
  const notes = outcome.notes.map(({ line, message }) => ({ line, message }));
  return outcome.kind === 'changed' ? { output: outcome.text, changed: true, notes } : { output: source, changed: false, notes };
}

const GUARD = (url: string, q = '"') => `make_url(${url}).drivername.startswith(${q}sqlite${q})`;

describe('python/sqlite-connect-args small rewrites', () => {
  it.each([
    [
      'url= keyword and a parenthesised value',
      'from sqlalchemy import create_engine\nengine = create_engine(url=cfg.url, connect_args=({"check_same_thread": False}))\n',
      `from sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\nengine = create_engine(url=cfg.url, connect_args=({"check_same_thread": False}) if ${GUARD('cfg.url')} else {})\n`,
    ],
    [
      'sqlalchemy imported as a module, attribute chain normalised',
      'import sqlalchemy as sa\ne = sa.create_engine(cfg . db . url, connect_args={"check_same_thread": 0})\n',
      `import sqlalchemy as sa\nfrom sqlalchemy.engine import make_url\ne = sa.create_engine(cfg . db . url, connect_args={"check_same_thread": 0} if ${GUARD('cfg.db.url')} else {})\n`,
    ],
    [
      'create_async_engine through the module path',
      'import sqlalchemy.ext.asyncio\ne = sqlalchemy.ext.asyncio.create_async_engine(URL, connect_args={"check_same_thread": False})\n',
      `from sqlalchemy.engine import make_url\nimport sqlalchemy.ext.asyncio\ne = sqlalchemy.ext.asyncio.create_async_engine(URL, connect_args={"check_same_thread": False} if ${GUARD('URL')} else {})\n`,
    ],
    [
      'mixed entries: only check_same_thread becomes conditional, in place',
      "from sqlalchemy import create_engine\ne = create_engine(URL, connect_args={'timeout': 30, 'check_same_thread': False, 'uri': True})\n",
      `from sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\ne = create_engine(URL, connect_args={'timeout': 30, **({'check_same_thread': False} if ${GUARD('URL', "'")} else {}), 'uri': True})\n`,
    ],
    [
      'a comment above the first sqlalchemy import stays attached to it',
      '# ORM\nfrom sqlalchemy.orm import Session\nfrom sqlmodel import create_engine\ne = create_engine(URL, connect_args={"check_same_thread": False})\n',
      `# ORM\nfrom sqlalchemy.orm import Session\nfrom sqlmodel import create_engine\nfrom sqlalchemy.engine import make_url\ne = create_engine(URL, connect_args={"check_same_thread": False} if ${GUARD('URL')} else {})\n`,
    ],
    [
      'create_engine and make_url bound as parameters of another function: the module-level call is still guarded',
      'from sqlalchemy import create_engine\ndef fake(create_engine, make_url):\n    return create_engine(make_url)\ne = create_engine(URL, connect_args={"check_same_thread": False})\n',
      `from sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\ndef fake(create_engine, make_url):\n    return create_engine(make_url)\ne = create_engine(URL, connect_args={"check_same_thread": False} if ${GUARD('URL')} else {})\n`,
    ],
    [
      'an existing make_url import from sqlalchemy is reused',
      'from sqlalchemy import create_engine, make_url\ne = create_engine(URL, connect_args={"check_same_thread": False})\n',
      `from sqlalchemy import create_engine, make_url\ne = create_engine(URL, connect_args={"check_same_thread": False} if ${GUARD('URL')} else {})\n`,
    ],
    [
      'merged into a parenthesised sqlalchemy.engine import',
      'from sqlalchemy.engine import (\n    Engine,\n    create_engine,\n)\ne = create_engine(URL, connect_args={"check_same_thread": False})\n',
      `from sqlalchemy.engine import (\n    Engine,\n    create_engine,\n    make_url,\n)\ne = create_engine(URL, connect_args={"check_same_thread": False} if ${GUARD('URL')} else {})\n`,
    ],
    [
      'a sqlite check in an unrelated branch does not stop it',
      'from sqlalchemy import create_engine\nif DEBUG:\n    e = create_engine(URL, connect_args={"check_same_thread": False})\n',
      `from sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\nif DEBUG:\n    e = create_engine(URL, connect_args={"check_same_thread": False} if ${GUARD('URL')} else {})\n`,
    ],
    [
      'an aliased create_engine import',
      'from sqlalchemy import create_engine as ce\ne = ce(URL, connect_args={"check_same_thread": False})\n',
      `from sqlalchemy import create_engine as ce\nfrom sqlalchemy.engine import make_url\ne = ce(URL, connect_args={"check_same_thread": False} if ${GUARD('URL')} else {})\n`,
    ],
    [
      'inside a lambda, guarded on its own parameter',
      'from sqlmodel import create_engine\nmake = lambda url: create_engine(url, connect_args={"check_same_thread": False},)\n',
      `from sqlalchemy.engine import make_url\nfrom sqlmodel import create_engine\nmake = lambda url: create_engine(url, connect_args={"check_same_thread": False} if ${GUARD('url')} else {},)\n`,
    ],
    [
      'a star import above the sqlalchemy import does not stop it',
      'from .compat import *\nfrom sqlalchemy import create_engine\ne = create_engine(URL, connect_args={"check_same_thread": False})\n',
      `from .compat import *\nfrom sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\ne = create_engine(URL, connect_args={"check_same_thread": False} if ${GUARD('URL')} else {})\n`,
    ],
    [
      'a call as URL is read once, into a variable',
      'from sqlalchemy import create_engine\n\ne = create_engine(get_url(), connect_args={"check_same_thread": False})\n',
      `from sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\n\n_e_url = get_url()\ne = create_engine(_e_url, connect_args={"check_same_thread": False} if ${GUARD('_e_url')} else {})\n`,
    ],
    [
      'os.environ[...] as URL, named after the variable',
      'import os\nfrom sqlalchemy import create_engine\nengine = create_engine(os.environ["DATABASE_URL"], connect_args={"check_same_thread": False})\n',
      `import os\nfrom sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\n_database_url = os.environ["DATABASE_URL"]\nengine = create_engine(_database_url, connect_args={"check_same_thread": False} if ${GUARD('_database_url')} else {})\n`,
    ],
    [
      'os.getenv in a black-formatted call inside a function',
      'import os\nfrom sqlalchemy import create_engine\ndef make():\n    e = create_engine(\n        os.getenv("DB"),\n        connect_args={"check_same_thread": False},\n    )\n    return e\n',
      `import os\nfrom sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\ndef make():\n    db = os.getenv("DB")\n    e = create_engine(\n        db,\n        connect_args={"check_same_thread": False} if ${GUARD('db')} else {},\n    )\n    return e\n`,
    ],
    [
      'a subscript as URL, qualified call, name taken',
      'import sqlalchemy as sa\n_e_url = 1\ne = sa.create_engine(cfg["url"], connect_args={"check_same_thread": False})\n',
      `import sqlalchemy as sa\nfrom sqlalchemy.engine import make_url\n_e_url = 1\n_database_url = cfg["url"]\ne = sa.create_engine(_database_url, connect_args={"check_same_thread": False} if ${GUARD('_database_url')} else {})\n`,
    ],
    [
      'an async engine with a computed URL, awaited inside the statement',
      'from sqlalchemy.ext.asyncio import create_async_engine\nasync def make():\n    return create_async_engine(await settings.url(), connect_args={"check_same_thread": False})\n',
      `from sqlalchemy.engine import make_url\nfrom sqlalchemy.ext.asyncio import create_async_engine\nasync def make():\n    database_url = await settings.url()\n    return create_async_engine(database_url, connect_args={"check_same_thread": False} if ${GUARD('database_url')} else {})\n`,
    ],
    [
      'the engine call inside another call after plain reads',
      'import os\nfrom sqlalchemy import create_engine\nSession = sessionmaker(autoflush=False, bind=create_engine(os.environ["DB"], connect_args={"check_same_thread": False}))\n',
      `import os\nfrom sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\n_db = os.environ["DB"]\nSession = sessionmaker(autoflush=False, bind=create_engine(_db, connect_args={"check_same_thread": False} if ${GUARD('_db')} else {}))\n`,
    ],
    [
      'connect_args as a module constant used only as connect_args',
      'from sqlalchemy import create_engine\nARGS = {"check_same_thread": False}\ne = create_engine(URL, connect_args=ARGS)\n',
      `from sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\nARGS = {"check_same_thread": False}\ne = create_engine(URL, connect_args=ARGS if ${GUARD('URL')} else {})\n`,
    ],
    [
      'a constant bound more than once is not treated as a literal',
      'from sqlalchemy import create_engine\nURL = "sqlite:///a.db"\nif PROD:\n    URL = read_url()\ne = create_engine(URL, connect_args={"check_same_thread": False})\n',
      `from sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\nURL = "sqlite:///a.db"\nif PROD:\n    URL = read_url()\ne = create_engine(URL, connect_args={"check_same_thread": False} if ${GUARD('URL')} else {})\n`,
    ],
  ])('%s', (_name, input, expected) => {
    const result = run(input);
    expect(result.output).toBe(expected);
    expect(result.changed).toBe(true);
    expect(run(result.output).changed).toBe(false);
  });
});

describe('python/sqlite-connect-args leaves these alone, with a note', () => {
  it.each([
    ['a literal postgres URL', 'from sqlalchemy import create_engine\ne = create_engine("postgresql://db/app", connect_args={"check_same_thread": False})\n', 2, 'literal non-sqlite URL (driver `postgresql`)'],
    ['a non-sqlite module constant', 'from sqlalchemy import create_engine\nDB = "mysql+pymysql://db/app"\ne = create_engine(DB, connect_args={"check_same_thread": False})\n', 3, 'from the constant `DB`'],
    ['a string that is not a URL', 'from sqlalchemy import create_engine\ne = create_engine("app.db", connect_args={"check_same_thread": False})\n', 2, 'no `driver://` scheme'],
    ['connect_args as a variable bound twice', 'from sqlalchemy import create_engine\nARGS = {"check_same_thread": False}\nif LOCAL:\n    ARGS = {}\ne = create_engine(URL, connect_args=ARGS)\n', 5, 'connect_args is not a literal dict'],
    ['connect_args as a constant read elsewhere', 'from sqlalchemy import create_engine\nARGS = {"check_same_thread": False}\ne = create_engine(URL, connect_args=ARGS)\nlog(ARGS)\n', 3, 'which line 4 also uses'],
    ['a computed URL in a lambda', 'import os\nfrom sqlalchemy import create_engine\nmake = lambda: create_engine(os.getenv("DB"), connect_args={"check_same_thread": False})\n', 3, 'the URL `os.getenv("DB")` is computed, so the guard needs it in a variable, and it cannot move to a line of its own: the engine call is inside a lambda'],
    ['a computed URL in a comprehension', 'import os\nfrom sqlalchemy import create_engine\nengines = [create_engine(os.getenv(n), connect_args={"check_same_thread": False}) for n in NAMES]\n', 3, 'inside a comprehension'],
    ['a computed URL in a class body', 'import os\nfrom sqlalchemy import create_engine\nclass Db:\n    engine = create_engine(os.environ["DB"], connect_args={"check_same_thread": False})\n', 4, 'in a class body'],
    ['a computed URL in a decorator', 'import os\nfrom sqlalchemy import create_engine\n@bind(create_engine(os.environ["DB"], connect_args={"check_same_thread": False}))\ndef f():\n    pass\n', 3, 'in a decorator'],
    ['a computed URL in a parameter default', 'import os\nfrom sqlalchemy import create_engine\ndef f(e=create_engine(os.environ["DB"], connect_args={"check_same_thread": False})):\n    pass\n', 3, 'a parameter default'],
    ['a computed URL in one branch of a conditional', 'import os\nfrom sqlalchemy import create_engine\ne = create_engine(os.environ["DB"], connect_args={"check_same_thread": False}) if USE_DB else None\n', 3, 'even when its branch is not taken'],
    ['a computed URL on the right of `or`', 'import os\nfrom sqlalchemy import create_engine\ne = cached or create_engine(os.environ["DB"], connect_args={"check_same_thread": False})\n', 3, 'even when that side is not evaluated'],
    ['a computed URL after a call it would overtake', 'import os\nfrom sqlalchemy import create_engine\ne = wrap(setup(), create_engine(os.environ["DB"], connect_args={"check_same_thread": False}))\n', 3, 'read before `setup()` runs'],
    ['a computed URL after a keyword it would overtake', 'import os\nfrom sqlalchemy import create_engine\ne = create_engine(echo=get_echo(), url=os.environ["DB"], connect_args={"check_same_thread": False})\n', 3, 'read before `echo=get_echo()` runs'],
    ['a computed URL on a line with another statement', 'import os\nfrom sqlalchemy import create_engine\nload(); e = create_engine(os.environ["DB"], connect_args={"check_same_thread": False})\n', 3, 'shares its line with another statement'],
    ['a computed URL in a one-line if', 'import os\nfrom sqlalchemy import create_engine\nif DB: e = create_engine(os.environ["DB"], connect_args={"check_same_thread": False})\n', 3, 'shares its line with another statement'],
    ['a computed URL binding a name', 'import os\nfrom sqlalchemy import create_engine\ne = create_engine(url := os.environ["DB"], connect_args={"check_same_thread": False})\n', 3, 'binds a name'],
    ['a computed URL in a with header', 'import os\nfrom sqlalchemy import create_engine\nwith create_engine(os.environ["DB"], connect_args={"check_same_thread": False}).connect() as c:\n    pass\n', 3, 'the engine call is part of a with statement'],
    ['URL through *args', 'from sqlalchemy import create_engine\ne = create_engine(*args, connect_args={"check_same_thread": False})\n', 2, 'passed through *args'],
    ['no URL at all', 'from sqlalchemy import create_engine\ne = create_engine(connect_args={"check_same_thread": False}, **opts)\n', 2, 'no visible URL argument'],
    ['create_engine not imported', 'e = create_engine(URL, connect_args={"check_same_thread": False})\n', 1, '`create_engine` is not imported in this file'],
    ['create_engine from another library', 'from mylib import create_engine\ne = create_engine(URL, connect_args={"check_same_thread": False})\n', 2, 'comes from `mylib`, not from SQLAlchemy'],
    ['create_engine reassigned', 'from sqlalchemy import create_engine\ncreate_engine = wrap(create_engine)\ne = create_engine(URL, connect_args={"check_same_thread": False})\n', 3, 'assigned or defined in this file'],
    ['check_same_thread twice', 'from sqlalchemy import create_engine\ne = create_engine(URL, connect_args={"check_same_thread": False, "check_same_thread": True})\n', 2, 'more than once'],
    ['dict() redefined', 'from sqlalchemy import create_engine\ndict = OrderedDict\ne = create_engine(URL, connect_args=dict(check_same_thread=False))\n', 3, '`dict` is redefined'],
    ['make_url means something else', 'from sqlalchemy import create_engine\nfrom furl import make_url\ne = create_engine(URL, connect_args={"check_same_thread": False})\n', 3, '`make_url` already names something else in this file (line 2)'],
    ['make_url from a star import', 'from helpers import *\nfrom sqlalchemy import create_engine\nx = make_url("a")\ne = create_engine(URL, connect_args={"check_same_thread": False})\n', 4, 'used on line 3 without an import'],
    ['create_engine possibly rebound by a later star import', 'from sqlalchemy import create_engine\nfrom helpers import *\ne = create_engine(URL, connect_args={"check_same_thread": False})\n', 3, '`from helpers import *` on line 2 may rebind `create_engine`'],
    ['make_url imported below a module-level call', 'from sqlalchemy import create_engine\ne = create_engine(URL, connect_args={"check_same_thread": False})\nfrom sqlalchemy.engine import make_url\n', 2, 'imported below this line (line 3)'],
    ['connect_args given twice', 'from sqlalchemy import create_engine\ne = create_engine(URL, connect_args={"check_same_thread": False}, connect_args={})\n', 2, 'connect_args is given 2 times'],
    ['engine_from_config', 'import sqlalchemy as sa\ne = sa.engine_from_config(CFG, connect_args={"check_same_thread": False})\n', 2, 'reads the URL from its configuration mapping'],
    ['a wrapper taking connect_args', 'from sqlalchemy import create_engine\nfrom .db import make_engine\ne = make_engine(URL, connect_args={"check_same_thread": False})\n', 3, 'through make_engine(..., connect_args=...)'],
    ['engine options in a mapping', 'from sqlalchemy import create_engine\nOPTS = dict(connect_args=dict(check_same_thread=False))\ne = create_engine(URL, **OPTS)\n', 2, 'as the connect_args entry of a dict(...) of engine options'],
    ['connect_args set through a subscript', 'from sqlalchemy import create_engine\ndef f(url, **kw):\n    kw["connect_args"] = {"check_same_thread": False}\n    return create_engine(url, **kw)\n', 3, 'through kw["connect_args"]'],
    ['make_url possibly rebound by a later star import', 'from sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\nfrom .compat import *\ne = create_engine(URL, connect_args={"check_same_thread": False})\n', 4, '`from .compat import *` on line 3 may rebind'],
    [
      'create_engine rebound in the function the call is in',
      'from sqlalchemy import create_engine\ndef f(url):\n    create_engine = make_fake()\n    return create_engine(url, connect_args={"check_same_thread": False})\n',
      4,
      '`create_engine` is assigned or defined in f(), not only imported',
    ],
    [
      'make_url bound by the function around the call',
      'from sqlalchemy import create_engine\ndef f(url, make_url):\n    return create_engine(url, connect_args={"check_same_thread": False})\n',
      3,
      '`make_url` is bound in f() (line 2)',
    ],
    ['dict rebound in a comprehension around the call', 'import sqlalchemy as sa\nes = [sa.create_engine(u, connect_args=dict(check_same_thread=False)) for dict in KINDS]\n', 2, '`dict` is redefined in the comprehension on line 2'],
    ['an earlier sqlite guard in the same function', 'from sqlalchemy import create_engine\ndef f(url):\n    if "sqlite" not in url:\n        return create_engine(url)\n    return create_engine(url, connect_args={"check_same_thread": False})\n', 5, 'the condition on line 3 already mentions sqlite'],
  ])('%s', (_name, input, line, reason) => {
    const result = run(input);
    expect(result.changed).toBe(false);
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]!.line).toBe(line);
    expect(result.notes[0]!.message).toContain(reason);
  });
});

describe('python/sqlite-connect-args hoisting in a CRLF file', () => {
  it('lays a multi-line URL out under the new line, with the file\'s line endings', () => {
    const text = 'import os\r\nfrom sqlalchemy import create_engine\r\ndef f(name):\r\n    return create_engine(\r\n        os.environ.get(name)\r\n        or os.environ["DATABASE_URL"],\r\n        connect_args={"check_same_thread": False},\r\n    )\r\n';
    const outcome = transformSource(engine, { path: 'app/db.py', text, eol: '\r\n' }, [codemod]);
    expect(outcome.kind).toBe('changed');
    const out = outcome.kind === 'changed' ? outcome.text : '';
    expect(out).toContain('\r\n    database_url = (\r\n        os.environ.get(name)\r\n        or os.environ["DATABASE_URL"]\r\n    )\r\n    return create_engine(\r\n        database_url,\r\n');
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });
});

describe('python/sqlite-connect-args safety per change', () => {
  it('a hoisted URL, its replacement and the guard are one safe change; the import only supports them', () => {
    const source = readFileSync(join(ROOT, 'fixtures', 'codemods', 'python', 'sqlite-connect-args', 'computed-url.input.py'), 'utf8');
    const outcome = transformSource(engine, { path: 'app/db.py', text: source, eol: '\n' }, [codemod]);
    expect(outcome.kind).toBe('changed');
    if (outcome.kind !== 'changed') return;
    const [step] = outcome.steps;
    const edits = step!.edits;
    expect(edits.every((e) => e.safety === 'safe')).toBe(true);
    const changes = new Map<string, string[]>();
    for (const e of edits.filter((x) => !x.supports)) changes.set(e.change!, [...(changes.get(e.change!) ?? []), e.description]);
    expect(changes.size).toBe(6);
    expect(step!.changes).toHaveLength(6);
    // Five URLs are computed: each of those changes holds the new line, the URL's replacement and the guard.
    expect([...changes.values()].filter((d) => d.length === 3)).toHaveLength(5);
    const support = edits.filter((e) => e.supports);
    expect(support.map((e) => e.description)).toEqual(['import make_url from sqlalchemy.engine']);
    expect(new Set(support[0]!.supports)).toEqual(new Set(changes.keys()));
    expect(codemod.meta.safety).toBe('safe');
  });
});

describe('python/sqlite-connect-args leaves correct code alone, silently', () => {
  it.each([
    ['already a conditional expression', 'from sqlalchemy import create_engine\ne = create_engine(URL, connect_args={"check_same_thread": False} if IS_LOCAL else {})\n'],
    ['inside an if about sqlite', 'from sqlalchemy import create_engine\nif URL.startswith("sqlite"):\n    e = create_engine(URL, connect_args={"check_same_thread": False})\n'],
    ['inside the else of an if about sqlite', 'from sqlalchemy import create_engine\nif not is_sqlite(URL):\n    e = create_engine(URL)\nelse:\n    e = create_engine(URL, connect_args={"check_same_thread": False})\n'],
    ['a literal sqlite URL', 'from sqlalchemy import create_engine\ne = create_engine("sqlite:///x.db", connect_args={"check_same_thread": False})\n'],
    ['a literal sqlite URL with a driver', 'from sqlalchemy.ext.asyncio import create_async_engine\ne = create_async_engine("sqlite+aiosqlite:///x.db", connect_args={"check_same_thread": False})\n'],
    ['an f-string sqlite URL', 'from sqlalchemy import create_engine\ne = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})\n'],
    ['a sqlite module constant', 'from sqlalchemy import create_engine\nURL = "sqlite:///./app.db"\ne = create_engine(URL, connect_args={"check_same_thread": False})\n'],
    ['engine options set under a sqlite check', 'from sqlalchemy import create_engine\ndef f(url):\n    kw = {}\n    if url.startswith("sqlite"):\n        kw["connect_args"] = {"check_same_thread": False}\n    return create_engine(url, **kw)\n'],
    ['a wrapper given an already conditional value', 'from sqlalchemy import create_engine\nfrom .db import make_engine\ne = make_engine(URL, connect_args={"check_same_thread": False} if LOCAL else {})\n'],
    ['sqlite3.connect itself', 'import sqlite3\nfrom sqlalchemy import create_engine\nconn = sqlite3.connect("x.db", check_same_thread=False)\ne = create_engine(URL)\n'],
    ['no check_same_thread', 'from sqlalchemy import create_engine\n# check_same_thread is not used here\ne = create_engine(URL, connect_args={"timeout": 5})\n'],
    ['our own mixed output', `from sqlalchemy import create_engine\nfrom sqlalchemy.engine import make_url\ne = create_engine(URL, connect_args={"timeout": 5, **({"check_same_thread": False} if ${GUARD('URL')} else {})})\n`],
  ])('%s', (_name, input) => {
    const result = run(input);
    expect(result.changed).toBe(false);
    expect(result.notes).toEqual([]);
  });

  it('prefilter skips files without check_same_thread or an engine factory', () => {
    expect(codemod.prefilter('engine = create_engine(URL)\n')).toBe(false);
    expect(codemod.prefilter('{"check_same_thread": False}\n')).toBe(false);
    expect(codemod.prefilter('create_async_engine(u, connect_args={"check_same_thread": False})')).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Behaviour: run the original and the rewritten module against a recording
// stand-in for SQLAlchemy and compare what each would pass to the engine.
// ---------------------------------------------------------------------------

/** Just enough of SQLAlchemy's surface for engine modules to import; factories record their arguments. */
const STUB: Record<string, string> = {
  'sqlalchemy/__init__.py': 'from ._record import CALLS, create_engine\nfrom .engine import make_url\n',
  'sqlalchemy/_record.py': [
    'CALLS = []',
    '',
    'class Engine:',
    '    def __init__(self, url, kwargs):',
    '        self.url = url',
    '        self.kwargs = kwargs',
    '',
    'def _record(fn, args, kwargs):',
    '    CALLS.append({"fn": fn, "args": list(args), "kwargs": kwargs})',
    '    # A module under test may keep a timeline of its own reads (EVENTS, set up by the driver); engine calls join it.',
    '    import builtins',
    '    getattr(builtins, "EVENTS", []).append(fn)',
    '    return Engine(args[0] if args else kwargs.get("url"), kwargs)',
    '',
    'def create_engine(*args, **kwargs):',
    '    return _record("create_engine", args, kwargs)',
    '',
    'def create_async_engine(*args, **kwargs):',
    '    return _record("create_async_engine", args, kwargs)',
    '',
  ].join('\n'),
  'sqlalchemy/engine/__init__.py': 'from .._record import Engine, create_engine\nfrom .url import URL, make_url\n',
  'sqlalchemy/engine/url.py': [
    'import re',
    '',
    '# The scheme part of SQLAlchemy\'s own URL pattern (engine/url.py): the drivername is [\\w+]+ before "://".',
    '_PATTERN = re.compile(r"(?P<name>[\\w+]+)://")',
    '',
    'class URL:',
    '    def __init__(self, drivername):',
    '        self.drivername = drivername',
    '',
    'def make_url(name_or_url):',
    '    if isinstance(name_or_url, URL):',
    '        return name_or_url',
    '    m = _PATTERN.match(name_or_url)',
    '    if m is None:',
    '        raise ValueError("Could not parse SQLAlchemy URL from string %r" % name_or_url)',
    '    return URL(m.group("name"))',
    '',
  ].join('\n'),
  'sqlalchemy/ext/__init__.py': '',
  'sqlalchemy/ext/asyncio/__init__.py': [
    'from ..._record import create_async_engine',
    '',
    'class AsyncSession:',
    '    pass',
    '',
    'def async_sessionmaker(*args, **kwargs):',
    '    return AsyncSession',
    '',
  ].join('\n'),
  'sqlmodel/__init__.py': 'from sqlalchemy._record import create_engine\n',
  'sqlalchemy/orm/__init__.py': 'class Session:\n    pass\n\ndef sessionmaker(*args, **kwargs):\n    return Session\n',
};

/** Imports a module with the stub first on sys.path and prints the recorded factory calls as JSON. */
const DRIVER = [
  'import builtins, importlib, json, sys',
  'stub, code, module = sys.argv[1:4]',
  'sys.path[:0] = [stub, code]',
  'builtins.EVENTS = []',
  'import sqlalchemy',
  'assert sqlalchemy.__file__.startswith(stub), sqlalchemy.__file__',
  'importlib.import_module(module)',
  'print(json.dumps({"calls": sqlalchemy.CALLS, "events": builtins.EVENTS}, default=repr))',
].join('\n');

/** A module exercising every rewrite shape; the URL comes from the environment like a settings object would give it. */
const ENGINES_MODULE = `import os

import sqlalchemy as sa
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine


class settings:
    DATABASE_URL = os.environ["DATABASE_URL"]
    DB_ECHO = True


plain = create_engine(settings.DATABASE_URL, connect_args={"check_same_thread": False}, echo=settings.DB_ECHO)
keyword_url = sa.create_engine(url=settings.DATABASE_URL, connect_args=dict(check_same_thread=False), pool_pre_ping=True)
mixed = create_engine(
    settings.DATABASE_URL,
    connect_args={"timeout": 30, "check_same_thread": False, "uri": True},  # mixed
    pool_size=5,
)
mixed_call = sa.create_engine(settings.DATABASE_URL, connect_args=dict(timeout=15, check_same_thread=False))
async_engine = create_async_engine(settings.DATABASE_URL, connect_args={"check_same_thread": False}, future=True)


def build(url, extra):
    return create_engine(url, connect_args={**extra, "check_same_thread": False, "application_name": "api"})


built = build(settings.DATABASE_URL, {"sslmode": "prefer"})
`;

/** Aliased factories (SQLAlchemy, its asyncio extension, SQLModel), a lambda, comments and trailing commas. */
const ALIASES_MODULE = `import os

from sqlalchemy import create_engine as sa_engine
from sqlalchemy.ext.asyncio import create_async_engine as async_engine
from sqlmodel import create_engine as sqlmodel_engine

DATABASE_URL = os.environ["DATABASE_URL"]

engine = sa_engine(DATABASE_URL, connect_args={"check_same_thread": False})
model_engine = sqlmodel_engine(
    DATABASE_URL,
    connect_args={
        "check_same_thread": False,  # sqlite3 only
    },
)
make_async = lambda url: async_engine(url, connect_args={"check_same_thread": False},)
lazy = make_async(DATABASE_URL)
`;

/**
 * Computed URLs: each is read into a variable first, once, in the order the
 * original reads it (the module logs every read in EVENTS, the stub logs
 * every engine call there too); the tutorial's connect_args constant.
 */
const COMPUTED_MODULE = `import os

import sqlalchemy as sa
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import create_engine as sqlmodel_engine


class _Dsn:
    def __init__(self, url):
        self.url = url

    def __str__(self):
        EVENTS.append("str(dsn)")
        return self.url


class _Settings:
    @property
    def SQLALCHEMY_DATABASE_URI(self):
        EVENTS.append("read SQLALCHEMY_DATABASE_URI")
        return _Dsn(os.environ["DATABASE_URL"])


settings = _Settings()


def get_url(name):
    EVENTS.append(f"get_url({name})")
    return os.environ["DATABASE_URL"]


def echo():
    EVENTS.append("echo()")
    return False


connect_args = {"check_same_thread": False}

env_engine = create_engine(os.environ["DATABASE_URL"], connect_args={"check_same_thread": False})
getenv_engine = sa.create_engine(os.getenv("DATABASE_URL", "sqlite:///fallback.db"), connect_args=dict(check_same_thread=False))
dsn_engine = sa.create_engine(
    str(settings.SQLALCHEMY_DATABASE_URI),  # pydantic's PostgresDsn is not a str
    connect_args={"check_same_thread": False, "timeout": 30},
    echo=echo(),
)
async_engine = create_async_engine(get_url("async"), connect_args={"check_same_thread": False})
tutorial_engine = sqlmodel_engine(get_url("tutorial"), echo=True, connect_args=connect_args)


def make(name):
    if name:
        return create_engine(
            get_url(name)
            or os.environ["DATABASE_URL"],
            connect_args={"check_same_thread": False},
        )
    return None


made = make("worker")
`;

interface Call {
  fn: string;
  args: unknown[];
  kwargs: Record<string, unknown> & { connect_args?: Record<string, unknown> };
}

const URLS = ['sqlite:///x.db', 'sqlite+pysqlite:///:memory:', 'sqlite+aiosqlite:///x.db', 'postgresql://app:pw@db/app', 'postgresql+psycopg2://db/app', 'mysql+pymysql://app@db/app'];

describe('python/sqlite-connect-args behaviour (recording SQLAlchemy stand-in)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipshape-sqlite-args-'));
    for (const [path, text] of Object.entries(STUB)) {
      mkdirSync(dirname(join(dir, 'stub', path)), { recursive: true });
      writeFileSync(join(dir, 'stub', path), text);
    }
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function write(root: string, files: Record<string, string>): string {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  function calls(code: string, module: string, url: string): Call[] {
    return record(code, module, url).calls;
  }

  /** What the module passed to the engine factories, and its timeline: its own URL reads (EVENTS) and the engine calls, in order. */
  function record(code: string, module: string, url: string): { calls: Call[]; events: string[] } {
    const stdout = execFileSync('python3', ['-c', DRIVER, join(dir, 'stub'), code, module], {
      cwd: code,
      env: { ...process.env, DATABASE_URL: url, PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: '' },
      encoding: 'utf8',
    });
    return JSON.parse(stdout) as { calls: Call[]; events: string[] };
  }

  /** Sqlite: exactly the same calls. Other drivers: the same calls minus check_same_thread, nothing else touched. */
  function expectSameBehaviour(before: Call[], after: Call[], url: string): void {
    expect(after).toHaveLength(before.length);
    expect(before.length).toBeGreaterThan(0);
    if (url.startsWith('sqlite')) {
      expect(after).toEqual(before);
      return;
    }
    before.forEach((original, i) => {
      const rewritten = after[i]!;
      expect(original.kwargs.connect_args).toHaveProperty('check_same_thread');
      expect(rewritten.kwargs.connect_args).not.toHaveProperty('check_same_thread');
      const { check_same_thread: _dropped, ...rest } = original.kwargs.connect_args!;
      expect(rewritten.kwargs.connect_args).toEqual(rest);
      expect({ ...rewritten, kwargs: { ...rewritten.kwargs, connect_args: null } }).toEqual({
        ...original,
        kwargs: { ...original.kwargs, connect_args: null },
      });
    });
  }

  it('rewrites every engine of the mixed module', () => {
    const result = run(ENGINES_MODULE);
    expect(result.changed).toBe(true);
    expect(result.notes).toEqual([]);
    expect(result.output.match(/drivername\.startswith/g)).toHaveLength(6);
  });

  it.each(URLS)('engine kwargs for %s', (url) => {
    const before = write(join(dir, 'before-engines'), { 'engines.py': ENGINES_MODULE });
    const after = write(join(dir, 'after-engines'), { 'engines.py': run(ENGINES_MODULE).output });
    expectSameBehaviour(calls(before, 'engines', url), calls(after, 'engines', url), url);
  });

  it.each(URLS)('aliased factories, a lambda and comments for %s', (url) => {
    const rewritten = run(ALIASES_MODULE);
    expect(rewritten.output.match(/drivername\.startswith/g)).toHaveLength(3);
    const before = write(join(dir, 'before-aliases'), { 'aliases.py': ALIASES_MODULE });
    const after = write(join(dir, 'after-aliases'), { 'aliases.py': rewritten.output });
    expectSameBehaviour(calls(before, 'aliases', url), calls(after, 'aliases', url), url);
  });

  it('hoists every computed URL of the computed module', () => {
    const result = run(COMPUTED_MODULE);
    expect(result.notes).toEqual([]);
    expect(result.output.match(/drivername\.startswith/g)).toHaveLength(6);
    for (const line of [
      '_database_url = os.environ["DATABASE_URL"]',
      '_getenv_engine_url = os.getenv("DATABASE_URL", "sqlite:///fallback.db")',
      '_sqlalchemy_database_uri = str(settings.SQLALCHEMY_DATABASE_URI)',
      '_async_engine_url = get_url("async")',
      '_tutorial_engine_url = get_url("tutorial")',
      '        database_url = (\n            get_url(name)\n            or os.environ["DATABASE_URL"]\n        )',
    ]) {
      expect(result.output).toContain(line);
    }
  });

  it.each(URLS)('computed URLs are read once, in the same order, for %s', (url) => {
    const before = write(join(dir, 'before-computed'), { 'computed.py': COMPUTED_MODULE });
    const after = write(join(dir, 'after-computed'), { 'computed.py': run(COMPUTED_MODULE).output });
    const original = record(before, 'computed', url);
    const rewritten = record(after, 'computed', url);
    expect(original.events).toEqual([
      'create_engine',
      'create_engine',
      'read SQLALCHEMY_DATABASE_URI',
      'str(dsn)',
      'echo()',
      'create_engine',
      'get_url(async)',
      'create_async_engine',
      'get_url(tutorial)',
      'create_engine',
      'get_url(worker)',
      'create_engine',
    ]);
    expect(rewritten.events).toEqual(original.events);
    expectSameBehaviour(original.calls, rewritten.calls, url);
  });

  it.each(URLS)('pcm-ops backend/db/session.py with its real settings, DATABASE_URL=%s', (url) => {
    const files = ['backend/__init__.py', 'backend/core/__init__.py', 'backend/core/config.py', 'backend/db/__init__.py'];
    const session = readFileSync(join(PCM_OPS, 'backend/db/session.py'), 'utf8');
    const rewritten = run(session);
    expect(rewritten.changed).toBe(true);
    for (const side of ['before-seed', 'after-seed']) {
      for (const file of files) {
        mkdirSync(dirname(join(dir, side, file)), { recursive: true });
        copyFileSync(join(PCM_OPS, file), join(dir, side, file));
      }
    }
    const before = write(join(dir, 'before-seed'), { 'backend/db/session.py': session });
    const after = write(join(dir, 'after-seed'), { 'backend/db/session.py': rewritten.output });
    const original = calls(before, 'backend.db.session', url);
    expect(original[0]!.args).toEqual([url]);
    expectSameBehaviour(original, calls(after, 'backend.db.session', url), url);
  });

  it.each(URLS)('names rebound inside one function change only that function, for %s', (url) => {
    const source = fixtureCases(codemod.meta.id).find((c) => c.name === 'per-scope-shadowing')!.input.toString('utf8');
    const rewritten = run(source);
    expect(rewritten.notes.map((n) => n.line)).toEqual([17, 27, 32]);
    const before = calls(write(join(dir, 'before-scopes'), { 'scopes.py': source }), 'scopes', url);
    const after = calls(write(join(dir, 'after-scopes'), { 'scopes.py': rewritten.output }), 'scopes', url);
    // The module's engine, its async engine and sa.create_engine in one function are guarded;
    // the functions with their own make_url and dict keep what they passed; the fake engine records nothing.
    expect(before.map((c) => c.fn)).toEqual(['create_engine', 'create_async_engine', 'create_engine', 'create_engine', 'create_engine']);
    expectSameBehaviour(before.slice(0, 3), after.slice(0, 3), url);
    expect(after.slice(3)).toEqual(before.slice(3));
    expect(before[3]!.kwargs.connect_args).toHaveProperty('check_same_thread');
  });

  it('every rewritten fixture still compiles', () => {
    const outputs = fixtureCases(codemod.meta.id)
      .filter((c) => !c.name.includes('syntax-error') && !c.input.equals(c.expected))
      .map((c) => ({ path: `${c.name}.py`, text: c.expected.toString('utf8').replace(/^\uFEFF/, '') }));
    expect(outputs.length).toBeGreaterThan(10);
    const check = 'import json, sys\nfor f in json.load(sys.stdin):\n    compile(f["text"], f["path"], "exec")\nprint("ok")';
    expect(execFileSync('python3', ['-c', check], { input: JSON.stringify(outputs), encoding: 'utf8' }).trim()).toBe('ok');
  });
});
