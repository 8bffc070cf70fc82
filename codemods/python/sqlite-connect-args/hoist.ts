import type { Node } from 'web-tree-sitter';
import type { SourceFile } from '../../api.js';
import type { SemanticModel } from '../lib/semantic.js';
import { dottedPath, indentAt, namedChildren, startsLine } from '../lib/syntax.js';
import { stringValue } from '../lib/strings.js';
import { shortText } from './urls.js';

/**
 * A computed URL (`os.environ["DATABASE_URL"]`, `str(settings.DB_URI)`) put
 * into a variable on a line of its own just before the statement holding
 * the engine call, so the guard can read it without evaluating it again.
 */
export interface Hoist {
  /** The statement the new line goes before. */
  statement: Node;
  indent: string;
  /** The new variable. */
  name: string;
  /** The URL expression as written, parenthesised when it spans lines. */
  value: string;
}

export type HoistPlan = { kind: 'hoist'; hoist: Hoist } | { kind: 'refuse'; reason: string };

/** Statements the URL can be hoisted out of: what they evaluate first is their expression. */
const STATEMENTS: ReadonlySet<string> = new Set(['expression_statement', 'return_statement']);

/** Expressions that evaluate their children left to right, so a URL evaluated first stays first when only plain reads stand before it. */
const IN_ORDER: ReadonlySet<string> = new Set([
  'call',
  'argument_list',
  'keyword_argument',
  'parenthesized_expression',
  'await',
  'attribute',
  'list',
  'tuple',
  'set',
  'dictionary',
  'pair',
  'expression_list',
]);

/** Why the URL cannot leave an enclosing construct: hoisting would change when, whether or in which scope it is read. */
const BARRIERS: Readonly<Record<string, string>> = {
  lambda: 'the engine call is inside a lambda, which reads the URL only when called',
  list_comprehension: 'the engine call is inside a comprehension, which reads the URL once per item in its own scope',
  set_comprehension: 'the engine call is inside a comprehension, which reads the URL once per item in its own scope',
  dictionary_comprehension: 'the engine call is inside a comprehension, which reads the URL once per item in its own scope',
  generator_expression: 'the engine call is inside a generator expression, which reads the URL lazily in its own scope',
  default_parameter: 'the engine call is a parameter default, evaluated once when the function is defined',
  typed_default_parameter: 'the engine call is a parameter default, evaluated once when the function is defined',
  decorator: 'the engine call is in a decorator',
  conditional_expression: 'the engine call is inside a conditional expression, and the URL would then be read even when its branch is not taken',
  boolean_operator: 'the engine call is inside `and`/`or`, and the URL would then be read even when that side is not evaluated',
};

/** What a refusal names: the enclosing statement (`a with statement`) or else the expression. */
function construct(node: Node): string {
  let stmt = node;
  while (stmt.parent && stmt.parent.type !== 'module' && stmt.parent.type !== 'block') stmt = stmt.parent;
  const kind = /_statement$/.test(stmt.type) && !STATEMENTS.has(stmt.type) ? stmt : node;
  return `a ${kind.type.replace(/_statement$/, ' statement').replace(/_/g, ' ')}`;
}

/** Plain reads: names, dotted names and literals. Evaluating the URL before them cannot change what they give. */
function isPlainRead(node: Node): boolean {
  switch (node.type) {
    case 'comment':
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return true;
    case 'string':
      return !namedChildren(node).some((c) => c.type === 'interpolation');
    case 'keyword_argument': {
      const value = node.childForFieldName('value');
      return value !== null && isPlainRead(value);
    }
    default:
      return dottedPath(node) !== null;
  }
}

/** Where the enclosing statement sits: a module, a function body or a block in either; never a class body. */
function placeProblem(statement: Node): string | null {
  for (let cur = statement.parent; cur; cur = cur.parent) {
    if (cur.type === 'class_definition') return 'the engine call is in a class body, where the new variable would become a class attribute';
    if (cur.type === 'function_definition' || cur.type === 'module') return null;
  }
  return null;
}

const IDENTIFIER = /^[A-Za-z_]\w*$/;

/**
 * Names that say what the variable holds, best first: the environment
 * variable read (`os.environ["DATABASE_URL"]` → `database_url`), the setting
 * converted (`str(settings.SQLALCHEMY_DATABASE_URI)` → `sqlalchemy_database_uri`),
 * the engine it is for (`engine = …` → `engine_url`), `database_url`.
 */
function namesFor(url: Node, statement: Node): string[] {
  const names: string[] = [];
  const inner = url.type === 'call' || url.type === 'subscript' ? url : null;
  const first = inner?.type === 'call' ? namedChildren(inner.childForFieldName('arguments') ?? inner)[0] : inner?.childForFieldName('subscript');
  const callee = inner?.type === 'call' ? inner.childForFieldName('function')?.text : inner?.childForFieldName('value')?.text;
  const key = first && /environ|getenv/.test(callee ?? '') ? stringValue(first) : null;
  if (key !== null && IDENTIFIER.test(key)) names.push(key.toLowerCase());
  const path = first && inner?.type === 'call' && callee === 'str' ? dottedPath(first) : null;
  if (path && path.length > 1) names.push(path.at(-1)!.toLowerCase());
  const assign = statement.namedChild(0);
  const target = assign?.type === 'assignment' ? assign.childForFieldName('left') : null;
  if (target?.type === 'identifier') names.push(`${target.text.toLowerCase()}_url`);
  names.push('database_url');
  return names.map((n) => n.replace(/^_+/, '')).filter((n) => IDENTIFIER.test(n));
}

/** The function whose local the new variable becomes, or null at module level. */
function enclosingFunction(node: Node): Node | null {
  for (let cur = node.parent; cur; cur = cur.parent) if (cur.type === 'function_definition') return cur;
  return null;
}

/**
 * The first of `candidates` free in the scope the new variable lands in (a
 * function's local, unused anywhere in that function; a module global,
 * prefixed `_` and unused anywhere in the file), suffixed `_2`, `_3`, … when
 * all are taken. `taken` holds the names other hoists chose, per scope.
 */
function freeName(model: SemanticModel, statement: Node, candidates: readonly string[], taken: Map<number, Set<string>>): string {
  const fn = enclosingFunction(statement);
  const scope = fn ?? model.root;
  const chosen = taken.get(scope.id) ?? new Set<string>();
  taken.set(scope.id, chosen);
  const names = candidates.map((c) => (fn ? c : `_${c}`));
  const inScope = (id: Node): boolean => id.startIndex >= scope.startIndex && id.endIndex <= scope.endIndex;
  const free = (name: string): boolean => !chosen.has(name) && !model.usesOf(name).some(inScope);
  let name = names.find(free);
  for (let i = 2; name === undefined; i++) if (free(`${names[0]}_${i}`)) name = `${names[0]}_${i}`;
  chosen.add(name);
  return name;
}

/**
 * The URL's text for a line of its own: as written, or in parentheses when
 * it spans lines (re-indented under the new line when that changes nothing
 * but the layout, as a formatter would put it).
 */
function hoistedValue(model: SemanticModel, url: Node, indent: string, eol: string): string {
  if (!url.text.includes('\n')) return url.text;
  const multiLineString = model.within(url, 'string').some((s) => s.text.includes('\n'));
  if (multiLineString) return `(${url.text})`;
  const shift = indent.length + 4 - url.startPosition.column;
  const lines = url.text.split(/\r?\n/);
  const moved = lines.slice(1).map((line) => {
    const lead = /^ */.exec(line)![0].length;
    return shift >= 0 ? ' '.repeat(shift) + line : line.slice(Math.min(lead, -shift));
  });
  return ['(', `${indent}    ${lines[0]}`, ...moved, `${indent})`].join(eol);
}

/**
 * Whether the URL argument `url` of an engine call can move into a variable
 * at statement level without changing what is evaluated, when, how often or
 * in which scope; and if so, how. `taken` collects the names already chosen
 * in this file, per scope.
 */
export function planHoist(file: SourceFile, model: SemanticModel, url: Node, taken: Map<number, Set<string>>): HoistPlan {
  const { text } = file;
  if (model.within(url, 'named_expression', 'yield').length > 0) {
    return { kind: 'refuse', reason: 'the URL expression binds a name (`:=`) or yields, which a separate line would change' };
  }
  let statement: Node | null = null;
  for (let cur = url, parent = url.parent; parent; cur = parent, parent = parent.parent) {
    if (STATEMENTS.has(parent.type)) {
      statement = parent;
      break;
    }
    const barrier = BARRIERS[parent.type];
    if (barrier) return { kind: 'refuse', reason: barrier };
    if (parent.type === 'assignment') {
      if (parent.childForFieldName('right')?.id !== cur.id) return { kind: 'refuse', reason: 'the engine call is not the value of its assignment' };
      continue;
    }
    if (!IN_ORDER.has(parent.type)) return { kind: 'refuse', reason: `the engine call is part of ${construct(parent)}` };
    const before = namedChildren(parent).filter((c) => c.endIndex <= cur.startIndex && !(parent.type === 'keyword_argument' && c.id === parent.childForFieldName('name')?.id));
    const busy = before.find((c) => !isPlainRead(c));
    if (busy) return { kind: 'refuse', reason: `the URL would then be read before \`${shortText(busy)}\` runs` };
  }
  if (!statement || !(statement.parent?.type === 'module' || statement.parent?.type === 'block')) {
    return { kind: 'refuse', reason: 'the engine call is not in a plain statement' };
  }
  const place = placeProblem(statement);
  if (place) return { kind: 'refuse', reason: place };
  const eol = text.indexOf('\n', statement.endIndex);
  const after = text.slice(statement.endIndex, eol === -1 ? text.length : eol).trim();
  if (!startsLine(text, statement.startIndex) || (after !== '' && !after.startsWith('#'))) {
    return { kind: 'refuse', reason: 'the engine call shares its line with another statement' };
  }
  const indent = indentAt(text, statement.startIndex);
  const name = freeName(model, statement, namesFor(url, statement), taken);
  return { kind: 'hoist', hoist: { statement, indent, name, value: hoistedValue(model, url, indent, file.eol) } };
}
