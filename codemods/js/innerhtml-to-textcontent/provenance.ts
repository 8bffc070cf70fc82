/**
 * Where a JS value comes from, as far as one file shows it. Each value that
 * reaches innerHTML is one or more of:
 *
 * - markup: the program's own tags and entities, markup-building locals and
 *   helpers, sanitiser output, a fetched view, another element's innerHTML;
 * - escaped: the output of an escaper whose source (or package) is known;
 * - data: parsed JSON and API records, form values, URL parts, storage,
 *   DOM text, error messages;
 * - unknown: anything else (a global from another script, an import without
 *   a summary, a translation call, a parameter that code outside this file
 *   can pass).
 *
 * A value with none of these is inert text or a number. The analysis is
 * per function, with summaries of the file's own functions (what they
 * return, what their callers pass); imported functions are summarised by a
 * lookup the caller provides, and unknown when it has none.
 */
import { type AstNode, child, children, memberName, quasiText, stringField, stringValue, unwrapTypes, walk } from './ast.js';
import { type Binding, type ScopeModel, isFunction } from './scope.js';
import type { Source } from './positions.js';

export interface Prov {
  markup?: boolean;
  escaped?: boolean;
  data?: boolean;
  unknown?: boolean;
  /** For unknown: the value and why it is not known, for a note. */
  why?: string;
  /** Unknown because it comes from outside the file (a global, an import, `this`): its properties are unknown too. */
  outside?: boolean;
  /** A record of data (parsed JSON, an event, an error): its properties are data. */
  record?: boolean;
  /**
   * Data by assumption, not by evidence: a field of an object passed in or
   * returned by a call the file does not see. Trusted inside markup (a
   * template's `${item.name}`), not as a whole innerHTML value.
   */
  guess?: boolean;
  /** An array: what its elements are. */
  element?: Prov;
  /** An object literal: what its properties are. */
  props?: ReadonlyMap<string, Prov>;
  /** A `fetch()` Response. */
  response?: boolean;
  /** URLSearchParams: `.get()` is data. */
  params?: boolean;
  /** For escaped values: the characters every path escapes. */
  escapes?: ReadonlySet<string>;
  /** A function value: what calling it returns. */
  returns?: Prov;
  /** A DOM element (or a list of them): its `.value` and `.textContent` are data. */
  dom?: boolean;
}

/** What a function returns, as another module (or the config file) states it. */
export type SummaryKind = 'markup' | 'escaped' | 'data' | 'text' | 'unknown';
export interface Summary {
  returns: SummaryKind;
  /** For escapers: the characters escaped (of `& < > " '`); all five when absent. */
  escapes?: readonly string[];
}
/** Summaries of imported functions: `(specifier, exportedName)`, e.g. `('./util.js', 'escapeHtml')`. */
export type SummaryLookup = (specifier: string, exportedName: string) => Summary | undefined;

/** Functions the config file declares, by dotted name (`t`, `i18n.t`, `Icons.render`). */
export interface Declarations {
  text: ReadonlySet<string>;
  markup: ReadonlySet<string>;
  escape: ReadonlySet<string>;
}

export const INERT: Prov = {};
const ALL_ESCAPED = new Set(['&', '<', '>', '"', "'"]);

export function isInert(p: Prov): boolean {
  return !p.markup && !p.escaped && !p.data && !p.unknown;
}

function unknown(why: string, outside = false): Prov {
  return { unknown: true, why, outside };
}

const DATA: Prov = { data: true };
const RECORD: Prov = { data: true, record: true };
const GUESS: Prov = { data: true, record: true, guess: true };
const MARKUP: Prov = { markup: true };

function intersect(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): ReadonlySet<string> | undefined {
  if (!a) return b;
  if (!b) return a;
  return new Set([...a].filter((c) => b.has(c)));
}

/** What the items of a list (or the values of a record) are. */
function elementOf(r: Prov): Prov {
  if (r.element) return r.element;
  if (r.record) return r.guess ? GUESS : RECORD;
  return r.unknown ? r : INERT;
}

/** The value is one of `a` or `b` (branches, assignments), or both concatenated. */
const FIELD_WHY = 'this file also stores values it cannot judge in fields named ';

/** The first cause behind a chain of field reasons (`value` stores `Name`, which stores …): the chain itself says nothing. */
function rootCause(why: string | undefined): string {
  let text = why ?? 'unknown';
  while (text.startsWith(FIELD_WHY)) {
    const open = text.indexOf('(');
    if (open < 0 || !text.endsWith(')')) break;
    text = text.slice(open + 1, -1);
  }
  return text;
}

export function join(a: Prov, b: Prov): Prov {
  if (a === b) return a;
  const out: Prov = {};
  if (a.markup || b.markup) out.markup = true;
  if (a.escaped || b.escaped) {
    out.escaped = true;
    out.escapes = a.escaped && b.escaped ? intersect(a.escapes, b.escapes) : (a.escapes ?? b.escapes);
  }
  if (a.data || b.data) out.data = true;
  if (a.unknown || b.unknown) {
    out.unknown = true;
    out.why = a.unknown ? a.why : b.why;
    out.outside = (a.unknown && a.outside) || (b.unknown && b.outside);
  }
  if (a.record || b.record) out.record = true;
  if (a.guess || b.guess) out.guess = true;
  if (a.element || b.element) out.element = a.element && b.element ? join(a.element, b.element) : (a.element ?? b.element);
  if (a.response || b.response) out.response = true;
  if (a.dom || b.dom) out.dom = true;
  if (a.params || b.params) out.params = true;
  if (a.returns || b.returns) out.returns = a.returns && b.returns ? join(a.returns, b.returns) : (a.returns ?? b.returns);
  if (a.props && b.props) {
    const props = new Map(a.props);
    for (const [k, v] of b.props) props.set(k, props.has(k) ? join(props.get(k)!, v) : v);
    out.props = props;
  } else if (a.props || b.props) {
    out.props = a.props ?? b.props;
  }
  return out;
}

/** The value as a string is concatenated from these: what strings it holds. */
function asString(p: Prov): Prov {
  const out: Prov = {};
  if (p.markup) out.markup = true;
  if (p.escaped) {
    out.escaped = true;
    if (p.escapes) out.escapes = p.escapes;
  }
  if (p.data || p.record) out.data = true;
  if (p.guess) out.guess = true;
  if (p.element) Object.assign(out, join(out, asString(p.element)));
  if (p.unknown) Object.assign(out, { unknown: true, why: p.why, outside: p.outside });
  return out;
}

/** Markup written by the program: a tag or entity, or attribute syntax (` data-id="`, `"`-closed values) for building tags piece by piece. */
export function hasMarkupText(value: string): boolean {
  return /[<&]/.test(value) || /[\w-]=["']/.test(value) || /^["']$/.test(value.trim());
}

/** A short, one-line quote of a node's source for notes. */
export function quote(src: Source, node: AstNode): string {
  const source = src.text.slice(src.start(node), src.end(node)).replace(/\s+/g, ' ').trim();
  return source.length > 60 ? `${source.slice(0, 57)}...` : source;
}

export function dottedName(node: AstNode): string | undefined {
  const n = unwrapTypes(node);
  if (n.type === 'Identifier') return stringField(n, 'name');
  if (n.type === 'ThisExpression') return 'this';
  if ((n.type !== 'MemberExpression' && n.type !== 'OptionalMemberExpression') || n.computed === true) return undefined;
  const object = child(n, 'object');
  const name = memberName(n);
  const head = object ? dottedName(object) : undefined;
  return head && name ? `${head}.${name}` : undefined;
}

export function isCall(node: AstNode): boolean {
  return node.type === 'CallExpression' || node.type === 'OptionalCallExpression';
}

function isMember(node: AstNode): boolean {
  return node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression';
}

/** Unwraps parentheses and type assertions. */
export function bare(node: AstNode): AstNode {
  let current = unwrapTypes(node);
  while (current.type === 'ParenthesizedExpression') {
    const inner = child(current, 'expression');
    if (!inner) break;
    current = unwrapTypes(inner);
  }
  return current;
}

// Escapers known by package: what they escape. escape-html, lodash and he escape all five; he throws on non-strings.
const PACKAGE_ESCAPERS: Record<string, { names: string[]; escapes: ReadonlySet<string>; wrap: boolean }> = {
  'escape-html': { names: ['default'], escapes: ALL_ESCAPED, wrap: true },
  'lodash/escape': { names: ['default'], escapes: ALL_ESCAPED, wrap: true },
  'lodash.escape': { names: ['default'], escapes: ALL_ESCAPED, wrap: true },
  'lodash-es/escape': { names: ['default'], escapes: ALL_ESCAPED, wrap: true },
  lodash: { names: ['escape'], escapes: ALL_ESCAPED, wrap: true },
  'lodash-es': { names: ['escape'], escapes: ALL_ESCAPED, wrap: true },
  underscore: { names: ['escape'], escapes: ALL_ESCAPED, wrap: true },
  he: { names: ['escape', 'encode'], escapes: ALL_ESCAPED, wrap: false },
};

/** Whether `import x from source` (or `{ imported as x }`) is a known escaper, and whether the codemod may call it on any value. */
export function packageEscaper(source: string, imported: string): { escapes: ReadonlySet<string>; wrap: boolean } | undefined {
  const known = PACKAGE_ESCAPERS[source];
  if (!known) return undefined;
  if (known.names.includes(imported)) return known;
  // `import _ from 'lodash'` then `_.escape(x)`.
  return undefined;
}

/** Names of escape functions trusted in text when they come from another script (a page's `Utils.escapeHtml`). */
export const ESCAPER_NAMES = new Set(['escapeHtml', 'escapeHTML', 'escape_html', 'htmlEscape', 'shipshapeEscapeHtml']);
const NUMBER_GLOBALS = new Set(['Number', 'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'Boolean']);
const DATA_GLOBALS = new Set(['prompt', 'atob', 'decodeURIComponent', 'decodeURI', 'unescape']);
const STRING_METHODS_KEEP = new Set([
  'trim', 'trimStart', 'trimEnd', 'trimLeft', 'trimRight', 'toUpperCase', 'toLowerCase', 'toLocaleUpperCase', 'toLocaleLowerCase',
  'slice', 'substring', 'substr', 'charAt', 'at', 'normalize', 'toString', 'valueOf', 'repeat',
]);
const STRING_METHODS_JOIN = new Set(['concat', 'padStart', 'padEnd']);
const NUMBER_METHODS = new Set([
  'toFixed', 'toPrecision', 'indexOf', 'lastIndexOf', 'charCodeAt', 'codePointAt', 'getTime', 'getFullYear', 'getMonth', 'getDate',
  'getDay', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds', 'includes', 'startsWith', 'endsWith', 'test', 'has', 'localeCompare',
  'findIndex', 'some', 'every', 'search', 'isArray', 'isInteger',
]);
// Date formatting writes digits, letters and punctuation, never markup; toLocaleString on an array joins its items.
const DATE_TEXT_METHODS = new Set([
  'toLocaleDateString', 'toLocaleTimeString', 'toISOString', 'toDateString', 'toTimeString', 'toUTCString', 'toJSON',
]);
const ARRAY_KEEP = new Set(['filter', 'slice', 'concat', 'reverse', 'sort', 'flat', 'toSorted', 'toReversed', 'splice']);
const ARRAY_ELEMENT = new Set(['find', 'at', 'pop', 'shift', 'findLast']);
const ELEMENT_CALLBACKS = new Set(['forEach', 'map', 'filter', 'find', 'findIndex', 'findLast', 'some', 'every', 'flatMap', 'sort']);
// Element properties that read the page's text (data) or markup.
const DOM_TEXT = new Set(['textContent', 'innerText', 'value', 'nodeValue', 'defaultValue', 'placeholder', 'alt']);
const DOM_MARKUP = new Set(['innerHTML', 'outerHTML']);
const DOM_LINKS = new Set(['target', 'currentTarget', 'srcElement', 'parentNode', 'parentElement', 'firstElementChild', 'lastElementChild', 'nextElementSibling', 'previousElementSibling', 'children', 'form', 'elements', 'options', 'selectedOptions']);
const DOM_QUERIES = /^(getElementById|querySelector|querySelectorAll|getElementsByClassName|getElementsByTagName|getElementsByName|closest|createElement|item|namedItem)$/;
const FETCHED = new Set(['responseText']);
// Property names whose value is usually markup: a record field named so is not taken for data.
const MARKUP_NAME = /html|markup|svg|icon|template|tmpl|tpl/i;

const LOCATION_OBJECTS = new Set(['location', 'window.location', 'document.location', 'self.location', 'top.location', 'parent.location']);
const DOCUMENT_DATA = new Set(['process.argv', 'process.env', 'document.URL', 'document.documentURI', 'document.baseURI', 'document.referrer', 'document.cookie', 'document.title', 'document.domain', 'window.name', 'history.state', 'window.history.state', 'navigator.userAgent']);

interface FunctionInfo {
  node: AstNode;
  binding: Binding | undefined;
  /** Call expressions that call it directly. */
  calls: AstNode[];
  /** Why code outside this file can call it, if it can. */
  external: string | undefined;
  /** Calls that take it as a callback by name: `items.forEach(render)`. */
  callbackOf: { call: AstNode; argIndex: number }[];
}

/** The file-level knowledge the analysis reads: scopes, escapers read from source, declarations, summaries of imports. */
export interface AnalysisInput {
  src: Source;
  scopes: ScopeModel;
  declarations: Declarations;
  lookup: SummaryLookup | undefined;
  /** Escape functions declared in the file whose source was read: the characters they escape. */
  fileEscapers: ReadonlyMap<Binding, ReadonlySet<string>>;
}

export class Provenance {
  private readonly memo = new Map<AstNode | Binding, Prov>();
  private readonly tentative = new Map<AstNode | Binding, Prov>();
  private readonly active = new Set<AstNode | Binding>();
  /** Stand-in keys for "what this function returns". */
  private readonly returnKeys = new Map<AstNode, AstNode>();
  private depth = 0;
  private cycles = 0;
  private readonly functions = new Map<AstNode, FunctionInfo>();

  constructor(readonly input: AnalysisInput) {}

  private get scopes(): ScopeModel {
    return this.input.scopes;
  }

  private q(node: AstNode): string {
    return quote(this.input.src, node);
  }

  /** What a value may hold. */
  of(node: AstNode): Prov {
    return this.cached(node, () => this.compute(node));
  }

  /**
   * Computes a value once. A value met again while it is being computed (a
   * cycle: `x` built from `f()` which reads `x`) counts as nothing on that
   * path; values computed through such a cycle saw only part of their
   * sources, so they are kept only until the outermost question is
   * answered, then computed afresh for the next one.
   */
  private cached(key: AstNode | Binding, compute: () => Prov): Prov {
    const known = this.memo.get(key) ?? this.tentative.get(key);
    if (known) return known;
    if (this.active.has(key)) {
      this.cycles++;
      return INERT;
    }
    this.active.add(key);
    this.depth++;
    const before = this.cycles;
    let result: Prov;
    try {
      result = compute();
    } finally {
      this.active.delete(key);
      this.depth--;
    }
    if (this.cycles === before) this.memo.set(key, result);
    else this.tentative.set(key, result);
    if (this.depth === 0) this.tentative.clear();
    return result;
  }

  private compute(raw: AstNode): Prov {
    const node = bare(raw);
    const literal = stringValue(node);
    if (literal !== undefined) return hasMarkupText(literal) ? MARKUP : INERT;
    switch (node.type) {
      case 'NumericLiteral':
      case 'BooleanLiteral':
      case 'NullLiteral':
      case 'BigIntLiteral':
      case 'RegExpLiteral':
      case 'Literal':
        return INERT;
      case 'TemplateLiteral': {
        let out: Prov = children(node, 'quasis').some((q) => hasMarkupText(quasiText(q))) ? MARKUP : INERT;
        for (const e of children(node, 'expressions')) out = join(out, asString(this.of(e)));
        return out;
      }
      case 'TaggedTemplateExpression':
        return unknown(`\`${this.q(node)}\` is a tagged template, whose result shipshape cannot read`);
      case 'BinaryExpression': {
        const operator = stringField(node, 'operator');
        const left = child(node, 'left');
        const right = child(node, 'right');
        if (operator !== '+' || !left || !right) return INERT;
        return join(asString(this.of(left)), asString(this.of(right)));
      }
      case 'UnaryExpression':
      case 'UpdateExpression':
        return INERT;
      case 'LogicalExpression':
      case 'ConditionalExpression': {
        const parts = node.type === 'LogicalExpression' ? [child(node, 'left'), child(node, 'right')] : [child(node, 'consequent'), child(node, 'alternate')];
        return parts.reduce<Prov>((acc, p) => (p ? join(acc, this.of(p)) : acc), INERT);
      }
      case 'SequenceExpression': {
        const last = children(node, 'expressions').at(-1);
        return last ? this.of(last) : INERT;
      }
      case 'AssignmentExpression': {
        const right = child(node, 'right');
        return right ? this.of(right) : INERT;
      }
      case 'AwaitExpression': {
        const argument = child(node, 'argument');
        return argument ? this.of(argument) : INERT;
      }
      case 'ArrayExpression': {
        let element: Prov = INERT;
        for (const e of children(node, 'elements')) {
          const inner = e.type === 'SpreadElement' ? child(e, 'argument') : e;
          if (!inner) continue;
          const p = this.of(inner);
          element = join(element, e.type === 'SpreadElement' ? (p.element ?? p) : p);
        }
        return { element };
      }
      case 'ObjectExpression': {
        const props = new Map<string, Prov>();
        for (const property of children(node, 'properties')) {
          if ((property.type !== 'ObjectProperty' && property.type !== 'Property') || property.computed === true) continue;
          const key = child(property, 'key');
          const value = child(property, 'value');
          const name = key ? (stringField(key, 'name') ?? stringValue(key)) : undefined;
          if (name !== undefined && value) props.set(name, this.of(value));
        }
        return { props };
      }
      case 'Identifier':
        return this.identifier(node);
      case 'ThisExpression':
        return unknown('`this` is an object shipshape does not follow', true);
      case 'MemberExpression':
      case 'OptionalMemberExpression':
        return this.member(node);
      case 'CallExpression':
      case 'OptionalCallExpression':
        return this.call(node);
      case 'NewExpression':
        return this.construct(node);
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        return { returns: this.returnsOf(node) };
      case 'JSXElement':
      case 'JSXFragment':
        return unknown(`\`${this.q(node)}\` is a JSX element, not a string`);
      default:
        return unknown(`shipshape does not follow \`${this.q(node)}\``);
    }
  }

  /** What a function returns: every `return` (or a concise arrow body). */
  returnsOf(fn: AstNode): Prov {
    const key = this.returnKeys.get(fn) ?? { type: 'Returns', start: fn.start, end: fn.end };
    this.returnKeys.set(fn, key);
    return this.cached(key, () => {
      let out: Prov = INERT;
      for (const r of returnExpressions(fn)) out = join(out, this.of(r));
      return out;
    });
  }

  private identifier(node: AstNode): Prov {
    const name = stringField(node, 'name') ?? '';
    const binding = this.scopes.bindingOf(node);
    if (!binding) {
      if (name === 'undefined' || name === 'NaN' || name === 'Infinity') return INERT;
      if (name === 'location') return RECORD;
      if (this.declared(name)) return this.declaredFunction(name);
      if (ESCAPER_NAMES.has(name)) return { returns: { escaped: true, escapes: new Set(['&', '<', '>']) } };
      return unknown(`\`${name}\` is not defined in this file`, true);
    }
    return this.binding(binding);
  }

  /** What a variable, parameter or import may hold, over every write. */
  binding(binding: Binding): Prov {
    return this.cached(binding, () => this.bindingValue(binding));
  }

  private bindingValue(b: Binding): Prov {
    switch (b.kind) {
      case 'import': {
        const { source, imported } = b.imported!;
        const known = packageEscaper(source, imported);
        if (known) return { returns: { escaped: true, escapes: known.escapes } };
        const summary = this.input.lookup?.(source, imported);
        if (summary) return { returns: fromSummary(summary) };
        return unknown(`\`${b.name}\` is imported from '${source}', and shipshape has no summary of it`, true);
      }
      case 'function':
      case 'class':
        return b.init && isFunction(b.init) ? { returns: this.fileFunctionReturns(b) } : unknown(`\`${b.name}\` is a class`);
      case 'catch':
        return RECORD;
      case 'param': {
        const p = this.param(b);
        return b.destructured ? this.propertyOf(p, b.destructured.key, b.id) : p;
      }
      default:
    }
    let out: Prov = INERT;
    if (b.init) {
      let init = this.of(b.init);
      if (b.iterates) init = elementOf(init);
      if (b.destructured) init = this.propertyOf(init, b.destructured.key, b.id);
      out = init;
      if (isFunction(bare(b.init))) out = { returns: this.fileFunctionReturns(b) };
    } else if (b.destructured) {
      out = unknown(`\`${b.name}\` is destructured from a value shipshape does not follow`);
    }
    // `rows.push(x)`: what a local list is given after it is made.
    for (const read of b.reads) {
      const member = this.scopes.parentOf(read);
      const call = member ? this.scopes.parentOf(member) : undefined;
      if (!member || !call || !isCall(call) || child(call, 'callee') !== member || !/^(push|unshift|splice)$/.test(memberName(member) ?? '')) continue;
      const args = children(call, 'arguments').slice(memberName(member) === 'splice' ? 2 : 0);
      const element = args.reduce<Prov>((acc, a) => join(acc, a.type === 'SpreadElement' ? elementOf(this.of(child(a, 'argument') ?? a)) : this.of(a)), INERT);
      out = join(out, { element });
    }
    for (const write of b.writes) {
      if (write.operator === 'other') {
        const loop = write.node.type === 'ForOfStatement' || write.node.type === 'ForInStatement';
        if (loop && write.node.type === 'ForOfStatement') {
          const right = child(write.node, 'right');
          const r = right ? this.of(right) : INERT;
          out = join(out, elementOf(r));
        } else if (write.node.type === 'ForInStatement') {
          out = join(out, DATA);
        } else if (write.node.type !== 'UpdateExpression' && !/^[-*/%&|^<>]/.test(stringField(write.node, 'operator') ?? '')) {
          out = join(out, unknown(`\`${b.name}\` is assigned in a way shipshape does not follow`));
        }
        continue;
      }
      if (write.value) out = join(out, asStringIf(write.operator === '+=', this.of(write.value)));
    }
    return out;
  }

  /** A file function's returns, escapers read from their source counting as escaped. */
  private fileFunctionReturns(b: Binding): Prov {
    const escapes = this.input.fileEscapers.get(b);
    if (escapes) return { escaped: true, escapes };
    // An escaper the codemod cannot read (a DOM-based one): trusted in text, where any of them is enough.
    if (ESCAPER_NAMES.has(b.name)) return { escaped: true, escapes: new Set(['&', '<', '>']) };
    const fn = b.init ? bare(b.init) : undefined;
    return fn && isFunction(fn) ? this.returnsOf(fn) : INERT;
  }

  /** A function expression with the parentheses and type assertions around it, and what holds that. */
  private placeOf(fn: AstNode): { holder: AstNode; parent: AstNode | undefined } {
    let holder: AstNode = fn;
    let parent = this.scopes.parentOf(fn);
    while (parent && (parent.type === 'ParenthesizedExpression' || parent.type.startsWith('TS'))) {
      holder = parent;
      parent = this.scopes.parentOf(parent);
    }
    return { holder, parent };
  }

  /** Who calls a function, and whether code outside this file can. */
  functionInfo(fn: AstNode): FunctionInfo {
    const known = this.functions.get(fn);
    if (known) return known;
    const info: FunctionInfo = { node: fn, binding: undefined, calls: [], external: undefined, callbackOf: [] };
    this.functions.set(fn, info);
    const { scopes } = this;
    const { holder, parent } = this.placeOf(fn);
    let binding: Binding | undefined;
    const id = child(fn, 'id');
    if (fn.type === 'FunctionDeclaration' && id) binding = scopes.bindingOf(id);
    else if (parent?.type === 'VariableDeclarator' && child(parent, 'init') === holder) {
      const vid = child(parent, 'id');
      const b = vid ? scopes.bindingOf(vid) : undefined;
      if (b && b.writes.length === 0) binding = b;
      else info.external = 'it is stored in a variable that is assigned again';
    } else if (parent && isCall(parent) && children(parent, 'arguments').includes(holder)) {
      info.external = undefined;
    } else {
      info.external = fn.type === 'ObjectMethod' || fn.type === 'ClassMethod' ? 'it is a method, callable through its object' : 'it is used as a value';
    }
    info.binding = binding;
    if (binding) {
      const declaration = fn.type === 'FunctionDeclaration' ? fn : parent ? scopes.parentOf(parent) : undefined;
      const container = declaration ? scopes.parentOf(declaration) : undefined;
      if (container && /^Export/.test(container.type)) info.external = 'it is exported';
      if (!info.external && binding.scope.node === scopes.program && !scopes.moduleScoped) {
        info.external = 'it is a global of this classic script, callable from other scripts and the page';
      }
      for (const read of binding.reads) {
        const p = scopes.parentOf(read);
        if (p && isCall(p) && child(p, 'callee') === read) info.calls.push(p);
        else if (p && isCall(p) && isCallbackArgument(p, read)) info.callbackOf.push({ call: p, argIndex: children(p, 'arguments').indexOf(read) });
        else if (!info.external) {
          const line = lineOf(this.input.src, read);
          info.external = p && /^Export/.test(p.type) ? 'it is exported' : `it is passed as a value at line ${line}`;
        }
      }
    }
    return info;
  }

  /** A parameter: what callers pass, from callbacks' receivers or the file's own calls. */
  private param(b: Binding): Prov {
    const { fn, index, rest } = b.param!;
    const { holder, parent } = this.placeOf(fn);
    const fnName = child(fn, 'id') ? stringField(child(fn, 'id')!, 'name') : undefined;
    const owner = fnName ? `\`${fnName}\`` : 'a function';
    // A callback: what the method that calls it passes.
    if (parent && isCall(parent) && children(parent, 'arguments').includes(holder)) {
      const callback = this.callbackParam(parent, children(parent, 'arguments').indexOf(holder), fn, index);
      if (callback) return callback;
      return unknown(`\`${b.name}\` is a parameter of a callback passed to \`${this.q(child(parent, 'callee') ?? parent)}\``);
    }
    if (parent?.type === 'AssignmentExpression' && /^on/.test(memberName(child(parent, 'left') ?? parent) ?? '')) {
      return index === 0 ? RECORD : unknown(`\`${b.name}\` is a parameter of an event handler`);
    }
    const info = this.functionInfo(fn);
    if (rest) return unknown(`\`${b.name}\` is a rest parameter`);
    let out: Prov = INERT;
    for (const { call, argIndex } of info.callbackOf) {
      const p = this.callbackParam(call, argIndex, fn, index);
      out = join(out, p ?? unknown(`\`${b.name}\` is a parameter of a callback passed to \`${this.q(child(call, 'callee') ?? call)}\``));
    }
    for (const call of info.calls) {
      const args = children(call, 'arguments');
      if (args.slice(0, index + 1).some((a) => a.type === 'SpreadElement')) return unknown(`a call of ${owner} spreads its arguments`);
      const arg = args[index];
      const p = arg ? this.of(arg) : INERT;
      out = join(out, p);
    }
    if (info.external) {
      const pName = fnName ?? (info.binding ? info.binding.name : undefined);
      const who = pName ? `\`${pName}\`` : owner;
      return join(out, unknown(`\`${b.name}\` is a parameter of ${who}, and ${info.external}`));
    }
    return out;
  }

  private callbackParam(call: AstNode, argIndex: number, fn: AstNode, index: number): Prov | undefined {
    const callee = child(call, 'callee');
    if (!callee) return undefined;
    const method = isMember(callee) ? memberName(callee) : undefined;
    const receiver = isMember(callee) ? child(callee, 'object') : undefined;
    const name = dottedName(callee) ?? '';
    if (method === 'addEventListener' || name === 'addEventListener') return index === 0 ? RECORD : undefined;
    if (!receiver || !method) {
      if (name === 'setTimeout' || name === 'setInterval' || name === 'requestAnimationFrame') return INERT;
      return undefined;
    }
    if (name === 'Array.from' && argIndex === 1) {
      const source = children(call, 'arguments')[0];
      const p = source ? this.of(source) : INERT;
      return index === 0 ? elementOf(p) : INERT;
    }
    if (argIndex !== 0 && method !== 'reduce' && method !== 'reduceRight' && method !== 'then') return undefined;
    const r = this.of(receiver);
    if (ELEMENT_CALLBACKS.has(method)) {
      if (index === 0) return elementOf(r);
      if (index === 1) return INERT;
      return r;
    }
    if ((method === 'reduce' || method === 'reduceRight') && argIndex === 0) {
      if (index === 1) return elementOf(r);
      if (index === 2) return INERT;
      if (index === 0) {
        const initial = children(call, 'arguments')[1];
        return join(initial ? this.of(initial) : INERT, this.returnsOf(fn));
      }
      return r;
    }
    if (method === 'then' && argIndex === 0) return index === 0 ? this.resolved(r) : undefined;
    if (method === 'catch' || (method === 'then' && argIndex === 1)) return RECORD;
    return undefined;
  }

  /** What a promise resolves to; values that are not promises resolve to themselves. */
  private resolved(p: Prov): Prov {
    return p;
  }

  /** What `object.key` (or `object[…]` when `key` is undefined) may hold, from every side of what `object` may be. */
  private propertyOf(object: Prov, key: string | undefined, at: AstNode): Prov {
    if (key === 'length') return INERT;
    const parts: Prov[] = [];
    if (object.props) {
      if (key !== undefined) parts.push(object.props.get(key) ?? INERT);
      else parts.push([...object.props.values()].reduce(join, INERT));
    }
    if (object.element && key === undefined) parts.push(object.element);
    const opaque = object.record || object.data || object.unknown || (!object.props && !object.element);
    if (object.unknown && object.outside) {
      parts.push(unknown(object.why ?? `\`${this.q(at)}\` comes from outside this file`, true));
    } else if (opaque) {
      if (key !== undefined && MARKUP_NAME.test(key)) parts.push(unknown(`\`${this.q(at)}\` is named like markup`));
      // A field of an object the file does not see built: data, unless this file writes markup or unknown values into fields of that name.
      else if (object.guess || object.unknown || !(object.record || object.data)) parts.push(key !== undefined ? this.fieldsNamed(key) : GUESS);
      else parts.push(RECORD);
    }
    return parts.reduce(join, INERT);
  }

  private fields: Map<string, AstNode[]> | undefined;

  /** What the file itself puts into fields named `key` (`{ key: v }`, `x.key = v`), joined with data by assumption. */
  private fieldsNamed(key: string): Prov {
    if (!this.fields) {
      this.fields = new Map();
      for (const n of walk(this.scopes.program)) {
        let name: string | undefined;
        let value: AstNode | undefined;
        if ((n.type === 'ObjectProperty' || n.type === 'Property') && n.computed !== true) {
          const k = child(n, 'key');
          name = k ? (stringField(k, 'name') ?? stringValue(k)) : undefined;
          value = child(n, 'value');
          if (value && /Pattern$/.test(value.type)) continue;
        } else if (n.type === 'AssignmentExpression') {
          const left = child(n, 'left');
          if (left && isMember(left) && left.computed !== true) {
            name = memberName(left);
            value = child(n, 'right');
          }
        }
        if (name === undefined || !value) continue;
        const list = this.fields.get(name) ?? [];
        list.push(value);
        this.fields.set(name, list);
      }
    }
    let out: Prov = GUESS;
    for (const value of this.fields.get(key) ?? []) {
      const p = this.of(value);
      if (p.markup || p.unknown) out = join(out, p.unknown ? { ...p, why: `${FIELD_WHY}\`${key}\` (${rootCause(p.why)})` } : p);
    }
    return out;
  }

  private member(node: AstNode): Prov {
    const object = child(node, 'object');
    if (!object) return INERT;
    const key = memberName(node);
    const dotted = dottedName(node);
    if (dotted && DOCUMENT_DATA.has(dotted) && !this.shadowed(object)) return DATA;
    const objectDotted = dottedName(object);
    if (objectDotted && (objectDotted === 'process.argv' || objectDotted === 'process.env') && !this.shadowed(object)) return DATA;
    const objectName = dottedName(object);
    if (objectName && LOCATION_OBJECTS.has(objectName) && !this.shadowed(object)) return DATA;
    if (dotted && LOCATION_OBJECTS.has(dotted) && !this.shadowed(object)) return RECORD;
    if (key && DOM_MARKUP.has(key)) return MARKUP;
    if (key && FETCHED.has(key)) return MARKUP;
    if (key === 'length') return INERT;
    if (key === 'searchParams') return { params: true };
    // `xs.map(Utils.escapeHtml)`: an escaper of another script passed as a value.
    if (key && ESCAPER_NAMES.has(key) && !this.shadowed(object)) return { returns: { escaped: true, escapes: new Set(['&', '<', '>']) } };
    const computed = node.computed === true && key === undefined;
    const o = this.of(object);
    if (key !== undefined && o.props?.has(key)) return o.props.get(key)!;
    // `input.value`, `el.textContent`: text the page holds. On an object from outside the file (`hljs.highlight(…).value`) it is unknown.
    if (key && DOM_TEXT.has(key) && o.dom) return DATA;
    if (key && DOM_LINKS.has(key) && (o.dom || o.record)) return { dom: true };
    if (computed && o.dom) return { dom: true };
    if (computed && o.element) return o.element;
    return this.propertyOf(o, computed ? undefined : key, node);
  }

  private shadowed(object: AstNode): boolean {
    let head = bare(object);
    while (isMember(head)) head = bare(child(head, 'object') ?? head);
    return head.type === 'Identifier' && this.scopes.bindingOf(head) !== undefined;
  }

  private declared(name: string): boolean {
    const d = this.input.declarations;
    return d.text.has(name) || d.markup.has(name) || d.escape.has(name);
  }

  private declaredFunction(name: string): Prov {
    const d = this.input.declarations;
    if (d.escape.has(name)) return { returns: { escaped: true, escapes: ALL_ESCAPED } };
    if (d.markup.has(name)) return { returns: MARKUP };
    return { returns: DATA };
  }

  private construct(node: AstNode): Prov {
    const callee = child(node, 'callee');
    const name = callee ? dottedName(callee) : undefined;
    if (name === 'URLSearchParams') return { params: true };
    if (name === 'URL' || name === 'Date' || name === 'Error') return RECORD;
    return unknown(`\`${this.q(node)}\` is an object shipshape does not follow`);
  }

  private call(node: AstNode): Prov {
    const callee = child(node, 'callee');
    if (!callee) return INERT;
    const args = children(node, 'arguments');
    const name = dottedName(callee);
    const c = bare(callee);
    if (name && !this.shadowedName(c)) {
      if (this.declared(name)) return this.declaredFunction(name).returns!;
      const global = this.globalCall(name, args);
      if (global) return global;
    }
    if (isMember(c)) {
      const method = memberName(c);
      const receiver = child(c, 'object');
      // `import _ from 'lodash'` … `_.escape(x)`; `import he from 'he'` … `he.encode(x)`.
      const owner = receiver && bare(receiver).type === 'Identifier' ? this.scopes.bindingOf(bare(receiver)) : undefined;
      if (owner?.kind === 'import' && method && ['default', '*'].includes(owner.imported!.imported)) {
        const known = packageEscaper(owner.imported!.source, method);
        if (known) return { escaped: true, escapes: known.escapes };
      }
      if (method && receiver) {
        const result = this.methodCall(node, method, receiver, args);
        if (result) return result;
      }
    }
    if (c.type === 'FunctionExpression' || c.type === 'ArrowFunctionExpression') return this.returnsOf(c);
    const f = this.of(c);
    if (f.returns) return f.returns;
    // A call's result is the callee's business: its properties are record fields, not the callee's origin.
    if (f.unknown) {
      const why = f.why ?? 'shipshape has no summary of it';
      return unknown(why.startsWith(`\`${this.q(c)}\``) ? why : `\`${this.q(node)}\` is a call of \`${this.q(c)}\`, and ${why}`);
    }
    return unknown(`\`${this.q(node)}\` is a call shipshape has no summary of`);
  }

  private shadowedName(callee: AstNode): boolean {
    let head = bare(callee);
    while (isMember(head)) head = bare(child(head, 'object') ?? head);
    return head.type === 'Identifier' && this.scopes.bindingOf(head) !== undefined;
  }

  /** Calls of well-known globals. */
  private globalCall(name: string, args: AstNode[]): Prov | undefined {
    if (NUMBER_GLOBALS.has(name) || name.startsWith('Math.') || name.startsWith('Number.') || name === 'Date.now') return INERT;
    if (name === 'String') return args[0] ? asString(this.of(args[0])) : INERT;
    if (DATA_GLOBALS.has(name) || name === 'JSON.stringify' || name === 'String.fromCharCode' || name === 'String.fromCodePoint') return DATA;
    if (name === 'JSON.parse') return RECORD;
    // An escaper from another script: trusted in text, not in attributes (its quotes are not known).
    if (ESCAPER_NAMES.has(name.slice(name.lastIndexOf('.') + 1))) return { escaped: true, escapes: new Set(['&', '<', '>']) };
    // encodeURIComponent leaves `'`, but without `=`, spaces or `>` a quote cannot start anything.
    if (name === 'encodeURIComponent') return { escaped: true, escapes: ALL_ESCAPED };
    if (name === 'fetch' || name === 'window.fetch') return { response: true };
    if (/^(window\.)?(localStorage|sessionStorage)\.getItem$/.test(name)) return DATA;
    if (/^(window\.)?DOMPurify\.sanitize$/.test(name)) return MARKUP;
    if (/^(window\.)?document\.\w+$/.test(name) && DOM_QUERIES.test(name.slice(name.lastIndexOf('.') + 1))) return { dom: true };
    if (name === '$' || name === 'jQuery') return { dom: true };
    if (/^(_|lodash|underscore)\.escape$/.test(name) || /^he\.(escape|encode)$/.test(name) || name === 'Handlebars.escapeExpression') {
      return { escaped: true, escapes: ALL_ESCAPED };
    }
    if (/^(Object\.(keys|values|entries)|Array\.(from|of))$/.test(name)) {
      const source = args[0] ? this.of(args[0]) : INERT;
      if (name === 'Object.keys') return { element: DATA };
      if (name === 'Array.from' && args[1]) {
        const fn = bare(args[1]);
        return { element: isFunction(fn) ? this.returnsOf(fn) : (this.of(fn).returns ?? unknown(`\`${this.q(fn)}\` is a function shipshape does not follow`)) };
      }
      const element = source.element ?? (source.props ? [...source.props.values()].reduce(join, INERT) : elementOf(source));
      return name === 'Object.entries' ? { element: { element: join(DATA, element) } } : { element };
    }
    return undefined;
  }

  private methodCall(node: AstNode, method: string, receiver: AstNode, args: AstNode[]): Prov | undefined {
    if (NUMBER_METHODS.has(method)) return INERT;
    if (DATE_TEXT_METHODS.has(method)) return INERT;
    if (method === 'getAttribute' || method === 'getItem') return DATA;
    if (method === 'json') return RECORD;
    const r = this.of(receiver);
    if (DOM_QUERIES.test(method) && (r.dom || r.record)) return { dom: true };
    // A fetched body put into the page is a view: markup the server rendered.
    if (method === 'text' && r.response) return MARKUP;
    if (method === 'get' && r.params) return DATA;
    if (method === 'toLocaleString') return r.element ? asString(r.element) : INERT;
    if (STRING_METHODS_KEEP.has(method)) return r.element && method === 'at' ? r.element : asString(r);
    if (STRING_METHODS_JOIN.has(method)) return args.reduce<Prov>((acc, a) => join(acc, asString(this.of(a))), asString(r));
    if (method === 'split') return { element: asString(r) };
    if (method === 'replace' || method === 'replaceAll') {
      const chain = entityChain(node);
      if (chain) {
        const base = this.of(chain.base);
        if (isInert(base)) return INERT;
        // An escape written inline: `.replace(/&/g, '&amp;').replace(/</g, '&lt;')…`, `&` first.
        if (chain.escapes.has('&') && chain.escapes.has('<') && chain.ampFirst) return { escaped: true, escapes: chain.escapes };
        return unknown(`\`${this.q(node)}\` escapes only some characters (${[...chain.escapes].join(' ')}), so escaping it again would show entities`);
      }
      const replacement = args[1] ? this.of(args[1]) : INERT;
      const base = asString(r);
      const replacementFn = replacement.returns;
      const added = replacementFn ?? replacement;
      if (added.markup && (base.data || base.unknown)) {
        return unknown(`\`${this.q(node)}\` turns ${base.data ? 'data' : 'a value'} into markup on purpose`);
      }
      return join(base, asString(added));
    }
    if (method === 'join') {
      const element = elementOf(r);
      return join(asString(element), args[0] ? asString(this.of(args[0])) : INERT);
    }
    if (method === 'map' || method === 'flatMap') {
      const fn = args[0] ? bare(args[0]) : undefined;
      if (!fn) return { element: INERT };
      if (isFunction(fn)) return { element: this.returnsOf(fn) };
      const f = this.of(fn);
      return { element: f.returns ?? unknown(`\`${this.q(fn)}\` is a function shipshape does not follow`, f.outside) };
    }
    if (ARRAY_KEEP.has(method)) return r.element ? { element: r.element } : r;
    if (ARRAY_ELEMENT.has(method)) return elementOf(r);
    if (method === 'reduce' || method === 'reduceRight') {
      const fn = args[0] ? bare(args[0]) : undefined;
      const initial = args[1] ? this.of(args[1]) : INERT;
      return fn && isFunction(fn) ? join(initial, this.returnsOf(fn)) : undefined;
    }
    if (method === 'then' || method === 'catch' || method === 'finally') {
      const fn = args[0] ? bare(args[0]) : undefined;
      if (method === 'finally') return r;
      if (fn && isFunction(fn)) return method === 'catch' ? join(r, this.returnsOf(fn)) : this.returnsOf(fn);
      return undefined;
    }
    if (method === 'call' || method === 'apply') {
      const f = this.of(receiver);
      return f.returns;
    }
    return undefined;
  }
}

const ENTITY_OF: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#34;': '"', '&#39;': "'", '&#x27;': "'", '&apos;': "'" };

/** `s.replace(/&/g, '&amp;').replace(/</g, '&lt;')…`: the characters an inline chain of entity replacements escapes, and what it starts from. */
function entityChain(node: AstNode): { base: AstNode; escapes: ReadonlySet<string>; ampFirst: boolean } | undefined {
  const steps: string[] = [];
  let current = bare(node);
  while (isCall(current)) {
    const callee = child(current, 'callee');
    const method = callee ? memberName(callee) : undefined;
    const [pattern, replacement] = children(current, 'arguments');
    const text = replacement ? stringValue(replacement) : undefined;
    if ((method !== 'replace' && method !== 'replaceAll') || !pattern || text === undefined || !(text in ENTITY_OF)) break;
    const ch = ENTITY_OF[text]!;
    const source = pattern.type === 'RegExpLiteral' ? stringField(pattern, 'pattern') : stringValue(pattern);
    const flags = pattern.type === 'RegExpLiteral' ? (stringField(pattern, 'flags') ?? '') : method === 'replaceAll' ? 'g' : '';
    if (!flags.includes('g') || (source !== ch && source !== `\\${ch}`)) return undefined;
    steps.unshift(ch);
    current = bare(child(callee!, 'object') ?? current);
  }
  if (steps.length === 0) return undefined;
  return { base: current, escapes: new Set(steps), ampFirst: steps[0] === '&' };
}

/** `xs.forEach(render)`, `el.addEventListener('click', onClick)`: a function passed by name to a caller the analysis knows. */
function isCallbackArgument(call: AstNode, arg: AstNode): boolean {
  const callee = child(call, 'callee');
  const args = children(call, 'arguments');
  const method = callee ? memberName(callee) : undefined;
  if (!method) return false;
  if (ELEMENT_CALLBACKS.has(method) || method === 'then' || method === 'catch') return args[0] === arg;
  if (method === 'addEventListener') return args[1] === arg;
  return false;
}

function asStringIf(concat: boolean, p: Prov): Prov {
  return concat ? asString(p) : p;
}

export function fromSummary(summary: Summary): Prov {
  switch (summary.returns) {
    case 'markup':
      return MARKUP;
    case 'escaped':
      return { escaped: true, escapes: new Set(summary.escapes ?? [...ALL_ESCAPED]) };
    case 'data':
      return DATA;
    case 'text':
      return INERT;
    default:
      return unknown('a summary says it returns unknown values', true);
  }
}

/** What a Prov says a function returns, as a summary another module can use. */
export function toSummary(p: Prov): Summary {
  // A function that returns markup on any path is a markup function, whatever else it may return.
  if (p.markup) return { returns: 'markup' };
  if (p.unknown) return { returns: 'unknown' };
  if (p.data || p.record) return { returns: 'data' };
  if (p.escaped) return { returns: 'escaped', escapes: [...(p.escapes ?? ALL_ESCAPED)] };
  return { returns: 'text' };
}

/** The expressions a function returns: `return` arguments (not of nested functions) or a concise arrow body. */
export function returnExpressions(fn: AstNode): AstNode[] {
  const body = child(fn, 'body');
  if (!body) return [];
  if (body.type !== 'BlockStatement') return [body];
  const inner = (n: AstNode) => n === body || !isFunction(n);
  return [...walk(body, inner)]
    .filter((n) => n.type === 'ReturnStatement')
    .flatMap((r) => {
      const a = child(r, 'argument');
      return a ? [a] : [];
    });
}

function lineOf(src: Source, node: AstNode): number {
  let line = 1;
  const end = src.start(node);
  for (let i = src.text.indexOf('\n'); i !== -1 && i < end; i = src.text.indexOf('\n', i + 1)) line++;
  return line;
}
