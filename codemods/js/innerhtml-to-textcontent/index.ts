import { defineCodemod, lineAt } from '../../api.js';
import type { Edit, JsContext, Note, TransformResult } from '../../api.js';
import { type AstNode, child, children, memberName, stringField, walk } from './ast.js';
import { type EscaperCheck, checkEscaper } from './escaper.js';
import { type HelperKind, type HelperStyle, type Range, functionScope, helperInsertion, helperSource, indentLines, programScope } from './helper.js';
import { readOptions, safeLookup } from './options.js';
import { type Prov, type Summary, type SummaryLookup, ESCAPER_NAMES, Provenance, bare, dottedName, isInert, packageEscaper, quote, toSummary } from './provenance.js';
import { type Binding, type ScopeModel, buildScopes, isFunction } from './scope.js';
import { type Plan, type Problem, SlotFinder, type Wrap } from './slots.js';
import { type Source, sourceFor } from './positions.js';

/** The name the codemod gives its own helper when `escapeHtml` is taken. */
export const FALLBACK_HELPER = 'shipshapeEscapeHtml';
const HELPER_NAMES = ['escapeHtml', FALLBACK_HELPER] as const;

interface Token {
  start: number;
  end: number;
  /** A `TokenType` object for code, a string for comments. */
  type: unknown;
  value: unknown;
}

function readTokens(file: AstNode): Token[] {
  const tokens = file.tokens;
  if (!Array.isArray(tokens)) return [];
  return tokens.filter(
    (t): t is Token => typeof t === 'object' && t !== null && typeof t.start === 'number' && typeof t.end === 'number',
  );
}

function isComment(token: Token): boolean {
  return token.type === 'CommentBlock' || token.type === 'CommentLine';
}

function tokenLabel(token: Token): string | undefined {
  const type = token.type;
  if (typeof type === 'object' && type !== null && typeof (type as { label?: unknown }).label === 'string') {
    return (type as { label: string }).label;
  }
  return undefined;
}

/** Tokens (comments included) that start in [from, to). */
function tokensBetween(tokens: readonly Token[], from: number, to: number): Token[] {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.start < from) lo = mid + 1;
    else hi = mid;
  }
  const out: Token[] = [];
  for (let i = lo; i < tokens.length && tokens[i]!.start < to; i++) out.push(tokens[i]!);
  return out;
}

function styleOf(src: Source, tokens: readonly Token[], eol: '\n' | '\r\n', typescript: boolean): HelperStyle {
  const { text } = src;
  let single = 0;
  let double = 0;
  let semicolons = 0;
  for (const token of tokens) {
    const label = tokenLabel(token);
    if (label === 'string') {
      if (text[src.start(token)] === '"') double++;
      else single++;
    } else if (label === ';') {
      semicolons++;
    }
  }
  const widths = text
    .split('\n')
    .filter((line) => /^ +[^ *\r]/.test(line))
    .map((line) => /^ +/.exec(line)![0].length);
  const tabs = text.split('\n').some((line) => /^\t+\S/.test(line));
  const narrowest = widths.length > 0 ? Math.min(...widths) : 2;
  let indent = [2, 3, 4, 8].includes(narrowest) ? ' '.repeat(narrowest) : '  ';
  if (tabs && widths.length === 0) indent = '\t';
  return { eol, indent, quote: double > single ? '"' : "'", semicolon: semicolons > 0 || tokens.length === 0 ? ';' : '', typescript };
}

/** `this.styleEl`, `document.querySelector('style')` → this, style, el, document, query, selector, style (lower case). */
function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
}

// Reads that use what innerHTML parsed: whatever was written is meant to be parsed.
// Markup parsed and read back as text decodes entities and drops tags: escaping its data would change that text.
const PARSED_TEXT_READS = new Set(['textContent', 'innerText']);
// A plain value whose parse is then walked or read back was meant to be markup.
const PARSED_READS = new Set([
  'textContent', 'innerText', 'innerHTML', 'outerHTML', 'value', 'firstChild', 'lastChild', 'childNodes', 'content', 'children',
  'firstElementChild', 'lastElementChild', 'querySelector', 'querySelectorAll', 'getElementsByTagName', 'getElementsByClassName',
]);

/** A file escaper the codemod may call to escape a value: a name and what it escapes. */
interface Escaper {
  /** The call's callee, as written at the site (`escapeHtml`, `_.escape`). */
  callee: string;
  escapes: ReadonlySet<string>;
  /** A function declared in this file (rather than imported or declared in the config). */
  fileFunction?: boolean;
}

interface FileFunctionEscaper {
  binding: Binding;
  check: EscaperCheck;
  declaration: AstNode;
}

/** What one run over a file shares. */
interface Run {
  src: Source;
  tokens: Token[];
  style: HelperStyle;
  scopes: ScopeModel;
  prov: Provenance;
  finder: SlotFinder;
  edits: Edit[];
  notes: Note[];
  fileEscapers: FileFunctionEscaper[];
  lookup: SummaryLookup | undefined;
  declaredEscapers: readonly string[];
  /** The data values to escape, by node (a value reached from several sinks is escaped once). */
  wraps: Map<AstNode, Wrap>;
  /** Whether the project's nearest package.json depends on an npm package. */
  dependsOn(name: string): boolean;
}

function lineOf(src: Source, node: AstNode): number {
  return lineAt(src.text, src.start(node));
}

function note(run: Run, node: AstNode, message: string, remains = false): void {
  const line = lineOf(run.src, node);
  if (!run.notes.some((n) => n.line === line && n.message === message)) run.notes.push(remains ? { line, message, remains } : { line, message });
}

function isModuleHint(ctx: JsContext): boolean {
  // A Vue component's <script> blocks compile to an ES module.
  if (/\.(mjs|cjs|mts|cts|ts|tsx|vue)$/.test(ctx.file.path)) return true;
  // CommonJS: the top level of a Node module is private to it.
  return /\bmodule\.exports\b|\bexports\.[A-Za-z_$]|\brequire\(\s*['"]/.test(ctx.file.text);
}

/** Function declarations whose source reads as an escaper (a chain of `.replace()` to entities). */
function findFileEscapers(scopes: ScopeModel, constants: (name: string) => AstNode | undefined): FileFunctionEscaper[] {
  const out: FileFunctionEscaper[] = [];
  for (const binding of scopes.bindings) {
    if (binding.kind !== 'function' || !binding.init || binding.init.type !== 'FunctionDeclaration') continue;
    if (children(binding.init, 'params').length !== 1) continue;
    const check = checkEscaper(binding.init, constants);
    if (check.escapes.has('&') && check.escapes.has('<')) out.push({ binding, check, declaration: binding.init });
    else if (ESCAPER_NAMES.has(binding.name)) out.push({ binding, check, declaration: binding.init });
  }
  return out;
}

/** The file's scopes, its escapers and the provenance analysis over them. */
function analyse(ctx: JsContext, program: AstNode, options: ReturnType<typeof readOptions>) {
  const src = sourceFor(ctx.file.text);
  const scopes = buildScopes(program, { moduleHint: isModuleHint(ctx) });
  const constants = (name: string): AstNode | undefined => {
    const b = scopes.bindings.find((x) => x.name === name && x.kind === 'const' && x.scope.node === program);
    return b?.init;
  };
  const fileEscapers = findFileEscapers(scopes, constants);
  const lookup = safeLookup(options.lookup ?? projectLookup(ctx));
  const escaperMap = new Map<Binding, ReadonlySet<string>>();
  for (const e of fileEscapers) if (e.check.escapes.has('&') && e.check.escapes.has('<')) escaperMap.set(e.binding, e.check.escapes);
  const prov = new Provenance({ src, scopes, declarations: options.declarations, lookup, fileEscapers: escaperMap });
  return { src, scopes, fileEscapers, lookup, prov };
}

const JS_EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.ts', '.jsx', '.tsx', '/index.js', '/index.mjs', '/index.ts'];

/** The project file a relative import specifier of `from` names, or null (a package, or not in the project). */
export function resolveImport(ctx: JsContext, from: string, specifier: string): string | null {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  const parts = from.split('/').slice(0, -1);
  for (const part of specifier.split('/')) {
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else if (part !== '.' && part !== '') parts.push(part);
  }
  const base = parts.join('/');
  return JS_EXTENSIONS.map((ext) => base + ext).find((candidate) => ctx.project.files.has(candidate)) ?? null;
}

/** Files whose exports are being summarised: an import cycle meets its own file here and gets no summary. */
const summarising = new Set<string>();

/**
 * Summaries of what the project's own modules export, read through the
 * project model: `import { icon } from './icons.js'` is markup when
 * `icon()` returns markup there. Each module is summarised once per run.
 */
function projectLookup(ctx: JsContext): SummaryLookup {
  return (specifier, exported) => {
    const target = resolveImport(ctx, ctx.file.path, specifier);
    if (!target) return undefined;
    if (summarising.has(target)) {
      // What is summarised around this point now depends on which module the cycle was entered from.
      ctx.project.cutCycle();
      return undefined;
    }
    const summaries = ctx.project.memo(`innerhtml:exports:${target}`, () => {
      const other = ctx.load(target);
      if (!other) return new Map<string, Summary>();
      summarising.add(target);
      try {
        return summarizeExports(other);
      } finally {
        summarising.delete(target);
      }
    });
    return summaries.get(exported);
  };
}

/**
 * What this module's exported functions return, as summaries the project
 * model can hand to the modules that import them (`importSummaries`).
 */
export function summarizeExports(ctx: JsContext): Map<string, Summary> {
  const out = new Map<string, Summary>();
  const file = ctx.root().get().node as unknown as AstNode;
  const program = child(file, 'program');
  if (!program) return out;
  const { scopes, prov, fileEscapers } = analyse(ctx, program, readOptions(ctx.options));
  for (const statement of children(program, 'body')) {
    if (statement.type !== 'ExportNamedDeclaration' && statement.type !== 'ExportDefaultDeclaration') continue;
    const declaration = child(statement, 'declaration');
    const ids: [string, AstNode][] = [];
    if (declaration?.type === 'FunctionDeclaration') {
      const id = child(declaration, 'id');
      ids.push([statement.type === 'ExportDefaultDeclaration' ? 'default' : (stringField(id ?? declaration, 'name') ?? ''), id ?? declaration]);
    } else if (declaration?.type === 'VariableDeclaration') {
      for (const d of children(declaration, 'declarations')) {
        const id = child(d, 'id');
        if (id?.type === 'Identifier') ids.push([stringField(id, 'name') ?? '', id]);
      }
    }
    for (const [name, id] of ids) {
      const binding = scopes.bindingOf(id);
      const escaper = fileEscapers.find((e) => e.binding === binding && e.check.exact);
      if (escaper) {
        out.set(name, { returns: 'escaped', escapes: [...escaper.check.escapes] });
        continue;
      }
      const fn = binding?.init ? bare(binding.init) : declaration?.type === 'FunctionDeclaration' ? declaration : undefined;
      if (fn && isFunction(fn)) out.set(name, toSummary(prov.returnsOf(fn)));
    }
  }
  return out;
}

function transform(ctx: JsContext): TransformResult {
  const edits: Edit[] = [];
  const notes: Note[] = [];
  const file = ctx.root().get().node as unknown as AstNode;
  const program = child(file, 'program');
  if (!program) return { edits, notes };
  const tokens = readTokens(file);
  const options = readOptions(ctx.options);
  for (const problem of options.problems) notes.push({ line: 1, message: problem });
  const { src, scopes, fileEscapers, lookup, prov } = analyse(ctx, program, options);
  const style = styleOf(src, tokens, ctx.file.eol, ctx.typescript);
  const q = (node: AstNode) => quote(src, node);
  const run: Run = {
    src,
    tokens,
    style,
    scopes,
    prov,
    finder: new SlotFinder(prov, q),
    edits,
    notes,
    fileEscapers,
    lookup,
    declaredEscapers: [...options.declarations.escape],
    wraps: new Map(),
    dependsOn: (name) => ctx.project.dependency(ctx.file.path, name, 'npm').kind !== 'absent',
  };

  for (const node of walk(program)) {
    if (node.type !== 'AssignmentExpression') continue;
    const left = child(node, 'left');
    if (!left || memberName(left) !== 'innerHTML' || (left.type !== 'MemberExpression' && left.type !== 'OptionalMemberExpression')) continue;
    sink(run, node, left);
  }
  escapeWraps(run, program);
  return { edits, notes };
}

/** Looks at one `x.innerHTML = …` / `+= …`, wherever it stands. */
function sink(run: Run, node: AstNode, left: AstNode): void {
  const { src, scopes, prov } = run;
  const right = child(node, 'right');
  const property = child(left, 'property');
  if (!right || !property) return;
  if (left.computed === true) {
    const p = prov.of(right);
    if (!isInert(p) && (p.data || p.unknown)) note(run, node, "writes innerHTML through a computed property (`el['innerHTML']`); left alone");
    return;
  }
  const operator = stringField(node, 'operator');
  if (operator !== '=' && operator !== '+=') {
    note(run, node, `updates innerHTML with \`${operator}\`; left alone`);
    return;
  }
  if (bare(right).type === 'AssignmentExpression') {
    note(run, node, 'assigns the value of another assignment (`a.innerHTML = b.innerHTML = ...`); left alone');
    return;
  }
  // `a.innerHTML = b.innerHTML = x`: the outer assignment says why both are left.
  let outer = scopes.parentOf(node);
  while (outer?.type === 'ParenthesizedExpression') outer = scopes.parentOf(outer);
  if (outer?.type === 'AssignmentExpression' && memberName(child(outer, 'left') ?? outer) === 'innerHTML') return;
  const value: Prov = prov.of(right);
  if (isInert(value)) return;
  const object = child(left, 'object');
  const target = object ? src.text.slice(src.start(object), src.end(object)) : '';
  // The content of a <script> or <style> element is code either way: textContent or escaping would not make it safe.
  if (words(target).some((word) => /^(script|style|css|stylesheet)$/.test(word))) {
    note(run, node, `\`${target}\` may be a <script> or <style> element, whose text is code; left alone`);
    return;
  }
  const textOnly = !value.markup && !value.escaped && !value.unknown;
  const parsed = object ? parserUse(run, node, object, textOnly) : undefined;
  if (parsed) {
    note(run, node, `innerHTML is used as a parser here (\`${parsed}\` is read after it); left alone`);
    return;
  }
  if (textOnly && value.guess) {
    note(run, node, `\`${quote(src, right)}\` is built from fields of objects this file does not build; as the whole innerHTML it may be markup or text; left alone`);
    return;
  }
  if (textOnly) {
    // A <template>'s innerHTML fills its content fragment; textContent would not.
    if (/templ|tmpl|tpl/i.test(target)) {
      note(run, node, `\`${target}\` may be a <template> element, whose innerHTML fills its content; left alone`);
      return;
    }
    if (operator === '=') writeAsText(run, node, property);
    else appendAsText(run, node, left, property, right);
    return;
  }
  // Escaped values and sanitiser output need no change, but are not safe everywhere: the plan reports those places.
  addPlan(run, run.finder.plan(right));
}

function addPlan(run: Run, plan: Plan): void {
  for (const wrap of plan.wraps) if (!run.wraps.has(wrap.node)) run.wraps.set(wrap.node, wrap);
  for (const problem of plan.problems) problemNote(run, problem);
}

function problemNote(run: Run, problem: Problem): void {
  note(run, problem.node, `${problem.reason}; left alone, so it still reaches innerHTML unescaped`, true);
}

/**
 * The element's parsed content is read after the write (`d.textContent`,
 * `el.firstChild`, or for a plain value `el.querySelector(…)`): innerHTML is
 * used to parse, and what it parses is meant to be markup.
 */
function parserUse(run: Run, node: AstNode, object: AstNode, textOnly: boolean): string | undefined {
  const { src, scopes } = run;
  const target = src.text.slice(src.start(object), src.end(object));
  const fn = scopes.functionOf(node);
  const body = fn.type === 'Program' ? fn : child(fn, 'body');
  if (!body) return undefined;
  const end = src.end(node);
  for (const n of walk(body)) {
    if (n.start < end || (n.type !== 'MemberExpression' && n.type !== 'OptionalMemberExpression')) continue;
    const name = memberName(n);
    if (!name || !(textOnly ? PARSED_READS : PARSED_TEXT_READS).has(name)) continue;
    const o = child(n, 'object');
    if (!o || src.text.slice(src.start(o), src.end(o)) !== target) continue;
    // `el.innerHTML = …` again is a write, not a read.
    const parent = scopes.parentOf(n);
    if (parent?.type === 'AssignmentExpression' && child(parent, 'left') === n) continue;
    return `${target}.${name}`;
  }
  return undefined;
}

/** `el.innerHTML = value` → `el.textContent = value`, in any position: the assignment's value is the same. */
function writeAsText(run: Run, node: AstNode, property: AstNode): void {
  const id = `text@${run.src.start(node)}`;
  run.edits.push({
    start: run.src.start(property),
    end: run.src.end(property),
    text: 'textContent',
    safety: 'review',
    change: id,
    description: 'innerHTML = data -> textContent: the value is shown as text, never parsed as HTML',
  });
}

/** Whether the value of an expression that is a concise arrow body is thrown away by what calls the arrow. */
function arrowValueDiscarded(run: Run, arrow: AstNode): boolean {
  let holder = arrow;
  let parent = run.scopes.parentOf(arrow);
  while (parent && parent.type === 'ParenthesizedExpression') {
    holder = parent;
    parent = run.scopes.parentOf(parent);
  }
  if (!parent || (parent.type !== 'CallExpression' && parent.type !== 'OptionalCallExpression')) return false;
  const callee = child(parent, 'callee');
  const args = children(parent, 'arguments');
  const name = callee ? (memberName(callee) ?? dottedName(callee)) : undefined;
  if (!name) return false;
  if (name === 'forEach' || name === 'setTimeout' || name === 'setInterval' || name === 'requestAnimationFrame') return args[0] === holder;
  if (name === 'addEventListener') return args[1] === holder;
  return false;
}

/** `el.innerHTML += value` → `el.insertAdjacentText('beforeend', value)`: appends text, keeps existing children. */
function appendAsText(run: Run, node: AstNode, left: AstNode, property: AstNode, right: AstNode): void {
  const { src } = run;
  const object = child(left, 'object');
  const objectText = object ? src.text.slice(src.start(object), src.end(object)) : '';
  // `const root = this.attachShadow(…)`: any name may hold a ShadowRoot once the file makes one.
  if (/shadow/i.test(objectText) || src.text.includes('attachShadow')) {
    note(run, node, `\`${objectText}\` may be a ShadowRoot, which has no insertAdjacentText(); left alone`);
    return;
  }
  // Tokens and nodes share the file's positions, so the operator is the first token between them.
  const operator = tokensBetween(run.tokens, property.end, right.start)[0];
  if (!operator || operator.value !== '+=' || isComment(operator)) {
    note(run, node, 'a comment or parenthesis stands between innerHTML and `+=`; left alone');
    return;
  }
  let holder = node;
  let parent = run.scopes.parentOf(node);
  while (parent?.type === 'ParenthesizedExpression') {
    holder = parent;
    parent = run.scopes.parentOf(parent);
  }
  const q = run.style.quote;
  const what = "innerHTML += data -> insertAdjacentText('beforeend', data): appends the value as text";
  const change = `append@${src.start(node)}`;
  const edit = (start: number, end: number, text: string): Edit => ({ start, end, text, safety: 'review', change, description: what });
  const call = edit(src.start(property), src.end(operator), `insertAdjacentText(${q}beforeend${q},`);
  if (parent?.type === 'ExpressionStatement') {
    run.edits.push(call, edit(src.end(node), src.end(node), ')'));
    return;
  }
  // `(t) => (box.innerHTML += t)` passed to forEach: the arrow's value is thrown away, so a block body keeps what it does.
  if (parent?.type === 'ArrowFunctionExpression' && child(parent, 'body') === holder && arrowValueDiscarded(run, parent)) {
    // Babel marks `(…)` around the body instead of making a node of it: the parentheses go with the body.
    const parenStart = typeof node.extra?.parenStart === 'number' ? (node.extra.parenStart as number) : undefined;
    const closing = parenStart !== undefined ? tokensBetween(run.tokens, src.end(node), src.end(parent))[0] : undefined;
    const nested = parenStart !== undefined && /^\(\s*\(/.test(src.text.slice(parenStart));
    if (!nested && (parenStart === undefined || (closing && tokenLabel(closing) === ')'))) {
      const start = parenStart ?? src.start(holder);
      const end = closing ? src.end(closing) : src.end(holder);
      const receiver = src.text.slice(src.start(node), src.start(property));
      run.edits.push(edit(start, src.start(property), `{ ${receiver}`), call, edit(src.end(node), end, `)${run.style.semicolon} }`));
      return;
    }
  }
  note(run, node, 'appends data with `innerHTML +=` where the value of the expression is used; insertAdjacentText() returns nothing, so it is left alone');
}

/** The project's escapers the codemod may call at `site`: declared in the config, imported from a known package, or a checked function of this file. */
function projectEscaper(run: Run, site: AstNode, quoteChar: string | undefined): Escaper | undefined {
  const { scopes } = run;
  for (const name of run.declaredEscapers) {
    const head = name.split('.')[0]!;
    if (!scopes.lookup(site, head)) return { callee: name, escapes: new Set(['&', '<', '>', '"', "'"]) };
  }
  for (const binding of scopes.bindings) {
    if (binding.kind !== 'import') continue;
    const { source, imported } = binding.imported!;
    const known = packageEscaper(source, imported);
    if (known?.wrap && scopes.lookup(site, binding.name) === binding) return { callee: binding.name, escapes: known.escapes };
    if ((imported === 'default' || imported === '*') && ['lodash', 'underscore', 'lodash-es'].includes(source) && scopes.lookup(site, binding.name) === binding) {
      return { callee: `${binding.name}.escape`, escapes: new Set(['&', '<', '>', '"', "'"]) };
    }
    const summary = run.lookup?.(source, imported);
    if (summary?.returns === 'escaped' && scopes.lookup(site, binding.name) === binding) {
      const escapes = new Set(summary.escapes ?? ['&', '<', '>', '"', "'"]);
      if (escapes.has('&') && escapes.has('<') && escapes.has('"') && escapes.has("'")) return { callee: binding.name, escapes };
    }
  }
  for (const e of run.fileEscapers) {
    if (scopes.lookup(site, e.binding.name) !== e.binding) continue;
    if (!e.check.exact || !e.check.escapes.has('&') || !e.check.escapes.has('<')) continue;
    if (quoteChar && !e.check.escapes.has(quoteChar)) continue;
    return { callee: e.binding.name, escapes: e.check.escapes, fileFunction: true };
  }
  return undefined;
}

/** Why a file escaper named like one is not reused, for a note next to it. */
function notReused(run: Run, quotes: ReadonlySet<string>): void {
  for (const e of run.fileEscapers) {
    if (!ESCAPER_NAMES.has(e.binding.name)) continue;
    const needed = new Set(['&', '<', ...quotes]);
    const missing = [...needed].filter((ch) => !e.check.escapes.has(ch));
    if (e.check.exact && missing.length === 0) continue;
    const unreadable = e.check.escapes.size === 0 && e.check.problem !== undefined;
    const why = [
      ...(missing.length > 0 && !unreadable ? [`it does not escape ${missing.map((ch) => `\`${ch}\``).join(', ')}`] : []),
      ...(e.check.exact ? [] : [e.check.problem ?? 'it may render values differently']),
    ].join(', and ');
    note(run, e.declaration, `the file's \`${e.binding.name}()\` is not reused: ${why}; an escape helper of shipshape's is added instead`);
  }
}

/** Whether `name` is written anywhere in the file as a variable (not as a property name). */
function nameInUse(run: Run, name: string): boolean {
  if (!run.src.text.includes(name)) return false;
  if (run.scopes.bindings.some((b) => b.name === name)) return true;
  for (const n of walk(run.scopes.program)) {
    if (n.type !== 'Identifier' || stringField(n, 'name') !== name) continue;
    const parent = run.scopes.parentOf(n);
    if (!parent) return true;
    if ((parent.type === 'MemberExpression' || parent.type === 'OptionalMemberExpression') && child(parent, 'property') === n) {
      if (parent.computed === true) return true;
      continue;
    }
    if (/Property|Method/.test(parent.type) && child(parent, 'key') === n && parent.computed !== true) continue;
    return true;
  }
  return false;
}

/** The file already calls the page's `Utils.escapeHtml` (the shape the project's seed pages build on). */
function usesPageUtils(run: Run): boolean {
  if (!run.src.text.includes('Utils') || !run.src.text.includes('escapeHtml')) return false;
  for (const n of walk(run.scopes.program)) {
    if (n.type !== 'MemberExpression' || memberName(n) !== 'escapeHtml') continue;
    const object = child(n, 'object');
    if (object && ((object.type === 'Identifier' && object.name === 'Utils') || memberName(object) === 'Utils')) return true;
  }
  return false;
}

/**
 * The outermost function with a block body around every node (an IIFE that
 * wraps the script, or the one function that holds every site), or the program.
 */
function commonFunction(run: Run, nodes: readonly AstNode[]): AstNode {
  const chains = nodes.map((node) => {
    const chain: AstNode[] = [];
    for (let n: AstNode | undefined = node; n; n = run.scopes.parentOf(n)) {
      if ((isFunction(n) && child(n, 'body')?.type === 'BlockStatement') || n.type === 'Program') chain.unshift(n);
    }
    return chain;
  });
  const outer = chains[0]?.[1];
  return outer && chains.every((c) => c[1] === outer) ? outer : run.scopes.program;
}

/** Wraps every data value in an escaper: the project's where it has one, else a helper added where no page global is made. */
function escapeWraps(run: Run, program: AstNode): void {
  const { src } = run;
  if (run.wraps.size === 0) return;
  const needHelper: Wrap[] = [];
  const chosen = new Map<Wrap, string>();
  const found = new Map<Wrap, Escaper>();
  for (const wrap of run.wraps.values()) {
    const escaper = projectEscaper(run, wrap.node, wrap.quote);
    if (escaper) found.set(wrap, escaper);
    else needHelper.push(wrap);
  }
  let helper: { name: string; at: { at: number; text: string }; description: string } | undefined;
  const imported = needHelper.length > 0 ? escapeHtmlImport(run, program) : undefined;
  if (imported) {
    // The project already depends on escape-html: import it rather than add a private copy.
    helper = imported;
    for (const wrap of needHelper) chosen.set(wrap, imported.name);
  } else if (needHelper.length > 0) {
    notReused(run, new Set(needHelper.flatMap((w) => (w.quote ? [w.quote] : []))));
    const name = HELPER_NAMES.find((candidate) => !nameInUse(run, candidate));
    // One escaper per file where the codemod adds its own: the file's function is not reused beside it.
    const all = [...needHelper, ...[...found].filter(([, e]) => e.fileFunction).map(([w]) => w)];
    const wide = name ? helperPlace(run, program, all) : undefined;
    const place = wide ?? (name ? helperPlace(run, program, needHelper) : undefined);
    if (!name || !place) {
      const why = !name
        ? `needs an escape helper, but \`escapeHtml\` and \`${FALLBACK_HELPER}\` are both taken in this file`
        : "needs an escape helper, and in this classic script no function holds every value to escape: a helper at the top level would become a global of the page (declare the page's escaper under `escape` in the config file)";
      for (const wrap of needHelper) note(run, wrap.node, `\`${quote(src, wrap.node)}\` ${why}; left alone`);
    } else {
      const kind: HelperKind = usesPageUtils(run) ? 'utils' : 'plain';
      helper = { name, at: place(name, kind), description: `adds the ${name}() helper the escaped values go through` };
      for (const wrap of wide ? all : needHelper) chosen.set(wrap, name);
    }
  }
  for (const [wrap, escaper] of found) if (!chosen.has(wrap)) chosen.set(wrap, escaper.callee);
  for (const [wrap, callee] of chosen) {
    const node = wrap.node;
    // A comma expression would split into two arguments: keep it one.
    const sequence = node.type === 'SequenceExpression';
    const what = `escapes \`${quote(src, node)}\` where it enters markup`;
    const start = src.start(node);
    const end = src.end(node);
    const id = `escape@${start}`;
    run.edits.push(
      { start, end: start, text: `${callee}(${sequence ? '(' : ''}`, safety: 'review', change: id, description: what },
      { start: end, end, text: `${sequence ? ')' : ''})`, safety: 'review', change: id, description: what },
    );
  }
  if (!helper) return;
  const helperChanges = [...chosen.entries()].filter(([, callee]) => callee === helper.name).map(([wrap]) => `escape@${src.start(wrap.node)}`);
  run.edits.push({
    start: helper.at.at,
    end: helper.at.at,
    text: helper.at.text,
    safety: 'safe',
    supports: helperChanges,
    description: helper.description,
  });
}

/**
 * `import escapeHtml from 'escape-html'` for an ES module of a project that
 * depends on escape-html (which escapes & < > " ' as the helper would), placed
 * after the file's last import; undefined when that does not fit.
 */
function escapeHtmlImport(run: Run, program: AstNode): { name: string; at: { at: number; text: string }; description: string } | undefined {
  const body = children(program, 'body');
  const imports = body.filter((n) => n.type === 'ImportDeclaration');
  const esm = imports.length > 0 || body.some((n) => n.type === 'ExportNamedDeclaration' || n.type === 'ExportDefaultDeclaration' || n.type === 'ExportAllDeclaration');
  if (!esm || !run.dependsOn('escape-html') || nameInUse(run, 'escapeHtml')) return undefined;
  const { src, style } = run;
  const line = `import escapeHtml from ${style.quote}escape-html${style.quote}${style.semicolon}`;
  const last = imports.at(-1);
  if (!last) return { name: 'escapeHtml', at: { at: 0, text: `${line}${style.eol}` }, description: 'imports escapeHtml from escape-html, which the project depends on' };
  const end = src.end(last);
  const lineEnd = src.text.indexOf('\n', end);
  const at = lineEnd === -1 ? src.text.length : lineEnd + 1;
  const text = lineEnd === -1 ? `${style.eol}${line}` : `${line}${style.eol}`;
  return { name: 'escapeHtml', at: { at, text }, description: 'imports escapeHtml from escape-html, which the project depends on' };
}

/** Where the helper goes: the top of a module, or the body of the innermost function around every use in a classic script. */
function helperPlace(run: Run, program: AstNode, wraps: readonly Wrap[]): ((name: string, kind: HelperKind) => { at: number; text: string }) | undefined {
  const { src } = run;
  const comments: Range[] = run.tokens.filter(isComment).map((t) => ({ start: src.start(t), end: src.end(t) }));
  if (run.scopes.moduleScoped) {
    return (name, kind) => helperInsertion(src.text, programScope(src, program), comments, helperSource(name, kind, run.style), run.style.eol);
  }
  const fn = commonFunction(run, wraps.map((w) => w.node));
  if (fn.type === 'Program') return undefined;
  const scope = functionScope(src, fn);
  if (!scope) return undefined;
  return (name, kind) =>
    helperInsertion(src.text, scope.scope, comments, indentLines(helperSource(name, kind, run.style), scope.indent, run.style.eol), run.style.eol);
}

/** For an XSS finding at a line with no innerHTML write this codemod can fix. */
const UNMATCHED =
  'changes only values written to innerHTML (and +=) in script code; other sinks (document.write, jQuery .html(), a Vue template\'s v-html, a server-side template) are left to a person';

export const codemod = defineCodemod({
  meta: {
    id: 'js/innerhtml-to-textcontent',
    version: '2.0.0',
    title: 'Stop HTML injection through innerHTML',
    language: 'javascript',
    extensions: ['.js', '.mjs', '.cjs', '.jsx', '.ts', '.tsx', '.vue'],
    phrase: 'innerHTML values escaped or set as text',
    summary:
      'Follows where each value written to innerHTML comes from, in JavaScript, TypeScript and the script blocks of Vue components; writes plain data as text (textContent, insertAdjacentText) and escapes data where it enters markup.',
    fixes: [
      { tool: 'codeql', ruleId: 'js/xss', unmatched: UNMATCHED },
      { tool: 'codeql', ruleId: 'js/xss-through-dom', unmatched: UNMATCHED },
      { tool: 'codeql', ruleId: 'js/reflected-xss', unmatched: UNMATCHED },
      { tool: 'codeql', ruleId: 'js/stored-xss', unmatched: UNMATCHED },
      { tool: 'eslint', ruleId: 'no-unsanitized/property' },
      { tool: 'codeql', ruleId: 'js/html-injection', unmatched: UNMATCHED },
      { tool: 'semgrep', ruleId: 'insecure-innerhtml' },
      { tool: 'semgrep', ruleId: 'insecure-document-method' },
      { tool: 'semgrep', ruleId: 'innerhtml*' },
    ],
    keywords: [
      { id: 'innerHTML', pattern: /\binnerHTML\b/i, says: '"innerHTML"' },
      // "XSS" alone also names tests and motivations ("XSS attack simulation fails"): it
      // counts only where the text points at a file, never for a repository-wide sweep.
      { id: 'xss', pattern: /\bXSS\b/i, says: '"XSS", only in a task that names a file (or a review comment, which has a location)', needsFile: true },
    ],
    safety: 'review',
    security: true,
    rollback: 'Revert the commit; if a value was meant to be HTML, render it through a sanitiser instead of reverting.',
    prerequisites: [],
    references: [
      'https://developer.mozilla.org/en-US/docs/Web/API/Element/innerHTML#security_considerations',
      'https://developer.mozilla.org/en-US/docs/Web/API/Node/textContent',
      'https://developer.mozilla.org/en-US/docs/Web/API/Element/insertAdjacentText',
      'https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html',
      'https://codeql.github.com/codeql-query-help/javascript/js-xss/',
      'https://github.com/mozilla/eslint-plugin-no-unsanitized/blob/main/docs/rules/property.md',
    ],
  },
  prefilter(text: string): boolean {
    return text.includes('innerHTML');
  },
  transform,
});
