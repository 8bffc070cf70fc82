import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { CONFIG_PATH, ConfigError, enabledCodemodIds, NO_OVERRIDES, parseProjectConfig, type ProjectOverrides } from './config.js';
import { Dependencies, type DependencyStatus, type Requirement, type RequirementCheck } from './dependencies.js';
import { manifestKind, parseLockFile, parseManifest, type IsortSettings, type LockFile, type Manifest } from './manifests.js';
import { PythonModules } from './python.js';
import { Roles, type RoleInfo } from './roles.js';
import { STDLIB_MODULES } from './stdlib.js';

export { ConfigError, CONFIG_PATH, parseProjectConfig, NO_OVERRIDES as NO_OVERRIDES_PROJECT, type ProjectOverrides } from './config.js';
export type { DependencyStatus, Requirement, RequirementCheck } from './dependencies.js';
export type { PathRole, RoleInfo } from './roles.js';
export { PATH_ROLES } from './roles.js';
export type { ModuleLocation } from './python.js';
export { PythonModules } from './python.js';
export { STDLIB_MODULES } from './stdlib.js';

/** How the project sorts imports: what counts as its own code, and how sections are ordered. */
export interface ImportStyle {
  /** Top-level names of the project's own modules and packages, and any the sorter settings add. */
  firstParty: ReadonlySet<string>;
  /** isort's force_sort_within_sections: `import x` and `from x import y` sorted together by module. */
  forceSortWithinSections: boolean;
  /** Where the settings came from, or null when the file's own layout is the only guide. */
  source: string | null;
}

/**
 * A model of the repository a run edits, built once and read by every
 * codemod, the planner's detectors and the verification gate: what each
 * path is for, which versions of dependencies the project pins, where its
 * Python modules are, and how it sorts imports. Building it reads only
 * small files (manifests, lock files, the config file); everything else is
 * read on demand and remembered.
 */
export interface Project {
  /** Absolute directory every path is relative to. */
  readonly root: string;
  /** Every file of the repository (repository-relative, forward slashes). */
  readonly files: ReadonlySet<string>;
  readonly manifests: readonly Manifest[];
  readonly locks: readonly LockFile[];
  /** Manifest and config problems, one line each; the rest of the model still holds. */
  readonly problems: readonly string[];
  readonly python: PythonModules;
  role(path: string): RoleInfo;
  /** What the nearest manifest says of a package: a Python one by default, an npm one from package.json. */
  dependency(path: string, name: string, ecosystem?: 'pypi' | 'npm'): DependencyStatus;
  check(path: string, requirement: Requirement): RequirementCheck;
  importStyle(path: string): ImportStyle;
  /** A codemod's options from the config file (`codemods: { <id>: {...} }`), or an empty object. */
  options(codemod: string): Readonly<Record<string, unknown>>;
  /** Of `ids`, those the config file turns off (`codemods: [ids]` names others, or `<id>: false`), in their order. */
  codemodsOff(ids: readonly string[]): string[];
  /** A repository file's text (no BOM), or null when it is missing, a symlink, binary, not UTF-8 or too large. */
  readText(path: string): string | null;
  /** A value computed once per project (module summaries, indexes). */
  memo<T>(key: string, compute: () => T): T;
  /**
   * A value about the whole project (every command-line entry point, every
   * read of a class's Config), computed once per run even when the run is
   * split across worker threads: one thread computes it, the others get a
   * copy. It must be plain data (maps, sets, arrays, objects, strings,
   * numbers) that the structured clone algorithm copies faithfully.
   */
  shared<T>(key: string, compute: () => T): T;
  /**
   * Says that what is being computed now meets an import cycle and cuts it
   * short (a module met again while it is being summarised): the memo values
   * being computed around this point depend on where the computation
   * started, so none of them is remembered. Results then stay the same
   * whatever order the files are transformed in.
   */
  cutCycle(): void;
  /**
   * Whether this run transforms `path` too: a change that is right only if
   * another file changes with it (a base class and its subclasses in other
   * modules) asks this before relying on that file.
   */
  inRun(path: string): boolean;
}

export interface ProjectInput {
  root: string;
  files: Iterable<string>;
  /** Reads setup.py without running it. */
  python?: Parser;
  /** Overrides as the config file gives them; read from `.github/shipshape.yml` in `root` when absent. */
  overrides?: ProjectOverrides;
  maxBytes?: number;
  /** False for a project that must not touch the disk (text transformed outside a repository). */
  readFiles?: boolean;
  /** The files this run transforms; all of `files` when absent. */
  runFiles?: Iterable<string>;
}

/**
 * Everything a project is built from once its manifests are read: what a
 * worker thread needs to rebuild the same project without reading or
 * parsing them again. Plain data (structured-clone).
 */
export interface ProjectSnapshot {
  root: string;
  files: string[];
  runFiles: string[];
  manifests: Manifest[];
  locks: LockFile[];
  problems: string[];
  overrides: ProjectOverrides;
  maxBytes: number;
  readFiles: boolean;
}

/**
 * How values reach the other threads of a run. `get` (for `shared`) returns
 * the value another thread computed, or computes it here with `compute` and
 * hands it to the others; it may throw to put the current file off until
 * another thread has the value (the worker pool does). Memo values are
 * handed on too (`offer`), and one another thread computed is used rather
 * than computed again (`lookup`): memo values do not depend on which thread
 * computes them, nor when.
 */
export interface SharedValues {
  /** `keep` is false when the value met a cut cycle: it is then neither remembered nor handed on. */
  get<T>(key: string, compute: () => { value: T; keep: boolean }): T;
  lookup(key: string): { value: unknown } | undefined;
  offer(key: string, value: unknown): void;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const decoder = new TextDecoder('utf-8', { fatal: true });

function readSmallText(root: string, path: string, maxBytes: number): string | null {
  const full = join(root, path);
  try {
    const stat = lstatSync(full);
    if (!stat.isFile() || stat.size > maxBytes) return null;
    const bytes = readFileSync(full);
    if (bytes.includes(0)) return null;
    const text = decoder.decode(bytes);
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch {
    return null;
  }
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

/** Reads the config file's project sections; a broken file is a problem to report, not a crash. */
export function readOverrides(root: string, maxBytes = DEFAULT_MAX_BYTES): { overrides: ProjectOverrides; problem?: string } {
  const text = readSmallText(root, CONFIG_PATH, maxBytes);
  if (text === null) return { overrides: NO_OVERRIDES };
  try {
    return { overrides: parseProjectConfig(text) };
  } catch (error) {
    if (error instanceof ConfigError) return { overrides: NO_OVERRIDES, problem: `${error.message}; the config file was ignored` };
    throw error;
  }
}

/** The project's snapshot, kept beside each project `buildProject` makes. */
const snapshots = new WeakMap<Project, ProjectSnapshot>();

/** What a worker thread needs to rebuild `project` (null for a project not made by `buildProject`). */
export function projectSnapshot(project: Project): ProjectSnapshot | null {
  return snapshots.get(project) ?? null;
}

/** Whether a manifest named by `path` is read with the Python parser (setup.py is parsed, never run). */
export function needsPythonParser(path: string): boolean {
  return manifestKind(path) === 'setup.py';
}

export function buildProject(input: ProjectInput): Project {
  const maxBytes = input.maxBytes ?? DEFAULT_MAX_BYTES;
  const files = [...new Set(input.files)];
  const readFiles = input.readFiles !== false;
  const known = new Set(files);
  const read = (path: string): string | null => (readFiles && known.has(path) ? readSmallText(input.root, path, maxBytes) : null);
  const problems: string[] = [];
  let overrides = input.overrides;
  if (!overrides) {
    const read = readOverrides(input.root, maxBytes);
    overrides = read.overrides;
    if (read.problem) problems.push(read.problem);
  }
  const manifests: Manifest[] = [];
  const locks: LockFile[] = [];
  for (const path of [...files].sort()) {
    const kind = manifestKind(path);
    if (!kind) continue;
    const text = read(path);
    if (text === null) continue;
    if (kind === 'poetry.lock' || kind === 'uv.lock' || kind === 'Pipfile.lock' || kind === 'pdm.lock') {
      const lock = parseLockFile(path, text);
      if ('problem' in lock) problems.push(lock.problem);
      else locks.push(lock);
      continue;
    }
    const manifest = parseManifest(path, text, input.python);
    problems.push(...manifest.problems);
    manifests.push(manifest);
  }
  const snapshot: ProjectSnapshot = {
    root: input.root,
    files,
    runFiles: input.runFiles ? [...new Set(input.runFiles)] : files,
    manifests,
    locks,
    problems,
    overrides,
    maxBytes,
    readFiles,
  };
  const project = projectFromSnapshot(snapshot);
  snapshots.set(project, snapshot);
  return project;
}

/**
 * The project a snapshot describes, as `buildProject` made it. `shared`:
 * how values about the whole project reach the run's other threads.
 */
export function projectFromSnapshot(snapshot: ProjectSnapshot, shared?: SharedValues): Project {
  const { manifests, locks, problems, overrides, maxBytes } = snapshot;
  const files: ReadonlySet<string> = new Set(snapshot.files);
  const runFiles: ReadonlySet<string> = new Set(snapshot.runFiles);
  const read = (path: string): string | null => (snapshot.readFiles && files.has(path) ? readSmallText(snapshot.root, path, maxBytes) : null);
  const installed = new Set(manifests.flatMap((m) => m.declarations.filter((d) => d.ecosystem === 'pypi').map((d) => d.name.replace(/-/g, '_'))));
  const python = new PythonModules(files, [...manifests.flatMap((m) => m.packageRoots), ...overrides.pythonRoots], installed);
  const roles = new Roles({
    overrides: overrides.roles,
    scripts: manifests.flatMap((m) => m.scripts),
    moduleFile: (m) => python.fileOfModule(m),
    isPackage: (dir) => files.has(`${dir}/__init__.py`),
  });
  const dependencies = new Dependencies(manifests, locks, overrides.versions);
  const memo = new Map<string, unknown>();
  // Memo values being computed, innermost last; one that met a cut cycle is not kept.
  const computing: { cut: boolean }[] = [];
  const remember = <T>(key: string, compute: () => T, handOn = true): T => {
    if (memo.has(key)) return memo.get(key) as T;
    const given = handOn ? shared?.lookup(key) : undefined;
    if (given) {
      memo.set(key, given.value);
      return given.value as T;
    }
    const frame = { cut: false };
    computing.push(frame);
    let value: T;
    try {
      value = compute();
    } finally {
      computing.pop();
    }
    if (!frame.cut) {
      memo.set(key, value);
      if (handOn) shared?.offer(key, value);
    }
    return value;
  };
  const styles = new Map<string, ImportStyle>();
  const options = overrides.codemodOptions;

  // The project's own top-level names: what sits directly in a folder Python imports from
  // (the repository, the manifests' folders and package roots), and the top of every package.
  const firstParty = (): Set<string> =>
    project.memo('project:first-party', () => {
      const roots = new Set(['', ...manifests.map((m) => dirOf(m.path)), ...manifests.flatMap((m) => m.packageRoots), ...overrides.pythonRoots]);
      const names = new Set<string>();
      const add = (name: string | undefined) => {
        if (name && name !== '__init__' && /^[A-Za-z_]\w*$/.test(name) && !STDLIB_MODULES.has(name)) names.add(name);
      };
      for (const file of files) {
        if (!file.endsWith('.py')) continue;
        if (python.packageRoot(file) !== dirOf(file)) add(python.moduleName(file).split('.')[0]);
        for (const root of roots) {
          if (root !== '' && !file.startsWith(`${root}/`)) continue;
          add((root === '' ? file : file.slice(root.length + 1)).split('/')[0]!.replace(/\.py$/, ''));
        }
      }
      return names;
    });

  const nearestIsort = (path: string): IsortSettings | undefined => {
    for (let dir = dirOf(path); ; dir = dirOf(dir)) {
      const found = manifests.find((m) => m.isort && dirOf(m.path) === dir)?.isort;
      if (found) return found;
      if (dir === '') return undefined;
    }
  };

  const project: Project = {
    root: snapshot.root,
    files,
    manifests,
    locks,
    problems,
    python,
    role: (path) => roles.of(path),
    dependency: (path, name, ecosystem) => dependencies.status(path, name, ecosystem),
    check: (path, requirement) => dependencies.check(path, requirement),
    importStyle(path) {
      const dir = dirOf(path);
      let style = styles.get(dir);
      if (!style) {
        const isort = nearestIsort(path);
        style = {
          firstParty: new Set([...firstParty(), ...(isort?.knownFirstParty ?? [])]),
          forceSortWithinSections: isort?.forceSortWithinSections ?? (isort?.profile === 'google' || isort?.profile === 'open_stack'),
          source: isort?.source ?? null,
        };
        styles.set(dir, style);
      }
      return style;
    },
    options: (codemod) => options.get(codemod) ?? {},
    codemodsOff: (ids) => {
      const on = new Set(enabledCodemodIds(ids, overrides));
      return ids.filter((id) => !on.has(id));
    },
    // Not cached: what is derived from a file (a module summary) is remembered instead, so a large tree is never held in memory.
    readText: read,
    inRun: (path) => runFiles.has(path),
    memo: (key, compute) => remember(key, compute),
    shared<T>(key: string, compute: () => T): T {
      if (memo.has(key) || !shared) return remember(key, compute);
      return remember(
        key,
        () =>
          shared.get(key, () => {
            const frame = computing.at(-1)!;
            const value = compute();
            return { value, keep: !frame.cut };
          }),
        false,
      );
    },
    cutCycle() {
      for (const frame of computing) frame.cut = true;
    },
  };
  return project;
}
