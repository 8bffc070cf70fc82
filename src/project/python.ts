/**
 * The project's Python modules: which file a module name or a relative
 * import means, from the repository's own files, without running anything.
 * Python finds `app.schema._base` through `sys.path`; shipshape looks in the
 * places a project's `sys.path` holds in practice: the folder above the
 * file's package, the package roots its manifests name (`src/`), and the
 * folders above the importing file, nearest first.
 */

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

function joinPath(dir: string, rest: string): string {
  return dir === '' ? rest : rest === '' ? dir : `${dir}/${rest}`;
}

/** A module the project holds: a `.py` file, a package's `__init__.py`, or a namespace package folder. */
export interface ModuleLocation {
  /** Repository-relative file (`app/schema/_base.py`, `app/schema/__init__.py`), or null for a namespace package. */
  file: string | null;
  /** The folder of a package (namespace or not), or null for a plain module. */
  packageDir: string | null;
}

export class PythonModules {
  private readonly files: ReadonlySet<string>;
  private readonly dirs = new Set<string>();
  private readonly roots: readonly string[];
  private readonly memo = new Map<string, ModuleLocation | null>();

  /**
   * `files`: every repository file; `roots`: package roots named by manifests
   * or the config file; `installed`: import names of declared dependencies,
   * which win over a same-named folder without `__init__.py` (an `alembic/`
   * migrations folder is not the alembic package).
   */
  constructor(
    files: Iterable<string>,
    roots: readonly string[] = [],
    private readonly installed: ReadonlySet<string> = new Set(),
  ) {
    const py = new Set<string>();
    for (const file of files) {
      if (!file.endsWith('.py') && !file.endsWith('.pyi')) continue;
      py.add(file);
      for (let d = dirOf(file); d !== ''; d = dirOf(d)) {
        if (this.dirs.has(d)) break;
        this.dirs.add(d);
      }
    }
    this.files = py;
    this.roots = [...new Set(roots)];
  }

  has(file: string): boolean {
    return this.files.has(file);
  }

  /** The folder above the topmost package (folder with `__init__.py`) holding `file`. */
  packageRoot(file: string): string {
    let dir = dirOf(file);
    while (dir !== '' && this.files.has(joinPath(dir, '__init__.py'))) dir = dirOf(dir);
    return dir;
  }

  /** The dotted name of a file relative to its package root: `app/schema/_base.py` → `app.schema._base`. */
  moduleName(file: string): string {
    const root = this.packageRoot(file);
    const rel = root === '' ? file : file.slice(root.length + 1);
    return rel.replace(/\.pyi?$/, '').replace(/\/__init__$/, '').split('/').join('.');
  }

  /** The package a file belongs to (its folder), against which `from . import x` resolves. */
  private packageOf(file: string): string {
    return dirOf(file);
  }

  private locate(root: string, module: string): ModuleLocation | null {
    const base = joinPath(root, module.split('.').join('/'));
    for (const ext of ['.py', '.pyi']) if (this.files.has(base + ext)) return { file: base + ext, packageDir: null };
    for (const init of ['__init__.py', '__init__.pyi']) if (this.files.has(joinPath(base, init))) return { file: joinPath(base, init), packageDir: base };
    if (this.dirs.has(base)) return { file: null, packageDir: base };
    return null;
  }

  /** The folders an absolute import from `from` is looked up in, most likely first. */
  private searchRoots(from: string): string[] {
    const out = [this.packageRoot(from), ...this.roots];
    for (let d = dirOf(from); ; d = dirOf(d)) {
      out.push(d);
      if (d === '') break;
    }
    return [...new Set(out)];
  }

  /**
   * Where `import <module>` (level 0) or `from <dots><module> import …`
   * (level = number of dots) written in `from` leads inside the project, or
   * null when the project does not hold it (a third-party or standard module).
   */
  resolve(from: string, module: string, level = 0): ModuleLocation | null {
    const key = `${from}\0${level}\0${module}`;
    if (this.memo.has(key)) return this.memo.get(key)!;
    let found: ModuleLocation | null = null;
    if (level > 0) {
      let dir = this.packageOf(from);
      for (let i = 1; i < level; i++) {
        if (dir === '') {
          this.memo.set(key, null);
          return null;
        }
        dir = dirOf(dir);
      }
      found = module === '' ? (this.locatePackageDir(dir) ?? null) : this.locate(dir, module);
    } else if (module !== '') {
      const top = module.split('.')[0]!;
      for (const root of this.searchRoots(from)) {
        // A namespace folder named like an installed package is the package's shadow, not the package.
        if (this.installed.has(top) && this.locate(root, top)?.file === null) continue;
        found = this.locate(root, module);
        if (found) break;
      }
    }
    this.memo.set(key, found);
    return found;
  }

  private locatePackageDir(dir: string): ModuleLocation | null {
    for (const init of ['__init__.py', '__init__.pyi']) if (this.files.has(joinPath(dir, init))) return { file: joinPath(dir, init), packageDir: dir };
    return dir === '' || this.dirs.has(dir) ? { file: null, packageDir: dir } : null;
  }

  /**
   * `from <module> import <name>`: the submodule `<module>.<name>` when the
   * project holds one and the package's `__init__` does not bind the name
   * itself (the caller checks that), else null.
   */
  submodule(location: ModuleLocation, name: string): ModuleLocation | null {
    if (location.packageDir === null) return null;
    return this.locate(location.packageDir, name);
  }

  /** The file of a dotted module name as a console script or the config names it, searched from the project roots. */
  fileOfModule(module: string): string | null {
    for (const root of ['', ...this.roots]) {
      const found = this.locate(root, module);
      if (found?.file) return found.file;
    }
    // A package under a folder that is not a root (`backend/app/cli.py` for `app.cli`).
    const tail = `/${module.split('.').join('/')}`;
    for (const file of this.files) {
      if (file.endsWith(`${tail}.py`) || file.endsWith(`${tail}/__init__.py`)) return file;
    }
    return null;
  }
}
