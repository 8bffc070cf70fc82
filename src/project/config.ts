import { createRequire } from 'node:module';
import type { Ajv, ErrorObject } from 'ajv';
import { normaliseName } from './manifests.js';
import { PATH_ROLES, type PathRole, type RoleOverride } from './roles.js';
import { parseRelease } from './versions.js';

export const CONFIG_PATH = '.github/shipshape.yml';

const require = createRequire(import.meta.url);

// The YAML parser, ajv and the schema are loaded when a config file is read, not at start:
// together they are most of a run's start-up, and most repositories have no config file.
type ConfigSchema = typeof import('../../schemas/config.schema.json');
const parseDocument: typeof import('yaml').parseDocument = (...args) => (require('yaml') as typeof import('yaml')).parseDocument(...args);
const configSchema = (): ConfigSchema => require('../../schemas/config.schema.json') as ConfigSchema;

/** What the config file says about the project: roles of paths, versions of dependencies, codemod options. */
export interface ProjectOverrides {
  roles: RoleOverride[];
  /** Installed versions by normalised package name (`pydantic: "2.7.1"`). */
  versions: Map<string, string>;
  /** Extra Python package roots (`python: { roots: [services/api/src] }`). */
  pythonRoots: string[];
  /** Per-codemod options, by codemod id, as written (each codemod validates its own). */
  codemodOptions: Map<string, Readonly<Record<string, unknown>>>;
  /** The codemods the repository turned on (`codemods: [ids]`) or off (`id: false`); null: no choice made. */
  enabled: { only: string[] } | { except: string[] } | null;
}

export const NO_OVERRIDES: ProjectOverrides = { roles: [], versions: new Map(), pythonRoots: [], codemodOptions: new Map(), enabled: null };

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
  const out: ProjectOverrides = { roles: [], versions: new Map(), pythonRoots: [], codemodOptions: new Map(), enabled: null };
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
  if (Array.isArray(codemods)) {
    const bad = codemods.findIndex((id) => typeof id !== 'string' || id.trim() === '');
    if (bad !== -1) throw new ConfigError(`${path}: codemods[${bad}] must be a codemod id such as python/print-to-logging`);
    out.enabled = { only: codemods as string[] };
  } else if (codemods !== undefined) {
    if (!isRecord(codemods)) throw new ConfigError(`${path}: codemods must list codemod ids, or map a codemod id to its options`);
    const off: string[] = [];
    for (const [id, options] of Object.entries(codemods)) {
      if (options === false) off.push(id);
      else if (isRecord(options)) out.codemodOptions.set(id, options);
      else if (options !== true) throw new ConfigError(`${path}: codemods.${id} must be a mapping of options, or true/false to turn it on or off`);
    }
    if (off.length > 0) out.enabled = { except: off };
  }
  return out;
}

/** What the App does in a repository, from `.github/shipshape.yml` (every key optional). */
export interface RepositorySettings {
  /** The sprint plan inside the repository; null: plan from findings and detectors only. */
  plan: string | null;
  caps: { openPrs?: number; prsPerRun?: number; filesPerPr?: number; linesPerPr?: number };
  labels: string[];
  reviewBot: string;
  dashboard: boolean;
  allow: 'safe' | 'review';
  onInstall: 'nothing' | 'plan';
}

export interface RepositoryConfig {
  project: ProjectOverrides;
  settings: RepositorySettings;
}

export const DEFAULT_SETTINGS: RepositorySettings = {
  plan: null,
  caps: {},
  labels: [],
  reviewBot: 'coderabbitai[bot]',
  dashboard: false,
  allow: 'review',
  onInstall: 'nothing',
};

let validateConfig: ReturnType<Ajv['compile']> | undefined;

function compileConfigSchema(): ReturnType<Ajv['compile']> {
  const { Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv({ allErrors: false, strict: true, allowUnionTypes: true }).compile(configSchema());
}

/** One ajv error as a sentence naming the key (`caps.openPrs must be >= 1`). */
function describeSchemaError(error: ErrorObject): string {
  const key = error.instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
  if (error.keyword === 'additionalProperties') {
    const extra = String((error.params as { additionalProperty?: unknown }).additionalProperty);
    const schema = key === '' ? configSchema() : (configSchema().properties as Record<string, { properties?: object }>)[key];
    const known = Object.keys(schema?.properties ?? {}).join(', ');
    return `${key === '' ? '' : `${key}.`}${extra} is not a setting${known ? `; use one of ${known}` : ''}`;
  }
  if (error.keyword === 'enum') return `${key} must be one of ${((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).map(String).join(', ')}`;
  if (error.keyword === 'pattern' && key === 'plan') return 'plan must be a path inside the repository (relative, without ..)';
  return `${key || 'the file'} ${error.message ?? 'is not valid'}`;
}

/**
 * Reads the whole of `.github/shipshape.yml`: the project sections (as
 * parseProjectConfig) and the App's settings, checked against
 * schemas/config.schema.json. Unknown keys are errors here, so a typo is
 * said rather than silently ignored. `codemodIds` are the known codemods;
 * naming another is an error. Throws `ConfigError` with the key at fault.
 */
export function parseRepositoryConfig(text: string, options: { path?: string; codemodIds?: readonly string[] } = {}): RepositoryConfig {
  const path = options.path ?? CONFIG_PATH;
  const project = parseProjectConfig(text, path);
  const data: unknown = parseDocument(text, { prettyErrors: false }).toJS() ?? {};
  validateConfig ??= compileConfigSchema();
  if (!validateConfig(data)) throw new ConfigError(`${path}: ${describeSchemaError(validateConfig.errors![0]!)}`);
  const config = data as Partial<RepositorySettings>;
  if (options.codemodIds) {
    const named = project.enabled === null ? [...project.codemodOptions.keys()] : 'only' in project.enabled ? project.enabled.only : project.enabled.except;
    const unknown = [...named, ...project.codemodOptions.keys()].find((id) => !options.codemodIds!.includes(id));
    if (unknown !== undefined) throw new ConfigError(`${path}: codemods names ${unknown}, which is not a shipshape codemod (run \`shipshape codemods\` to list them)`);
  }
  return {
    project,
    settings: {
      plan: config.plan?.replace(/^\.\//, '') ?? DEFAULT_SETTINGS.plan,
      caps: config.caps ?? DEFAULT_SETTINGS.caps,
      labels: config.labels ?? DEFAULT_SETTINGS.labels,
      reviewBot: config.reviewBot ?? DEFAULT_SETTINGS.reviewBot,
      dashboard: config.dashboard ?? DEFAULT_SETTINGS.dashboard,
      allow: config.allow ?? DEFAULT_SETTINGS.allow,
      onInstall: config.onInstall ?? DEFAULT_SETTINGS.onInstall,
    },
  };
}

/** The codemod ids a repository runs, out of all of them. */
export function enabledCodemodIds(all: readonly string[], project: ProjectOverrides): string[] {
  if (project.enabled === null) return [...all];
  if ('only' in project.enabled) {
    const only = project.enabled.only;
    return all.filter((id) => only.includes(id));
  }
  const off = project.enabled.except;
  return all.filter((id) => !off.includes(id));
}
