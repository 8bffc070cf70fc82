import type { Node } from 'web-tree-sitter';
import { isNameUse } from '../lib/bindings.js';
import { stringValue } from '../lib/strings.js';
import { descendantsOfType, indentAt, lineOf, namedChildren, startsLine } from '../lib/syntax.js';
import { EXTRA_MEMBERS, MODEL_KEYS, REMOVED_KEYS, RENAMED_KEYS, SETTINGS_KEYS } from './keys.js';
import type { ModelResolver } from './models.js';

/** One line-level piece of the future `ConfigDict(...)` call, in source order. */
export type Item =
  /** `original` is the key's name in the class Config (v1 spelling when it was renamed). */
  | { kind: 'key'; key: string; original: string; value: string; row: number; endRow: number; trailing: string | null }
  | { kind: 'comment'; text: string; row: number; endRow: number };

export interface ParsedConfig {
  /** Replaced range: from `class` to the end of the last line that belongs to Config. */
  start: number;
  end: number;
  /** Indentation of `class Config:` (the model's body) and of the new call's entries. */
  indent: string;
  itemIndent: string;
  /** A comment on the `class Config:` line, with the spacing before it. */
  header: string | null;
  items: Item[];
  /** Informational notes for a converted Config (e.g. deprecated but kept keys). */
  remarks: Array<{ line: number; message: string }>;
}

export interface Problem {
  line: number;
  message: string;
}

export interface ConfigContext {
  text: string;
  resolver: ModelResolver;
  settings: boolean;
  /** Names bound in the model's body, which would capture names used in moved values. */
  modelBodyNames: ReadonlySet<string>;
  /** Indentation unit used when Config's body sits on its `class Config:` line. */
  indentUnit: string;
  /** Quote character for new string literals. */
  quote: string;
}

/** Identifiers a value reads (attribute names and keyword names are not reads). */
function readNames(value: Node): Node[] {
  return descendantsOfType(value, 'identifier').filter(isNameUse);
}

/** What `expr` names when a module-level import of pydantic binds it (`pydantic.Extra`, `pydantic.config.BaseConfig`), else null. */
function pydanticName(expr: Node, resolver: ModelResolver): string | null {
  const resolved = resolver.model.resolve(expr);
  if (resolved.kind !== 'imported' || resolved.level !== 0 || resolved.binding.scope.kind !== 'module') return null;
  const qualified = [resolved.module, ...resolved.path].join('.');
  return qualified.startsWith('pydantic.') ? qualified : null;
}

/** `Extra.forbid` / `pydantic.Extra.forbid` where `Extra` is pydantic's, as the member name. */
function extraMember(value: Node, resolver: ModelResolver): string | null {
  if (value.type !== 'attribute') return null;
  const member = value.childForFieldName('attribute')?.text ?? '';
  const object = value.childForFieldName('object');
  if (!object || !EXTRA_MEMBERS.has(member)) return null;
  const qualified = pydanticName(object, resolver);
  return qualified === 'pydantic.Extra' || qualified === 'pydantic.config.Extra' ? member : null;
}

/**
 * `class Config(BaseConfig):` with pydantic's v1 BaseConfig as its only
 * base: it holds only v1's defaults, which every model config already
 * inherits, so the class converts as if it had no base.
 */
function onlyPydanticBaseConfig(superclasses: Node, resolver: ModelResolver): boolean {
  const args = namedChildren(superclasses).filter((c) => c.type !== 'comment');
  if (args.length !== 1 || (args[0]!.type !== 'identifier' && args[0]!.type !== 'attribute')) return false;
  const qualified = pydanticName(args[0]!, resolver);
  return qualified === 'pydantic.BaseConfig' || qualified === 'pydantic.config.BaseConfig';
}

type KeyResult = { key: string; value: string; remark?: string } | { problem: string };

function convertKey(name: string, value: Node, ctx: ConfigContext): KeyResult {
  if (REMOVED_KEYS.has(name)) return { problem: `key ${name} was removed in pydantic v2 (decide what replaces it)` };
  if (name === 'allow_mutation') {
    if (value.type === 'true') return { key: 'frozen', value: 'False' };
    if (value.type === 'false') return { key: 'frozen', value: 'True' };
    return { problem: 'allow_mutation is not a literal True/False, so frozen cannot be derived' };
  }
  if (name === 'schema_extra' && value.type !== 'dictionary') {
    return { problem: 'schema_extra is not a dict literal; a callable json_schema_extra takes different arguments in v2' };
  }
  if (name === 'extra') {
    const member = extraMember(value, ctx.resolver);
    if (member) return { key: 'extra', value: `${ctx.quote}${member}${ctx.quote}` };
    const literal = stringValue(value);
    if (literal !== null && EXTRA_MEMBERS.has(literal)) return { key: 'extra', value: value.text };
    return { problem: `extra = ${value.text} is not Extra.forbid/allow/ignore or one of those strings` };
  }
  const renamed = RENAMED_KEYS[name];
  if (renamed) return { key: renamed, value: value.text };
  if (MODEL_KEYS.has(name) || (ctx.settings && SETTINGS_KEYS.has(name))) {
    if (name === 'json_encoders') {
      return { key: name, value: value.text, remark: 'json_encoders is deprecated in pydantic v2 but still honoured; kept as is (consider @field_serializer)' };
    }
    return { key: name, value: value.text };
  }
  if (!ctx.settings && SETTINGS_KEYS.has(name)) return { problem: `key ${name} is a settings key, but this class is not a BaseSettings` };
  return { problem: `unknown config key ${name}` };
}

/** The docstring's text as comment lines. */
function docstringComments(str: Node): string[] {
  const parts = namedChildren(str).filter((c) => c.type !== 'string_start' && c.type !== 'string_end');
  const raw = parts.map((p) => p.text).join('');
  return raw
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => `# ${l}`);
}

/**
 * Reads a nested `class Config:` into ConfigDict entries, or says why it must
 * be left alone. Every problem found is reported, not just the first.
 */
export function parseConfig(config: Node, ctx: ConfigContext): { ok: true; config: ParsedConfig } | { ok: false; problems: Problem[] } {
  const { text } = ctx;
  const problems: Problem[] = [];
  const superclasses = config.childForFieldName('superclasses');
  if (superclasses && !onlyPydanticBaseConfig(superclasses, ctx.resolver)) {
    problems.push({ line: lineOf(config), message: `class Config${superclasses.text} inherits from another config class` });
  }
  if (!startsLine(text, config.startIndex)) problems.push({ line: lineOf(config), message: 'class Config does not start its line' });
  const body = config.childForFieldName('body');
  const colon = config.children.find((c) => c?.type === ':');
  if (!body || !colon) return { ok: false, problems: [{ line: lineOf(config), message: 'class Config has no body' }] };

  const indent = indentAt(text, config.startIndex);
  const headerRow = colon.startPosition.row;
  const sameLineBody = body.startPosition.row === headerRow;
  const itemIndent = sameLineBody ? indent + ctx.indentUnit : indentAt(text, body.startIndex);
  const classColumn = config.startPosition.column;

  // Comments between `:` and the block belong to class_definition; the rest to the block.
  const colonIndex = config.children.indexOf(colon);
  const elements: Node[] = [
    ...config.children.slice(colonIndex + 1).filter((c): c is Node => c !== null && c.type === 'comment'),
    ...namedChildren(body),
  ];
  // A comment after Config's last statement at the model's indentation or less belongs to what follows.
  while (elements.length > 0) {
    const last = elements.at(-1)!;
    if (last.type !== 'comment' || last.startPosition.column > classColumn) break;
    elements.pop();
  }

  const items: Item[] = [];
  const remarks: Array<{ line: number; message: string }> = [];
  const keyNames = new Set<string>();
  const newKeys = new Set<string>();
  let header: string | null = null;
  let lastStatementRow = -1;
  let lastStatementEnd = -1;
  let lastWasKey = false;

  for (const el of elements) {
    if (el.type === 'comment') {
      // tree-sitter keeps a CRLF file's '\r' in the comment token.
      const comment = el.text.replace(/\r$/, '');
      const gap = text.slice(lastStatementEnd, el.startIndex);
      const trailsKey = lastWasKey && el.startPosition.row === lastStatementRow && /^[ \t]*;?[ \t]*$/.test(gap);
      const last = items.at(-1);
      if (trailsKey && last?.kind === 'key' && last.trailing === null) {
        last.trailing = (/^[ \t]+$/.test(gap) ? gap : '  ') + comment;
      } else if (el.startPosition.row === headerRow && header === null && items.length === 0) {
        const before = text.slice(colon.endIndex, el.startIndex);
        header = (/^[ \t]+$/.test(before) ? before : '  ') + comment;
      } else {
        items.push({ kind: 'comment', text: comment, row: el.startPosition.row, endRow: el.endPosition.row });
      }
      continue;
    }
    lastStatementRow = el.endPosition.row;
    lastStatementEnd = el.endIndex;
    lastWasKey = false;
    if (el.type === 'pass_statement') continue;
    if (el.type !== 'expression_statement' || el.namedChildCount !== 1) {
      problems.push({ line: lineOf(el), message: `class Config holds more than settings (${el.type.replace(/_/g, ' ')} at line ${lineOf(el)}); only name = value settings are converted` });
      continue;
    }
    const expr = el.namedChild(0)!;
    if (expr.type === 'ellipsis') continue;
    if (expr.type === 'string') {
      for (const c of docstringComments(expr)) items.push({ kind: 'comment', text: c, row: el.startPosition.row, endRow: el.endPosition.row });
      continue;
    }
    const left = expr.type === 'assignment' ? expr.childForFieldName('left') : null;
    const right = expr.type === 'assignment' ? expr.childForFieldName('right') : null;
    if (!left || !right || left.type !== 'identifier' || expr.childForFieldName('type') || right.type === 'assignment') {
      problems.push({ line: lineOf(el), message: `class Config line ${lineOf(el)} is not a simple name = value setting` });
      continue;
    }
    const name = left.text;
    const walrus = descendantsOfType(right, 'named_expression')[0];
    if (walrus) {
      // In Config's body it binds a Config attribute; in the model's body, a model attribute.
      problems.push({ line: lineOf(el), message: `the value of ${name} assigns ${walrus.text} (walrus), which would bind in the model's body instead` });
    }
    for (const id of readNames(right)) {
      if (/^__\w+__$/.test(id.text)) {
        // `__qualname__` is 'Model.Config' in Config's body and 'Model' in the model's.
        problems.push({ line: lineOf(el), message: `the value of ${name} reads ${id.text}, which differs between class Config and the model's body` });
      } else if (keyNames.has(id.text)) {
        problems.push({ line: lineOf(el), message: `the value of ${name} refers to the Config attribute ${id.text}, which will not exist` });
      } else if (ctx.modelBodyNames.has(id.text)) {
        problems.push({ line: lineOf(el), message: `the value of ${name} reads '${id.text}', which the model's body rebinds; moved there it would change meaning` });
      }
    }
    keyNames.add(name);
    if (sameLineBody && right.startPosition.row !== right.endPosition.row) {
      problems.push({ line: lineOf(el), message: `the value of ${name} spans lines but starts on the class Config line` });
      continue;
    }
    if (right.type === 'yield') {
      problems.push({ line: lineOf(el), message: `the value of ${name} is a yield expression` });
      continue;
    }
    const converted = convertKey(name, right, ctx);
    if ('problem' in converted) {
      problems.push({ line: lineOf(el), message: converted.problem });
      continue;
    }
    if (newKeys.has(converted.key)) {
      problems.push({ line: lineOf(el), message: `class Config sets ${converted.key} twice (line ${lineOf(el)})` });
      continue;
    }
    newKeys.add(converted.key);
    if (converted.remark) remarks.push({ line: lineOf(el), message: converted.remark });
    // `k = a, b` is a tuple; as a keyword argument it needs its parentheses.
    const value = right.type === 'expression_list' ? `(${converted.value})` : converted.value;
    items.push({ kind: 'key', key: converted.key, original: name, value, row: el.startPosition.row, endRow: el.endPosition.row, trailing: null });
    lastWasKey = true;
  }
  if (problems.length > 0) {
    // A name read twice in one value is one problem.
    const unique = problems.filter((p, i) => problems.findIndex((q) => q.line === p.line && q.message === p.message) === i);
    return { ok: false, problems: unique };
  }
  const lastElement = elements.at(-1);
  let end = Math.max(lastElement?.endIndex ?? colon.endIndex, colon.endIndex);
  if (text[end - 1] === '\r') end--;
  return { ok: true, config: { start: config.startIndex, end, indent, itemIndent, header, items, remarks } };
}

/** The `model_config = ...(...)` text that replaces `class Config:` and its body. */
export function renderConfig(parsed: ParsedConfig, callee: string, eol: string): string {
  const keys = parsed.items.filter((i) => i.kind === 'key');
  const comments = parsed.items.filter((i) => i.kind === 'comment');
  const trailing = [parsed.header, ...keys.map((k) => k.trailing)].filter((c): c is string => c !== null);
  // One line only when it really is one line: a value spanning lines reads better with its key on its own line.
  if (keys.length <= 1 && comments.length === 0 && trailing.length <= 1 && !keys.some((k) => k.value.includes('\n'))) {
    const key = keys[0];
    return `model_config = ${callee}(${key ? `${key.key}=${key.value}` : ''})${trailing[0] ?? ''}`;
  }
  const lines = [`model_config = ${callee}(${parsed.header ?? ''}`];
  let previousEnd: number | null = null;
  for (const item of parsed.items) {
    if (previousEnd !== null && item.row > previousEnd + 1) lines.push('');
    if (item.kind === 'key') lines.push(`${parsed.itemIndent}${item.key}=${item.value},${item.trailing ?? ''}`);
    else lines.push(`${parsed.itemIndent}${item.text}`);
    previousEnd = item.endRow;
  }
  lines.push(`${parsed.indent})`);
  return lines.join(eol);
}
