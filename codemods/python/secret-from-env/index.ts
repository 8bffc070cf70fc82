import type { Node } from 'web-tree-sitter';
import { defineCodemod } from '../../api.js';
import type { Edit, Note, PythonContext, SourceFile, TransformResult } from '../../api.js';
import { addImports, fromImportsOf, importInsertionPoint, insertIntoFromImport, leadingImports, mergeableFromImport, type NewImport } from '../lib/imports.js';
import { SemanticModel, type Binding } from '../lib/semantic.js';
import { TreeIndex } from '../lib/tree-index.js';
import { majorityQuote, stringValue, type Quote } from '../lib/strings.js';
import { insertLines, lineOf, namedChildren, unparenthesized } from '../lib/syntax.js';
import { offWithoutEnvironment } from './flags.js';
import { argumentRemoval, hasComment, isEmptyLiteral, isStringish, literalCopies, literalReplacement, readLiteral, type SecretLiteral } from './literals.js';
import { FLAG_NAMES, importsTestFramework, isBooleanExpression, isFlagName, isSecretName, settingsLayer, type SettingsLayer } from './names.js';
import { classifyClasses, envNaming, type ClassKind, type SettingsClass } from './settings.js';

const HELPER = '_dev_only_secret';

/** The helper every rewritten site calls when its variable is missing; emitted once per file. */
const HELPER_LINES = [
  `def ${HELPER}(name, debug=None):`,
  '    # A missing secret may only be replaced by a throwaway one while debugging;',
  '    # anywhere else the app must refuse to start rather than sign with a guessable key.',
  '    if debug is None:',
  '        debug = os.environ.get("DEBUG", "").lower() in ("1", "true", "yes", "on")',
  '    if debug:',
  '        return secrets.token_urlsafe(32)',
  '    raise RuntimeError(f"{name} must be set in the environment")',
];

/** The helper in the file's quote style (its strings hold no quote of the other kind). */
function helperLines(quote: Quote): string[] {
  return quote === '"' ? HELPER_LINES : HELPER_LINES.map((line) => line.replace(/"/g, "'"));
}

/** The quote most of the file's strings use; double on a tie (what black writes). */
function fileQuote(index: TreeIndex): Quote {
  return majorityQuote(index.nodes('string_start'), '"');
}

/** A place that will be rewritten: one change. */
interface Site {
  /** The change id its edits (and the supporting edits it needs) share. */
  id: string;
  line: number;
  /** The environment variable the rewritten code reads. */
  env: string;
  /** The literal that goes away; copies of it elsewhere are redacted or reported. */
  literal: SecretLiteral;
  edits: Edit[];
}

/** A settings-field site before its `Field` name is known. */
interface PendingField {
  line: number;
  env: string;
  literal: SecretLiteral;
  /** The default that is replaced: the literal itself or a `SecretStr("…")` around it. */
  value: Node;
  fieldModule: string;
  /** Builds the replacement once the local name of `Field` is known. */
  render(field: string): string;
}

interface Module {
  file: SourceFile;
  root: Node;
  /** Nodes by type, shared with the other codemods reading the same tree. */
  index: TreeIndex;
  /** Scopes and bindings of the file (shared too), built on first use: most files never need it. */
  readonly model: SemanticModel;
  /** Whether the file has a `from os import …`: only then can a plain name be os's getenv or environ. */
  fromOs: boolean;
  /** Names declared `global` in some function: it may rebind them at module level. */
  globals: Set<string>;
  classes: Map<Node['id'], ClassKind>;
  /** Which layer of a layered configuration this module is, by its name. */
  layer: SettingsLayer;
  /** The quote new strings are written in. */
  quote: Quote;
}

/** Why a base settings layer keeps its values (see `settingsLayer`). */
const BASE_LAYER =
  'this module looks like a base or default settings layer that other settings modules override (settings/base.py, default_settings.py); a deployment may set the value there, under another name, and would fail here';

/** How the module scope binds `name`, in document order. */
function moduleBindings(m: Module, name: string): Binding[] {
  return m.model.module.bindings.get(name) ?? [];
}

/** The node a binding stands at, for lines in notes: the import statement, definition, or bound name. */
function bindingNode(b: Binding): Node {
  return b.kind === 'import' ? b.stmt : b.node;
}

/** Whether `name`, read at `at`, is the module-level name (no function, lambda, comprehension or class body around `at` binds it). */
function readsModuleName(m: Module, name: string, at: Node): boolean {
  const found = m.model.lookup(name, at);
  return found.kind !== 'bound' || found.scope === m.model.module;
}

const OS_MEMBERS: ReadonlySet<string> = new Set(['getenv', 'get', 'setdefault']);

/** What `expr` (`os.getenv`, `environ.get`) names inside the `os` module, read where it stands: `getenv`, `environ.get`; else null. */
function osMember(m: Module, expr: Node | null): string | null {
  if (!expr) return null;
  // Cheap first: only a name imported from os, or an attribute named like an os member, can be one.
  if (expr.type === 'identifier' ? !m.fromOs : !OS_MEMBERS.has(expr.childForFieldName('attribute')?.text ?? '')) return null;
  const resolved = m.model.resolve(expr);
  if (resolved.kind !== 'imported' || resolved.level !== 0 || resolved.module !== 'os') return null;
  return resolved.path.join('.');
}

function siteId(env: string, at: Node): string {
  return `${env}@${at.startIndex}`;
}

/** Edits putting `text` where `literal` stands, keeping the comments between its parts; `primary`: `text` is a call. */
function literalEdits(m: Module, literal: SecretLiteral, text: string, primary: boolean, id: string, description: string): Edit[] {
  return literalReplacement(m.file.text, literal, text, primary).map((r): Edit => ({ ...r, safety: 'review', change: id, description }));
}

function helperCall(m: Module, env: string, flag: string | null): string {
  const name = `${m.quote}${env}${m.quote}`;
  return flag ? `${HELPER}(${name}, ${flag})` : `${HELPER}(${name})`;
}

/**
 * A module-level boolean debug flag usable at `at`: bound (only) by
 * assignments of certainly-boolean expressions that are off when no
 * environment variable is set, at least one of them before `at`, and not
 * shadowed by an enclosing function or class body.
 */
function moduleFlag(m: Module, at: Node): string | null {
  const names = [...m.model.module.bindings.keys()].filter(isFlagName).sort();
  for (const want of FLAG_NAMES) {
    for (const name of names) {
      if (name.toUpperCase() !== want || m.globals.has(name)) continue;
      const list = moduleBindings(m, name);
      if (!list.every((b) => b.kind === 'assignment' && b.value !== null && isBooleanExpression(b.value) && offWithoutEnvironment(b.value, (fn) => isGetenv(m, fn)))) continue;
      if (!list.some((b) => bindingNode(b).startIndex < at.startIndex)) continue;
      if (!readsModuleName(m, name, at)) continue;
      return name;
    }
  }
  return null;
}

/** `bool` flag fields a settings class declares before `before` (all of them when null), in-file bases first. */
function boolFlagFields(cls: SettingsClass, before: Node | null): string[] {
  const found = cls.bases.flatMap((b) => boolFlagFields(b, null));
  const body = cls.node.childForFieldName('body');
  for (const stmt of body ? namedChildren(body) : []) {
    if (before && stmt.startIndex >= before.startIndex) break;
    const assign = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
    if (assign?.type !== 'assignment') continue;
    const name = assign.childForFieldName('left');
    if (name?.type === 'identifier' && isFlagName(name.text) && assign.childForFieldName('type')?.text === 'bool') found.push(name.text);
  }
  return found;
}

/**
 * A `bool` debug field pydantic validates before `field` (declared earlier in
 * the class or in one of its in-file bases), so the default factory can read
 * it from the validated data.
 */
function settingsFlag(m: Module, cls: SettingsClass, field: Node): string | null {
  const found = boolFlagFields(cls, field);
  for (const want of FLAG_NAMES) {
    const hit = found.find((n) => n.toUpperCase() === want);
    if (hit) return offByDefault(m, hit) ? hit : null;
  }
  return null;
}

/**
 * Whether every settings class of the file that declares the field `name`
 * gives it no default or one that is off without environment variables: a
 * field defaulting to True would make a production without DEBUG set use a
 * throwaway secret.
 */
function offByDefault(m: Module, name: string): boolean {
  for (const kind of m.classes.values()) {
    if (!kind || !('node' in kind)) continue;
    const body = kind.node.childForFieldName('body');
    for (const stmt of body ? namedChildren(body) : []) {
      const assign = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
      if (assign?.type !== 'assignment' || assign.childForFieldName('left')?.text !== name) continue;
      const value = assign.childForFieldName('right');
      if (value && !offWithoutEnvironment(value, (fn) => isGetenv(m, fn))) return false;
    }
  }
  return true;
}

/** Whether `name` is bound at module level only by `import <name>` (true), not at all (null), or otherwise (false). */
function boundToModule(m: Module, name: string): boolean | null {
  const list = moduleBindings(m, name);
  if (list.length === 0) return m.globals.has(name) ? false : null;
  return !m.globals.has(name) && list.every((b) => b.kind === 'import' && b.imported === null && b.level === 0 && b.module === name);
}

/** Whether the module's leading import block has `import <name>` (so it is bound before any code runs). */
function leadingImportOf(m: Module, name: string): boolean {
  return leadingImports(m.root).some(
    (stmt) => stmt.type === 'import_statement' && stmt.childrenForFieldName('name').some((n) => n?.type === 'dotted_name' && n.text.split('.')[0] === name),
  );
}

/**
 * True when `fn` is a call target reading an environment variable: `os.getenv`,
 * `os.environ.get`, `getenv` / `environ.get` imported from os, resolved where
 * the call stands (a function that binds `os` itself reads its own `os`).
 */
function isGetenv(m: Module, fn: Node | null): boolean {
  const member = osMember(m, fn);
  return member === 'getenv' || member === 'environ.get';
}

/** `os.environ.setdefault` (or `environ.setdefault` with environ imported from os). */
function isEnvironSetdefault(m: Module, fn: Node | null): boolean {
  return osMember(m, fn) === 'environ.setdefault';
}

/** Parents under which `a or b` can replace an expression without parentheses. */
const NO_PARENS = new Set([
  'assignment',
  'augmented_assignment',
  'keyword_argument',
  'argument_list',
  'return_statement',
  'parenthesized_expression',
  'pair',
  'list',
  'tuple',
  'set',
  'expression_list',
  'default_parameter',
  'typed_default_parameter',
  'conditional_expression',
  'lambda',
]);

function needsParens(node: Node): boolean {
  const parent = node.parent;
  if (!parent) return true;
  if (parent.type === 'boolean_operator') return parent.childForFieldName('operator')?.type !== 'or';
  return !NO_PARENS.has(parent.type);
}

function insideString(node: Node): boolean {
  for (let cur = node.parent; cur; cur = cur.parent) if (cur.type === 'string' || cur.type === 'interpolation') return true;
  return false;
}

interface Found {
  sites: Site[];
  fields: PendingField[];
  notes: Note[];
  /** Notes for things a test module would have had rewritten. */
  testNotes: Note[];
}

/** Why the literal fallback of a getenv call is left alone, or null. */
function fallbackRefusal(m: Module, env: string, literal: SecretLiteral | { problem: string }, call: Node): string | null {
  if ('problem' in literal) return `the fallback for ${env} ${literal.problem}; left alone`;
  if (insideString(call)) return `${env} is read inside an f-string; left alone`;
  if (m.layer === 'base') return `${env}: ${BASE_LAYER}; left alone`;
  const overridden = overriddenInSubclass(m, call);
  if (overridden) return `${env}: ${overridden}; left alone`;
  return null;
}

/**
 * For a value set in a class body (a Flask `Config`), another class of the
 * file that sets the same attribute: production may take its value from
 * there, and failing in the base class would break it.
 */
function overriddenInSubclass(m: Module, at: Node): string | null {
  let assign: Node | null = at;
  while (assign && assign.type !== 'assignment') assign = assign.parent;
  const stmt = assign?.parent;
  const cls = stmt?.type === 'expression_statement' && stmt.parent?.type === 'block' ? stmt.parent.parent : null;
  const name = assign?.childForFieldName('left');
  if (!cls || cls.type !== 'class_definition' || name?.type !== 'identifier') return null;
  for (const other of m.index.nodes('class_definition')) {
    if (other.id === cls.id) continue;
    const body = other.childForFieldName('body');
    const again = (body ? namedChildren(body) : []).find(
      (s) => s.type === 'expression_statement' && s.namedChild(0)?.type === 'assignment' && s.namedChild(0)?.childForFieldName('left')?.text === name.text,
    );
    if (again) return `${other.childForFieldName('name')?.text ?? 'another class'} sets ${name.text} again at line ${lineOf(again)}, so which value production uses is unclear`;
  }
  return null;
}

/** `SECRET_KEY = os.getenv("DJANGO_KEY", …)` (or `… or "literal"`): the variable's name is not secret-like, its target is. */
function assignedToSecret(call: Node): boolean {
  let holder = call.parent;
  let value: Node = call;
  if (holder?.type === 'boolean_operator' && holder.childForFieldName('operator')?.type === 'or' && holder.childForFieldName('left')?.id === call.id) {
    value = holder;
    holder = holder.parent;
  }
  if (holder?.type !== 'assignment' || holder.childForFieldName('right')?.id !== value.id) return false;
  const left = holder.childForFieldName('left');
  const label = left ? targetLabel(left) : null;
  return label !== null && isSecretName(label.name);
}

/** `os.getenv("NAME", "literal")` and `os.getenv("NAME") or "literal"`, anywhere (NAME secret-like, or assigned to a secret-like name). */
function findGetenvFallbacks(m: Module, found: Found): void {
  for (const call of m.index.nodes('call')) {
    if (isEnvironSetdefault(m, call.childForFieldName('function'))) {
      const [key, value] = namedChildren(call.childForFieldName('arguments') ?? call).filter((a) => a.type !== 'comment');
      const env = key ? stringValue(key) : null;
      const literal = isStringish(value ?? null) ? readLiteral(value!) : null;
      if (env !== null && isSecretName(env) && literal && !('parts' in literal && isEmptyLiteral(literal))) {
        found.notes.push({ line: lineOf(call), message: `os.environ.setdefault() gives ${env} a hardcoded value; left alone` });
      }
      continue;
    }
    if (!isGetenv(m, call.childForFieldName('function'))) continue;
    const argList = call.childForFieldName('arguments');
    const args = argList ? namedChildren(argList).filter((a) => a.type !== 'comment') : [];
    const nameArg = args[0];
    const env = nameArg ? stringValue(nameArg) : null;
    if (!argList || !nameArg || env === null || !(isSecretName(env) || assignedToSecret(call))) continue;
    const line = lineOf(call);
    const id = siteId(env, call);
    const description = `${env}: no hardcoded fallback when the variable is missing`;
    const testNote = { line, message: `test module: the fallback for ${env} is left alone (fixed secrets are expected in tests)` };

    if (args.length === 1) {
      const parent = call.parent;
      const right = parent?.type === 'boolean_operator' && parent.childForFieldName('left')?.id === call.id ? unparenthesized(parent.childForFieldName('right')) : null;
      if (parent?.childForFieldName('operator')?.type !== 'or' || !isStringish(right)) continue;
      const literal = readLiteral(right);
      // `os.getenv("X_CLIENT_SECRET") or ""`: an empty value means the feature is off, not a secret.
      if ('parts' in literal && isEmptyLiteral(literal)) continue;
      const refusal = fallbackRefusal(m, env, literal, call);
      if (refusal || !('parts' in literal)) {
        found.notes.push({ line, message: refusal! });
        continue;
      }
      found.sites.push({ id, line, env, literal, edits: literalEdits(m, literal, helperCall(m, env, moduleFlag(m, call)), true, id, description) });
      found.testNotes.push(testNote);
      continue;
    }

    const second = args[1];
    if (args.length !== 2 || !second) continue;
    let fallback: Node | null = second;
    if (second.type === 'keyword_argument') fallback = second.childForFieldName('name')?.text === 'default' ? second.childForFieldName('value') : null;
    fallback = unparenthesized(fallback);
    if (!fallback || fallback.type === 'none') continue;
    if (!isStringish(fallback)) {
      found.notes.push({ line, message: `the fallback for ${env} is not a literal; left alone` });
      continue;
    }
    const literal = readLiteral(fallback);
    // `os.environ.get("X_CLIENT_SECRET", "")`: an empty default means "feature off", not a secret to require.
    if ('parts' in literal && isEmptyLiteral(literal)) continue;
    const refusal = fallbackRefusal(m, env, literal, call);
    if (refusal || !('parts' in literal)) {
      found.notes.push({ line, message: refusal! });
      continue;
    }
    const removal = argumentRemoval(m.file.text, argList, nameArg, second);
    if (!removal) {
      found.notes.push({ line, message: `a comment sits inside the fallback for ${env}; left alone` });
      continue;
    }
    const parens = needsParens(call);
    const edit = (start: number, end: number, text: string): Edit => ({ start, end, text, safety: 'review', change: id, description });
    const edits: Edit[] = [];
    if (parens) edits.push(edit(call.startIndex, call.startIndex, '('));
    for (const r of removal) edits.push(edit(r.start, r.end, r.text));
    edits.push(edit(call.endIndex, call.endIndex, ` or ${helperCall(m, env, moduleFlag(m, call))}${parens ? ')' : ''}`));
    found.sites.push({ id, line, env, literal, edits });
    found.testNotes.push(testNote);
  }
}

/** The name an assignment target gives a value: `NAME`, `obj.NAME`, `obj["NAME"]`. */
function targetLabel(left: Node): { name: string; shown: string } | null {
  if (left.type === 'identifier') return { name: left.text, shown: left.text };
  if (left.type === 'attribute') {
    const attr = left.childForFieldName('attribute')?.text;
    return attr ? { name: attr, shown: left.text } : null;
  }
  if (left.type === 'subscript') {
    const key = left.childForFieldName('subscript');
    const name = key ? stringValue(key) : null;
    return name === null ? null : { name, shown: left.text };
  }
  return null;
}

/** Where an assignment statement stands: at module level, directly in a top-level class body, or elsewhere. */
function placeOf(m: Module, assign: Node): { kind: 'module' } | { kind: 'class'; cls: Node } | { kind: 'nested' } {
  const stmt = assign.parent;
  if (stmt?.type !== 'expression_statement') return { kind: 'nested' };
  if (stmt.parent?.type === 'module') return { kind: 'module' };
  const cls = stmt.parent?.type === 'block' ? stmt.parent.parent : null;
  if (cls?.type === 'class_definition' && m.classes.has(cls.id)) return { kind: 'class', cls };
  return { kind: 'nested' };
}

/** A string literal that is not empty: an empty one is a feature left off, not a secret. */
function holdsSecret(node: Node | null): boolean {
  if (!isStringish(node)) return false;
  const literal = readLiteral(node);
  return !('parts' in literal && isEmptyLiteral(literal));
}

/** The value a secret-like name is given: a string literal, maybe inside `SecretStr("…")`. */
interface SecretValue {
  literal: SecretLiteral | { problem: string };
  /** The `SecretStr(…)` call around the literal, when there is one. */
  wrapper: Node | null;
}

const SECRET_STR = /^(?:[A-Za-z_][\w.]*\.)?SecretStr$/;

/** `"literal"`, `"part-one-" "part-two"` or `SecretStr("literal")`; null for anything else. */
function secretValue(node: Node): SecretValue | null {
  if (node.type === 'string' || node.type === 'concatenated_string') return { literal: readLiteral(node), wrapper: null };
  if (node.type !== 'call' || !SECRET_STR.test(node.childForFieldName('function')?.text ?? '')) return null;
  const args = node.childForFieldName('arguments');
  const list = args?.type === 'argument_list' ? namedChildren(args).filter((a) => a.type !== 'comment') : [];
  const only = list.length === 1 ? unparenthesized(list[0]!) : null;
  return isStringish(only) ? { literal: readLiteral(only), wrapper: node } : null;
}

/** `from x import *` at module level after `at`: it may bind the name again (a local settings override). */
function laterStarImport(m: Module, at: Node): Node | null {
  const stars = m.index.nodes('wildcard_import').map((w) => m.index.parent(w)!);
  return stars.find((stmt) => stmt.startIndex > at.endIndex && !insideScope(stmt)) ?? null;
}

function insideScope(node: Node): boolean {
  for (let cur = node.parent; cur; cur = cur.parent) if (cur.type === 'function_definition' || cur.type === 'class_definition') return true;
  return false;
}

function moduleConstant(m: Module, assign: Node, left: Node, value: SecretValue, found: Found): void {
  const line = lineOf(assign);
  const { literal } = value;
  if ('problem' in literal) {
    found.notes.push({ line, message: `${left.text} ${literal.problem}; left alone` });
    return;
  }
  if (isEmptyLiteral(literal)) return;
  if (m.layer === 'base') {
    found.notes.push({ line, message: `${left.text}: ${BASE_LAYER}; left alone` });
    return;
  }
  // Another assignment may be how production sets it (`if ENV == "prod": SECRET_KEY = os.environ["PROD_KEY"]`).
  const declaresOnly = (n: Node): boolean => n.type === 'assignment' && !n.childForFieldName('right');
  const other = moduleBindings(m, left.text)
    .map(bindingNode)
    .find((n) => n.id !== left.id && !(n.parent && declaresOnly(n.parent)));
  if (other || m.globals.has(left.text)) {
    const where = other ? `line ${lineOf(other)}` : 'a global statement';
    found.notes.push({ line, message: `${left.text} is also assigned at ${where}; which value production uses is unclear, left alone` });
    return;
  }
  const star = laterStarImport(m, assign);
  if (star) {
    found.notes.push({ line, message: `${left.text}: \`${star.text.replace(/\s+/g, ' ')}\` on line ${lineOf(star)} may set it again (a local settings override); left alone` });
    return;
  }
  const env = left.text.toUpperCase();
  const id = siteId(env, assign);
  // Inside `SecretStr(…)` only the literal changes: the wrapper keeps its meaning.
  const text = `os.environ.get(${m.quote}${env}${m.quote}) or ${helperCall(m, env, moduleFlag(m, assign))}`;
  found.sites.push({ id, line, env, literal, edits: literalEdits(m, literal, text, false, id, `${left.text}: read from the environment instead of a hardcoded value`) });
  found.testNotes.push({ line, message: `test module: ${left.text} is left alone (fixed secrets are expected in tests)` });
}

function settingsField(m: Module, kind: ClassKind, clsNode: Node, assign: Node, left: Node, value: SecretValue, found: Found): void {
  const line = lineOf(assign);
  const clsName = clsNode.childForFieldName('name')?.text ?? '?';
  const { literal, wrapper } = value;
  if ('parts' in literal && isEmptyLiteral(literal)) return;
  if (!kind) {
    found.notes.push({ line, message: `${left.text} is a field of ${clsName}, which is not a pydantic BaseSettings class; left alone` });
    return;
  }
  if ('unsure' in kind) {
    found.notes.push({ line, message: `${left.text}: not sure ${clsName} is a pydantic settings class (${kind.unsure}); left alone` });
    return;
  }
  if ('problem' in literal) {
    found.notes.push({ line, message: `${left.text} ${literal.problem}; left alone` });
    return;
  }
  const annotation = assign.childForFieldName('type')?.text;
  if (!annotation) {
    found.notes.push({ line, message: `${left.text} has no type annotation; left alone` });
    return;
  }
  if (annotation !== 'str' && !SECRET_STR.test(annotation)) {
    found.notes.push({ line, message: `${left.text} is annotated \`${annotation}\` (only str and SecretStr are rewritten); left alone` });
    return;
  }
  if (wrapper && wrapper.childForFieldName('function')?.text !== annotation) {
    found.notes.push({ line, message: `${left.text} is annotated \`${annotation}\` but defaults to ${wrapper.childForFieldName('function')?.text}(); left alone` });
    return;
  }
  if (wrapper && hasComment(wrapper)) {
    found.notes.push({ line, message: `a comment sits inside the default of ${left.text}; left alone` });
    return;
  }
  const naming = envNaming(kind);
  if ('unsure' in naming) {
    found.notes.push({ line, message: `${left.text}: its environment variable name is unclear (${naming.unsure}); left alone` });
    return;
  }
  const raw = naming.prefix + left.text;
  const env = naming.caseSensitive === false ? raw.toUpperCase() : raw;
  const field = kind.version === 'v2' ? settingsFlag(m, kind, assign) : null;
  // A lambda in a class body does not see the class's names, only the module's.
  const call = field ? helperCall(m, env, `data[${m.quote}${field}${m.quote}]`) : helperCall(m, env, moduleFlag(m, clsNode));
  const made = annotation === 'str' ? call : `${annotation}(${call})`;
  const params = field ? 'lambda data' : 'lambda';
  found.fields.push({
    line,
    env,
    literal,
    value: wrapper ?? literal.node,
    fieldModule: kind.fieldModule,
    // An empty variable (SECRET_KEY= in a .env) must fail too, not sign with "". pydantic v1 cannot
    // enforce min_length on SecretStr (it refuses the class), so there only str gets it.
    render: (fieldName) => `${fieldName}(default_factory=${params}: ${made}${annotation === 'str' || kind.version === 'v2' ? ', min_length=1' : ''})`,
  });
  found.testNotes.push({ line, message: `test module: ${left.text} is left alone (fixed secrets are expected in tests)` });
}

/** Callees that only carry their argument as the value: `Field("x")`, `Field(default="x")`, `SecretStr(secret_value="x")`. */
const WRAPPERS = /^(?:[A-Za-z_][\w.]*\.)?(?:Field|SecretStr|SecretBytes|str)$/;

/** The callee name when `node` is such a wrapper around a non-empty string literal, else null. */
function wrappedLiteral(node: Node): string | null {
  const fn = node.type === 'call' ? node.childForFieldName('function') : null;
  if (!fn || !WRAPPERS.test(fn.text)) return null;
  const args = namedChildren(node.childForFieldName('arguments') ?? node).filter((a) => a.type !== 'comment');
  const value = args[0]?.type === 'keyword_argument' ? null : args[0];
  const keyword = args.find((a) => a.type === 'keyword_argument' && /^(?:default|secret_value)$/.test(a.childForFieldName('name')?.text ?? ''));
  const held = [value ?? null, keyword?.childForFieldName('value') ?? null].find(isStringish);
  if (!held) return null;
  // `Field(default="")`: an empty default is a feature left off, not a secret.
  const literal = readLiteral(held);
  return 'parts' in literal && isEmptyLiteral(literal) ? null : fn.text;
}

/** Assignments of string literals to secret-like names. */
function findAssignments(m: Module, found: Found): void {
  for (const assign of m.index.nodes('assignment')) {
    if (assign.parent?.type === 'assignment') continue;
    const left = assign.childForFieldName('left');
    let right = unparenthesized(assign.childForFieldName('right'));
    if (!left) continue;
    if (right?.type === 'assignment') {
      const targets = [left];
      while (right?.type === 'assignment') {
        const l = right.childForFieldName('left');
        if (l) targets.push(l);
        right = unparenthesized(right.childForFieldName('right'));
      }
      const secret = targets.map(targetLabel).find((t) => t && isSecretName(t.name));
      if (secret && holdsSecret(right)) found.notes.push({ line: lineOf(assign), message: `${secret.shown} is set in a chained assignment; left alone` });
      continue;
    }
    const value = right ? secretValue(right) : null;
    const wrapped = right && !value ? wrappedLiteral(right) : null;
    if (wrapped) {
      const label = targetLabel(left);
      if (label && isSecretName(label.name)) {
        found.notes.push({ line: lineOf(assign), message: `${label.shown} gets a hardcoded secret through ${wrapped}(); left alone` });
      }
      continue;
    }
    if (!value) continue;
    const label = targetLabel(left);
    if (!label || !isSecretName(label.name)) continue;
    if ('parts' in value.literal && isEmptyLiteral(value.literal)) continue;
    const line = lineOf(assign);
    if (left.type !== 'identifier') {
      found.notes.push({ line, message: `${label.shown} is set to a hardcoded secret; only module constants, settings fields and getenv fallbacks are rewritten, left alone` });
      continue;
    }
    const place = placeOf(m, assign);
    if (place.kind === 'module') moduleConstant(m, assign, left, value, found);
    else if (place.kind === 'class') settingsField(m, m.classes.get(place.cls.id) ?? null, place.cls, assign, left, value, found);
    else found.notes.push({ line, message: `${left.text} is set inside a function or block, not at module level; left alone` });
  }
}

/**
 * `f(secret_key="literal")`, `def f(secret_key="literal")`, `{"SECRET_KEY": "literal"}`, `SECRET_KEY, X = "a", "b"`:
 * reported, never rewritten (the owner of the call, function or dict decides where the value comes from).
 */
function findOtherHolders(m: Module, found: Found): void {
  for (const node of m.index.nodes('keyword_argument', 'default_parameter', 'typed_default_parameter', 'pair', 'pattern_list')) {
    const line = lineOf(node);
    if (node.type === 'keyword_argument') {
      const name = node.childForFieldName('name')?.text ?? '';
      if (node.parent?.parent?.type === 'call' && isSecretName(name) && holdsSecret(node.childForFieldName('value'))) {
        found.notes.push({ line, message: `${name}= is passed a hardcoded secret; left alone` });
      }
    } else if (node.type === 'pair') {
      const key = node.childForFieldName('key');
      const name = key ? stringValue(key) : null;
      if (key && name !== null && isSecretName(name) && holdsSecret(node.childForFieldName('value'))) {
        found.notes.push({ line, message: `${key.text} is set to a hardcoded secret in a dict literal; left alone` });
      }
    } else if (node.type === 'pattern_list') {
      const assign = node.parent;
      const names = namedChildren(node).filter((n) => n.type === 'identifier' && isSecretName(n.text));
      const right = assign?.type === 'assignment' && assign.childForFieldName('left')?.id === node.id ? assign.childForFieldName('right') : null;
      if (names[0] && right && namedChildren(right).some(holdsSecret)) {
        found.notes.push({ line, message: `${names[0].text} is set by tuple unpacking; left alone` });
      }
    } else {
      const name = node.childForFieldName('name')?.text ?? '';
      if (isSecretName(name) && holdsSecret(node.childForFieldName('value'))) {
        found.notes.push({ line, message: `the parameter ${name} defaults to a hardcoded secret; left alone` });
      }
    }
  }
}

type Resolved<T> = T | { unsure: string };

/** `from <module> import <name>` (under any local name). */
function isImportOf(b: Binding, module: string, name: string): boolean {
  return b.kind === 'import' && b.level === 0 && b.module === module && b.imported === name;
}

/** How `Field` from `module` will be named here, and the import it needs: a name joining a `from` import, or a new statement. */
function resolveField(m: Module, module: string): Resolved<{ name: string; edit: Edit | null; line: NewImport | null }> {
  const leading = leadingImports(m.root);
  const imported = fromImportsOf(leading, 'Field').find((i) => i.module === module);
  if (imported) return fieldIfUnique(m, imported.local, module);
  const other = moduleBindings(m, 'Field').some((b) => !isImportOf(b, module, 'Field'));
  if (other || m.globals.has('Field')) return { unsure: '`Field` is already bound to something else in this module' };
  const merge = mergeableFromImport(leading, module);
  if (merge) return { name: 'Field', line: null, edit: insertIntoFromImport(m.file, merge, 'Field', `import Field from ${module}`) };
  return { name: 'Field', edit: null, line: { module, name: 'Field' } };
}

function fieldIfUnique(m: Module, name: string, module: string): Resolved<{ name: string; edit: null; line: null }> {
  if (m.globals.has(name) || !moduleBindings(m, name).every((b) => isImportOf(b, module, 'Field'))) {
    return { unsure: `\`${name}\` is bound to more than one thing in this module` };
  }
  return { name, edit: null, line: null };
}

/** Whether the helper already exists (true), is free to add (false), or its name is taken (unsure). */
function helperState(m: Module): Resolved<boolean> {
  const list = moduleBindings(m, HELPER);
  if (list.length === 0) return m.globals.has(HELPER) ? { unsure: `\`${HELPER}\` is declared global somewhere` } : false;
  const def = bindingNode(list[0]!);
  const ours =
    list.length === 1 &&
    def.type === 'function_definition' &&
    (def.parent?.type === 'module' || def.parent?.parent?.type === 'module') &&
    def.childForFieldName('parameters')?.text === '(name, debug=None)' &&
    def.text.includes('secrets.token_urlsafe(32)');
  return ours ? true : { unsure: `this module already defines a different \`${HELPER}\`` };
}

/** Blank lines at `at` (a line start) in the original text. */
function blankLinesAt(text: string, at: number): number {
  let count = 0;
  let pos = at;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const line = text.slice(pos, nl === -1 ? text.length : nl).replace(/\r$/, '');
    if (line.trim() !== '' || nl === -1) break;
    count++;
    pos = nl + 1;
  }
  return count;
}

/** A comment that tools read (shebang, encoding declaration, `# type:`, `# noqa`, …): never edited, only reported. */
function isDirective(comment: Node): boolean {
  const row = comment.startPosition.row;
  if (row === 0 && comment.text.startsWith('#!')) return true;
  if (row <= 1 && /coding[:=]/.test(comment.text)) return true;
  return /^#\s*(?:type:|noqa|nosec|pragma\b|fmt:|pylint:|mypy:|pyright:|isort:|ruff:)/i.test(comment.text);
}

/**
 * The file must not keep the old secret, joined or by parts: copies of a
 * removed literal inside comments are redacted; copies anywhere else (code,
 * docstrings, comments tools read) are reported.
 */
function leftovers(m: Module, sites: readonly Site[]): { edits: Edit[]; notes: Note[] } {
  const text = m.file.text;
  const removed = sites.flatMap((s) => s.literal.parts.map((p) => [p.startIndex, p.endIndex] as const));
  const comments = m.index.nodes('comment');
  const ranges: { start: number; end: number; ids: string[]; env: string }[] = [];
  const notes: Note[] = [];
  const noted = new Set<number>();
  for (const site of sites) {
    for (const copy of literalCopies(site.literal)) {
      for (let at = text.indexOf(copy); at !== -1; at = text.indexOf(copy, at + 1)) {
        const end = at + copy.length;
        if (removed.some(([s, e]) => at < e && end > s)) continue;
        const comment = comments.find((c) => at >= c.startIndex && end <= c.endIndex);
        if (comment && !isDirective(comment)) {
          ranges.push({ start: at, end, ids: [site.id], env: site.env });
          continue;
        }
        const line = text.slice(0, at).split('\n').length;
        if (noted.has(line)) continue;
        noted.add(line);
        notes.push({ line, message: `the old value of ${site.env} also appears here; remove it by hand and rotate the secret` });
      }
    }
  }
  // Overlapping copies (a part inside the joined value, one secret inside another) become one redaction.
  ranges.sort((x, y) => x.start - y.start || y.end - x.end);
  const merged: typeof ranges = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r.start < last.end) {
      last.end = Math.max(last.end, r.end);
      last.ids = [...new Set([...last.ids, ...r.ids])];
      continue;
    }
    merged.push({ ...r });
  }
  const edits = merged.map(
    (r): Edit => ({ start: r.start, end: r.end, text: '<redacted>', safety: 'safe', supports: r.ids, description: `remove the old value of ${r.env} from a comment` }),
  );
  return { edits, notes };
}

function transform(ctx: PythonContext): TransformResult {
  const { file, root } = ctx;
  const index = TreeIndex.of(ctx.tree);
  const globals = new Set(index.nodes('global_statement').flatMap((stmt) => index.namedChildren(stmt).map((id) => id.text)));
  const fromOs = index.nodes('import_from_statement').some((stmt) => stmt.childForFieldName('module_name')?.text === 'os');
  let model: SemanticModel | null = null;
  const semantic = (): SemanticModel => (model ??= SemanticModel.of(ctx.tree));
  const m: Module = {
    file,
    root,
    index,
    get model() {
      return semantic();
    },
    fromOs,
    globals,
    // Without `BaseSettings` in the text no class of the file can be a settings class: nothing to resolve.
    classes: classifyClasses(root, file.text.includes('BaseSettings') ? semantic : null),
    layer: settingsLayer(file.path),
    quote: fileQuote(index),
  };

  const found: Found = { sites: [], fields: [], notes: [], testNotes: [] };
  findAssignments(m, found);
  findGetenvFallbacks(m, found);
  findOtherHolders(m, found);
  const byLine = (a: Note, b: Note): number => a.line - b.line;

  // Test paths never get here (their role is `tests`); a module importing pytest or unittest is one too.
  if (importsTestFramework(root)) return { edits: [], notes: found.testNotes.sort(byLine) };

  const notes = found.notes;
  const sites = [...found.sites];
  const imports: NewImport[] = [];
  const edits: Edit[] = [];

  // Settings fields need `Field`; they are dropped (with a note) when it cannot be named safely.
  const modules = [...new Set(found.fields.map((f) => f.fieldModule))];
  const field = modules.length === 1 ? resolveField(m, modules[0]!) : null;
  const fieldIds: string[] = [];
  for (const f of found.fields) {
    if (!field || 'unsure' in field) {
      const why = field ? field.unsure : 'this module mixes pydantic 1 and 2 settings';
      notes.push({ line: f.line, message: `${f.env}: ${why}; left alone` });
      continue;
    }
    const id = siteId(f.env, f.value);
    const description = `${f.env}: settings field read from the environment, no hardcoded default`;
    const text = f.render(field.name);
    const fieldEdits: Edit[] =
      f.value.id === f.literal.node.id
        ? literalEdits(m, f.literal, text, true, id, description)
        : [{ start: f.value.startIndex, end: f.value.endIndex, text, safety: 'review', change: id, description }];
    sites.push({ id, line: f.line, env: f.env, literal: f.literal, edits: fieldEdits });
    fieldIds.push(id);
  }
  const fieldReady = field && !('unsure' in field) && fieldIds.length > 0 ? field : null;
  if (fieldReady?.edit) edits.push({ ...fieldReady.edit, supports: fieldIds });
  if (sites.length === 0) return { edits: [], notes: notes.sort(byLine) };

  const helper = helperState(m);
  const conflicts: string[] = [];
  if (typeof helper === 'object') conflicts.push(helper.unsure);
  for (const name of ['os', 'secrets']) {
    const state = boundToModule(m, name);
    if (state === false) conflicts.push(`\`${name}\` is bound to something other than the ${name} module`);
    else if (state === null || !leadingImportOf(m, name)) imports.push({ module: name });
  }
  const helperAt = importInsertionPoint(root, file.text);
  if (sites.some((s) => s.edits.some((e) => e.start < helperAt))) conflicts.push('a secret is set before the module imports end');
  if (conflicts.length > 0) {
    const reason = conflicts.join('; ');
    for (const s of sites) notes.push({ line: s.line, message: `${s.env}: ${reason}; left alone` });
    return { edits: [], notes: notes.sort(byLine) };
  }

  for (const s of sites) edits.push(...s.edits);
  const ids = sites.map((s) => s.id);
  // New imports go where an import sorter would put them; the helper follows the import block.
  if (fieldReady?.line) imports.push(fieldReady.line);
  const importEdits = addImports(file, root, ctx.project.importStyle(file.path), imports, `import ${imports.map((i) => i.name ?? i.module).join(', ')}`);
  edits.push(...importEdits.map((e) => ({ ...e, supports: ids })));
  if (helper === false) {
    const lead = importEdits.some((e) => e.start === helperAt) || helperAt > 0 ? ['', ''] : [];
    const trail = Array<string>(Math.max(0, 2 - blankLinesAt(file.text, helperAt))).fill('');
    edits.push({ ...insertLines(file, helperAt, [...lead, ...helperLines(m.quote), ...trail], `add ${HELPER}()`), supports: ids });
  }
  const rest = leftovers(m, sites);
  edits.push(...rest.edits);
  notes.push(...rest.notes);
  return { edits, notes: notes.sort(byLine) };
}

/** For a finding at a line with nothing of the shapes this codemod moves. */
const UNMATCHED =
  'moves only non-empty literals given to secret-like names (SECRET_KEY, *_SECRET, *_SIGNING_KEY) or used as the fallback of such a variable; passwords, tokens and comparisons with a literal are left to a person';

export const codemod = defineCodemod({
  meta: {
    id: 'python/secret-from-env',
    version: '1.0.0',
    title: 'Read hardcoded secrets from the environment',
    language: 'python',
    extensions: ['.py'],
    phrase: 'hardcoded secrets read from the environment',
    summary:
      'Replaces hardcoded secret keys (module constants, pydantic settings defaults, getenv fallbacks) with the environment variable, a throwaway value in debug mode, or a start-up error naming the variable.',
    fixes: [
      { tool: 'bandit', ruleId: 'B105', unmatched: UNMATCHED },
      { tool: 'ruff', ruleId: 'S105', unmatched: UNMATCHED },
      { tool: 'codeql', ruleId: 'py/hardcoded-credentials', unmatched: UNMATCHED },
      { tool: 'bandit', ruleId: 'B106', note: 'a secret passed as a keyword argument is reported, not rewritten' },
      { tool: 'bandit', ruleId: 'B107', note: 'a secret as a function default is reported, not rewritten' },
      { tool: 'ruff', ruleId: 'S106', note: 'a secret passed as a keyword argument is reported, not rewritten' },
      { tool: 'ruff', ruleId: 'S107', note: 'a secret as a function default is reported, not rewritten' },
      { tool: 'semgrep', ruleId: 'hardcoded-secret-key' },
      { tool: 'semgrep', ruleId: 'avoid_hardcoded_config_SECRET_KEY' },
      { tool: 'semgrep', ruleId: 'django-secret-key*' },
    ],
    keywords: [
      {
        id: 'hardcoded-secret-key',
        says: '"hardcoded SECRET_KEY", "hardcoded secret(s)", "hardcoded JWT secret", "SECRET_KEY … environment"',
        pattern: /\bhard-?coded\s+(?:`?[A-Z_]*SECRET[A-Z_]*`?|secrets?|JWT secret)|\bSECRET_KEY\b.*\b(?:hard-?coded|environment)/i,
      },
    ],
    safety: 'review',
    security: true,
    rollback:
      'Prefer rolling forward: set the variable the error names. To undo, revert the commit (git revert <sha>); do not put the old value back anywhere: it is in the repository history, so rotate the secret (sessions and tokens signed with it stop working) and give the reverted code the new value through the environment.',
    prerequisites: [
      'Set each rewritten secret (SECRET_KEY, JWT_SECRET, … as named in the change) in every environment (production, staging, CI) before merging; without it the app refuses to start.',
      'Settings classes with a bool DEBUG field before the secret need pydantic 2.10 or newer (the default factory reads the validated DEBUG).',
    ],
    references: [
      'https://docs.python.org/3/library/secrets.html#secrets.token_urlsafe',
      'https://docs.python.org/3/library/os.html#os.getenv',
      'https://docs.pydantic.dev/latest/concepts/fields/#default-values',
      'https://docs.pydantic.dev/latest/concepts/pydantic_settings/',
      'https://bandit.readthedocs.io/en/latest/plugins/b105_hardcoded_password_string.html',
      'https://docs.astral.sh/ruff/rules/hardcoded-password-string/',
      'https://codeql.github.com/codeql-query-help/python/py-hardcoded-credentials/',
      'https://cwe.mitre.org/data/definitions/798.html',
    ],
  },
  prefilter(text: string): boolean {
    return /secret|signing_key/i.test(text);
  },
  transform,
});
