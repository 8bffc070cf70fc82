import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codemod } from '../../codemods/python/pydantic-configdict/index.js';
import type { EngineContext } from '../../src/engine/transform.js';
import type { Note } from '../../src/engine/types.js';
import { fixtureCases, testEngine, transformBytes } from '../helpers/fixtures.js';


let engine: EngineContext;
beforeAll(async () => {
  engine = await testEngine();
});

function run(source: string): { output: string; kind: string; notes: Note[] } {
  const { outcome, output } = transformBytes(engine, [codemod], 'src/models.py', Buffer.from(source, 'utf8'));
  const notes = outcome.kind === 'skipped' ? [] : outcome.notes;
  return { output, kind: outcome.kind, notes: notes.map((n) => ({ line: n.line, message: n.message, ...(n.caveat ? { caveat: true } : {}) })) };
}

function fixture(name: string): { input: Buffer; expected: Buffer } {
  const found = fixtureCases(codemod.meta.id).find((c) => c.name === name);
  if (!found) throw new Error(`no fixture ${name}`);
  return found;
}

describe('pydantic-configdict: notes for what is left alone (fixtures)', () => {
  it.each([
    ['removed-key', 9, 'key fields was removed in pydantic v2'],
    ['removed-key', 10, 'key underscore_attrs_are_private was removed in pydantic v2'],
    ['unknown-key', 7, 'unknown config key my_custom_flag'],
    ['unknown-key', 8, 'env_file is a settings key'],
    ['callable-schema-extra', 14, 'schema_extra is not a dict literal'],
    ['callable-schema-extra', 23, 'holds more than settings (decorated definition at line 23)'],
    ['config-with-method', 9, 'holds more than settings'],
    ['config-with-method', 16, 'not a simple name = value setting'],
    ['config-with-method', 21, 'holds more than settings (if statement at line 21)'],
    ['model-config-exists', 7, 'model_config already exists (line 5)'],
    ['not-provable-base', 8, 'the relative import .base in src/models.py leads outside the project'],
    ['not-provable-base', 13, 'it derives from app.models.TimestampedModel, which is not known to be a pydantic model'],
    ['config-referenced', 5, 'Account.Config is read at line 10'],
    ['name-conflict', 7, 'the name ConfigDict is already used'],
    ['value-reads-config-attribute', 9, 'refers to the Config attribute title'],
    ['value-reads-config-attribute', 16, "reads 'PREFIX', which the model's body rebinds"],
    ['partial-conversion', 11, 'key smart_union was removed in pydantic v2'],
    ['partial-hierarchy', 7, 'its subclass Draft keeps a class Config (line 14) setting allow_mutation, a v1 name pydantic 2 ignores'],
    ['partial-hierarchy', 20, 'Opaque, another base of its subclasses, sets from_attributes to another value'],
    ['partial-hierarchy', 25, 'Readable, another base of its subclasses, keeps a class Config (line 20) setting orm_mode'],
    ['star-import-after-base', 6, "'BaseModel' may be rebound by 'from .base import *' in src/models.py"],
    ['config-read-by-name', 5, 'the string "Config" at line 10 may read the Config attribute'],
    ['value-scope-traps', 7, 'reads __qualname__, which differs between class Config and the model'],
    ['value-scope-traps', 14, 'assigns label := "tagged" (walrus)'],
  ])('%s: line %i says "%s"', (name, line, reason) => {
    const { notes } = run(fixture(name).input.toString('utf8'));
    expect(notes).toContainEqual({ line, message: expect.stringContaining(reason) });
  });

  it('a remark on a class it converted is a caveat, not a place left alone', () => {
    const result = run(fixture('json-encoders-kept').input.toString('utf8'));
    expect(result.kind).toBe('changed');
    expect(result.notes).toEqual([{ line: 10, message: expect.stringContaining('json_encoders is deprecated in pydantic v2 but still honoured'), caveat: true }]);
  });

  it.each(['pydantic-v1', 'not-pydantic'])('%s: untouched without a note', (name) => {
    const result = run(fixture(name).input.toString('utf8'));
    expect(result.kind).toBe('unchanged');
    expect(result.notes).toEqual([]);
  });

  it('leaves a pydantic.v1 model reached through `import pydantic` alone, silently: class Config is right there', () => {
    const result = run('import pydantic\n\n\nclass A(pydantic.v1.BaseModel):\n    class Config:\n        orm_mode = True\n');
    expect(result).toMatchObject({ kind: 'unchanged', notes: [] });
  });

  it('plain classes in a pydantic file get no note', () => {
    const { notes } = run(fixture('not-provable-base').input.toString('utf8'));
    expect(notes.map((n) => n.line)).not.toContain(18);
  });
});

const MODEL = (config: string, header = 'from pydantic import BaseModel\n'): string =>
  `${header}\n\nclass A(BaseModel):\n    class Config:\n${config}`;

describe('pydantic-configdict: small rewrites', () => {
  it.each([
    [
      'appends to an unsorted import list',
      MODEL('        orm_mode = True\n', 'from pydantic import Field, BaseModel\n'),
      'from pydantic import Field, BaseModel, ConfigDict\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(from_attributes=True)\n',
    ],
    [
      'uses an existing aliased ConfigDict import',
      MODEL('        orm_mode = True\n', 'from pydantic import BaseModel, ConfigDict as CD\n'),
      'from pydantic import BaseModel, ConfigDict as CD\n\n\nclass A(BaseModel):\n    model_config = CD(from_attributes=True)\n',
    ],
    [
      'merges into a backslash-continued import',
      MODEL('        orm_mode = True\n', 'from pydantic import BaseModel, \\\n    Field\n'),
      'from pydantic import BaseModel, \\\n    ConfigDict, \\\n    Field\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(from_attributes=True)\n',
    ],
    [
      'adds an import line for `import pydantic as pd`',
      'import pydantic as pd\n\n\nclass A(pd.BaseModel):\n    class Config:\n        orm_mode = True\n',
      'import pydantic as pd\nfrom pydantic import ConfigDict\n\n\nclass A(pd.BaseModel):\n    model_config = ConfigDict(from_attributes=True)\n',
    ],
    [
      'adds an import line, in sorted position, when BaseModel comes from pydantic.main',
      MODEL('        orm_mode = True\n', 'from pydantic.main import BaseModel\n'),
      'from pydantic import ConfigDict\nfrom pydantic.main import BaseModel\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(from_attributes=True)\n',
    ],
    [
      'converts a model defined in a function, at its indentation',
      'from pydantic import BaseModel\n\n\ndef make():\n    class A(BaseModel):\n        class Config:\n            orm_mode = True\n            frozen = True\n\n    return A\n',
      'from pydantic import BaseModel, ConfigDict\n\n\ndef make():\n    class A(BaseModel):\n        model_config = ConfigDict(\n            from_attributes=True,\n            frozen=True,\n        )\n\n    return A\n',
    ],
    [
      'follows a generic local base (Page[int])',
      'from typing import Generic, TypeVar\n\nfrom pydantic import BaseModel\n\nT = TypeVar("T")\n\n\nclass Page(BaseModel, Generic[T]):\n    pass\n\n\nclass IntPage(Page[int]):\n    class Config:\n        frozen = True\n',
      'from typing import Generic, TypeVar\n\nfrom pydantic import BaseModel, ConfigDict\n\nT = TypeVar("T")\n\n\nclass Page(BaseModel, Generic[T]):\n    pass\n\n\nclass IntPage(Page[int]):\n    model_config = ConfigDict(frozen=True)\n',
    ],
    [
      'converts a nested model and its outer model independently',
      'from pydantic import BaseModel\n\n\nclass Outer(BaseModel):\n    class Inner(BaseModel):\n        class Config:\n            orm_mode = True\n\n    class Config:\n        frozen = True\n',
      'from pydantic import BaseModel, ConfigDict\n\n\nclass Outer(BaseModel):\n    class Inner(BaseModel):\n        model_config = ConfigDict(from_attributes=True)\n\n    model_config = ConfigDict(frozen=True)\n',
    ],
    [
      'keeps a missing final newline missing',
      MODEL('        orm_mode = True'),
      'from pydantic import BaseModel, ConfigDict\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(from_attributes=True)',
    ],
    [
      'turns `class Config: ...` into an empty ConfigDict()',
      'from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    class Config: ...\n',
      'from pydantic import BaseModel, ConfigDict\n\n\nclass A(BaseModel):\n    model_config = ConfigDict()\n',
    ],
    [
      'turns a multi-line docstring into comments',
      MODEL('        """Line one.\n\n        Line two.\n        """\n        orm_mode = True\n'),
      'from pydantic import BaseModel, ConfigDict\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(\n        # Line one.\n        # Line two.\n        from_attributes=True,\n    )\n',
    ],
    [
      'converts a RootModel',
      'from pydantic import RootModel\n\n\nclass R(RootModel[int]):\n    class Config:\n        frozen = True\n',
      'from pydantic import ConfigDict, RootModel\n\n\nclass R(RootModel[int]):\n    model_config = ConfigDict(frozen=True)\n',
    ],
    [
      'puts a single multi-line value on its own lines',
      MODEL('        schema_extra = {\n            "example": 1,\n        }\n'),
      'from pydantic import BaseModel, ConfigDict\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(\n        json_schema_extra={\n            "example": 1,\n        },\n    )\n',
    ],
    [
      'parenthesises a bare tuple value',
      'from pydantic import BaseModel\n\n\nclass Marker:\n    pass\n\n\nclass A(BaseModel):\n    class Config:\n        keep_untouched = Marker,\n',
      'from pydantic import BaseModel, ConfigDict\n\n\nclass Marker:\n    pass\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(ignored_types=(Marker,))\n',
    ],
    [
      'accepts the same pydantic import repeated',
      MODEL('        orm_mode = True\n', 'from pydantic import BaseModel\nif False:\n    from pydantic import BaseModel\n'),
      'from pydantic import BaseModel, ConfigDict\nif False:\n    from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(from_attributes=True)\n',
    ],
    [
      'converts a parent whose subclass keeps a Config without any of its renamed keys',
      MODEL('        orm_mode = True\n\n\nclass B(A):\n    class Config:\n        smart_union = True\n'),
      'from pydantic import BaseModel, ConfigDict\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(from_attributes=True)\n\n\nclass B(A):\n    class Config:\n        smart_union = True\n',
    ],
    [
      'converts a parent whose subclass keeps only v2 spellings in its Config',
      MODEL('        allow_mutation = False\n\n\nclass B(A):\n    class Config:\n        frozen = False\n        smart_union = True\n'),
      'from pydantic import BaseModel, ConfigDict\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(frozen=True)\n\n\nclass B(A):\n    class Config:\n        frozen = False\n        smart_union = True\n',
    ],
    [
      'a star import before the pydantic import does not stop it',
      MODEL('        orm_mode = True\n', 'from .base import *\nfrom pydantic import BaseModel\n'),
      'from .base import *\nfrom pydantic import BaseModel, ConfigDict\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(from_attributes=True)\n',
    ],
    [
      'quotes Extra members like the file (single quotes here)',
      "from pydantic import BaseModel, Extra\n\nNAME = 'a'\n\n\nclass A(BaseModel):\n    class Config:\n        extra = Extra.forbid\n",
      "from pydantic import BaseModel, ConfigDict\n\nNAME = 'a'\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(extra='forbid')\n",
    ],
    [
      'drops an Extra import that only the converted Config read',
      'from pydantic import Extra\nfrom pydantic import BaseModel\n\n\nclass A(BaseModel):\n    class Config:\n        extra = Extra.forbid\n',
      'from pydantic import ConfigDict\nfrom pydantic import BaseModel\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(extra=\'forbid\')\n',
    ],
    [
      'drops Extra from the middle of a list',
      'from pydantic import BaseModel, Extra, Field\n\n\nclass A(BaseModel):\n    x: int = Field(1)\n\n    class Config:\n        extra = Extra.allow\n',
      'from pydantic import BaseModel, ConfigDict, Field\n\n\nclass A(BaseModel):\n    x: int = Field(1)\n\n    model_config = ConfigDict(extra=\'allow\')\n',
    ],
    [
      'drops Extra from a list with one name per line',
      'from pydantic import (\n    BaseModel,\n    Extra,\n)\n\n\nclass A(BaseModel):\n    class Config:\n        extra = Extra.ignore\n',
      'from pydantic import (\n    BaseModel,\n    ConfigDict,\n)\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(extra=\'ignore\')\n',
    ],
    [
      'keeps an Extra import that other code still reads',
      'from pydantic import BaseModel, Extra\n\nDEFAULT = Extra.forbid\n\n\nclass A(BaseModel):\n    class Config:\n        extra = Extra.forbid\n',
      'from pydantic import BaseModel, ConfigDict, Extra\n\nDEFAULT = Extra.forbid\n\n\nclass A(BaseModel):\n    model_config = ConfigDict(extra=\'forbid\')\n',
    ],
  ])('%s', (_name, input, expected) => {
    const result = run(input);
    expect(result.output).toBe(expected);
    expect(run(result.output).kind).toBe('unchanged');
  });
});

describe('pydantic-configdict: small cases left alone', () => {
  it.each([
    ['a local rebinding of BaseModel', 'from pydantic import BaseModel\n\n\ndef make(BaseModel):\n    class A(BaseModel):\n        class Config:\n            orm_mode = True\n\n    return A\n', 6, 'bound in an enclosing function or class'],
    ['a custom metaclass', 'from pydantic import BaseModel\n\n\nclass A(BaseModel, metaclass=Meta):\n    class Config:\n        orm_mode = True\n', 5, 'sets its own metaclass'],
    ['a key set twice under two names', MODEL('        orm_mode = True\n        from_attributes = True\n'), 7, 'sets from_attributes twice'],
    ['allow_mutation from a variable', MODEL('        allow_mutation = FLAG\n'), 6, 'allow_mutation is not a literal True/False'],
    ['an unknown extra value', MODEL('        extra = other.mode\n'), 6, 'extra = other.mode is not Extra.forbid/allow/ignore'],
    ['a Config with a base class', 'from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    class Config(Shared):\n        orm_mode = True\n', 5, 'class Config(Shared) inherits from another config class'],
    ['Config assigned, not defined', 'from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    Config = SharedConfig\n', 5, 'Config is assigned at line 5'],
    ['Config read in the class body', MODEL('        schema_extra = {"x": 1}\n\n    EXAMPLE = Config.schema_extra\n'), 5, 'Config is referred to at line 8'],
    ['a decorated Config', 'from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    @decorate\n    class Config:\n        orm_mode = True\n', 5, 'class Config is decorated'],
    ['two Config classes', MODEL('        orm_mode = True\n\n    class Config:\n        frozen = True\n'), 5, 'Config is defined more than once'],
    ['a multi-line value on the Config line', 'from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    class Config: schema_extra = {\n        "x": 1}\n', 5, 'spans lines but starts on the class Config line'],
    ['BaseModel bound to two different things', MODEL('        orm_mode = True\n', 'from pydantic import BaseModel\nif False:\n    BaseModel = object\n'), 7, "'BaseModel' is bound more than once"],
    ['bases hidden in **kwargs', 'from pydantic import BaseModel\n\n\nclass A(BaseModel, **OPTIONS):\n    class Config:\n        orm_mode = True\n', 5, 'its bases or class keywords include **OPTIONS'],
    ['bases hidden in *args', 'from pydantic import BaseModel\n\n\nclass A(BaseModel, *MIXINS):\n    class Config:\n        orm_mode = True\n', 5, 'its bases or class keywords include *MIXINS'],
    ['hasattr(..., "Config") elsewhere', MODEL('        orm_mode = True\n\n\nHAS = hasattr(A, "Config")\n'), 5, 'the string "Config" at line 9'],
    [
      'a subclass keeping a Config that overrides a renamed key',
      MODEL('        orm_mode = True\n\n\nclass B(A):\n    class Config:\n        orm_mode = False\n        smart_union = True\n'),
      5,
      'its subclass B keeps a class Config (line 10) setting orm_mode',
    ],
    [
      'a subclass keeping a Config the codemod cannot read',
      MODEL('        allow_mutation = False\n\n\nclass B(A):\n    class Config(Shared):\n        pass\n'),
      5,
      'its subclass B keeps a Config (line 10) whose keys cannot be read here, so frozen converted here could take its place',
    ],
    [
      'a grandchild (through a class without Config) keeping an overriding Config',
      MODEL('        allow_mutation = False\n\n\nclass B(A):\n    pass\n\n\nclass C(B):\n    class Config:\n        allow_mutation = True\n        smart_union = True\n'),
      5,
      'its subclass C keeps a class Config (line 14) setting allow_mutation',
    ],
    ['ConfigDict imported from elsewhere', MODEL('        orm_mode = True\n', 'from pydantic import BaseModel\nfrom mylib import ConfigDict\n'), 6, 'the name ConfigDict is already used'],
  ])('%s', (_name, input, line, reason) => {
    const result = run(input);
    expect(result.kind).toBe('unchanged');
    expect(result.notes).toContainEqual({ line, message: expect.stringContaining(reason) });
  });
});

/**
 * Imports the original and the rewritten module with pydantic 2 and reports,
 * per model class, its effective `model_config`, the config warnings raised
 * at import, and the outcome of each probe expression.
 */
const DRIVER = String.raw`
import datetime, importlib.util, json, sys, types, warnings
import pydantic
from pydantic import BaseModel
from pydantic._internal import _config

# The v1 -> v2 key table is pydantic's own; populate_by_name is the spelling every 2.x accepts.
RENAMED = dict(_config.V2_RENAMED_KEYS)
RENAMED['allow_population_by_field_name'] = 'populate_by_name'

def norm(v):
    if isinstance(v, dict):
        return {repr(k) if not isinstance(k, str) else k: norm(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, type) or callable(v):
        return '<%s>' % getattr(v, '__name__', type(v).__name__)
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return repr(v)

def effective(cfg):
    cfg = dict(cfg)
    # ConfigDict(populate_by_name=True) is expanded by pydantic >= 2.11 into these two.
    if 'populate_by_name' in cfg and cfg.get('validate_by_name') == cfg['populate_by_name'] and cfg.get('validate_by_alias') is True:
        del cfg['validate_by_name'], cfg['validate_by_alias']
    return {k: norm(v) for k, v in cfg.items()}

def translate(cfg):
    out = {}
    for k, v in cfg.items():
        if k == 'allow_mutation':
            out['frozen'] = not v
        else:
            out[RENAMED.get(k, k)] = v
    return out

def assign(obj, name, value):
    setattr(obj, name, value)
    return getattr(obj, name)

def load(path, name, probes):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    msgs = [str(w.message) for w in caught]
    result = {
        'classBasedConfigWarnings': sum('class-based \x60config\x60 is deprecated' in m for m in msgs),
        'renamedKeyWarnings': sum('Valid config keys have changed' in m for m in msgs),
        'configs': {}, 'translated': {}, 'withConfigClass': [], 'probes': {},
    }
    for k, v in vars(mod).items():
        if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == name:
            result['configs'][k] = effective(v.model_config)
            result['translated'][k] = effective(translate(v.model_config))
            if 'Config' in vars(v):
                result['withConfigClass'].append(k)
    env = {'m': mod, 'NS': types.SimpleNamespace, 'dt': datetime.datetime, 'assign': assign}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for p in probes:
            try:
                result['probes'][p] = 'ok:' + repr(eval(p, env))
            except Exception as e:
                result['probes'][p] = 'error:' + type(e).__name__
    return result

probes = json.loads(sys.argv[3])
print(json.dumps({'original': load(sys.argv[1], 'original_mod', probes), 'rewritten': load(sys.argv[2], 'rewritten_mod', probes)}))
`;

interface Loaded {
  classBasedConfigWarnings: number;
  renamedKeyWarnings: number;
  configs: Record<string, Record<string, unknown>>;
  translated: Record<string, Record<string, unknown>>;
  /** Classes that still have a nested class Config. */
  withConfigClass: string[];
  probes: Record<string, string>;
}

/** A probe: a Python expression over the module `m`, and its outcome before and after the rewrite. */
type Probe = [expr: string, original: string, rewritten: string];

const ACCOUNT = "account_id='123456789012', name='n'";

const BEHAVIOUR: Array<[fixture: string, probes: Probe[]]> = [
  [
    'happy-path',
    [
      // orm_mode is ignored by pydantic 2 under its v1 name; from_attributes restores it.
      [`m.AccountBase.model_validate(NS(${ACCOUNT})).name`, 'error:ValidationError', "ok:'n'"],
      [`m.AccountResponse.model_validate(NS(${ACCOUNT}, created_at=dt(2024, 1, 1))).name`, 'error:ValidationError', "ok:'n'"],
      ["m.AccountUpdate(name='  x ').name", "ok:'  x '", "ok:'x'"],
      ["assign(m.AccountUpdate(name='a'), 'active', 'not a bool')", 'error:ValidationError', 'error:ValidationError'],
    ],
  ],
  [
    'several-per-file',
    [
      ["m.ScriptCreate(name='a', bogus=1)", 'error:ValidationError', 'error:ValidationError'],
      ["m.ScriptParameter(name=' p ').name", "ok:' p '", "ok:'p'"],
      ["m.ScriptResponse.model_validate(NS(name='s', parameters=[], id=1, created_at=dt(2024, 1, 1))).id", 'error:ValidationError', 'ok:1'],
      ["m.Wrapper(name='w', id=2, created_at=dt(2024, 1, 1), extra_field=1)", 'error:ValidationError', 'error:ValidationError'],
    ],
  ],
  [
    'renamed-keys',
    [
      ["m.Everything(name='  ABC ').name", "ok:'  ABC '", "ok:'abc'"],
      // validate_all -> validate_default: the empty default now meets min_anystr_length=1, as in v1.
      ['m.Everything()', "ok:Everything(name='')", 'error:ValidationError'],
      ["m.Everything(name='x' * 65)", 'ok:' + `Everything(name='${'x'.repeat(65)}')`, 'error:ValidationError'],
      ["'example' in m.Everything.model_json_schema()", 'ok:False', 'ok:True'],
      ["m.Upper(code='ab').code", "ok:'ab'", "ok:'AB'"],
      // allow_mutation = False -> frozen = True
      ["assign(m.Upper(code='a'), 'code', 'b')", "ok:'b'", 'error:ValidationError'],
      ["assign(m.Mutable(code='a'), 'code', 'b')", "ok:'b'", "ok:'b'"],
    ],
  ],
  [
    'extra-values',
    [
      ['m.Forbid(x=1)', 'error:ValidationError', 'error:ValidationError'],
      ['m.Allow(x=1).x', 'ok:1', 'ok:1'],
      ["hasattr(m.Ignore(x=1), 'x')", 'ok:False', 'ok:False'],
      ["assign(m.AlreadyString(), 'y', 1)", 'error:ValidationError', 'error:ValidationError'],
    ],
  ],
  [
    'comments-kept',
    [
      // allow_population_by_field_name -> populate_by_name: the field name is accepted again.
      ["m.CredentialInput(access_key_id=' k ').access_key_id", 'error:ValidationError', "ok:'k'"],
      ["m.CredentialInput(AccessKeyId=' k ').access_key_id", "ok:' k '", "ok:'k'"],
      ['m.OneKey.model_validate(NS()) is not None', 'error:ValidationError', 'ok:True'],
      ['m.HeaderOnly.model_validate(NS()) is not None', 'error:ValidationError', 'ok:True'],
      ['m.EmptyConfig() is not None', 'ok:True', 'ok:True'],
    ],
  ],
  [
    'odd-formatting',
    [
      ['m.Inline.model_validate(NS()) is not None', 'error:ValidationError', 'ok:True'],
      ['m.Semicolons.model_validate(NS(x=3)).x', 'error:ValidationError', 'ok:3'],
      ["assign(m.Semicolons(), 'x', 'nope')", 'error:ValidationError', 'error:ValidationError'],
      ["m.Tabbed(name=' t ').name", "ok:' t '", "ok:'t'"],
      ["m.Spread.model_json_schema()['title']", "ok:'Spread'", "ok:'Spread'"],
      ["m.Spread.model_json_schema().get('examples')", 'ok:None', "ok:[{'a': 1}, {'a': 2}]"],
    ],
  ],
  [
    'crlf',
    [
      ["m.Windows.model_validate(NS(name='w')).name", 'error:ValidationError', "ok:'w'"],
      ["m.Windows(name='w', other=1)", 'error:ValidationError', 'error:ValidationError'],
    ],
  ],
  ['bom', [["m.WithBom.model_validate(NS()) is not None", 'error:ValidationError', 'ok:True']]],
  [
    'non-ascii',
    [
      ["m.Café.model_validate(NS(nom='é')).nom", 'error:ValidationError', "ok:'é'"],
      ["m.Café.model_json_schema()['title']", "ok:'Café ☕'", "ok:'Café ☕'"],
      ["m.Café.model_json_schema().get('example')", 'ok:None', "ok:{'nom': 'crème brûlée 😀'}"],
    ],
  ],
  [
    'settings',
    [
      ['m.Settings().APP_NAME', "ok:'from-env'", "ok:'from-env'"],
      ['m.Settings(app_name=1)', 'error:ValidationError', 'error:ValidationError'],
      ['m.TestSettings().APP_NAME', "ok:'test-from-env'", "ok:'test-from-env'"],
      ['m.Account.model_validate(NS()) is not None', 'error:ValidationError', 'ok:True'],
    ],
  ],
  ['new-import-line', [['m.Item.model_validate(NS()) is not None', 'error:ValidationError', 'ok:True']]],
  ['parenthesized-import', [['m.Model.model_validate(NS(x=5)).x', 'error:ValidationError', 'ok:5']]],
  [
    'json-encoders-kept',
    [["m.Event(at=dt(2024, 5, 6, 7, 8)).model_dump_json()", `ok:'{"at":"2024-05-06T07:08:00"}'`, `ok:'{"at":"2024-05-06T07:08:00"}'`]],
  ],
  [
    'partial-conversion',
    [
      ['m.Converted.model_validate(NS()) is not None', 'error:ValidationError', 'ok:True'],
      ['m.KeepsRemovedKey.model_validate(NS()) is not None', 'error:ValidationError', 'error:ValidationError'],
    ],
  ],
];

describe('pydantic-configdict: behaviour under pydantic 2 (original vs rewritten module)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipshape-pydantic-'));
    writeFileSync(join(dir, 'driver.py'), DRIVER);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function load(name: string, probes: readonly Probe[]): { original: Loaded; rewritten: Loaded; output: string } {
    const { input } = fixture(name);
    // The codemod's own output, not the stored fixture, is what gets imported.
    const { output } = transformBytes(engine, [codemod], `src/${name}.py`, input);
    writeFileSync(join(dir, `${name}_original.py`), input);
    writeFileSync(join(dir, `${name}_rewritten.py`), output, 'utf8');
    const stdout = execFileSync(
      'python3',
      [join(dir, 'driver.py'), join(dir, `${name}_original.py`), join(dir, `${name}_rewritten.py`), JSON.stringify(probes.map((p) => p[0]))],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, APP_NAME: 'from-env', TEST_APP_NAME: 'test-from-env', PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1' },
      },
    );
    return { ...(JSON.parse(stdout) as { original: Loaded; rewritten: Loaded }), output };
  }

  it('partial-hierarchy: classes left alone, and their subclasses, keep exactly what they had', () => {
    const probes: Probe[] = [
      // Draft's own allow_mutation = True must not be overtaken by a frozen=True converted in Record.
      ["assign(m.Draft(), 'name', 'b')", "ok:'b'", "ok:'b'"],
      ["assign(m.Record(), 'name', 'b')", "ok:'b'", "ok:'b'"],
      ["m.Draft(name=' d ').name", "ok:' d '", "ok:' d '"],
      // Mixed(Readable, Opaque): v1 would take Readable's orm_mode, pydantic 2 Opaque's; both stay as they were.
      ['m.Mixed.model_validate(NS()) is not None', 'error:ValidationError', 'error:ValidationError'],
      ["m.NamedRow.model_validate(NS(id=1, name='X')).name", 'error:ValidationError', "ok:'x'"],
      ['m.Row.model_validate(NS(id=2)).id', 'error:ValidationError', 'ok:2'],
    ];
    const { original, rewritten } = load('partial-hierarchy', probes);
    const untouched = ['Record', 'Draft', 'Readable', 'Opaque', 'Mixed'];
    const converted = ['Row', 'Named', 'NamedRow'];
    expect(Object.keys(original.configs).sort()).toEqual([...untouched, ...converted].sort());
    for (const cls of untouched) expect({ cls, config: rewritten.configs[cls] }).toEqual({ cls, config: original.configs[cls] });
    for (const cls of converted) expect({ cls, config: rewritten.configs[cls] }).toEqual({ cls, config: original.translated[cls] });
    for (const [expr, before, after] of probes) {
      expect({ expr, outcome: original.probes[expr] }).toEqual({ expr, outcome: before });
      expect({ expr, outcome: rewritten.probes[expr] }).toEqual({ expr, outcome: after });
    }
  });

  it.each(BEHAVIOUR)('%s', (name, probes) => {
    const { original, rewritten, output } = load(name, probes);
    expect(Object.keys(rewritten.configs).sort()).toEqual(Object.keys(original.configs).sort());
    expect(Object.keys(original.configs).length).toBeGreaterThan(0);
    // Every converted model keeps its v1 meaning: the original's keys, renamed the way
    // pydantic's own table says; a model left alone keeps exactly what it had.
    const expected = Object.fromEntries(
      Object.keys(original.configs).map((cls) => [cls, rewritten.withConfigClass.includes(cls) ? original.configs[cls] : original.translated[cls]]),
    );
    expect(rewritten.configs).toEqual(expected);
    const leftAlone = (output.match(/^\s*class Config\b/gm) ?? []).length;
    expect(rewritten.withConfigClass.length).toBeLessThanOrEqual(leftAlone);
    // No v1 key survives where the rewrite happened; pydantic would have warned about it.
    expect(rewritten.classBasedConfigWarnings).toBe(leftAlone);
    if (leftAlone === 0) expect(rewritten.renamedKeyWarnings).toBe(0);
    expect(original.classBasedConfigWarnings).toBeGreaterThan(rewritten.classBasedConfigWarnings);
    for (const [expr, before, after] of probes) {
      expect({ expr, outcome: original.probes[expr] }).toEqual({ expr, outcome: before });
      expect({ expr, outcome: rewritten.probes[expr] }).toEqual({ expr, outcome: after });
    }
  });
});
