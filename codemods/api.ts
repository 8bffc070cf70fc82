/**
 * The codemod API: everything a codemod needs, and nothing of the engine's
 * internals. A codemod is one folder under `codemods/<language>/<name>/`
 * (its code, a README with the required headings, fixtures under
 * `fixtures/codemods/<id>/`) and one line in `codemods/index.ts`.
 */
import type { Codemod, CodemodMeta, JsCodemod, PythonCodemod } from '../src/engine/types.js';
import type { PathRole } from '../src/project/index.js';

export type {
  Codemod,
  CodemodMeta,
  Edit,
  JsCodemod,
  JsContext,
  KeywordRule,
  Note,
  PythonCodemod,
  PythonContext,
  RuleRef,
  Safety,
  SourceFile,
  TransformResult,
} from '../src/engine/types.js';
export type { DependencyStatus, ImportStyle, ModuleLocation, PathRole, Project, Requirement, RequirementCheck, RoleInfo } from '../src/project/index.js';
export { STDLIB_MODULES } from '../src/project/index.js';

/** Roles a codemod edits unless it says otherwise: application code and scripts; never tests, docs and examples, migrations or vendored code. */
export const DEFAULT_ROLES: readonly PathRole[] = ['app', 'scripts'];

type MetaInput = Omit<CodemodMeta, 'roles' | 'requires' | 'keywords'> & Partial<Pick<CodemodMeta, 'roles' | 'requires' | 'keywords'>>;

type Definition<C extends Codemod> = Omit<C, 'meta'> & { meta: MetaInput & { language: C['meta']['language'] } };

const ID = /^(python|js)\/[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A codemod with its metadata completed and checked: defaults for roles, requirements and keywords. */
export function defineCodemod(definition: Definition<PythonCodemod>): PythonCodemod;
export function defineCodemod(definition: Definition<JsCodemod>): JsCodemod;
export function defineCodemod(definition: Definition<PythonCodemod> | Definition<JsCodemod>): Codemod {
  const { meta } = definition;
  if (!ID.test(meta.id)) throw new Error(`codemod id "${meta.id}" must be <python|js>/<kebab-case-name>`);
  const prefix = meta.language === 'python' ? 'python/' : 'js/';
  if (!meta.id.startsWith(prefix)) throw new Error(`codemod ${meta.id} is a ${meta.language} codemod; its id must start with ${prefix}`);
  if (meta.extensions.length === 0) throw new Error(`codemod ${meta.id} reads no file extension`);
  return {
    ...definition,
    meta: { ...meta, roles: meta.roles ?? DEFAULT_ROLES, requires: meta.requires ?? [], keywords: meta.keywords ?? [] },
  } as Codemod;
}
export { lineAt } from '../src/engine/edits.js';
