import type { Node } from 'web-tree-sitter';
import { stringValue } from '../lib/strings.js';
import { namedChildren } from '../lib/syntax.js';

type Value = null | boolean | number | string | Value[];

/** `os.getenv`, `os.environ.get` or one of them imported from os, as the caller knows it (`os` really is the os module, …). */
export type IsGetenv = (fn: Node | null) => boolean;

/** What every environment read returns: its default (the variable is unset) or this text. */
type Scenario = { unset: true } | { unset: false; text: string };

/** Ways people say "off" in an environment variable; none may turn a debug flag on. */
const OFF_TEXTS = ['', '0', 'false', 'False', 'FALSE', 'no', 'No', 'off', 'n'];

interface Env {
  isGetenv: IsGetenv;
  scenario: Scenario;
}

function truthy(v: Value): boolean {
  if (Array.isArray(v) || typeof v === 'string') return v.length > 0;
  return Boolean(v);
}

function equal(a: Value, b: Value): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]!));
  // Python: True == 1 and False == 0.
  if (typeof a === 'boolean' && typeof b === 'number') return Number(a) === b;
  if (typeof a === 'number' && typeof b === 'boolean') return a === Number(b);
  return a === b;
}

function contains(container: Value, item: Value): boolean | undefined {
  if (Array.isArray(container)) return container.some((x) => equal(x, item));
  if (typeof container === 'string' && typeof item === 'string') return container.includes(item);
  return undefined;
}

function compare(op: string, a: Value, b: Value): boolean | undefined {
  switch (op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case 'in':
      return contains(b, a);
    case 'not in': {
      const r = contains(b, a);
      return r === undefined ? undefined : !r;
    }
    case 'is':
    case 'is not': {
      // Identity is only certain for True and False; `getenv(…) is not None` is a presence test, on for DEBUG=0.
      if (typeof a !== 'boolean' || typeof b !== 'boolean') return undefined;
      return op === 'is' ? a === b : a !== b;
    }
    default:
      return undefined;
  }
}

const STR_METHODS: Readonly<Record<string, (s: string) => string>> = {
  lower: (s) => s.toLowerCase(),
  casefold: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  strip: (s) => s.trim(),
};

function positionalArgs(call: Node): Node[] | null {
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return null;
  const list = namedChildren(args).filter((a) => a.type !== 'comment');
  return list.every((a) => a.type !== 'keyword_argument' && a.type !== 'list_splat' && a.type !== 'dictionary_splat') ? list : null;
}

function evaluateCall(call: Node, env: Env): Value | undefined {
  const fn = call.childForFieldName('function');
  const args = call.childForFieldName('arguments');
  if (env.isGetenv(fn) && args?.type === 'argument_list') {
    const list = namedChildren(args).filter((a) => a.type !== 'comment');
    const second = list[1];
    if (list.length > 2 || list.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return undefined;
    if (!env.scenario.unset) return env.scenario.text;
    // An unset variable: the default, or None.
    if (!second) return null;
    const fallback = second.type === 'keyword_argument' && second.childForFieldName('name')?.text === 'default' ? second.childForFieldName('value') : second;
    return fallback && fallback.type !== 'keyword_argument' ? evaluate(fallback, env) : undefined;
  }
  const positional = positionalArgs(call);
  if (!positional) return undefined;
  if (fn?.type === 'identifier' && (fn.text === 'bool' || fn.text === 'int') && positional.length === 1) {
    const v = evaluate(positional[0]!, env);
    if (v === undefined) return undefined;
    if (fn.text === 'bool') return truthy(v);
    if (typeof v === 'boolean' || typeof v === 'number') return Number(v);
    if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return parseInt(v, 10);
    return undefined;
  }
  if (fn?.type === 'attribute' && positional.length === 0) {
    const method = STR_METHODS[fn.childForFieldName('attribute')?.text ?? ''];
    const object = fn.childForFieldName('object');
    const v = object ? evaluate(object, env) : undefined;
    return method && typeof v === 'string' ? method(v) : undefined;
  }
  return undefined;
}

/** The value of an expression when no environment variable is set, or undefined when it cannot be known. */
function evaluate(node: Node, env: Env): Value | undefined {
  switch (node.type) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'none':
      return null;
    case 'integer':
      return /^\d+$/.test(node.text) ? parseInt(node.text, 10) : undefined;
    case 'string':
      return stringValue(node) ?? undefined;
    case 'parenthesized_expression': {
      const inner = namedChildren(node).filter((c) => c.type !== 'comment');
      return inner.length === 1 ? evaluate(inner[0]!, env) : undefined;
    }
    case 'tuple':
    case 'list':
    case 'set': {
      const items = namedChildren(node).filter((c) => c.type !== 'comment').map((c) => evaluate(c, env));
      return items.every((v): v is Value => v !== undefined) ? items : undefined;
    }
    case 'not_operator': {
      const arg = node.childForFieldName('argument');
      const v = arg ? evaluate(arg, env) : undefined;
      return v === undefined ? undefined : !truthy(v);
    }
    case 'boolean_operator': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const a = left ? evaluate(left, env) : undefined;
      if (a === undefined || !right) return undefined;
      const isOr = node.childForFieldName('operator')?.type === 'or';
      if (truthy(a) === isOr) return a;
      return evaluate(right, env);
    }
    case 'comparison_operator': {
      const operands = namedChildren(node).filter((c) => c.type !== 'comment');
      const ops = node.childrenForFieldName('operators').filter((o): o is Node => o !== null);
      if (operands.length !== 2 || ops.length !== 1) return undefined;
      const a = evaluate(operands[0]!, env);
      const b = evaluate(operands[1]!, env);
      if (a === undefined || b === undefined) return undefined;
      return compare(ops[0]!.type, a, b);
    }
    case 'call':
      return evaluateCall(node, env);
    default:
      return undefined;
  }
}

/**
 * Whether a debug flag is certainly off when its environment variables are
 * unset or say "off" (`0`, `false`, `no`, `off`, empty). A flag that is on by
 * default (`DEBUG = True`, `os.getenv("ENV") != "prod"`) or on for a
 * set-but-off variable (`os.getenv("DEBUG", "0") != "0"` with DEBUG=false,
 * `os.getenv("DEBUG") is not None`) would let production run on a throwaway
 * secret instead of failing at start-up.
 */
export function offWithoutEnvironment(node: Node, isGetenv: IsGetenv): boolean {
  const scenarios: Scenario[] = [{ unset: true }, ...OFF_TEXTS.map((text) => ({ unset: false as const, text }))];
  return scenarios.every((scenario) => evaluate(node, { isGetenv, scenario }) === false);
}
