/**
 * Where data enters markup. Follows a value that innerHTML parses through
 * the markup it is built from — templates, `+` concatenations, branches,
 * markup-building locals (`cn += …`), helpers that return markup and
 * `.map(…).join('')` lists — feeding the constant parts to the HTML
 * tokenizer model, and decides for every value that lands in it: escape it
 * (data in text or a quoted attribute), leave it (markup, escaped, numbers),
 * or report it (unknown values, and data where escaping is not enough).
 */
import { type AstNode, child, children, memberName, quasiText, stringField, stringValue } from './ast.js';
import { afterData, attributeQuote, escapingFallsShort, feed, type HtmlState, sameState, TEXT_STATE } from './html-state.js';
import { type Provenance, bare, hasMarkupText, isCall, isInert, returnExpressions } from './provenance.js';
import { type Binding, isFunction } from './scope.js';

/** A data expression to escape, and the quote of the attribute value it lands in, if any. */
export interface Wrap {
  node: AstNode;
  quote: '"' | "'" | undefined;
}

/** A value left in markup unescaped: unknown, or data where escaping is not enough. */
export interface Problem {
  node: AstNode;
  reason: string;
}

export interface Plan {
  wraps: Wrap[];
  problems: Problem[];
}

/**
 * Where the markup may be after a value: one state, or several when the
 * branches of a `?:` stop in different places (`${on ? 'checked' : ''}` inside
 * a tag) — the text after them usually brings them back together.
 */
type States = readonly HtmlState[];

const TEXT: States = [TEXT_STATE];
const MAX_STATES = 8;

function isText(states: States): boolean {
  return states.every((s) => s.mode === 'text');
}

/** Between attributes the name of the last one no longer matters: `<b data-id="1"` and `<b ` read on alike. */
function canonical(s: HtmlState): HtmlState {
  return s.mode === 'beforeAttr' ? { ...s, attr: '', recent: '', url: 'none', scheme: '' } : s;
}

function merge(states: readonly HtmlState[]): States {
  const out: HtmlState[] = [];
  for (const state of states) {
    const s = canonical(state);
    if (!out.some((o) => sameState(o, s))) out.push(s);
  }
  if (out.length > MAX_STATES) return [{ ...TEXT_STATE, mode: 'opaque', why: 'too many branches to follow' }];
  return out;
}

function sameStates(a: States, b: States): boolean {
  const x = merge(a);
  const y = merge(b);
  return x.length === y.length && x.every((s) => y.some((o) => sameState(o, s)));
}

/**
 * After a value whose text is not known but holds no markup (a number, a
 * class name): in text or an attribute value the place is unchanged; right
 * after `<`, or between attributes, it is a tag or attribute name, or nothing.
 */
function afterValue(states: States): States {
  return merge(
    states.flatMap((s): HtmlState[] => {
      switch (s.mode) {
        case 'tagOpen':
          return [{ ...s, mode: 'tagName', tag: '', endTag: false }];
        case 'endTagOpen':
          return [{ ...s, mode: 'tagName', tag: '', endTag: true }];
        case 'beforeAttr':
        case 'afterAttrName':
          return [s, { ...s, mode: 'attrName', attr: '' }];
        case 'beforeValue':
          return [s, { ...s, mode: 'unquoted', url: 'unknown' }];
        default:
          return [afterData(s)];
      }
    }),
  );
}

function feedAll(states: States, text: string): States {
  return merge(states.map((s) => feed(s, text)));
}

function afterAll(states: States): States {
  return merge(states.map(afterData));
}

function isStringy(node: AstNode): boolean {
  return stringValue(node) !== undefined || node.type === 'TemplateLiteral';
}

function isNumberLiteral(node: AstNode): boolean {
  return node.type === 'NumericLiteral' || node.type === 'BooleanLiteral' || node.type === 'NullLiteral' || node.type === 'BigIntLiteral' || (node.type === 'Literal' && typeof node.value !== 'string');
}

export class SlotFinder {
  /** Helpers and lists already followed: what they hold is planned once, whichever sink reaches them first. */
  private readonly followed = new Set<Binding | AstNode>();
  /** Where each markup-holding local was first written into the markup. */
  private readonly landing = new Map<Binding, States>();

  constructor(
    private readonly prov: Provenance,
    private readonly q: (node: AstNode) => string,
  ) {}

  /** The plan for a value innerHTML parses (it starts in text). */
  plan(node: AstNode): Plan {
    const plan: Plan = { wraps: [], problems: [] };
    this.value(plan, node, TEXT);
    return plan;
  }

  /**
   * The text of a `const` bound to a string literal (`const IMG_PATH =
   * 'https://…'`): the markup reads it as it reads the literal itself.
   */
  private constantText(node: AstNode): string | undefined {
    if (node.type !== 'Identifier') return undefined;
    const binding = this.prov.input.scopes.bindingOf(node);
    if (binding?.kind !== 'const' || !binding.init || binding.destructured || binding.iterates) return undefined;
    return stringValue(bare(binding.init));
  }

  private value(plan: Plan, raw: AstNode, state: States): States {
    const node = bare(raw);
    const literal = stringValue(node) ?? this.constantText(node);
    if (literal !== undefined) return feedAll(state, literal);
    if (isNumberLiteral(node)) return feedAll(state, String(node.value));
    switch (node.type) {
      case 'TemplateLiteral': {
        const quasis = children(node, 'quasis');
        const expressions = children(node, 'expressions');
        let s = state;
        for (const [i, quasi] of quasis.entries()) {
          s = feedAll(s, quasiText(quasi));
          const e = expressions[i];
          if (e) s = this.value(plan, e, s);
        }
        return s;
      }
      case 'BinaryExpression':
        if (node.operator === '+') return this.concat(plan, node, state);
        break;
      case 'ConditionalExpression': {
        const yes = child(node, 'consequent');
        const no = child(node, 'alternate');
        if (!yes || !no) break;
        return merge([...this.value(plan, yes, state), ...this.value(plan, no, state)]);
      }
      case 'LogicalExpression':
        return this.logical(plan, node, state);
      case 'Identifier': {
        const binding = this.prov.input.scopes.bindingOf(node);
        if (binding && binding.kind !== 'import' && binding.kind !== 'function' && binding.kind !== 'class') {
          const handled = this.builder(plan, node, binding, state);
          if (handled) return handled;
        }
        break;
      }
      case 'CallExpression':
      case 'OptionalCallExpression': {
        const handled = this.callValue(plan, node, state);
        if (handled) return handled;
        break;
      }
      default:
    }
    // The value as written (`x as string` stays inside the escaper's call).
    return this.leaf(plan, raw, state);
  }

  /**
   * `a + b + '<i>' + c`: additions left of the first string run as numbers
   * when they are numbers, so they stay one value; every operand after it is
   * concatenated as a string and lands in the markup on its own.
   */
  private concat(plan: Plan, node: AstNode, state: States): States {
    const operands: AstNode[] = [];
    const spine: AstNode[] = [];
    let current: AstNode = node;
    while (current.type === 'BinaryExpression' && current.operator === '+') {
      const left = child(current, 'left');
      const right = child(current, 'right');
      if (!left || !right) return this.leaf(plan, node, state);
      operands.unshift(right);
      spine.unshift(current);
      current = left;
    }
    operands.unshift(current);
    const first = operands.findIndex((o) => isStringy(bare(o)) || this.constantText(bare(o)) !== undefined);
    if (first === -1) {
      // No string literal: `a + b` is one value, unless one side is a markup builder or helper.
      if (operands.some((o) => this.prov.of(o).markup)) {
        let s = state;
        for (const o of operands) s = this.value(plan, o, s);
        return s;
      }
      return this.leaf(plan, node, state);
    }
    let s = state;
    if (first >= 2) s = this.leaf(plan, spine[first - 2]!, s);
    else if (first === 1) s = this.value(plan, operands[0]!, s);
    for (const operand of operands.slice(first)) s = this.value(plan, operand, s);
    return s;
  }

  /** `a || '<i>none</i>'`, `a ?? '-'`, `ok && '<b>yes</b>'`. */
  private logical(plan: Plan, node: AstNode, state: States): States {
    const left = child(node, 'left');
    const right = child(node, 'right');
    if (!left || !right) return this.leaf(plan, node, state);
    const l = this.prov.of(left);
    const r = this.prov.of(right);
    // Escaping the left operand would change which side is taken: escape the whole when the right side is plain text.
    if ((l.data || l.unknown) && !r.markup && !r.escaped) return this.leaf(plan, node, state);
    if (l.data || l.unknown) {
      const inner = this.prov.of(left);
      const reason = inner.unknown
        ? `\`${this.q(left)}\` may be markup (${inner.why ?? 'unknown'})`
        : `escaping \`${this.q(left)}\` would change which side of \`${this.q(node)}\` is taken, and the other side is markup`;
      plan.problems.push({ node: left, reason });
      const s = this.value(plan, right, state);
      return s;
    }
    return merge([...this.value(plan, left, state), ...this.value(plan, right, state)]);
  }

  /**
   * A local or parameter that holds markup on some paths: the data enters
   * where it is assigned (`cn += \`<b>${name}</b>\``) or passed, so each of
   * those pieces is followed as markup of its own, from text to text.
   */
  private builder(plan: Plan, node: AstNode, binding: Binding, state: States): States | undefined {
    const p = this.prov.binding(binding);
    if (!p.markup || (!p.data && !p.unknown)) return undefined;
    const landed = this.landing.get(binding);
    if (landed) {
      if (!sameStates(landed, state)) plan.problems.push({ node, reason: `\`${binding.name}\` holds markup and is written in two different places of the markup` });
      return state;
    }
    if (state.some((s) => s.mode !== 'text' && s.mode !== 'beforeAttr')) {
      plan.problems.push({ node, reason: `\`${binding.name}\` holds markup and is written inside an attribute value or tag name` });
      return state;
    }
    this.landing.set(binding, state);
    for (const piece of this.pieces(binding)) this.fragment(plan, piece, `\`${binding.name}\``, state);
    const external = binding.param ? this.prov.functionInfo(binding.param.fn).external : undefined;
    if (external) plan.problems.push({ node, reason: `\`${binding.name}\` may also be passed markup or data by code outside this file (${external})` });
    return state;
  }

  /** The values a binding is given: its initialiser, `=` and `+=` writes, `.push()` arguments, or what callers pass. */
  private pieces(binding: Binding): AstNode[] {
    const pieces: AstNode[] = [];
    if (binding.param) {
      const info = this.prov.functionInfo(binding.param.fn);
      for (const call of info.calls) {
        const arg = children(call, 'arguments')[binding.param.index];
        if (arg && arg.type !== 'SpreadElement') pieces.push(arg);
      }
      return pieces;
    }
    if (binding.init && !binding.iterates && !binding.destructured) pieces.push(binding.init);
    for (const write of binding.writes) if (write.value) pieces.push(write.value);
    return pieces;
  }

  /**
   * A piece of markup that must stand on its own (a builder's piece, a
   * helper's return value, a list item): followed from text, and it must end
   * in text, or its values cannot be judged.
   */
  private fragment(plan: Plan, node: AstNode, owner: string, start: States = TEXT): void {
    const sub: Plan = { wraps: [], problems: [] };
    const end = this.value(sub, node, start);
    if (!sameStates(end, start) && !(isText(start) && isText(end)) && !end.some((e) => e.mode === 'opaque')) {
      plan.problems.push({ node, reason: `a piece of ${owner}, \`${this.q(node)}\`, does not close the tags or attributes it opens, so its values cannot be judged` });
      plan.problems.push(...sub.problems);
      return;
    }
    plan.wraps.push(...sub.wraps);
    plan.problems.push(...sub.problems);
  }

  /** Calls whose result is markup built in this file: a helper, a `.map(…).join('')`, a `.reduce(…)`. */
  private callValue(plan: Plan, node: AstNode, state: States): States | undefined {
    const callee = child(node, 'callee');
    if (!callee) return undefined;
    const c = bare(callee);
    const p = this.prov.of(node);
    if (!p.markup || (!p.data && !p.unknown)) return undefined;
    if (!isText(state)) {
      plan.problems.push({ node, reason: `\`${this.q(node)}\` returns markup and lands inside a tag or attribute` });
      return state;
    }
    const method = c.type === 'MemberExpression' || c.type === 'OptionalMemberExpression' ? memberName(c) : undefined;
    const receiver = method ? child(c, 'object') : undefined;
    if (method === 'join' && receiver) {
      const separator = children(node, 'arguments')[0];
      if (separator) {
        const sub: Plan = { wraps: [], problems: [] };
        const s = this.value(sub, separator, TEXT);
        if (!isText(s)) return this.leaf(plan, node, state);
      }
      this.elements(plan, receiver, `the items of \`${this.q(receiver)}\``);
      return state;
    }
    // `html.concat('<li>' + x + '</li>')`: the same as `+`.
    if (method === 'concat' && receiver && !this.prov.of(receiver).element) {
      let s = this.value(plan, receiver, state);
      for (const arg of children(node, 'arguments')) s = this.value(plan, arg, s);
      return s;
    }
    if ((method === 'reduce' || method === 'reduceRight') && receiver) {
      const fn = children(node, 'arguments')[0];
      const initial = children(node, 'arguments')[1];
      if (fn && isFunction(bare(fn))) {
        if (initial) this.fragment(plan, initial, `\`${this.q(node)}\``);
        this.returns(plan, bare(fn));
        return state;
      }
      return undefined;
    }
    const local = this.localFunction(c);
    if (local) {
      this.returns(plan, local);
      return state;
    }
    return undefined;
  }

  /** A function written here, or a name bound once to one (`function f…`, `const f = () => …`). */
  private localFunction(raw: AstNode): AstNode | undefined {
    const node = bare(raw);
    if (isFunction(node)) return node;
    if (node.type !== 'Identifier') return undefined;
    const binding = this.prov.input.scopes.bindingOf(node);
    const fn = binding?.init ? bare(binding.init) : undefined;
    if (binding && fn && isFunction(fn) && (binding.kind === 'function' || binding.writes.length === 0)) return fn;
    return undefined;
  }

  /** Every value a markup-returning function of the file returns, each a piece of markup. */
  private returns(plan: Plan, fn: AstNode): void {
    if (this.followed.has(fn)) return;
    this.followed.add(fn);
    const id = child(fn, 'id');
    const owner = id ? `\`${stringField(id, 'name')}()\`` : 'a function';
    for (const r of returnExpressions(fn)) {
      if (isInert(this.prov.of(r)) || (this.prov.of(r).markup && !this.prov.of(r).data && !this.prov.of(r).unknown)) continue;
      this.fragment(plan, r, owner);
    }
  }

  /** The items of a list joined into markup: `.map(fn)` results, array literals, a local array and its `.push()`es. */
  private elements(plan: Plan, list: AstNode, owner: string): void {
    const node = bare(list);
    if (isCall(node)) {
      const callee = bare(child(node, 'callee') ?? node);
      const method = memberName(callee);
      const receiver = child(callee, 'object');
      const fn = children(node, 'arguments')[0];
      if ((method === 'map' || method === 'flatMap') && fn) {
        const f = this.localFunction(fn);
        if (f) {
          this.returns(plan, f);
          return;
        }
      }
      if (method && receiver && ['filter', 'slice', 'concat', 'reverse', 'sort', 'flat'].includes(method)) {
        this.elements(plan, receiver, owner);
        return;
      }
    }
    if (node.type === 'ArrayExpression') {
      for (const e of children(node, 'elements')) if (e.type !== 'SpreadElement') this.fragment(plan, e, owner);
      return;
    }
    if (node.type === 'Identifier') {
      const binding = this.prov.input.scopes.bindingOf(node);
      if (binding && binding.kind !== 'param' && binding.kind !== 'import') {
        if (this.followed.has(binding)) return;
        this.followed.add(binding);
        if (binding.init && !binding.iterates && !binding.destructured) this.elements(plan, binding.init, owner);
        for (const write of binding.writes) if (write.value && write.operator === '=') this.elements(plan, write.value, owner);
        for (const read of binding.reads) {
          const member = this.prov.input.scopes.parentOf(read);
          const call = member ? this.prov.input.scopes.parentOf(member) : undefined;
          if (member && call && isCall(call) && child(call, 'callee') === member && /^(push|unshift)$/.test(memberName(member) ?? '')) {
            for (const arg of children(call, 'arguments')) if (arg.type !== 'SpreadElement') this.fragment(plan, arg, owner);
          }
        }
        return;
      }
    }
    const p = this.prov.of(node);
    const element = p.element ?? p;
    if (element.unknown || element.data) {
      plan.problems.push({ node, reason: element.unknown ? (element.why ?? `${owner} are unknown`) : `${owner} hold data in a way shipshape does not follow` });
    }
  }

  /** The strings a value can only be: a literal, a `const` holding one, branches of them. */
  private constantTexts(raw: AstNode, depth = 0): string[] | undefined {
    const node = bare(raw);
    const literal = stringValue(node);
    if (literal !== undefined) return [literal];
    if (depth > 4) return undefined;
    if (node.type === 'TemplateLiteral' && children(node, 'expressions').length === 0) return [children(node, 'quasis').map(quasiText).join('')];
    if (node.type === 'ConditionalExpression') {
      const a = child(node, 'consequent');
      const b = child(node, 'alternate');
      const x = a ? this.constantTexts(a, depth + 1) : undefined;
      const y = b ? this.constantTexts(b, depth + 1) : undefined;
      return x && y ? [...x, ...y] : undefined;
    }
    if (node.type === 'Identifier') {
      const binding = this.prov.input.scopes.bindingOf(node);
      if (binding?.kind === 'const' && binding.init && !binding.destructured && !binding.iterates) return this.constantTexts(binding.init, depth + 1);
    }
    return undefined;
  }

  /** A value the codemod does not look into: escape it if it is data, leave it if it is safe, report it otherwise. */
  private leaf(plan: Plan, node: AstNode, states: States): States {
    const p = this.prov.of(node);
    const q = this.q(node);
    if (isInert(p)) {
      const texts = this.constantTexts(node);
      return texts ? merge(texts.flatMap((t) => feedAll(states, t))) : afterValue(states);
    }
    const shortfall = states.map(escapingFallsShort).find((f) => f !== null) ?? null;
    const quotes = new Set(states.map(attributeQuote));
    const quoteChar = quotes.size === 1 ? [...quotes][0] : undefined;
    const text = isText(states);
    if (p.unknown) {
      plan.problems.push({ node, reason: `\`${q}\` may be markup or text: ${p.why ?? 'shipshape cannot tell'}` });
      return text ? states : afterAll(states);
    }
    if (p.data && (p.markup || p.escaped)) {
      plan.problems.push({ node, reason: `\`${q}\` holds ${p.markup ? 'markup' : 'escaped text'} on some paths and data on others` });
      return states;
    }
    if (p.data) {
      if (shortfall) {
        plan.problems.push({ node, reason: `\`${q}\` is written ${shortfall.reason}` });
        return afterAll(states);
      }
      if (quotes.size > 1) {
        plan.problems.push({ node, reason: `\`${q}\` is written where the markup before it may or may not have opened an attribute` });
        return afterAll(states);
      }
      plan.wraps.push({ node, quote: quoteChar });
      return states;
    }
    if (p.escaped && !p.markup) {
      if (shortfall && !(shortfall.kind === 'url' && isUriEncoded(node))) {
        plan.problems.push({ node, reason: `\`${q}\` is escaped, but is written ${shortfall.reason}` });
        return afterAll(states);
      }
      for (const quoteMark of quotes) {
        if (quoteMark && !p.escapes?.has(quoteMark)) {
          plan.problems.push({ node, reason: `\`${q}\` lands in an attribute quoted with \`${quoteMark}\`, and its escaper is not known to escape it` });
          break;
        }
      }
      return afterAll(states);
    }
    // Markup: the program's own. In text it is what the page is meant to show; inside a tag it is not judged.
    if (!text && !isConstantMarkup(node)) {
      plan.problems.push({ node, reason: `\`${q}\` holds markup and is written ${shortfall ? shortfall.reason : 'inside a tag or attribute'}` });
    }
    return text ? states : afterAll(states);
  }
}

function isUriEncoded(node: AstNode): boolean {
  const call = bare(node);
  const callee = isCall(call) ? child(call, 'callee') : undefined;
  return callee?.type === 'Identifier' && callee.name === 'encodeURIComponent';
}

function isConstantMarkup(node: AstNode): boolean {
  const value = stringValue(bare(node));
  return value !== undefined && hasMarkupText(value);
}
