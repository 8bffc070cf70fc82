import { parseDocument } from 'yaml';
import { normaliseName } from './manifests.js';
import { PATH_ROLES, type PathRole, type RoleOverride } from './roles.js';
import { parseRelease } from './versions.js';

export const CONFIG_PATH = '.github/shipshape.yml';

/** What the config file says about the project: roles of paths, versions of dependencies, codemod options. */
export interface ProjectOverrides {
  roles: RoleOverride[];
  /** Installed versions by normalised package name (`pydantic: "2.7.1"`). */
  versions: Map<string, string>;
  /** Extra Python package roots (`python: { roots: [services/api/src] }`). */
  pythonRoots: string[];
  /** Per-codemod options, by codemod id, as written (each codemod validates its own). */
  codemodOptions: Map<string, Readonly<Record<string, unknown>>>;
}

export const NO_OVERRIDES: ProjectOverrides = { roles: [], versions: new Map(), pythonRoots: [], codemodOptions: new Map() };

export class ConfigError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringList(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string' || v.trim() === '')) {
    throw new ConfigError(`${where} must be a path pattern or a list of them`);
  }
  return list as string[];
}

/**
 * Reads the project sections of `.github/shipshape.yml`:
 *
 * ```yaml
 * roles:            # first matching pattern wins
 *   app: [examples/live-demo/**]
 *   docs: [handbook/**]
 * dependencies:     # the version installed, when manifests do not say
 *   pydantic: "2.7.1"
 * python:
 *   roots: [services/api/src]
 * codemods:
 *   js/innerhtml-to-textcontent: { text: [t, i18n.t] }
 * ```
 *
 * Other top-level keys belong to other readers and are ignored here.
 * Throws `ConfigError` with the key at fault.
 */
export function parseProjectConfig(text: string, path = CONFIG_PATH): ProjectOverrides {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) throw new ConfigError(`${path} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return NO_OVERRIDES;
  if (!isRecord(data)) throw new ConfigError(`${path} must be a mapping of settings`);
  const out: ProjectOverrides = { roles: [], versions: new Map(), pythonRoots: [], codemodOptions: new Map() };
  if (data['roles'] !== undefined) {
    if (!isRecord(data['roles'])) throw new ConfigError(`${path}: roles must map a role (${PATH_ROLES.join(', ')}) to path patterns`);
    for (const [role, patterns] of Object.entries(data['roles'])) {
      if (!PATH_ROLES.includes(role as PathRole)) throw new ConfigError(`${path}: roles.${role} is not a role; use one of ${PATH_ROLES.join(', ')}`);
      for (const pattern of stringList(patterns, `${path}: roles.${role}`)) out.roles.push({ role: role as PathRole, pattern: pattern.replace(/^\.?\//, '') });
    }
  }
  if (data['dependencies'] !== undefined) {
    if (!isRecord(data['dependencies'])) throw new ConfigError(`${path}: dependencies must map a package name to its installed version`);
    for (const [name, version] of Object.entries(data['dependencies'])) {
      const text = typeof version === 'number' ? String(version) : version;
      if (typeof text !== 'string' || !parseRelease(text)) {
        throw new ConfigError(`${path}: dependencies.${name} must be a version such as "2.7.1"`);
      }
      out.versions.set(normaliseName(name), text);
    }
  }
  const python = data['python'];
  if (python !== undefined) {
    if (!isRecord(python)) throw new ConfigError(`${path}: python must be a mapping (roots: [...])`);
    if (python['roots'] !== undefined) out.pythonRoots.push(...stringList(python['roots'], `${path}: python.roots`).map((r) => r.replace(/^\.?\/|\/$/g, '')));
  }
  const codemods = data['codemods'];
  if (codemods !== undefined) {
    if (!isRecord(codemods)) throw new ConfigError(`${path}: codemods must map a codemod id to its options`);
    for (const [id, options] of Object.entries(codemods)) {
      if (!isRecord(options)) throw new ConfigError(`${path}: codemods.${id} must be a mapping of options`);
      out.codemodOptions.set(id, options);
    }
  }
  return out;
}
