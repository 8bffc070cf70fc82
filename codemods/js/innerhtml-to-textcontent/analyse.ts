import { type AstNode, child, children, memberName, quasiText, stringField, stringValue, unwrapTypes, walk } from './ast.js';
import { afterData, attributeQuote, escapingFallsShort, feed, type HtmlState, sameState } from './html-state.js';
import type { Source } from './positions.js';

/** The name the codemod gives its own helper when `escapeHtml` is taken. */
export const FALLBACK_HELPER = 'shipshapeEscapeHtml';

/** Function names whose result is already safe to put in markup. */
const ESCAPE_FUNCTIONS = new Set(['escapeHtml', 'escapeHTML', 'escape_html', FALLBACK_HELPER, 'encodeURIComponent']);

export type Analysis =
  /** Markup written by the program itself: nothing to fix. */
  | { kind: 'constant' }
  /** Already passed through an escaper or sanitiser. */
  | { kind: 'escaped' }
  /** Data with no markup around it: it can be written as text. */
  | { kind: 'plain' }
  /** Markup mixed with data: `wraps` are the data expressions to escape. */
  | { kind: 'markup'; wraps: Wrap[] }
  | { kind: 'unsure'; reason: string };

/** A data expression to escape, and the quote of the attribute value it lands in, if any. */
export interface Wrap {
  node: AstNode;
  quote: '"' | "'" | undefined;
}

/** Escape functions declared in the file and checked, by name: the characters they escape. */
export type Escapers = ReadonlyMap<string, ReadonlySet<string>>;

/** A short, one-line quote of a node's source for notes. */
export function quote(src: Source, node: AstNode): string {
  const source = src.text.slice(src.start(node), src.end(node)).replace(/\s+/g, ' ').trim();
  return source.length > 60 ? `${source.slice(0, 57)}...` : source;
}

function dottedName(node: AstNode): string | undefined {
  if (node.type === 'Identifier') return stringField(node, 'name');
  if (node.type === 'ThisExpression') return 'this';
  if (node.type !== 'MemberExpression' || node.computed === true) return undefined;
  const object = child(node, 'object');
  const name = memberName(node);
  const head = object ? dottedName(object) : undefined;
  return head && name ? `${head}.${name}` : undefined;
}

function isCall(node: AstNode): boolean {
  return node.type === 'CallExpression' || node.type === 'OptionalCallExpression';
}

/** `escapeHtml(x)`, `Utils.escapeHtml(x)`, `DOMPurify.sanitize(x)`, `encodeURIComponent(x)`… */
export function isEscapeCall(node: AstNode): boolean {
  const call = unwrapTypes(node);
  if (!isCall(call)) return false;
  const callee = child(call, 'callee');
  if (!callee) return false;
  if (callee.type === 'Identifier') return ESCAPE_FUNCTIONS.has(stringField(callee, 'name') ?? '');
  const name = memberName(callee);
  if (name && ESCAPE_FUNCTIONS.has(name) && name !== 'encodeURIComponent') return true;
  const dotted = dottedName(callee);
  return dotted === 'DOMPurify.sanitize' || dotted === 'window.DOMPurify.sanitize';
}

function isUriEncode(node: AstNode): boolean {
  const call = unwrapTypes(node);
  const callee = isCall(call) ? child(call, 'callee') : undefined;
  return callee?.type === 'Identifier' && callee.name === 'encodeURIComponent';
}

/**
 * Whether an existing escape call is known to escape `quote`: a function
 * declared in this file that the codemod has read, or encodeURIComponent
 * (it encodes `"`; a `'` it leaves cannot start a new attribute value without
 * `=` or a space, which it encodes). `Utils.escapeHtml`, `DOMPurify.sanitize`
 * and imported helpers may leave quotes as they are.
 */
function escapesQuote(escapers: Escapers, node: AstNode, quote: string): boolean {
  if (isUriEncode(node)) return true;
  const call = unwrapTypes(node);
  const callee = child(call, 'callee');
  if (callee?.type !== 'Identifier') return false;
  return escapers.get(stringField(callee, 'name') ?? '')?.has(quote) === true;
}

/** Values that are numbers, so cannot carry markup or a URL scheme: number literals, lengths, `toFixed()` results. */
function isNumeric(node: AstNode): boolean {
  const n = unwrapTypes(node);
  if (n.type === 'NumericLiteral' || n.type === 'BigIntLiteral') return true;
  if (n.type === 'Literal' && typeof n.value === 'number') return true;
  if (n.type === 'MemberExpression' && n.computed !== true && memberName(n) === 'length') return true;
  if (isCall(n)) {
    const callee = child(n, 'callee');
    if (callee && memberName(callee) === 'toFixed') return true;
  }
  return false;
}

function isLiteral(node: AstNode): boolean {
  return ['StringLiteral', 'NumericLiteral', 'BooleanLiteral', 'NullLiteral', 'BigIntLiteral', 'Literal'].includes(node.type);
}

/** A value fixed in the source: the program's own markup, which the codemod leaves alone. */
function isConstant(node: AstNode): boolean {
  const n = unwrapTypes(node);
  if (isLiteral(n)) return true;
  if (n.type === 'Identifier' && n.name === 'undefined') return true;
  if (n.type === 'TemplateLiteral') return children(n, 'expressions').every(isConstant);
  if (n.type === 'BinaryExpression' && n.operator === '+') {
    const left = child(n, 'left');
    const right = child(n, 'right');
    return !!left && !!right && isConstant(left) && isConstant(right);
  }
  if (n.type === 'ConditionalExpression') {
    const consequent = child(n, 'consequent');
    const alternate = child(n, 'alternate');
    return !!consequent && !!alternate && isConstant(consequent) && isConstant(alternate);
  }
  return false;
}

// Names of values that are usually HTML already: markup, rendered templates, Markdown, highlighted code, escaped text.
const HTML_NAME = /html|markup|template|render|markdown|marked|sanitiz|purif|escape|highlight|linkify|nl2br|emoji/i;
const HTML_COLLECTION = /^(rows|items)$/i;

/** The names a value is known by: `a.b.rowsHtml` → rowsHtml; `rows.join(', ')` → join, rows. */
function namesOf(node: AstNode): string[] {
  const n = unwrapTypes(node);
  if (n.type === 'Identifier') return [stringField(n, 'name') ?? ''];
  if (n.type === 'MemberExpression' || n.type === 'OptionalMemberExpression') {
    const name = memberName(n);
    const object = child(n, 'object');
    // `hljs.highlight(code).value`: the property of a call's result is named by the call.
    const fromCall = object && isCall(unwrapTypes(object)) ? namesOf(object) : [];
    return [...(name ? [name] : []), ...fromCall];
  }
  if (isCall(n)) {
    const callee = child(n, 'callee');
    if (!callee) return [];
    const object = child(callee, 'object');
    return [...namesOf(callee), ...(object && callee.type !== 'Identifier' ? namesOf(object) : [])];
  }
  if (n.type === 'AwaitExpression') {
    const argument = child(n, 'argument');
    return argument ? namesOf(argument) : [];
  }
  if (n.type === 'TaggedTemplateExpression') {
    const tag = child(n, 'tag');
    return tag ? namesOf(tag) : [];
  }
  return [];
}

/** `xs.join('')`: pieces glued with nothing, the usual shape of a list of HTML rows. */
function isGlueJoin(node: AstNode): boolean {
  if (!isCall(node)) return false;
  const callee = child(node, 'callee');
  if (!callee || memberName(callee) !== 'join') return false;
  const [separator] = children(node, 'arguments');
  if (!separator) return false;
  const glue = separator.type === 'TemplateLiteral' && children(separator, 'expressions').length === 0
    ? children(separator, 'quasis').map(quasiText).join('')
    : stringValue(separator);
  return glue !== undefined && glue.trim() === '';
}

function hasMarkupText(value: string): boolean {
  return /[<&]/.test(value);
}

// A fetched or XHR response body assigned to innerHTML is usually an HTML fragment.
const RESPONSE_BODY = /^(responseText|response|responseXML)$/;

/** `res.text()` or `(await fetch(url)).text()`: a response body. */
function isBodyText(node: AstNode): boolean {
  const n = unwrapTypes(node);
  if (!isCall(n) || children(n, 'arguments').length > 0) return false;
  const callee = child(n, 'callee');
  return !!callee && memberName(callee) === 'text';
}

/** True when a value looks like HTML built elsewhere rather than text. */
function mayBeHtml(node: AstNode): boolean {
  if (namesOf(node).some((name) => HTML_NAME.test(name) || HTML_COLLECTION.test(name) || RESPONSE_BODY.test(name))) return true;
  for (const n of walk(node)) {
    if (n.type === 'JSXElement' || n.type === 'JSXFragment') return true;
    if (isBodyText(n)) return true;
    if (isGlueJoin(n)) return true;
    const literal = stringValue(n);
    if (literal !== undefined && hasMarkupText(literal)) return true;
    if (n.type === 'TemplateElement' && hasMarkupText(quasiText(n))) return true;
  }
  return false;
}

type Step = { ok: true; state: HtmlState } | { ok: false; reason: string };

interface Scan {
  src: Source;
  escapers: Escapers;
  wraps: Wrap[];
  /** Whether any constant part holds markup (`<` or an entity). */
  markup: boolean;
}

function constantText(scan: Scan, state: HtmlState, value: string): Step {
  if (hasMarkupText(value)) scan.markup = true;
  return { ok: true, state: feed(state, value) };
}

/** A data value at this point of the markup: escape it, or say why not. */
function slot(scan: Scan, state: HtmlState, node: AstNode): Step {
  if (isNumeric(node)) return { ok: true, state: afterData(state) };
  const quoted = quote(scan.src, node);
  const shortfall = escapingFallsShort(state);
  const quote_ = attributeQuote(state);
  if (isEscapeCall(node)) {
    // Already escaped is only enough where escaping is; encodeURIComponent cannot write a `scheme:`.
    if (shortfall && !(shortfall.kind === 'url' && isUriEncode(node))) {
      return { ok: false, reason: `interpolates \`${quoted}\` ${shortfall.reason}` };
    }
    if (quote_ && !escapesQuote(scan.escapers, node, quote_)) {
      return {
        ok: false,
        reason: `interpolates \`${quoted}\` into the \`${state.attr}\` attribute, and that escaper is not known to escape \`${quote_}\``,
      };
    }
    return { ok: true, state: afterData(state) };
  }
  if (mayBeHtml(node)) return { ok: false, reason: `interpolates \`${quoted}\`, which may be intended HTML` };
  if (shortfall) return { ok: false, reason: `interpolates \`${quoted}\` ${shortfall.reason}` };
  scan.wraps.push({ node, quote: quote_ });
  return { ok: true, state };
}

function isStringy(node: AstNode): boolean {
  return stringValue(node) !== undefined || node.type === 'TemplateLiteral';
}

/**
 * `a + b + '<i>' + c`: the additions left of the first string run as numbers
 * when they are numbers, so they stay one value (`escapeHtml(a + b)`); every
 * operand after it is concatenated as a string and is escaped on its own.
 */
function scanConcat(scan: Scan, state: HtmlState, node: AstNode): Step {
  const operands: AstNode[] = [];
  const spine: AstNode[] = [];
  let current: AstNode = node;
  while (current.type === 'BinaryExpression' && current.operator === '+') {
    const left = child(current, 'left');
    const right = child(current, 'right');
    if (!left || !right) return { ok: false, reason: 'could not read a concatenation' };
    operands.unshift(right);
    spine.unshift(current);
    current = left;
  }
  operands.unshift(current);
  // spine[i] covers operands[0..i+1].
  const first = operands.findIndex(isStringy);
  if (first === -1) return slot(scan, state, node);
  let step: Step = { ok: true, state };
  const units: AstNode[] = first >= 2 ? [spine[first - 2]!] : operands.slice(0, first);
  for (const unit of units) {
    step = first >= 2 ? slot(scan, step.state, unit) : scanValue(scan, step.state, unit);
    if (!step.ok) return step;
  }
  for (const operand of operands.slice(first)) {
    step = scanValue(scan, step.state, operand);
    if (!step.ok) return step;
  }
  return step;
}

function scanValue(scan: Scan, state: HtmlState, node: AstNode): Step {
  const literal = stringValue(node);
  if (literal !== undefined) return constantText(scan, state, literal);
  switch (node.type) {
    case 'NumericLiteral':
    case 'BooleanLiteral':
    case 'BigIntLiteral':
      return constantText(scan, state, String(node.value));
    case 'NullLiteral':
      return constantText(scan, state, 'null');
    case 'TemplateLiteral': {
      const quasis = children(node, 'quasis');
      const expressions = children(node, 'expressions');
      let step: Step = { ok: true, state };
      for (const [i, quasi] of quasis.entries()) {
        step = constantText(scan, step.state, quasiText(quasi));
        if (!step.ok) return step;
        const expression = expressions[i];
        if (!expression) continue;
        step = scanValue(scan, step.state, expression);
        if (!step.ok) return step;
      }
      return step;
    }
    case 'BinaryExpression':
      return node.operator === '+' ? scanConcat(scan, state, node) : slot(scan, state, node);
    case 'ConditionalExpression': {
      const consequent = child(node, 'consequent');
      const alternate = child(node, 'alternate');
      if (!consequent || !alternate) return slot(scan, state, node);
      const yes = scanValue(scan, state, consequent);
      if (!yes.ok) return yes;
      const no = scanValue(scan, state, alternate);
      if (!no.ok) return no;
      if (!sameState(yes.state, no.state)) {
        return { ok: false, reason: `the branches of \`${quote(scan.src, node)}\` leave the markup in different states` };
      }
      return yes;
    }
    default:
      return slot(scan, state, node);
  }
}

function isStructural(node: AstNode): boolean {
  return (
    isLiteral(node) ||
    node.type === 'TemplateLiteral' ||
    node.type === 'ConditionalExpression' ||
    (node.type === 'BinaryExpression' && node.operator === '+')
  );
}

/**
 * Decides what an innerHTML value is: the program's own markup, escaped
 * data, plain data (text), markup with data in it, or something the codemod
 * cannot judge. `initial` is the markup state the value is parsed in.
 */
export function analyseValue(src: Source, value: AstNode, initial: HtmlState, escapers: Escapers): Analysis {
  const node = unwrapTypes(value);
  if (isConstant(node)) return { kind: 'constant' };
  if (isEscapeCall(node)) return { kind: 'escaped' };
  if (!isStructural(node)) {
    if (mayBeHtml(node)) return { kind: 'unsure', reason: `assigns \`${quote(src, node)}\`, which may be intended HTML` };
    return { kind: 'plain' };
  }
  const scan: Scan = { src, escapers, wraps: [], markup: false };
  const step = scanValue(scan, initial, node);
  if (!step.ok) return { kind: 'unsure', reason: step.reason };
  if (!scan.markup) return { kind: 'plain' };
  return { kind: 'markup', wraps: scan.wraps };
}
