import type { Node } from 'web-tree-sitter';
import { defineCodemod } from '../../api.js';
import type { Edit, Note, PythonContext, SourceFile, TransformResult } from '../../api.js';
import {
  fromImportsOf,
  importInsertionPoint,
  importsOf,
  insertIntoFromImport,
  leadingImports,
  mergeableFromImport,
  topLevelImports,
} from '../lib/imports.js';
import { stringDelimiters, stringValue } from '../lib/strings.js';
import { SemanticModel } from '../lib/semantic.js';
import { insertLines, lineEndAfterBreak, lineOf, lineStart, namedChildren, startsLine, unparenthesized } from '../lib/syntax.js';
import { planHoist, type Hoist } from './hoist.js';
import { bindingNode, bindingsAt, identifiersNamed, isImportOf, onlyImportedFrom, resolveCallee, starImportAfter, where } from './names.js';
import { classifyUrl, shortText } from './urls.js';

/** The one connect_args key that only sqlite3 understands (see README for why `timeout`/`uri` are not here). */
const KEY = 'check_same_thread';

/** Where SQLAlchemy's engine factories may be imported from. */
const FACTORIES: Readonly<Record<string, ReadonlySet<string>>> = {
  create_engine: new Set(['sqlalchemy', 'sqlalchemy.engine', 'sqlalchemy.engine.create', 'sqlmodel']),
  create_async_engine: new Set(['sqlalchemy.ext.asyncio', 'sqlalchemy.ext.asyncio.engine']),
};

/** Where `engine_from_config`, whose URL sits in a mapping, may be imported from. */
const CONFIG_FACTORY_MODULES: ReadonlySet<string> = new Set(['sqlalchemy', 'sqlalchemy.engine', 'sqlalchemy.engine.create']);

const MAKE_URL_MODULES: ReadonlySet<string> = new Set(['sqlalchemy', 'sqlalchemy.engine', 'sqlalchemy.engine.url']);
const MAKE_URL_IMPORT = 'from sqlalchemy.engine import make_url';

const SCOPES = ['function_definition', 'lambda', 'class_definition'];
const GUARDS = ['if_statement', 'elif_clause', 'while_statement', 'conditional_expression'];

/** Where check_same_thread sits inside the connect_args value. */
type Target =
  /** The whole value is `{"check_same_thread": …}` or `dict(check_same_thread=…)`: guard the value. */
  | { kind: 'whole'; value: Node; quote: string }
  /** One entry among others: guard only that entry, in place, as a `**(… if … else {})` splat. */
  | { kind: 'entry'; entry: Node; entryText: string; quote: string };

interface Site {
  /** The change id shared by the guard and, when the URL is hoisted, the new line and the URL's replacement. */
  id: string;
  call: Node;
  line: number;
  target: Target;
  /** What the guard reads: the URL as written (a name or attribute chain), or the hoisted variable. */
  url: string;
  /** A computed URL moves into a variable first; `urlNode` is replaced by its name. */
  hoist?: { plan: Hoist; urlNode: Node };
}

function keyword(args: Node, name: string): Node | null {
  return namedChildren(args).find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) ?? null;
}

function calleeName(fn: Node): string | null {
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'attribute') return fn.childForFieldName('attribute')?.text ?? null;
  return null;
}

function quoteOf(str: Node): string {
  return stringDelimiters(str)?.quote.startsWith("'") ? "'" : '"';
}

type TargetResult = { kind: 'target'; target: Target } | { kind: 'none' } | { kind: 'opaque' } | { kind: 'note'; message: string };

/** Finds check_same_thread in a literal `{…}` or `dict(…)` connect_args value. */
function findTarget(model: SemanticModel, written: Node): TargetResult {
  const value = unparenthesized(written);
  if (value.type === 'dictionary') {
    const entries = namedChildren(value).filter((c) => c.type !== 'comment');
    const hits = entries.filter((e) => e.type === 'pair' && stringValue(e.childForFieldName('key')!) === KEY);
    if (hits.length === 0) return { kind: 'none' };
    if (hits.length > 1) return { kind: 'note', message: `connect_args lists ${KEY} more than once` };
    const pair = hits[0]!;
    const quote = quoteOf(pair.childForFieldName('key')!);
    if (entries.length === 1) return { kind: 'target', target: { kind: 'whole', value: written, quote } };
    return { kind: 'target', target: { kind: 'entry', entry: pair, entryText: pair.text, quote } };
  }
  if (value.type === 'call' && value.childForFieldName('function')?.text === 'dict') {
    const args = value.childForFieldName('arguments');
    if (args?.type !== 'argument_list') return { kind: 'opaque' };
    const hit = keyword(args, KEY);
    if (!hit) return { kind: 'none' };
    const dict = bindingsAt(model, 'dict', value).scope;
    if (dict) return { kind: 'note', message: `\`dict\` is redefined ${where(dict)}` };
    const entries = namedChildren(args).filter((c) => c.type !== 'comment');
    const quote = '"';
    if (entries.length === 1) return { kind: 'target', target: { kind: 'whole', value: written, quote } };
    const entryText = `${quote}${KEY}${quote}: ${hit.childForFieldName('value')!.text}`;
    return { kind: 'target', target: { kind: 'entry', entry: hit, entryText, quote } };
  }
  if (value.type === 'conditional_expression') return { kind: 'none' };
  if (value.type === 'identifier') return constantTarget(model, value);
  return { kind: 'opaque' };
}

/** Whether identifier `id` is the value of a `connect_args=` keyword argument. */
function passedAsConnectArgs(id: Node): boolean {
  const kw = id.parent;
  return kw?.type === 'keyword_argument' && kw.childForFieldName('name')?.text === 'connect_args' && kw.childForFieldName('value')?.id === id.id;
}

/**
 * `connect_args=CONNECT_ARGS` with `CONNECT_ARGS = {"check_same_thread": False}`
 * (the SQLModel tutorial's shape): a module constant bound once, to a literal
 * holding only check_same_thread, and used nowhere but as connect_args, is
 * guarded where it is passed, like the literal itself.
 */
function constantTarget(model: SemanticModel, name: Node): TargetResult {
  const { scope, bindings } = bindingsAt(model, name.text, name);
  const only = scope === model.module && bindings.length === 1 && bindings[0]!.kind === 'assignment' ? bindings[0]!.node : null;
  const assign = only?.parent?.type === 'assignment' && only.parent.childForFieldName('left')?.id === only.id ? only.parent : null;
  const atModule = assign?.parent?.type === 'expression_statement' && assign.parent.parent?.type === 'module';
  const right = atModule ? assign!.childForFieldName('right') : null;
  if (!only || !right) return { kind: 'opaque' };
  const inner = findTarget(model, right);
  if (inner.kind === 'none' || inner.kind === 'note') return inner;
  if (inner.kind !== 'target') return { kind: 'opaque' };
  if (inner.target.kind === 'entry') {
    return { kind: 'note', message: `connect_args is \`${name.text}\` (line ${lineOf(only)}), which holds other entries too; make ${KEY} sqlite-only where it is defined` };
  }
  // Other reads of the same module constant (a function's own variable of that name is another variable).
  const other = identifiersNamed(model, name.text).find((id) => id.id !== only.id && !passedAsConnectArgs(id) && bindingsAt(model, name.text, id).scope === model.module);
  if (other) {
    return { kind: 'note', message: `connect_args is \`${name.text}\` (line ${lineOf(only)}), which line ${lineOf(other)} also uses; a guard where it is passed would not cover that use` };
  }
  return { kind: 'target', target: { kind: 'whole', value: name, quote: inner.target.quote } };
}

function mentionsSqlite(node: Node | null): boolean {
  return node !== null && /sqlite/i.test(node.text);
}

function conditionOf(node: Node): Node | null {
  if (node.type === 'conditional_expression') return node.namedChild(1);
  return node.childForFieldName('condition');
}

function contains(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** True when the call sits inside an `if`/`while`/`… if … else …` whose condition is about sqlite. */
function guardedBySqliteCondition(call: Node): boolean {
  for (let a = call.parent; a; a = a.parent) {
    if (!GUARDS.includes(a.type)) continue;
    const condition = conditionOf(a);
    if (condition && mentionsSqlite(condition) && !contains(condition, call)) return true;
  }
  return false;
}

function scopeOf(node: Node): Node {
  let a = node.parent;
  while (a && !SCOPES.includes(a.type)) a = a.parent;
  return a ?? node.tree.rootNode;
}

/** The first condition mentioning sqlite that runs before the call in the same scope (an early-return guard, a flag), or null. */
function earlierSqliteCondition(model: SemanticModel, call: Node): Node | null {
  const scope = scopeOf(call);
  let found: Node | null = null;
  for (const guard of model.within(scope, ...GUARDS)) {
    if (guard.startIndex >= call.startIndex) break;
    // Guards of nested functions, lambdas and classes run at another time.
    if (scopeOf(guard).id !== scope.id) continue;
    const condition = conditionOf(guard);
    if (condition && mentionsSqlite(condition) && condition.endIndex <= call.startIndex) {
      if (!found || condition.startIndex < found.startIndex) found = condition;
    }
  }
  return found;
}

/** The URL argument: first positional argument or `url=`. */
function urlArgument(args: Node): { node: Node } | { problem: string } {
  for (const a of namedChildren(args)) {
    if (a.type === 'comment') continue;
    if (a.type === 'list_splat') return { problem: 'the URL is passed through *args' };
    if (a.type === 'keyword_argument' || a.type === 'dictionary_splat') break;
    return { node: a };
  }
  const url = keyword(args, 'url');
  if (url) return { node: url.childForFieldName('value')! };
  return { problem: 'the call has no visible URL argument' };
}

/**
 * Whether a callee is an engine factory this codemod handles (`create_engine`,
 * also under an alias), `engine_from_config` (URL out of sight), or neither.
 * A callee spelled like a factory counts as one here: planCall reports where it really comes from.
 */
function engineFactory(model: SemanticModel, fn: Node): 'url' | 'config' | null {
  const name = calleeName(fn);
  if (!name) return null;
  if (name in FACTORIES) return 'url';
  const aliased = fn.type === 'identifier' || name === 'engine_from_config' ? resolveCallee(model, fn) : null;
  if (!aliased?.ok) return null;
  if (aliased.name === 'engine_from_config' && CONFIG_FACTORY_MODULES.has(aliased.module)) return 'config';
  return FACTORIES[aliased.name]?.has(aliased.module) ? 'url' : null;
}

/** The string key of a dict pair, when it is a plain literal. */
function pairKey(pair: Node): string | null {
  const key = pair.childForFieldName('key');
  return key ? stringValue(key) : null;
}

/**
 * How a literal holding check_same_thread reaches an engine other than as
 * `create_engine(…, connect_args=<it>)`: through a wrapper call's
 * `connect_args=`, or as the `"connect_args"` entry of a kwargs mapping.
 * Null when it is not recognisably connect_args or an engine call handles it.
 */
function indirectConnectArgs(model: SemanticModel, holder: Node): string | null {
  let value = holder;
  while (value.parent?.type === 'parenthesized_expression') value = value.parent;
  const parent = value.parent;
  if (!parent) return null;
  if (parent.type === 'keyword_argument' && parent.childForFieldName('name')?.text === 'connect_args') {
    const call = parent.parent?.parent;
    const fn = call?.type === 'call' ? call.childForFieldName('function') : null;
    if (!fn) return null;
    if (fn.text === 'dict') return 'as the connect_args entry of a dict(...) of engine options';
    return engineFactory(model, fn) ? null : `through ${fn.text}(..., connect_args=...), which is not SQLAlchemy's create_engine`;
  }
  if (parent.type === 'pair' && parent.childForFieldName('value')?.id === value.id && pairKey(parent) === 'connect_args') {
    return 'as the "connect_args" entry of a mapping of engine options';
  }
  if (parent.type === 'assignment' && parent.childForFieldName('right')?.id === value.id) {
    const left = parent.childForFieldName('left');
    const index = left?.type === 'subscript' ? left.childForFieldName('subscript') : null;
    if (index && stringValue(index) === 'connect_args') return `through ${left!.text}`;
  }
  return null;
}

/** Notes for check_same_thread literals that reach an engine indirectly (see indirectConnectArgs). */
function indirectNotes(model: SemanticModel): Note[] {
  const holders = [
    ...model.nodes('pair').filter((p) => pairKey(p) === KEY).map((p) => p.parent),
    ...model.nodes('keyword_argument')
      .filter((k) => k.childForFieldName('name')?.text === KEY && k.parent?.parent?.childForFieldName('function')?.text === 'dict')
      .map((k) => k.parent?.parent ?? null),
  ];
  const notes: Note[] = [];
  for (const holder of holders) {
    if (!holder || guardedBySqliteCondition(holder) || earlierSqliteCondition(model, holder)) continue;
    // Already conditional, like an engine call's `{…} if LOCAL else {}`.
    if (holder.parent?.type === 'conditional_expression') continue;
    const how = indirectConnectArgs(model, holder);
    if (how) notes.push({ line: lineOf(holder), message: `left alone: ${KEY} reaches the engine ${how}; make it sqlite-only by hand if the URL can be another database` });
  }
  return notes;
}

type Plan = { kind: 'site'; site: Site } | { kind: 'note'; note: Note } | { kind: 'skip' };

function note(line: number, message: string): Plan {
  return { kind: 'note', note: { line, message } };
}

function planCall(model: SemanticModel, file: SourceFile, call: Node, taken: Map<number, Set<string>>): Plan {
  const fn = call.childForFieldName('function');
  const args = call.childForFieldName('arguments');
  const name = fn ? calleeName(fn) : null;
  if (!fn || !name || args?.type !== 'argument_list') return { kind: 'skip' };
  const kw = keyword(args, 'connect_args');
  const written = kw?.childForFieldName('value');
  if (!kw || !written) return { kind: 'skip' };
  const line = lineOf(kw);

  const found = findTarget(model, written);
  // Nothing sqlite-only to guard, or the value is already a conditional expression.
  if (found.kind === 'none') return { kind: 'skip' };
  if (guardedBySqliteCondition(call)) return { kind: 'skip' };
  const factory = engineFactory(model, fn);
  if (factory === null) return { kind: 'skip' };
  if (factory === 'config') {
    return note(line, `left alone: ${fn.text}() reads the URL from its configuration mapping, which this codemod cannot see; guard ${KEY} by hand`);
  }
  const repeated = namedChildren(args).filter((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'connect_args');
  if (repeated.length > 1) return note(line, `left alone: connect_args is given ${repeated.length} times (Python rejects a repeated keyword argument)`);

  const callee = resolveCallee(model, fn);
  if (!callee.ok) return note(line, `left alone: ${name}() is not known to be SQLAlchemy's (${callee.reason})`);
  if (!FACTORIES[callee.name]?.has(callee.module)) {
    return note(line, `left alone: ${fn.text}() comes from \`${callee.module}\`, not from SQLAlchemy`);
  }

  const urlArg = urlArgument(args);
  const url = 'node' in urlArg ? classifyUrl(model, urlArg.node) : null;
  if (url?.kind === 'literal' && url.drivername.startsWith('sqlite')) return { kind: 'skip' };

  const earlier = earlierSqliteCondition(model, call);
  if (found.kind === 'opaque') {
    if (earlier) return { kind: 'skip' };
    return note(line, `left alone: connect_args is not a literal dict, so it cannot be seen whether it holds ${KEY}`);
  }
  if (found.kind === 'note') return note(line, `left alone: ${found.message}`);
  if (earlier) {
    return note(line, `left alone: the condition on line ${lineOf(earlier)} already mentions sqlite; ${KEY} may already be sqlite-only here`);
  }
  if ('problem' in urlArg) return note(line, `left alone: ${urlArg.problem}`);
  if (url!.kind === 'literal') {
    const via = url!.via ? `, from the constant \`${url!.via}\`` : '';
    return note(line, `left alone: literal non-sqlite URL (driver \`${url!.drivername}\`${via}); ${KEY} is always wrong there: remove it by hand`);
  }
  if (url!.kind === 'invalid') return note(line, `left alone: ${url!.reason}`);
  const id = `sqlite@${call.startIndex}`;
  if (url!.kind === 'complex') {
    // `create_engine(os.environ["DATABASE_URL"], …)`: read the URL once, into a variable, then guard on it.
    const hoist = planHoist(file, model, urlArg.node, taken);
    if (hoist.kind === 'refuse') return note(line, `left alone: the URL \`${shortText(urlArg.node)}\` is computed, so the guard needs it in a variable, and it cannot move to a line of its own: ${hoist.reason}`);
    return { kind: 'site', site: { id, call, line, target: found.target, url: hoist.hoist.name, hoist: { plan: hoist.hoist, urlNode: urlArg.node } } };
  }
  return { kind: 'site', site: { id, call, line, target: found.target, url: url!.text } };
}

function insideScope(node: Node): boolean {
  return scopeOf(node).type !== 'module';
}

/** A local name already bound to SQLAlchemy's make_url by a top-level import, with that import. */
function existingMakeUrl(model: SemanticModel): { name: string; stmt: Node } | null {
  for (const { stmt, module, local } of fromImportsOf(topLevelImports(model.root), 'make_url')) {
    if (MAKE_URL_MODULES.has(module) && onlyImportedFrom(model, local, MAKE_URL_MODULES, 'make_url')) return { name: local, stmt };
  }
  return null;
}

/** Why `make_url` cannot be added as a new import here, or null when it can. */
function makeUrlConflict(model: SemanticModel): string | null {
  const bindings = model.module.bindings.get('make_url') ?? [];
  const foreign = bindings.find((b) => !isImportOf(b, MAKE_URL_MODULES, 'make_url'));
  if (foreign) return `\`make_url\` already names something else in this file (line ${lineOf(bindingNode(foreign))})`;
  // Reads no scope binds: a function's own `make_url` is judged where the guard would go (localConflict).
  const uses = identifiersNamed(model, 'make_url').filter((id) => bindingsAt(model, 'make_url', id).scope === null);
  if (bindings.length === 0 && uses.length > 0) {
    return `\`make_url\` is used on line ${lineOf(uses[0]!)} without an import from SQLAlchemy (a star import?)`;
  }
  return null;
}

/** A star import after `at` that may rebind make_url, as a reason, or null. */
function laterStarImport(model: SemanticModel, at: number): string | null {
  const star = starImportAfter(model, at);
  return star ? `\`${star.text.replace(/\s+/g, ' ')}\` on line ${lineOf(star)} may rebind make_url` : null;
}

function importedModule(stmt: Node): string {
  return importsOf(stmt)[0]?.module ?? '';
}

/** SQLAlchemy and SQLModel imports: the neighbours the new import is sorted among. */
function isSqlalchemyImport(stmt: Node): boolean {
  const module = importedModule(stmt);
  return ['sqlalchemy', 'sqlmodel'].some((top) => module === top || module.startsWith(`${top}.`));
}

/**
 * Where the new import line goes: among the file's sqlalchemy imports, in
 * the place an import sorter would put `sqlalchemy.engine`; with none, after
 * the leading imports.
 */
function importPoint(root: Node, text: string): number {
  const own = leadingImports(root).filter(isSqlalchemyImport);
  if (own.length === 0) return importInsertionPoint(root, text);
  const before = own.filter((s) => importedModule(s) <= 'sqlalchemy.engine');
  if (before.length > 0) return lineEndAfterBreak(text, before.at(-1)!.endIndex);
  const first = own[0]!;
  const above = first.previousNamedSibling;
  // A comment right above the first sqlalchemy import belongs to it: do not wedge the new line between them.
  const commented = above?.type === 'comment' && above.endPosition.row === first.startPosition.row - 1;
  if (startsLine(text, first.startIndex) && !commented) return lineStart(text, first.startIndex);
  return lineEndAfterBreak(text, own.at(-1)!.endIndex);
}

function importEdit(ctx: PythonContext): Edit {
  const { root, file } = ctx;
  const description = 'import make_url from sqlalchemy.engine';
  const host = mergeableFromImport(leadingImports(root), 'sqlalchemy.engine');
  if (host) return insertIntoFromImport(file, host, 'make_url', description);
  const at = importPoint(root, file.text);
  // Anchored to the end of the line above, so a hoisted URL line inserted where the next statement starts always follows it.
  const breakBefore = file.text.endsWith('\r\n', at) ? 2 : file.text.endsWith('\n', at) ? 1 : 0;
  if (breakBefore === 0) return insertLines(file, at, [MAKE_URL_IMPORT], description);
  const end = at - breakBefore;
  return { start: end, end, text: `${file.text.slice(end, at)}${MAKE_URL_IMPORT}`, safety: 'safe', description };
}

/**
 * The edits of one site: the guard and, for a computed URL, the new line
 * reading it once and the URL's replacement by that variable. All `safe`:
 * for a sqlite URL the driver gets the very same arguments, for any other
 * it stops getting one it rejects, and a hoisted URL is evaluated once, at
 * the same point of the statement's evaluation.
 */
function siteEdits(file: SourceFile, site: Site, makeUrl: string): Edit[] {
  const { target, url, id } = site;
  const q = target.quote;
  const condition = `${makeUrl}(${url}).drivername.startswith(${q}sqlite${q})`;
  const description = `pass ${KEY} only when the URL is sqlite`;
  const edit = (start: number, end: number, text: string, what = description): Edit => ({ start, end, text, safety: 'safe', change: id, description: what });
  const edits =
    target.kind === 'whole'
      ? [edit(target.value.startIndex, target.value.endIndex, `${target.value.text} if ${condition} else {}`)]
      : [edit(target.entry.startIndex, target.entry.endIndex, `**({${target.entryText}} if ${condition} else {})`)];
  if (site.hoist) {
    const { plan, urlNode } = site.hoist;
    const what = `read the computed URL once, into ${plan.name}`;
    const at = lineStart(file.text, plan.statement.startIndex);
    edits.push({ ...insertLines(file, at, [`${plan.indent}${plan.name} = ${plan.value}`], what), change: id });
    edits.push(edit(urlNode.startIndex, urlNode.endIndex, plan.name, what));
  }
  return edits;
}

/** Why the guard cannot call the module's `name` at the site: the function (or class body) around it binds that name itself. */
function localConflict(model: SemanticModel, name: string, site: Site): string | null {
  const { scope, bindings } = bindingsAt(model, name, site.call);
  if (!scope || scope === model.module) return null;
  return `\`${name}\` is bound ${where(scope)} (line ${lineOf(bindingNode(bindings[0]!))}), so the guard could not call SQLAlchemy's make_url there`;
}

function transform(ctx: PythonContext): TransformResult {
  if (!ctx.file.text.includes(KEY)) return { edits: [], notes: [] };
  const model = SemanticModel.of(ctx.tree);
  const notes: Note[] = indirectNotes(model);
  const sites: Site[] = [];
  const taken = new Map<number, Set<string>>();
  for (const call of model.nodes('call')) {
    const plan = planCall(model, ctx.file, call, taken);
    if (plan.kind === 'note') notes.push(plan.note);
    if (plan.kind === 'site') sites.push(plan.site);
  }
  if (sites.length === 0) return { edits: [], notes: notes.sort((a, b) => a.line - b.line) };

  const existing = existingMakeUrl(model);
  const importAt = existing ? existing.stmt.startIndex : importEdit(ctx).start;
  const conflict = existing ? laterStarImport(model, importAt) : (makeUrlConflict(model) ?? laterStarImport(model, importAt));
  const ready: Site[] = [];
  for (const site of sites) {
    const local = conflict ?? localConflict(model, existing?.name ?? 'make_url', site);
    if (local) notes.push({ line: site.line, message: `left alone: ${local}` });
    else if (existing && existing.stmt.startIndex > site.call.startIndex && !insideScope(site.call)) {
      notes.push({ line: site.line, message: `left alone: make_url is imported below this line (line ${lineOf(existing.stmt)})` });
    } else ready.push(site);
  }
  if (ready.length === 0) return { edits: [], notes: notes.sort((a, b) => a.line - b.line) };

  const makeUrl = existing?.name ?? 'make_url';
  const edits = ready.flatMap((site) => siteEdits(ctx.file, site, makeUrl));
  if (!existing) edits.push({ ...importEdit(ctx), supports: ready.map((site) => site.id) });
  return { edits, notes: notes.sort((a, b) => a.line - b.line) };
}

export const codemod = defineCodemod({
  meta: {
    id: 'python/sqlite-connect-args',
    version: '1.0.0',
    title: 'Pass check_same_thread only to SQLite',
    language: 'python',
    extensions: ['.py'],
    phrase: 'sqlite connect_args only for sqlite',
    summary: 'Makes connect_args={"check_same_thread": False} conditional on the database URL being sqlite, so the same engine code works on PostgreSQL or MySQL.',
    fixes: [
      { tool: 'coderabbit', ruleId: 'sqlite-connect-args' },
    ],
    keywords: [
      {
        id: 'check-same-thread',
        pattern: /\bcheck_same_thread\b|\bdatabase connection conditional\b|\bsqlite[- ]only connect_args\b/i,
        says: '"check_same_thread", "database connection conditional", "sqlite-only connect_args"',
      },
    ],
    safety: 'safe',
    security: false,
    rollback: 'Revert the commit; sqlite behaviour is unchanged and other databases stop receiving an argument they reject.',
    prerequisites: ['SQLAlchemy 1.4 or later (the added import is `from sqlalchemy.engine import make_url`).'],
    references: [
      'https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#threading-pooling-behavior',
      'https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.engine.make_url',
    ],
  },
  prefilter(text) {
    return text.includes(KEY) && /create_(?:async_)?engine|engine_from_config/.test(text);
  },
  transform,
});
