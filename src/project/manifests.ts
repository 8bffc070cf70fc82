import { createRequire } from 'node:module';
import type { Parser } from 'web-tree-sitter';
import { parsePep440, parsePoetry, type Range, VersionSyntaxError } from './versions.js';

const require = createRequire(import.meta.url);

/** The TOML parser, loaded with the first TOML manifest rather than at start. */
function parseToml(text: string): unknown {
  return (require('smol-toml') as typeof import('smol-toml')).parse(text);
}

/** A dependency as one manifest declares it. */
export interface Declaration {
  /** Normalised name (PEP 503: lower case, runs of `-_.` as `-`). */
  name: string;
  /** Repository-relative path of the manifest. */
  manifest: string;
  /** The constraint as written (`^1.10`, `>=1.8,<2`, `` for any). */
  spec: string;
  /** The versions it allows, or null when the constraint could not be read (a URL, a path, a typo). */
  range: Range | null;
  /** Declared for development only (a dev group, dev-packages, requirements-dev.txt, devDependencies). */
  dev: boolean;
  /** Python packages (PyPI) or JavaScript packages (npm, from package.json). */
  ecosystem: 'pypi' | 'npm';
}

/** A command a manifest installs: `name = "pkg.cli:main"`. */
export interface EntryPoint {
  name: string;
  module: string;
  func: string | null;
  manifest: string;
}

export interface Manifest {
  path: string;
  kind: 'pyproject' | 'requirements' | 'setup.cfg' | 'setup.py' | 'pipfile' | 'package.json';
  declarations: Declaration[];
  scripts: EntryPoint[];
  /** Folders (repository-relative) the manifest says hold its packages (`src`). */
  packageRoots: string[];
  /** Import sorting settings found in the manifest ([tool.isort], [tool.ruff.lint.isort], [isort]). */
  isort?: IsortSettings;
  /** Requirement files it includes (`-r base.txt`), repository-relative. */
  includes: string[];
  /** Problems reading it, one line each; the rest of the file still counts. */
  problems: string[];
}

export interface IsortSettings {
  source: string;
  knownFirstParty: string[];
  forceSortWithinSections?: boolean;
  profile?: string;
}

export interface LockFile {
  path: string;
  kind: 'poetry.lock' | 'uv.lock' | 'Pipfile.lock' | 'pdm.lock';
  versions: Map<string, string>;
}

/** PEP 503 name normalisation: `Pydantic_Settings` and `pydantic.settings` are `pydantic-settings`. */
export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

function join(dir: string, rel: string): string {
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of rel.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function rangeOf(spec: string, flavour: 'pep440' | 'poetry'): Range | null {
  try {
    return flavour === 'poetry' ? parsePoetry(spec) : parsePep440(spec);
  } catch (error) {
    if (error instanceof VersionSyntaxError) return null;
    throw error;
  }
}

/**
 * A PEP 508 requirement (`pydantic[email]>=1.8,<2 ; python_version>"3.7"`):
 * its name and specifier. Null for what is not a named requirement.
 */
export function parseRequirement(text: string): { name: string; spec: string; url: boolean } | null {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(.*)$/.exec(text);
  if (!m) return null;
  let rest = m[2]!;
  const marker = rest.indexOf(';');
  if (marker !== -1) rest = rest.slice(0, marker);
  rest = rest.trim();
  if (rest.startsWith('@')) return { name: m[1]!, spec: rest, url: true };
  if (rest.startsWith('(') && rest.endsWith(')')) rest = rest.slice(1, -1).trim();
  if (rest !== '' && !/^(===|==|!=|~=|>=|<=|>|<)/.test(rest)) return null;
  return { name: m[1]!, spec: rest, url: false };
}

function declaration(name: string, spec: string, manifest: string, flavour: 'pep440' | 'poetry', dev: boolean, url = false): Declaration {
  return { name: normaliseName(name), manifest, spec, range: url ? null : rangeOf(spec, flavour), dev, ecosystem: 'pypi' };
}

function entryPoint(name: string, target: string, manifest: string): EntryPoint | null {
  const m = /^\s*([A-Za-z_][\w.]*)\s*(?::\s*([A-Za-z_][\w.]*))?\s*(?:\[.*\])?\s*$/.exec(target);
  if (!m) return null;
  return { name: name.trim(), module: m[1]!, func: m[2] ?? null, manifest };
}

type Table = Record<string, unknown>;

function table(value: unknown): Table | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Table) : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function at(root: Table | undefined, ...keys: string[]): unknown {
  let cur: unknown = root;
  for (const key of keys) cur = table(cur)?.[key];
  return cur;
}

function isortFrom(settings: Table | undefined, source: string): IsortSettings | undefined {
  if (!settings) return undefined;
  const known = strings(settings['known_first_party'] ?? settings['known-first-party']);
  const force = settings['force_sort_within_sections'] ?? settings['force-sort-within-sections'];
  const profile = settings['profile'];
  return {
    source,
    knownFirstParty: known,
    ...(typeof force === 'boolean' ? { forceSortWithinSections: force } : {}),
    ...(typeof profile === 'string' ? { profile } : {}),
  };
}

/** Poetry's `name = "^1.0"`, `name = { version = "^1.0", … }` or a list of such (one per marker). */
function poetryDeps(deps: unknown, manifest: string, dev: boolean): Declaration[] {
  const out: Declaration[] = [];
  for (const [name, value] of Object.entries(table(deps) ?? {})) {
    if (normaliseName(name) === 'python') continue;
    const variants = Array.isArray(value) ? value : [value];
    for (const v of variants) {
      if (typeof v === 'string') out.push(declaration(name, v, manifest, 'poetry', dev));
      else {
        const spec = table(v)?.['version'];
        // `{ git = … }`, `{ path = … }`: not a version at all.
        out.push(typeof spec === 'string' ? declaration(name, spec, manifest, 'poetry', dev) : declaration(name, '', manifest, 'poetry', dev, true));
      }
    }
  }
  return out;
}

function pep508List(list: unknown, manifest: string, dev: boolean, problems: string[]): Declaration[] {
  const out: Declaration[] = [];
  for (const item of strings(list)) {
    const req = parseRequirement(item);
    if (!req) {
      problems.push(`${manifest}: cannot read the requirement "${item}"`);
      continue;
    }
    out.push(declaration(req.name, req.spec, manifest, 'pep440', dev, req.url));
  }
  return out;
}

function parsePyproject(path: string, text: string): Manifest {
  const manifest: Manifest = { path, kind: 'pyproject', declarations: [], scripts: [], packageRoots: [], includes: [], problems: [] };
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (error) {
    manifest.problems.push(`${path} is not valid TOML: ${(error as Error).message.split('\n')[0]}`);
    return manifest;
  }
  const dir = dirOf(path);
  const project = table(doc['project']);
  manifest.declarations.push(...pep508List(project?.['dependencies'], path, false, manifest.problems));
  for (const list of Object.values(table(project?.['optional-dependencies']) ?? {})) {
    manifest.declarations.push(...pep508List(list, path, false, manifest.problems));
  }
  for (const list of Object.values(table(doc['dependency-groups']) ?? {})) {
    manifest.declarations.push(...pep508List(list, path, true, manifest.problems));
  }
  const poetry = table(at(doc, 'tool', 'poetry'));
  manifest.declarations.push(...poetryDeps(poetry?.['dependencies'], path, false));
  manifest.declarations.push(...poetryDeps(poetry?.['dev-dependencies'], path, true));
  for (const [group, value] of Object.entries(table(poetry?.['group']) ?? {})) {
    manifest.declarations.push(...poetryDeps(table(value)?.['dependencies'], path, group !== 'main'));
  }
  for (const scripts of [project?.['scripts'], project?.['gui-scripts'], poetry?.['scripts']]) {
    for (const [name, target] of Object.entries(table(scripts) ?? {})) {
      const spec = typeof target === 'string' ? target : table(target)?.['callable'];
      const ep = typeof spec === 'string' ? entryPoint(name, spec, path) : null;
      if (ep) manifest.scripts.push(ep);
    }
  }
  for (const pkg of Array.isArray(poetry?.['packages']) ? (poetry['packages'] as unknown[]) : []) {
    const from = table(pkg)?.['from'];
    if (typeof from === 'string') manifest.packageRoots.push(join(dir, from));
  }
  const where = at(doc, 'tool', 'setuptools', 'packages', 'find', 'where');
  for (const w of strings(where)) manifest.packageRoots.push(join(dir, w));
  const packageDir = table(at(doc, 'tool', 'setuptools', 'package-dir'));
  if (typeof packageDir?.[''] === 'string') manifest.packageRoots.push(join(dir, packageDir[''] as string));
  for (const src of strings(at(doc, 'tool', 'ruff', 'src'))) manifest.packageRoots.push(join(dir, src));
  manifest.isort =
    isortFrom(table(at(doc, 'tool', 'isort')), `${path} [tool.isort]`) ??
    isortFrom(table(at(doc, 'tool', 'ruff', 'lint', 'isort')), `${path} [tool.ruff.lint.isort]`) ??
    isortFrom(table(at(doc, 'tool', 'ruff', 'isort')), `${path} [tool.ruff.isort]`);
  if (!manifest.isort) delete manifest.isort;
  return manifest;
}

/** Requirement files named for development: `requirements-dev.txt`, `requirements/test.txt`, `dev-requirements.txt`. */
function isDevRequirements(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  return /(^|[-_.])(dev|test|tests|testing|lint|docs|ci)([-_.]|$)/.test(base.replace(/requirements?/, ''));
}

function parseRequirementsFile(path: string, text: string): Manifest {
  const manifest: Manifest = { path, kind: 'requirements', declarations: [], scripts: [], packageRoots: [], includes: [], problems: [] };
  const dir = dirOf(path);
  const dev = isDevRequirements(path);
  const logical = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of logical) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const include = /^(?:-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)/.exec(line);
    if (include) {
      manifest.includes.push(join(dir, include[1]!));
      continue;
    }
    // Options, editable installs, paths and URLs name no version.
    if (line.startsWith('-') || /^[./]/.test(line) || /^[a-z+]+:\/\//i.test(line)) continue;
    const req = parseRequirement(line.replace(/\s--hash[= ]\S+/g, ''));
    if (!req) {
      manifest.problems.push(`${path}: cannot read the requirement "${line}"`);
      continue;
    }
    manifest.declarations.push(declaration(req.name, req.spec, path, 'pep440', dev, req.url));
  }
  return manifest;
}

/** setup.cfg's INI: sections of `key = value`, with indented continuation lines. */
function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  let key: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') continue;
    const section = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (section) {
      current = new Map();
      sections.set(section[1]!.trim(), current);
      key = null;
      continue;
    }
    if (!current) continue;
    if (/^\s/.test(raw) && key) {
      current.set(key, `${current.get(key)}\n${raw.trim()}`);
      continue;
    }
    const kv = /^([^=:]+)[=:](.*)$/.exec(raw);
    if (!kv) continue;
    key = kv[1]!.trim();
    current.set(key, kv[2]!.trim());
  }
  return sections;
}

function lines(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\n;]/)
    .map((l) => l.replace(/\s#.*$/, '').trim())
    .filter((l) => l !== '');
}

function parseSetupCfg(path: string, text: string): Manifest {
  const manifest: Manifest = { path, kind: 'setup.cfg', declarations: [], scripts: [], packageRoots: [], includes: [], problems: [] };
  const ini = parseIni(text);
  const dir = dirOf(path);
  const options = ini.get('options');
  for (const req of lines(options?.get('install_requires'))) {
    manifest.declarations.push(...pep508List([req], path, false, manifest.problems));
  }
  for (const [, value] of ini.get('options.extras_require') ?? new Map<string, string>()) {
    for (const req of lines(value)) manifest.declarations.push(...pep508List([req], path, false, manifest.problems));
  }
  for (const spec of lines(ini.get('options.entry_points')?.get('console_scripts'))) {
    const [name, target] = spec.split('=');
    const ep = name && target ? entryPoint(name, target, path) : null;
    if (ep) manifest.scripts.push(ep);
  }
  const packageDir = /^=\s*(\S+)/.exec(options?.get('package_dir')?.trim() ?? '');
  if (packageDir) manifest.packageRoots.push(join(dir, packageDir[1]!));
  const where = ini.get('options.packages.find')?.get('where');
  if (where) manifest.packageRoots.push(join(dir, where.trim()));
  const isort = ini.get('isort') ?? ini.get('tool:isort');
  if (isort) {
    const force = isort.get('force_sort_within_sections');
    manifest.isort = {
      source: `${path} [isort]`,
      knownFirstParty: (isort.get('known_first_party') ?? '').split(/[,\s]+/).filter((s) => s !== ''),
      ...(force ? { forceSortWithinSections: /^(true|1|yes)$/i.test(force) } : {}),
      ...(isort.get('profile') ? { profile: isort.get('profile')! } : {}),
    };
  }
  return manifest;
}

function parsePipfile(path: string, text: string): Manifest {
  const manifest: Manifest = { path, kind: 'pipfile', declarations: [], scripts: [], packageRoots: [], includes: [], problems: [] };
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (error) {
    manifest.problems.push(`${path} is not valid TOML: ${(error as Error).message.split('\n')[0]}`);
    return manifest;
  }
  for (const [section, dev] of [
    ['packages', false],
    ['dev-packages', true],
  ] as const) {
    for (const [name, value] of Object.entries(table(doc[section]) ?? {})) {
      const spec = typeof value === 'string' ? value : table(value)?.['version'];
      if (typeof spec !== 'string') manifest.declarations.push(declaration(name, '', path, 'pep440', dev, true));
      else manifest.declarations.push(declaration(name, spec === '*' ? '' : spec, path, 'pep440', dev));
    }
  }
  return manifest;
}

/** String values of a list literal, or null when it holds anything but plain strings and comments. */
function literalStrings(node: import('web-tree-sitter').Node | null): string[] | null {
  if (!node || (node.type !== 'list' && node.type !== 'tuple')) return null;
  const out: string[] = [];
  for (const child of node.namedChildren) {
    if (!child || child.type === 'comment') continue;
    if (child.type !== 'string' || child.namedChildren.some((c) => c?.type === 'interpolation')) return null;
    const m = /^[rRuU]?(['"]{1,3})([\s\S]*)\1$/.exec(child.text);
    if (!m || m[2]!.includes('\\')) return null;
    out.push(m[2]!);
  }
  return out;
}

/**
 * setup.py read without running it: `install_requires=[...]` and
 * `entry_points={"console_scripts": [...]}` given as literals (or as a name
 * bound once, at module level, to a literal list).
 */
function parseSetupPy(path: string, text: string, parser: Parser | undefined): Manifest {
  const manifest: Manifest = { path, kind: 'setup.py', declarations: [], scripts: [], packageRoots: [], includes: [], problems: [] };
  if (!parser) return manifest;
  const tree = parser.parse(text);
  if (!tree) return manifest;
  try {
    const root = tree.rootNode;
    const assigned = new Map<string, import('web-tree-sitter').Node | null>();
    for (const stmt of root.namedChildren) {
      const expr = stmt?.type === 'expression_statement' ? stmt.namedChild(0) : null;
      const left = expr?.type === 'assignment' ? expr.childForFieldName('left') : null;
      if (left?.type === 'identifier') assigned.set(left.text, assigned.has(left.text) ? null : expr!.childForFieldName('right'));
    }
    const value = (node: import('web-tree-sitter').Node | null) => (node?.type === 'identifier' ? (assigned.get(node.text) ?? null) : node);
    for (const call of root.descendantsOfType('call')) {
      const fn = call?.childForFieldName('function');
      if (!call || !fn || !/(^|\.)setup$/.test(fn.text)) continue;
      for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
        if (arg?.type !== 'keyword_argument') continue;
        const name = arg.childForFieldName('name')?.text;
        const v = value(arg.childForFieldName('value'));
        if (name === 'install_requires') {
          const reqs = literalStrings(v);
          if (reqs) manifest.declarations.push(...pep508List(reqs, path, false, manifest.problems));
          else manifest.problems.push(`${path}: install_requires is not a literal list; its versions are not known`);
        }
        if (name === 'entry_points' && v?.type === 'dictionary') {
          for (const pair of v.namedChildren) {
            if (pair?.type !== 'pair' || !/^['"]console_scripts['"]$/.test(pair.childForFieldName('key')?.text ?? '')) continue;
            for (const spec of literalStrings(value(pair.childForFieldName('value'))) ?? []) {
              const [n, target] = spec.split('=');
              const ep = n && target ? entryPoint(n, target, path) : null;
              if (ep) manifest.scripts.push(ep);
            }
          }
        }
        if (name === 'package_dir' && v?.type === 'dictionary') {
          for (const pair of v.namedChildren) {
            if (pair?.type === 'pair' && /^['"]{2}$/.test(pair.childForFieldName('key')?.text ?? '')) {
              const dir = /^['"](.*)['"]$/.exec(pair.childForFieldName('value')?.text ?? '');
              if (dir) manifest.packageRoots.push(join(dirOf(path), dir[1]!));
            }
          }
        }
      }
    }
  } finally {
    tree.delete();
  }
  return manifest;
}

/**
 * package.json: the npm packages a JavaScript project declares. Their version
 * ranges are npm's, which no codemod needs yet: only which packages are there
 * (an escaper the project already depends on is imported, not copied).
 */
function parsePackageJson(path: string, text: string): Manifest {
  const manifest: Manifest = { path, kind: 'package.json', declarations: [], scripts: [], packageRoots: [], includes: [], problems: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    manifest.problems.push(`${path} is not valid JSON: ${(error as Error).message.split('\n')[0]}`);
    return manifest;
  }
  for (const [section, dev] of [
    ['dependencies', false],
    ['devDependencies', true],
    ['peerDependencies', false],
  ] as const) {
    for (const [name, spec] of Object.entries(table(table(doc)?.[section]) ?? {})) {
      if (typeof spec !== 'string') continue;
      manifest.declarations.push({ name: name.toLowerCase(), manifest: path, spec, range: null, dev, ecosystem: 'npm' });
    }
  }
  return manifest;
}

const REQUIREMENTS = /^(?:.*[-_.])?requirements?(?:[-_.].*)?\.(?:txt|in|lock)$/i;

/** Which manifest or lock a repository path is, if any. */
export function manifestKind(path: string): Manifest['kind'] | LockFile['kind'] | null {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === 'pyproject.toml') return 'pyproject';
  if (base === 'setup.cfg') return 'setup.cfg';
  if (base === 'setup.py') return 'setup.py';
  if (base === 'Pipfile') return 'pipfile';
  if (base === 'package.json') return 'package.json';
  if (base === 'poetry.lock' || base === 'uv.lock' || base === 'Pipfile.lock' || base === 'pdm.lock') return base;
  if (REQUIREMENTS.test(base) || /(^|\/)requirements\/[^/]+\.(txt|in)$/.test(path)) return 'requirements';
  return null;
}

export function parseManifest(path: string, text: string, parser?: Parser): Manifest {
  switch (manifestKind(path)) {
    case 'pyproject':
      return parsePyproject(path, text);
    case 'setup.cfg':
      return parseSetupCfg(path, text);
    case 'setup.py':
      return parseSetupPy(path, text, parser);
    case 'pipfile':
      return parsePipfile(path, text);
    case 'package.json':
      return parsePackageJson(path, text);
    default:
      return parseRequirementsFile(path, text);
  }
}

export function parseLockFile(path: string, text: string): LockFile | { path: string; problem: string } {
  const kind = manifestKind(path) as LockFile['kind'];
  const versions = new Map<string, string>();
  try {
    if (kind === 'Pipfile.lock') {
      const doc = JSON.parse(text) as Table;
      for (const section of ['develop', 'default']) {
        for (const [name, entry] of Object.entries(table(doc[section]) ?? {})) {
          const version = table(entry)?.['version'];
          if (typeof version === 'string') versions.set(normaliseName(name), version.replace(/^==/, ''));
        }
      }
    } else {
      const doc = parseToml(text) as Table;
      for (const pkg of Array.isArray(doc['package']) ? (doc['package'] as unknown[]) : []) {
        const name = table(pkg)?.['name'];
        const version = table(pkg)?.['version'];
        if (typeof name === 'string' && typeof version === 'string') versions.set(normaliseName(name), version);
      }
    }
  } catch (error) {
    return { path, problem: `${path} cannot be read: ${(error as Error).message.split('\n')[0]}` };
  }
  return { path, kind, versions };
}
