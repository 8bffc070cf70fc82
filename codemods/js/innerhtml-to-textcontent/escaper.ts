/**
 * Reads a project's own escape function (`function escapeHtml(s) { … }`)
 * without running it, to know which characters it escapes and whether it
 * renders values the way a template literal does. A name proves nothing: an
 * `escapeHtml` that only escapes `<` and `>` is unsafe inside attributes, and
 * one that starts with `text || ''` shows `0` as nothing.
 *
 * Recognised: every `return` is a chain of `.replace(/c/g, '&entity;')`,
 * `.replaceAll('c', '&entity;')` or `.replace(/[…]/g, (c) => MAP[c])` calls
 * over `String(param)` (or `` `${param}` ``, or a `const` holding either).
 */
import { type AstNode, child, children, stringField, stringValue, walk } from './ast.js';

export interface EscaperCheck {
  /** The characters every return path escapes (of `& < > " '`). */
  escapes: ReadonlySet<string>;
  /** Renders any value like a template literal: `String()` first, one return path, nothing escaped twice. */
  exact: boolean;
  /** When not exact or not readable: why, for a note. */
  problem?: string;
}

/** Finds a `const NAME = { … }` object the escaper's lookup table may refer to. */
export type ConstantLookup = (name: string) => AstNode | undefined;

const NAMED: Record<string, string[]> = {
  '&': ['&amp;', '&AMP;'],
  '<': ['&lt;', '&LT;'],
  '>': ['&gt;', '&GT;'],
  '"': ['&quot;', '&QUOT;'],
  "'": ['&apos;'],
};

/** Whether `text` is a character reference that decodes to exactly `ch`. */
export function isReferenceFor(ch: string, text: string): boolean {
  if (NAMED[ch]?.includes(text)) return true;
  const decimal = /^&#0*(\d{1,7});$/.exec(text);
  if (decimal) return Number(decimal[1]) === ch.codePointAt(0);
  const hex = /^&#[xX]0*([0-9a-fA-F]{1,6});$/.exec(text);
  return !!hex && Number.parseInt(hex[1]!, 16) === ch.codePointAt(0);
}

/** The characters a regular expression matches when it is one character or a plain character class. */
function regexChars(pattern: string): string[] | undefined {
  const single = /^\\?([^\\[\]^$.|?*+(){}-])$/.exec(pattern);
  if (single) return [single[1]!];
  const klass = /^\[([^\]]*)\]$/.exec(pattern);
  if (!klass || klass[1]!.startsWith('^')) return undefined;
  const chars: string[] = [];
  const body = klass[1]!;
  for (let i = 0; i < body.length; i++) {
    let ch = body[i]!;
    if (ch === '\\') {
      ch = body[++i] ?? '';
      // `\s`, `\d`, `\x26`…: classes and escapes the codemod does not read.
      if (!/^[^A-Za-z0-9]$/.test(ch)) return undefined;
    } else if (ch === '-' && i > 0 && i < body.length - 1) {
      return undefined;
    }
    chars.push(ch);
  }
  return chars.length > 0 ? chars : undefined;
}

function regexOf(node: AstNode): { pattern: string; flags: string } | undefined {
  if (node.type === 'RegExpLiteral') {
    const pattern = stringField(node, 'pattern');
    const flags = stringField(node, 'flags');
    return pattern !== undefined && flags !== undefined ? { pattern, flags } : undefined;
  }
  const regex = node.regex as { pattern?: unknown; flags?: unknown } | undefined;
  if (node.type === 'Literal' && regex && typeof regex.pattern === 'string' && typeof regex.flags === 'string') {
    return { pattern: regex.pattern, flags: regex.flags };
  }
  return undefined;
}

function unparen(node: AstNode): AstNode {
  let current = node;
  while (current.type === 'ParenthesizedExpression') {
    const inner = child(current, 'expression');
    if (!inner) break;
    current = inner;
  }
  return current;
}

/** `{ '&': '&amp;', … }` as a table, or undefined when any entry is not a plain string pair. */
function lookupTable(node: AstNode, constants: ConstantLookup): Map<string, string> | undefined {
  let object = unparen(node);
  if (object.type === 'Identifier') {
    const found = constants(stringField(object, 'name') ?? '');
    if (!found) return undefined;
    object = unparen(found);
  }
  if (object.type !== 'ObjectExpression') return undefined;
  const table = new Map<string, string>();
  for (const property of children(object, 'properties')) {
    if ((property.type !== 'ObjectProperty' && property.type !== 'Property') || property.computed === true) return undefined;
    const key = child(property, 'key');
    const value = child(property, 'value');
    const name = key ? (stringValue(key) ?? (key.type === 'Identifier' ? stringField(key, 'name') : undefined)) : undefined;
    const text = value ? stringValue(value) : undefined;
    if (name === undefined || text === undefined) return undefined;
    table.set(name, text);
  }
  return table;
}

/** `(c) => MAP[c]`, `(c) => MAP[c] || c`, `function (c) { return MAP[c]; }`: the table it reads. */
function lookupFunction(node: AstNode, constants: ConstantLookup): Map<string, string> | undefined {
  if (node.type !== 'ArrowFunctionExpression' && node.type !== 'FunctionExpression') return undefined;
  const [param] = children(node, 'params');
  if (!param || param.type !== 'Identifier') return undefined;
  const name = stringField(param, 'name');
  let body = child(node, 'body');
  if (body?.type === 'BlockStatement') {
    const statements = children(body, 'body');
    body = statements.length === 1 && statements[0]!.type === 'ReturnStatement' ? child(statements[0]!, 'argument') : undefined;
  }
  if (!body) return undefined;
  body = unparen(body);
  if (body.type === 'LogicalExpression' && (body.operator === '||' || body.operator === '??')) {
    const right = child(body, 'right');
    if (right?.type !== 'Identifier' || stringField(right, 'name') !== name) return undefined;
    body = child(body, 'left');
    if (!body) return undefined;
    body = unparen(body);
  }
  if (body.type !== 'MemberExpression' || body.computed !== true) return undefined;
  const property = child(body, 'property');
  const object = child(body, 'object');
  if (property?.type !== 'Identifier' || stringField(property, 'name') !== name || !object) return undefined;
  return lookupTable(object, constants);
}

/** One `.replace(…)` step: the characters it escapes and the text it writes, or undefined when it is not a plain escape. */
function replaceStep(method: string, args: AstNode[], constants: ConstantLookup): { chars: string[]; outputs: string[] } | undefined {
  if (args.length !== 2) return undefined;
  const [pattern, replacement] = args as [AstNode, AstNode];
  let chars: string[] | undefined;
  const literal = stringValue(pattern);
  if (literal !== undefined) {
    // `replace('&', …)` replaces the first one only.
    if (method !== 'replaceAll' || [...literal].length !== 1) return undefined;
    chars = [literal];
  } else {
    const regex = regexOf(pattern);
    if (!regex || !regex.flags.includes('g') || regex.flags.includes('y')) return undefined;
    chars = regexChars(regex.pattern);
  }
  if (!chars) return undefined;
  const text = stringValue(replacement);
  if (text !== undefined) {
    if (chars.length !== 1 || !isReferenceFor(chars[0]!, text)) return undefined;
    return { chars, outputs: [text] };
  }
  const table = lookupFunction(replacement, constants);
  if (!table) return undefined;
  const outputs: string[] = [];
  for (const ch of chars) {
    const out = table.get(ch);
    if (out === undefined || !isReferenceFor(ch, out)) return undefined;
    outputs.push(out);
  }
  return { chars, outputs };
}

type Base = 'exact' | 'string' | 'other';

function isParam(node: AstNode, param: string): boolean {
  return node.type === 'Identifier' && stringField(node, 'name') === param;
}

/** `String(p)`, `` `${p}` ``, `'' + p`: the parameter as a template literal would show it. */
function baseOf(node: AstNode, param: string, aliases: ReadonlySet<string>): Base {
  const n = unparen(node);
  if (n.type === 'Identifier' && aliases.has(stringField(n, 'name') ?? '')) return 'exact';
  if (n.type === 'CallExpression') {
    const callee = child(n, 'callee');
    const args = children(n, 'arguments');
    if (callee?.type === 'Identifier' && stringField(callee, 'name') === 'String' && args.length === 1) {
      return isParam(args[0]!, param) ? 'exact' : 'string';
    }
  }
  if (n.type === 'TemplateLiteral') {
    const expressions = children(n, 'expressions');
    const quasis = children(n, 'quasis');
    const empty = quasis.every((q) => (q.value as { cooked?: string } | undefined)?.cooked === '');
    if (expressions.length === 1 && empty) return isParam(expressions[0]!, param) ? 'exact' : 'string';
  }
  if (n.type === 'BinaryExpression' && n.operator === '+') {
    const left = child(n, 'left');
    const right = child(n, 'right');
    if (left && right && stringValue(left) === '' && isParam(right, param)) return 'exact';
    if (left && right && stringValue(right) === '' && isParam(left, param)) return 'exact';
  }
  return 'other';
}

interface Chain {
  escapes: Set<string>;
  exact: boolean;
}

function readChain(node: AstNode, param: string, aliases: ReadonlySet<string>, constants: ConstantLookup): Chain | undefined {
  const steps: { chars: string[]; outputs: string[] }[] = [];
  let current = unparen(node);
  while (current.type === 'CallExpression') {
    const callee = child(current, 'callee');
    const property = callee?.type === 'MemberExpression' && callee.computed !== true ? child(callee, 'property') : undefined;
    const method = property?.type === 'Identifier' ? stringField(property, 'name') : undefined;
    if (!callee || (method !== 'replace' && method !== 'replaceAll')) break;
    const step = replaceStep(method, children(current, 'arguments'), constants);
    if (!step) return undefined;
    steps.unshift(step);
    current = unparen(child(callee, 'object') ?? current);
  }
  if (steps.length === 0) return undefined;
  const escapes = new Set<string>();
  let exact = baseOf(current, param, aliases) === 'exact';
  for (const step of steps) {
    // `&` escaped after a step that wrote `&lt;` turns it into `&amp;lt;`: the page would show `&lt;`.
    if (step.chars.includes('&') && escapes.size > 0) exact = false;
    for (const ch of step.chars) escapes.add(ch);
  }
  return { escapes, exact };
}

/** Return statements of a function body, not of functions nested in it. */
function returnsOf(body: AstNode): AstNode[] {
  const inner = (n: AstNode) => n === body || !/Function|Class/.test(n.type);
  return [...walk(body, inner)].filter((n) => n.type === 'ReturnStatement');
}

/** Whether anything under `node` assigns to (or increments) one of `names`. */
function assigns(node: AstNode, names: ReadonlySet<string>): boolean {
  for (const n of walk(node)) {
    if (n.type !== 'AssignmentExpression' && n.type !== 'UpdateExpression') continue;
    const target = child(n, n.type === 'AssignmentExpression' ? 'left' : 'argument');
    if (target?.type === 'Identifier' && names.has(stringField(target, 'name') ?? '')) return true;
  }
  return false;
}

const UNREADABLE: EscaperCheck = {
  escapes: new Set(),
  exact: false,
  problem: 'its body is not a chain of `.replace()` calls the codemod can read',
};

/** What a project escape function declaration escapes, read from its source. */
export function checkEscaper(fn: AstNode, constants: ConstantLookup): EscaperCheck {
  if (fn.async === true || fn.generator === true) return UNREADABLE;
  const params = children(fn, 'params');
  const body = child(fn, 'body');
  if (params.length !== 1 || params[0]!.type !== 'Identifier' || body?.type !== 'BlockStatement') return UNREADABLE;
  const param = stringField(params[0]!, 'name') ?? '';
  const statements = children(body, 'body');
  const aliases = new Set<string>();
  for (const statement of statements) {
    if (statement.type !== 'VariableDeclaration' || statement.kind !== 'const') continue;
    for (const declarator of children(statement, 'declarations')) {
      const id = child(declarator, 'id');
      const init = child(declarator, 'init');
      if (id?.type === 'Identifier' && init && baseOf(init, param, new Set()) === 'exact') aliases.add(stringField(id, 'name') ?? '');
    }
  }
  // A body that can end without `return` gives `undefined`, which the page would show.
  if (statements.at(-1)?.type !== 'ReturnStatement' || assigns(body, new Set([param, ...aliases]))) return UNREADABLE;
  const returns = returnsOf(body);
  let escapes: Set<string> | undefined;
  let exact = returns.length === 1;
  let problem: string | undefined;
  for (const ret of returns) {
    const argument = child(ret, 'argument');
    const literal = argument ? stringValue(argument) : undefined;
    let chain: Chain | undefined;
    if (literal !== undefined) {
      // `if (value == null) return '';`: safe wherever it lands, but not what the template showed.
      if (/[&<>"']/.test(literal)) return UNREADABLE;
      chain = { escapes: new Set(['&', '<', '>', '"', "'"]), exact: false };
      problem = 'it returns a fixed string for some values (`return \'\'`), so null, undefined or 0 would render differently';
    } else {
      chain = argument ? readChain(argument, param, aliases, constants) : undefined;
    }
    if (!chain) return UNREADABLE;
    escapes = escapes ? new Set([...escapes].filter((ch) => chain.escapes.has(ch))) : chain.escapes;
    exact &&= chain.exact;
  }
  if (!escapes) return UNREADABLE;
  if (exact) return { escapes, exact };
  return {
    escapes,
    exact,
    problem: problem ?? 'it does not turn its argument into text with String() first and escape it once, so null, 0 or `&` could render differently',
  };
}
