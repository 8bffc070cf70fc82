import type { EntryPoint } from './manifests.js';

/**
 * What a path is for in its project. Codemods edit only the roles they
 * declare; by default none edits tests, docs and examples, migrations or
 * vendored code, and CLI output is left to codemods that say they handle it.
 */
export type PathRole = 'app' | 'tests' | 'docs' | 'migrations' | 'scripts' | 'vendored';

export const PATH_ROLES: readonly PathRole[] = ['app', 'tests', 'docs', 'migrations', 'scripts', 'vendored'];

export interface RoleInfo {
  role: PathRole;
  /** Why, in a few words: `under tests/`, `console script "acme" (pyproject.toml)`, `config: docs "handbook/**"`. */
  reason: string;
}

/** A role given by the config file: the first pattern that matches wins. */
export interface RoleOverride {
  role: PathRole;
  pattern: string;
}

/** `**` any folders, `*` any name part, `?` one character; a pattern ending in `/` means everything under it. */
export function globToRegExp(pattern: string): RegExp {
  const glob = pattern.endsWith('/') ? `${pattern}**` : pattern;
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const VENDORED_DIRS = new Set(['vendor', 'vendored', '_vendor', 'third_party', 'third-party', 'thirdparty', 'external', 'externals', 'node_modules', 'bower_components', 'site-packages']);
const MIGRATION_DIRS = new Set(['migrations', 'alembic', 'revisions']);
const TEST_DIRS = new Set(['tests', 'test', 'testing', '__tests__', 'spec', 'specs', 'e2e', 'cypress', 'playwright']);
const DOC_DIRS = new Set(['docs', 'doc', 'docs_src', 'documentation', 'examples', 'example', 'tutorial', 'tutorials', 'samples', 'demos', 'notebooks']);
const SCRIPT_DIRS = new Set(['scripts', 'script', 'bin']);
const SCRIPT_FILES = new Set(['__main__.py', 'manage.py', 'setup.py', 'noxfile.py', 'fabfile.py']);

/** Folders of layered settings modules (Django `settings/`, Flask `config/`). */
const SETTINGS_DIRS = new Set(['settings', 'config', 'configs', 'conf', 'configuration']);

function testFile(base: string): boolean {
  return (
    base === 'conftest.py' ||
    base === 'tests.py' ||
    base === 'test.py' ||
    /^test_.*\.py$/.test(base) ||
    /_tests?\.py$/.test(base) ||
    /\.(test|spec)\.[cm]?[jt]sx?$/.test(base)
  );
}

/** A copy to fill in (`config.example.py`, `settings.sample.py`, `.env.template.py`), not code that runs. */
function exampleFile(base: string): boolean {
  return /\.(?:example|sample|template|dist)\.[a-z]+$/i.test(base) || /^(?:[a-z0-9]+_)*(?:settings|config)_(?:example|sample)\.py$/i.test(base);
}

/** A script that builds or serves the documentation (`scripts/docs.py`, `scripts/build_docs.py`, `mkdocs_hooks.py`). */
function docsScript(base: string): boolean {
  return /^(?:(?:build|gen|generate|make|update|serve|deploy|publish)_)?(?:docs?|mkdocs|sphinx)(?:_[a-z0-9]+)*\.py$/i.test(base);
}

export interface RoleInputs {
  overrides: readonly RoleOverride[];
  /** Console scripts of the project's manifests: their modules print for a person at a terminal. */
  scripts: readonly EntryPoint[];
  /** The repository-relative file a module name resolves to (for console script targets). */
  moduleFile: (module: string) => string | null;
  /** Whether a folder is a Python package (holds `__init__.py`): an `examples` package is application code. */
  isPackage: (dir: string) => boolean;
}

/** Classifies repository paths; a path's role is decided once. */
export class Roles {
  private readonly overrides: { role: PathRole; pattern: string; re: RegExp }[];
  private readonly scriptFiles = new Map<string, EntryPoint>();
  private readonly memo = new Map<string, RoleInfo>();
  private readonly isPackage: (dir: string) => boolean;

  constructor(inputs: RoleInputs) {
    this.isPackage = inputs.isPackage;
    this.overrides = inputs.overrides.map((o) => ({ ...o, re: globToRegExp(o.pattern) }));
    for (const ep of inputs.scripts) {
      const file = inputs.moduleFile(ep.module);
      if (file && !this.scriptFiles.has(file)) this.scriptFiles.set(file, ep);
    }
  }

  of(path: string): RoleInfo {
    let info = this.memo.get(path);
    if (!info) {
      info = this.classify(path);
      this.memo.set(path, info);
    }
    return info;
  }

  private classify(path: string): RoleInfo {
    const override = this.overrides.find((o) => o.re.test(path));
    if (override) return { role: override.role, reason: `config: ${override.role} "${override.pattern}"` };
    const parts = path.split('/');
    const base = parts.at(-1)!;
    const dirs = parts.slice(0, -1);
    const under = (set: ReadonlySet<string>) => dirs.find((d) => set.has(d.toLowerCase()));
    const vendored = under(VENDORED_DIRS);
    if (vendored) return { role: 'vendored', reason: `under ${vendored}/` };
    if (/\.min\.[cm]?js$/.test(base)) return { role: 'vendored', reason: 'a minified file' };
    const migrations = under(MIGRATION_DIRS);
    if (migrations) return { role: 'migrations', reason: `under ${migrations}/` };
    const versions = dirs.lastIndexOf('versions');
    if (versions > 0 && /alembic|migration/i.test(dirs[versions - 1]!)) return { role: 'migrations', reason: `under ${dirs[versions - 1]}/versions/` };
    const tests = under(TEST_DIRS);
    if (tests) return { role: 'tests', reason: `under ${tests}/` };
    if (testFile(base)) return { role: 'tests', reason: `${base} is a test module` };
    // `settings/testing.py`: the settings the test suite runs with.
    const settingsDir = dirs.at(-1);
    if (settingsDir && SETTINGS_DIRS.has(settingsDir.toLowerCase()) && /^testing\.py$/i.test(base)) {
      return { role: 'tests', reason: `${settingsDir}/${base} holds the test settings` };
    }
    if (exampleFile(base)) return { role: 'docs', reason: `${base} is an example to copy` };
    // A docs or examples folder is never a package of the application itself.
    const docs = dirs.findIndex((d, i) => DOC_DIRS.has(d.toLowerCase()) && !this.isPackage(dirs.slice(0, i + 1).join('/')));
    if (docs !== -1) return { role: 'docs', reason: `under ${dirs[docs]}/ (documentation and examples)` };
    const script = this.scriptFiles.get(path);
    if (script) return { role: 'scripts', reason: `console script "${script.name}" (${script.manifest})` };
    const scripts = under(SCRIPT_DIRS);
    // A docs build script (under scripts/ or at the top) imports the app with dummy settings.
    if ((scripts || dirs.length === 0) && docsScript(base)) return { role: 'docs', reason: `${base} builds the documentation` };
    if (scripts) return { role: 'scripts', reason: `under ${scripts}/` };
    if (SCRIPT_FILES.has(base)) return { role: 'scripts', reason: `${base} is a script entry point` };
    // `manage.py <name>` runs <app>/management/commands/<name>.py: its output is for the person at the terminal.
    if (dirs.at(-1) === 'commands' && dirs.at(-2) === 'management' && base.endsWith('.py') && base !== '__init__.py') {
      return { role: 'scripts', reason: 'a Django management command (management/commands/)' };
    }
    return { role: 'app', reason: 'application code' };
  }
}
