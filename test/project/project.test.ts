import { beforeAll, describe, expect, it } from 'vitest';
import type { Parser } from 'web-tree-sitter';
import { pythonParser } from '../../src/engine/python.js';
import { buildProject, ConfigError, parseProjectConfig, projectFromSnapshot, projectSnapshot, type Project } from '../../src/project/index.js';
import { parseManifest, parseRequirement } from '../../src/project/manifests.js';
import { tempTrees } from '../helpers/tree.js';

const tree = tempTrees('shipshape-project-');
let parser: Parser;
beforeAll(async () => {
  parser = await pythonParser();
});

function project(files: Record<string, string>): Project {
  const root = tree(files);
  return buildProject({ root, files: Object.keys(files), python: parser });
}

const REQ2 = { name: 'pydantic', range: '>=2', hint: 'bump it first' };

describe('manifests', () => {
  it('reads PEP 621, Poetry (main and dev groups) and scripts from pyproject.toml', () => {
    const m = parseManifest(
      'pyproject.toml',
      `[project]
name = "acme"
dependencies = ["pydantic[email]>=1.8,<2 ; python_version >= '3.8'", "fastapi"]
[project.scripts]
acme = "acme.cli:main"
[tool.poetry.dependencies]
python = "^3.10"
sqlalchemy = { version = "^2.0", extras = ["asyncio"] }
internal = { git = "https://example.invalid/x.git" }
[tool.poetry.group.dev.dependencies]
pytest = "^8"
[tool.poetry.scripts]
acme-admin = "acme.admin:run"
[tool.ruff.lint.isort]
known-first-party = ["acme"]
`,
    );
    expect(m.problems).toEqual([]);
    expect(m.declarations.map((d) => [d.name, d.spec, d.dev, d.range !== null])).toEqual([
      ['pydantic', '>=1.8,<2', false, true],
      ['fastapi', '', false, true],
      ['sqlalchemy', '^2.0', false, true],
      ['internal', '', false, false],
      ['pytest', '^8', true, true],
    ]);
    expect(m.scripts.map((s) => [s.name, s.module, s.func])).toEqual([
      ['acme', 'acme.cli', 'main'],
      ['acme-admin', 'acme.admin', 'run'],
    ]);
    expect(m.isort).toMatchObject({ knownFirstParty: ['acme'], source: 'pyproject.toml [tool.ruff.lint.isort]' });
  });

  it('reads requirement files with includes, continuations, hashes and options', () => {
    const m = parseManifest(
      'app/requirements.txt',
      '-r requirements/base.txt\n--index-url https://example.invalid/simple\npydantic==1.10.21 \\\n    --hash=sha256:abc\n-e .\nfastapi>=0.100  # web\n',
    );
    expect(m.includes).toEqual(['app/requirements/base.txt']);
    expect(m.declarations.map((d) => [d.name, d.spec])).toEqual([
      ['pydantic', '==1.10.21'],
      ['fastapi', '>=0.100'],
    ]);
  });

  it('reads setup.cfg and a literal setup.py without running it', () => {
    const cfg = parseManifest('setup.cfg', '[options]\ninstall_requires =\n    pydantic>=2\n    click\npackage_dir =\n    =src\n[options.entry_points]\nconsole_scripts =\n    acme = acme.cli:main\n');
    expect(cfg.declarations.map((d) => d.name)).toEqual(['pydantic', 'click']);
    expect(cfg.packageRoots).toEqual(['src']);
    expect(cfg.scripts[0]).toMatchObject({ name: 'acme', module: 'acme.cli', func: 'main' });
    const py = parseManifest(
      'setup.py',
      'from setuptools import setup\nREQS = ["pydantic<2", "requests"]\nsetup(name="x", install_requires=REQS, entry_points={"console_scripts": ["x = x.main:cli"]})\n',
      parser,
    );
    expect(py.declarations.map((d) => [d.name, d.spec])).toEqual([
      ['pydantic', '<2'],
      ['requests', ''],
    ]);
    expect(py.scripts[0]).toMatchObject({ module: 'x.main', func: 'cli' });
    const computed = parseManifest('setup.py', 'from setuptools import setup\nsetup(install_requires=open("r.txt").read().split())\n', parser);
    expect(computed.problems).toEqual(['setup.py: install_requires is not a literal list; its versions are not known']);
  });

  it('reports a broken pyproject.toml in one line and reads nothing from it', () => {
    const m = parseManifest('pyproject.toml', '[project\nname = "x"\n');
    expect(m.declarations).toEqual([]);
    expect(m.problems).toHaveLength(1);
    expect(m.problems[0]).toMatch(/^pyproject.toml is not valid TOML: /);
  });

  it.each([
    ['pydantic>=1.8', 'pydantic', '>=1.8'],
    ['Pydantic_Settings (>=2.0)', 'Pydantic_Settings', '>=2.0'],
    ['pydantic @ https://example.invalid/p.whl', 'pydantic', '@ https://example.invalid/p.whl'],
  ])('parses the requirement %s', (text, name, spec) => {
    expect(parseRequirement(text)).toMatchObject({ name, spec });
  });
});

describe('dependencies', () => {
  it('says the project pins pydantic 1, with the manifest and constraint', () => {
    const p = project({ 'pyproject.toml': '[tool.poetry.dependencies]\npydantic = "^1.10"\n', 'app/models.py': '' });
    expect(p.check('app/models.py', REQ2)).toEqual({ met: 'no', reason: 'the project pins pydantic 1 (pyproject.toml: ^1.10); bump it first' });
  });

  it('prefers a lock file over a range that allows 1 and 2', () => {
    const files = {
      'pyproject.toml': '[tool.poetry.dependencies]\npydantic = ">=1.10,<3"\n',
      'app/models.py': '',
    };
    expect(project(files).check('app/models.py', REQ2)).toMatchObject({ met: 'maybe' });
    const locked = project({ ...files, 'poetry.lock': '[[package]]\nname = "pydantic"\nversion = "2.7.1"\n' });
    expect(locked.check('app/models.py', REQ2)).toEqual({ met: 'yes', source: 'poetry.lock: pydantic 2.7.1' });
    expect(locked.dependency('app/models.py', 'Pydantic')).toMatchObject({ kind: 'locked', version: '2.7.1', source: 'poetry.lock' });
  });

  it('lets the nearest manifest win in a monorepo', () => {
    const p = project({
      'requirements.txt': 'pydantic>=2\n',
      'services/legacy/requirements.txt': 'pydantic==1.10.21\n',
      'services/legacy/app/m.py': '',
      'services/api/pyproject.toml': '[project]\nname = "api"\ndependencies = ["fastapi"]\n',
      'services/api/app/m.py': '',
    });
    expect(p.check('services/legacy/app/m.py', REQ2)).toMatchObject({ met: 'no', reason: expect.stringContaining('services/legacy/requirements.txt: ==1.10.21') });
    // The api's own manifest does not name pydantic: the repository's does.
    expect(p.check('services/api/app/m.py', REQ2)).toEqual({ met: 'yes', source: 'requirements.txt: >=2' });
  });

  it('follows -r includes and prefers runtime to development pins', () => {
    const p = project({
      'requirements.txt': '-r requirements/base.txt\n',
      'requirements/base.txt': 'pydantic<2\n',
      'requirements-dev.txt': 'pydantic>=2\n',
      'app.py': '',
    });
    expect(p.check('app.py', REQ2)).toMatchObject({ met: 'no', reason: expect.stringContaining('requirements/base.txt: <2') });
  });

  it('says nothing is known when no manifest names it, and what it read', () => {
    const p = project({ 'requirements.txt': 'fastapi\n', 'app.py': '' });
    expect(p.check('app.py', REQ2)).toEqual({ met: 'unknown', reason: 'no manifest pins pydantic (read requirements.txt)' });
  });

  it('keeps npm packages from package.json apart from Python ones', () => {
    const p = project({ 'package.json': '{ "dependencies": { "escape-html": "^1.0.3" }, "devDependencies": { "pydantic": "1.0.0" } }\n', 'web/app.js': '', 'app.py': '' });
    expect(p.dependency('web/app.js', 'escape-html', 'npm')).toMatchObject({ kind: 'declared', declarations: [{ spec: '^1.0.3', ecosystem: 'npm' }] });
    expect(p.dependency('app.py', 'escape-html').kind).toBe('absent');
    expect(p.check('app.py', REQ2)).toEqual({ met: 'unknown', reason: 'no manifest pins pydantic' });
  });

  it('reads the pydantic a pinned FastAPI or SQLModel needs when no manifest names pydantic', () => {
    const old = project({ 'backend/requirements.txt': 'fastapi==0.65.2\nuvicorn==0.12.1\n', 'backend/app/models.py': '' });
    expect(old.check('backend/app/models.py', REQ2)).toEqual({
      met: 'no',
      reason: 'the project pins fastapi ==0.65.2 (backend/requirements.txt), which needs pydantic <2; bump it first',
    });
    expect(project({ 'pyproject.toml': '[tool.poetry.dependencies]\nsqlmodel = "0.0.8"\n', 'app.py': '' }).check('app.py', REQ2)).toMatchObject({ met: 'no', reason: expect.stringContaining('sqlmodel 0.0.8 (pyproject.toml), which needs pydantic <2') });
    // A lock file gives FastAPI's version when the manifest leaves it open.
    const locked = project({ 'pyproject.toml': '[tool.poetry.dependencies]\nfastapi = "*"\n', 'poetry.lock': '[[package]]\nname = "fastapi"\nversion = "0.95.1"\n', 'app.py': '' });
    expect(locked.check('app.py', REQ2)).toMatchObject({ met: 'no', reason: expect.stringContaining('fastapi 0.95.1 (poetry.lock), which needs pydantic <2') });
    // FastAPI 0.100 and later run on either: nothing is implied.
    expect(project({ 'requirements.txt': 'fastapi>=0.100\n', 'app.py': '' }).check('app.py', REQ2)).toMatchObject({ met: 'unknown' });
    expect(project({ 'requirements.txt': 'fastapi>=0.65\n', 'app.py': '' }).check('app.py', REQ2)).toMatchObject({ met: 'unknown' });
    // Narrowing a range that allows 1 and 2 down to 1 declines too, naming both pins.
    expect(project({ 'requirements.txt': 'pydantic>=1.10,<3\nfastapi~=0.95.0\n', 'app.py': '' }).check('app.py', REQ2)).toEqual({
      met: 'no',
      reason: 'the project pins pydantic >=1.10,<3 (requirements.txt) and fastapi ~=0.95.0 (requirements.txt), which needs pydantic <2; bump it first',
    });
    // Implied pins only ever decline: a range they cannot narrow stays as it was.
    expect(project({ 'requirements.txt': 'pydantic>=1.10,<3\npydantic-settings>=2.1\n', 'app.py': '' }).check('app.py', REQ2)).toMatchObject({ met: 'maybe' });
    // pydantic's own lock wins over what others imply.
    const own = project({ 'pyproject.toml': '[tool.poetry.dependencies]\nfastapi = "0.65.2"\npydantic = "*"\n', 'poetry.lock': '[[package]]\nname = "pydantic"\nversion = "2.7.1"\n', 'app.py': '' });
    expect(own.check('app.py', REQ2)).toEqual({ met: 'yes', source: 'poetry.lock: pydantic 2.7.1' });
  });

  it('takes the installed version from the config file over everything', () => {
    const p = project({ '.github/shipshape.yml': 'dependencies:\n  pydantic: "2.5.0"\n', 'requirements.txt': 'pydantic<2\n', 'app.py': '' });
    expect(p.check('app.py', REQ2)).toEqual({ met: 'yes', source: '.github/shipshape.yml: pydantic 2.5.0' });
  });
});

describe('path roles', () => {
  const p = () =>
    project({
      'pyproject.toml': '[project]\nname = "acme"\n[project.scripts]\nacme = "acme.cli:main"\n',
      'src/acme/__init__.py': '',
      'src/acme/cli.py': '',
      'src/acme/examples/__init__.py': '',
      '.github/shipshape.yml': 'roles:\n  app: [examples/live/**]\n  docs: handbook/\n',
    });
  it.each([
    ['src/acme/models.py', 'app'],
    ['src/acme/cli.py', 'scripts'],
    ['tests/test_models.py', 'tests'],
    ['src/acme/test_util.py', 'tests'],
    ['app/conftest.py', 'tests'],
    ['web/js/app.spec.js', 'tests'],
    ['docs_src/tutorial/app.py', 'docs'],
    ['examples/basic/main.py', 'docs'],
    ['examples/live/main.py', 'app'],
    ['handbook/setup/app.py', 'docs'],
    ['src/acme/examples/builtin.py', 'app'],
    ['alembic/versions/0001_init.py', 'migrations'],
    ['app/db/migrations/0002_x.py', 'migrations'],
    ['app/revisions/abc.py', 'migrations'],
    ['scripts/seed.py', 'scripts'],
    ['app/__main__.py', 'scripts'],
    ['manage.py', 'scripts'],
    ['bakery/base/management/commands/load_initial_data.py', 'scripts'],
    ['bakery/base/management/commands/__init__.py', 'app'],
    ['bakery/base/management/helpers.py', 'app'],
    ['static/vendor/jquery.js', 'vendored'],
    ['static/js/chart.min.js', 'vendored'],
    // Not application code for a secret: test settings, examples to copy, docs build scripts.
    ['app/settings/test.py', 'tests'],
    ['app/settings/testing.py', 'tests'],
    ['app/settings_test.py', 'tests'],
    ['conftest.py', 'tests'],
    ['config.example.py', 'docs'],
    ['app/settings.sample.py', 'docs'],
    ['app/core/local_settings_example.py', 'docs'],
    ['web/config.example.js', 'docs'],
    ['scripts/docs.py', 'docs'],
    ['scripts/build_docs.py', 'docs'],
    ['mkdocs_hooks.py', 'docs'],
    // ... and what still is.
    ['app/testing.py', 'app'],
    ['app/settings/production.py', 'app'],
    ['app/docs.py', 'app'],
    ['app/email_template.py', 'app'],
    ['scripts/seed_example_data.py', 'scripts'],
  ])('%s is %s', (path, role) => {
    expect(p().role(path).role).toBe(role);
  });

  it('names why', () => {
    const proj = p();
    expect(proj.role('src/acme/cli.py').reason).toBe('console script "acme" (pyproject.toml)');
    expect(proj.role('examples/live/main.py').reason).toBe('config: app "examples/live/**"');
  });
});

describe('Python modules', () => {
  const files = {
    'pyproject.toml': '[tool.setuptools.packages.find]\nwhere = ["src"]\n',
    'src/acme/__init__.py': '',
    'src/acme/schema/__init__.py': '',
    'src/acme/schema/_base.py': '',
    'src/acme/api/routes.py': '',
    'backend/app/__init__.py': '',
    'backend/app/core/__init__.py': '',
    'backend/app/core/config.py': '',
    'backend/app/api/__init__.py': '',
    'backend/app/api/deps.py': '',
    'ns/plugins/extra.py': '',
  };
  it('resolves absolute imports through package roots, manifests and enclosing folders', () => {
    const p = project(files);
    expect(p.python.resolve('src/acme/api/routes.py', 'acme.schema._base')).toEqual({ file: 'src/acme/schema/_base.py', packageDir: null });
    expect(p.python.resolve('backend/app/api/deps.py', 'app.core.config')?.file).toBe('backend/app/core/config.py');
    expect(p.python.resolve('backend/app/api/deps.py', 'app.core')).toEqual({ file: 'backend/app/core/__init__.py', packageDir: 'backend/app/core' });
    expect(p.python.resolve('src/acme/api/routes.py', 'acme.api')).toEqual({ file: null, packageDir: 'src/acme/api' });
    expect(p.python.resolve('src/acme/api/routes.py', 'pydantic')).toBeNull();
  });

  it('lets an installed package win over a same-named folder without __init__.py', () => {
    const p = project({ 'requirements.txt': 'alembic\n', 'alembic/env.py': '', 'app/db.py': '', 'migrations/env.py': '' });
    expect(p.python.resolve('app/db.py', 'alembic.config')).toBeNull();
    expect(p.python.resolve('app/db.py', 'migrations.env')?.file).toBe('migrations/env.py');
  });

  it('resolves relative imports from the file, and refuses to climb out of the repository', () => {
    const p = project(files);
    expect(p.python.resolve('src/acme/api/routes.py', 'schema._base', 2)?.file).toBe('src/acme/schema/_base.py');
    expect(p.python.resolve('src/acme/schema/_base.py', '', 1)).toEqual({ file: 'src/acme/schema/__init__.py', packageDir: 'src/acme/schema' });
    expect(p.python.resolve('ns/plugins/extra.py', 'x', 4)).toBeNull();
  });

  it('names modules from their package root', () => {
    const p = project(files);
    expect(p.python.moduleName('src/acme/schema/_base.py')).toBe('acme.schema._base');
    expect(p.python.moduleName('backend/app/core/config.py')).toBe('app.core.config');
    expect(p.importStyle('src/acme/x.py').firstParty).toEqual(new Set(['acme', 'app', 'src', 'backend', 'ns']));
  });
});

describe('the config file', () => {
  it.each([
    ['roles: [docs]', 'roles must map a role'],
    ['roles:\n  documentation: [x/**]', 'roles.documentation is not a role'],
    ['dependencies:\n  pydantic: latest', 'dependencies.pydantic must be a version'],
    ['codemods:\n  python/print-to-logging: yes', 'codemods.python/print-to-logging must be a mapping'],
    ['roles: [', 'is not valid YAML'],
  ])('rejects %j naming the key', (text, message) => {
    expect(() => parseProjectConfig(text)).toThrow(ConfigError);
    expect(() => parseProjectConfig(text)).toThrow(message);
  });

  it('is reported and ignored when broken, never a crash', () => {
    const p = project({ '.github/shipshape.yml': 'roles:\n  nonsense: [a]\n', 'app.py': '' });
    expect(p.problems).toEqual(['.github/shipshape.yml: roles.nonsense is not a role; use one of app, tests, docs, migrations, scripts, vendored; the config file was ignored']);
    expect(p.role('app.py').role).toBe('app');
  });
});

describe('memos, shared values and snapshots', () => {
  it('remembers a value, but not one computed around a cut import cycle, nor the values around it', () => {
    const p = project({ 'a.py': '', 'b.py': '' });
    const calls: string[] = [];
    const summary = (name: string, next?: string): string =>
      p.memo(`summary:${name}`, () => {
        calls.push(name);
        if (next === undefined) return name;
        if (next === 'a') {
          // `b` imports `a`, which is being summarised: the cycle is cut here.
          p.cutCycle();
          return `${name}(cut)`;
        }
        return `${name}(${summary(next, 'a')})`;
      });
    expect(summary('a', 'b')).toBe('a(b(cut))');
    expect(summary('a', 'b')).toBe('a(b(cut))');
    expect(calls).toEqual(['a', 'b', 'a', 'b']);
    expect(summary('c')).toBe('c');
    expect(summary('c')).toBe('c');
    expect(calls.filter((c) => c === 'c')).toHaveLength(1);
  });

  it('computes a shared value once on its own thread, and hands it to SharedValues with whether to keep it', () => {
    const root = tree({ 'a.py': '' });
    const seen: { key: string; keep: boolean }[] = [];
    const offered: [string, unknown][] = [];
    const base = buildProject({ root, files: ['a.py'] });
    const p = projectFromSnapshot(projectSnapshot(base)!, {
      get<T>(key: string, compute: () => { value: T; keep: boolean }): T {
        const { value, keep } = compute();
        seen.push({ key, keep });
        return value;
      },
      lookup: (key) => (key === 'from-another-thread' ? { value: 'theirs' } : undefined),
      offer: (key, value) => offered.push([key, value]),
    });
    expect(p.memo('from-another-thread', () => 'mine')).toBe('theirs');
    expect(p.memo('here', () => 'mine')).toBe('mine');
    expect(p.memo('cut here', () => (p.cutCycle(), 'mine'))).toBe('mine');
    expect(offered).toEqual([['here', 'mine']]);
    let n = 0;
    expect(p.shared('whole', () => ++n)).toBe(1);
    expect(p.shared('whole', () => ++n)).toBe(1);
    expect(p.shared('cut', () => (p.cutCycle(), ++n))).toBe(2);
    expect(p.shared('cut', () => (p.cutCycle(), ++n))).toBe(3);
    expect(seen).toEqual([
      { key: 'whole', keep: true },
      { key: 'cut', keep: false },
      { key: 'cut', keep: false },
    ]);
    expect(base.shared('whole', () => 'here')).toBe('here');
  });

  it('rebuilds the same project from a snapshot that went through structured clone (as to a worker thread)', () => {
    const root = tree({
      'pyproject.toml': '[project]\nname = "acme"\ndependencies = ["pydantic>=2"]\n[project.scripts]\nacme = "acme.cli:main"\n',
      'poetry.lock': '[[package]]\nname = "pydantic"\nversion = "2.7.1"\n',
      '.github/shipshape.yml': 'roles:\n  docs: [handbook/**]\ncodemods:\n  js/innerhtml-to-textcontent: { text: [t] }\n',
      'acme/__init__.py': '',
      'acme/cli.py': '',
      'handbook/x.py': '',
      'tests/test_x.py': '',
    });
    const files = ['pyproject.toml', 'poetry.lock', '.github/shipshape.yml', 'acme/__init__.py', 'acme/cli.py', 'handbook/x.py', 'tests/test_x.py'];
    const original = buildProject({ root, files, runFiles: ['acme/cli.py'] });
    const copy = projectFromSnapshot(structuredClone(projectSnapshot(original)!));
    for (const path of files) expect(copy.role(path)).toEqual(original.role(path));
    const req = { name: 'pydantic', range: '>=2', hint: '' };
    expect(copy.check('acme/cli.py', req)).toEqual(original.check('acme/cli.py', req));
    expect(copy.dependency('acme/cli.py', 'pydantic')).toEqual(original.dependency('acme/cli.py', 'pydantic'));
    expect(copy.options('js/innerhtml-to-textcontent')).toEqual({ text: ['t'] });
    expect([copy.inRun('acme/cli.py'), copy.inRun('handbook/x.py')]).toEqual([true, false]);
    expect(copy.importStyle('acme/cli.py').firstParty).toEqual(original.importStyle('acme/cli.py').firstParty);
    expect([...copy.files]).toEqual([...original.files]);
    expect(copy.manifests).toEqual(original.manifests);
    expect(copy.readText('acme/cli.py')).toBe('');
  });
});
