import type { Node } from 'web-tree-sitter';
import { defineCodemod } from '../../api.js';
import type { Edit, Note, PythonContext, SourceFile, TransformResult } from '../../api.js';
import { bindingIdentifiers, isBinding, nameUses } from '../lib/bindings.js';
import { addImport, dottedText, fromImportsOf, importBlock, topLevelImports } from '../lib/imports.js';
import { SemanticModel } from '../lib/semantic.js';
import { ancestors, parentOf } from '../lib/tree-index.js';
import { descendantsOfType, indentAt, insertLines, lineEndAfterBreak, lineOf, lineStart, namedChildren, startsLine } from '../lib/syntax.js';
import { cliFunctions, type CliReach } from './cli.js';
import { importsCliLibrary, insideLogging, loggingMachinery, moduleRuns, nonApplicationReason, printContext, type ModuleRuns } from './scope.js';
import { loggingPrerequisite, loggingSetup } from './setup.js';
import { hasSelfDocumentingField, isStrExpression, literalText, literalValue, quoteOf, renderLiteral } from './strings.js';

type Level = 'debug' | 'info' | 'warning' | 'error';

const LOGGER_LINE = 'logger = logging.getLogger(__name__)';

function fileNote(node: Node, message: string): TransformResult {
  return { edits: [], notes: [{ line: lineOf(node), message }] };
}

interface Conversion {
  call: Node;
  fn: Node;
  args: Node;
  positional: Node[];
  /** The `sep` value; `' '` when absent or None. */
  sep: string;
  /** The `sep=` argument, when present. */
  sepArg: Node | null;
  hasComment: boolean;
  level: Level;
  /** Why that level, for the change's description ("the message says \"failed\""). */
  why: string | null;
}

type Classified = { convert: Conversion } | { note: string };

/** The words that name a level, first match in the message's literal text wins. */
const LEVEL_WORDS = /\b(error|failed|exception|warning|deprecated)\b/i;

/** `x`, `self.items`, `rows[0]`: a value printed for its own sake. */
function isPlainValue(node: Node): boolean {
  return node.type === 'identifier' || node.type === 'attribute' || node.type === 'subscript';
}

/**
 * A leftover variable dump: `print(x)`, `print("x =", x)` / `print("x:", x)`
 * (the label is the value's own name), or an f-string with a `{x=}` field.
 */
function isDump(positional: readonly Node[]): boolean {
  if (positional.some(hasSelfDocumentingField)) return true;
  const [first, second] = positional;
  if (positional.length === 1) return isPlainValue(first!);
  if (positional.length !== 2 || !isPlainValue(second!)) return false;
  const label = literalValue(first!);
  const m = label === null ? null : /^\s*([\w.[\]'"]+)\s*[=:]\s*$/.exec(label);
  return m !== null && m[1]!.toLowerCase() === second!.text.replace(/\s+/g, '').toLowerCase();
}

/**
 * Level rule: what the message's literal text says decides (the first of
 * error/failed/exception or warning/deprecated, as whole words, any case);
 * otherwise a print in an `except` body is an error, a variable dump is
 * debug, and anything else is info.
 */
function levelOf(positional: readonly Node[], inExcept: boolean): { level: Level; why: string | null } {
  const said = positional.flatMap(literalText).map((t) => LEVEL_WORDS.exec(t)?.[1]).find((w) => w !== undefined);
  if (said) {
    const level = /^(warning|deprecated)$/i.test(said) ? 'warning' : 'error';
    return { level, why: `the message says "${said}"` };
  }
  if (inExcept) return { level: 'error', why: 'in an except block' };
  if (isDump(positional)) return { level: 'debug', why: 'a variable dump' };
  return { level: 'info', why: null };
}

function classifyCall(call: Node, fn: Node, moduleImportsCli: boolean, machinery: ReadonlySet<string>): Classified {
  const statement = parentOf(call);
  if (statement?.type !== 'expression_statement' || statement.namedChildCount !== 1) {
    return { note: 'print() is part of an expression (its result is used); only whole print() statements are converted' };
  }
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return { note: 'print() with a generator argument is left alone' };
  const context = printContext(call, moduleImportsCli);
  if (context.keep) return { note: context.keep };
  const recursion = insideLogging(call, machinery);
  if (recursion) return { note: recursion };
  const positional: Node[] = [];
  const seen = new Set<string>();
  let sep = ' ';
  let sepArg: Node | null = null;
  let hasComment = false;
  for (const arg of namedChildren(args)) {
    if (arg.type === 'comment') {
      hasComment = true;
      continue;
    }
    if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') {
      return { note: 'print() with *args/**kwargs unpacking: the message cannot be known statically' };
    }
    if (arg.type !== 'keyword_argument') {
      if (seen.size > 0) return { note: 'print() with a positional argument after a keyword argument is left alone' };
      positional.push(arg);
      continue;
    }
    const name = arg.childForFieldName('name')?.text ?? '';
    const value = arg.childForFieldName('value');
    if (seen.has(name)) return { note: `print() repeats the keyword ${name}=` };
    seen.add(name);
    if (name === 'file') return { note: 'print() with file= already chooses its stream (stderr or a file)' };
    if (name === 'end' || name === 'flush') return { note: `print() with ${name}= is progress or terminal output, not a log record` };
    if (name !== 'sep') return { note: `print() with an unknown keyword ${name}= is left alone` };
    sepArg = arg;
    if (value?.type === 'none') continue;
    const literal = value ? literalValue(value) : null;
    if (literal === null) return { note: 'print() with a sep= that is not a literal string: the message could not be reproduced exactly' };
    sep = literal;
  }
  // Checked last: a print that chooses its stream or ends its line itself says so more precisely.
  if (context.atImportTime) {
    return { note: 'print() runs at import time, before the application configures logging: as a log record it would not be shown' };
  }
  return { convert: { call, fn, args, positional, sep, sepArg, hasComment, ...levelOf(positional, context.inExcept) } };
}

function escapePercent(text: string): string {
  return text.replaceAll('%', '%%');
}

/**
 * The arguments of the logging call, as source texts, whose message equals
 * what print() wrote (without its newline). Logging %-formats the message
 * only when arguments follow it, so `%` in literal text is escaped only then.
 */
function loggingArguments(positional: readonly Node[], sep: string): string[] {
  const quote = positional.map(quoteOf).find((q) => q !== null) ?? '"';
  const first = positional[0];
  if (!first) return [renderLiteral('', quote)];
  if (positional.length === 1) return isStrExpression(first) ? [first.text] : [renderLiteral('%s', quote), first.text];
  const literals = positional.map(literalValue);
  const values = positional.filter((_, i) => literals[i] === null).map((n) => n.text);
  const formatted = values.length > 0;
  const parts = literals.map((lit) => (lit === null ? '%s' : formatted ? escapePercent(lit) : lit));
  const message = parts.join(formatted ? escapePercent(sep) : sep);
  return [renderLiteral(message, quote), ...values];
}

type Range = { start: number; end: number };
type Replacement = Range & { text: string };

/** The tokens right before and after `node` in its argument list, comments aside. */
function neighbours(node: Node): { prev: Node | null; next: Node | null } {
  let prev = node.previousSibling;
  while (prev?.type === 'comment') prev = prev.previousSibling;
  let next = node.nextSibling;
  while (next?.type === 'comment') next = next.nextSibling;
  return { prev, next };
}

/**
 * The span to delete so that an argument disappears from a multi-line
 * argument list without touching a comment: the argument and its comma,
 * its whole line when nothing else stands on it, or (the last argument,
 * without a trailing comma) the comma before it. Null when every such span
 * would cross a comment.
 */
function argumentDeletion(text: string, arg: Node): Range | null {
  const { prev, next } = neighbours(arg);
  const ownLine = startsLine(text, arg.startIndex);
  if (next?.type === ',') {
    let end = next.endIndex;
    while (text[end] === ' ' || text[end] === '\t') end++;
    if (ownLine && (text[end] === '\n' || text.startsWith('\r\n', end))) return { start: lineStart(text, arg.startIndex), end: lineEndAfterBreak(text, end) };
    return { start: arg.startIndex, end };
  }
  if (prev?.type === ',') {
    const between = text.slice(prev.startIndex, arg.startIndex);
    if (!between.includes('#')) return { start: prev.startIndex, end: arg.endIndex };
    let end = arg.endIndex;
    while (text[end] === ' ' || text[end] === '\t') end++;
    // The comma before stays as a trailing comma; the argument's line goes when it held nothing else.
    if (ownLine && (text[end] === '\n' || text.startsWith('\r\n', end))) return { start: lineStart(text, arg.startIndex), end: lineEndAfterBreak(text, end) };
    return { start: arg.startIndex, end: arg.endIndex };
  }
  return null;
}

/**
 * Edits that turn the call in place, keeping every comment among its
 * arguments where it stands: the message goes into the first argument's
 * place (or before it), literal arguments merged into it are deleted with
 * their commas, and so is `sep=`. Null when a deletion would cross a comment.
 */
function inPlaceEdits(file: SourceFile, c: Conversion, args: readonly string[]): Replacement[] | null {
  const text = file.text;
  const out: Replacement[] = [];
  const [first, ...rest] = c.positional;
  const message = args[0]!;
  const before = (node: Node) => ({
    start: node.startIndex,
    end: node.startIndex,
    text: message + (startsLine(text, node.startIndex) ? `,${file.eol}${indentAt(text, node.startIndex)}` : ', '),
  });
  if (!first) out.push({ start: c.args.startIndex + 1, end: c.args.startIndex + 1, text: message });
  else if (c.positional.length === 1) {
    if (args.length === 2) out.push(before(first));
  } else if (literalValue(first) !== null) out.push({ start: first.startIndex, end: first.endIndex, text: message });
  else out.push(before(first));
  const merged = c.positional.length > 1 ? rest.filter((n) => literalValue(n) !== null) : [];
  for (const node of [...merged, ...(c.sepArg ? [c.sepArg] : [])]) {
    const span = argumentDeletion(text, node);
    if (!span) return null;
    out.push({ ...span, text: '' });
  }
  return out;
}

function convertEdits(file: SourceFile, c: Conversion, loggerName: string): Edit[] | string {
  const description = `print() -> ${loggerName}.${c.level}()${c.why ? ` (${c.why})` : ''}`;
  const change = `print:${c.call.startIndex}`;
  const edit = (start: number, end: number, text: string): Edit => ({ start, end, text, safety: 'review', description, change });
  const callee = `${loggerName}.${c.level}`;
  const text = file.text;
  const [only] = c.positional;
  const args = loggingArguments(c.positional, c.sep);
  const rename = edit(c.fn.startIndex, c.fn.endIndex, callee);
  if (!c.sepArg && c.positional.length <= 1) {
    // Minimal edits: the argument list (and any comment in it) stays as written.
    const edits: Edit[] = [rename];
    if (!only) {
      edits.push(edit(c.args.startIndex + 1, c.args.startIndex + 1, args[0]!));
    } else if (args.length === 2) {
      const glue = startsLine(text, only.startIndex) ? `,${file.eol}${indentAt(text, only.startIndex)}` : ', ';
      edits.push(edit(only.startIndex, only.startIndex, args[0]! + glue));
    }
    return edits;
  }
  if (c.hasComment) {
    const spans = inPlaceEdits(file, c, args);
    if (!spans) return 'print() has a comment among its arguments where merging them into one message would remove it';
    return [rename, ...spans.map((r) => edit(r.start, r.end, r.text))];
  }
  const close = c.args.endIndex - 1;
  const spansLines = text.slice(c.args.startIndex, c.args.endIndex).includes('\n');
  let body: string;
  if (spansLines && startsLine(text, close) && only && startsLine(text, only.startIndex)) {
    // Keep the hanging layout: one argument per line, closing parenthesis on its own line.
    const inner = indentAt(text, only.startIndex);
    body = `(${file.eol}${args.map((a) => `${inner}${a},${file.eol}`).join('')}${indentAt(text, close)})`;
  } else {
    body = `(${args.join(', ')})`;
  }
  return [edit(c.fn.startIndex, c.args.endIndex, callee + body)];
}

type LoggerPlan =
  | { kind: 'existing'; name: string }
  | { kind: 'new'; name: 'logger'; definedAt: number; addImport: boolean }
  | { kind: 'conflict'; note: Note };

function isGetLoggerCall(node: Node | null, getLoggerAlias: string | null): boolean {
  if (node?.type !== 'call') return false;
  const fn = node.childForFieldName('function');
  if (fn?.type === 'identifier') return getLoggerAlias !== null && fn.text === getLoggerAlias;
  return fn?.type === 'attribute' && fn.childForFieldName('object')?.text === 'logging' && fn.childForFieldName('attribute')?.text === 'getLogger';
}

/** Module-level `name = logging.getLogger(…)` (or `getLogger(…)` imported from logging), annotated or not. */
function moduleLoggers(root: Node): { name: Node; statement: Node; byModuleName: boolean }[] {
  const alias = fromImportsOf(topLevelImports(root), 'getLogger').find((i) => i.module === 'logging')?.local ?? null;
  const found: { name: Node; statement: Node; byModuleName: boolean }[] = [];
  for (const statement of namedChildren(root)) {
    if (statement.type !== 'expression_statement' || statement.namedChildCount !== 1) continue;
    const assignment = statement.firstNamedChild;
    if (assignment?.type !== 'assignment') continue;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left?.type !== 'identifier' || !isGetLoggerCall(right, alias)) continue;
    const byModuleName = right?.childForFieldName('arguments')?.text.replace(/\s+/g, '') === '(__name__)';
    found.push({ name: left, statement, byModuleName });
  }
  return found;
}

function inFunctionOrClass(id: Node): boolean {
  const parent = parentOf(id);
  for (const up of ancestors(id)) {
    if (up.type === 'function_definition' || up.type === 'class_definition' || up.type === 'lambda') {
      // A def/class name binds in the enclosing scope.
      if (up.id === parent?.id && up.childForFieldName('name')?.id === id.id) continue;
      return true;
    }
  }
  return false;
}

/** A module-level binding of `logging` that is not `import logging[.sub]`. */
function foreignLoggingBinding(root: Node): Node | null {
  for (const id of bindingIdentifiers(root, 'logging')) {
    if (inFunctionOrClass(id)) continue;
    const dotted = parentOf(id);
    const stmt = dotted ? parentOf(dotted) : null;
    if (dotted?.type === 'dotted_name' && stmt?.type === 'import_statement') continue;
    return id;
  }
  return null;
}

function importsLogging(stmt: Node): boolean {
  return stmt.type === 'import_statement' && namedChildren(stmt).some((n) => n.type === 'dotted_name' && /^logging(\.|$)/.test(dottedText(n)));
}

function planLogger(root: Node, text: string): LoggerPlan {
  const foreign = foreignLoggingBinding(root);
  if (foreign) {
    return { kind: 'conflict', note: { line: lineOf(foreign), message: `the name logging is bound to something other than the logging module (line ${lineOf(foreign)}): file left alone` } };
  }
  const loggers = moduleLoggers(root);
  const chosen = loggers.find((l) => l.byModuleName) ?? loggers[0];
  if (chosen) {
    const name = chosen.name.text;
    const other = bindingIdentifiers(root, name).find((b) => b.id !== chosen.name.id);
    if (other) {
      return { kind: 'conflict', note: { line: lineOf(other), message: `the module logger ${name} is rebound or shadowed at line ${lineOf(other)}: file left alone` } };
    }
    return { kind: 'existing', name };
  }
  const used = nameUses(root, 'logger')[0];
  if (used) {
    return {
      kind: 'conflict',
      note: { line: lineOf(used), message: `the name logger is already used at line ${lineOf(used)} for something other than a module-level logging.getLogger(): file left alone` },
    };
  }
  const block = importBlock(root, text);
  return { kind: 'new', name: 'logger', definedAt: block.end, addImport: !block.imports.some(importsLogging) };
}

/**
 * Blank lines to add after the logger line at `at` so that what follows
 * keeps the spacing the style asks for: two before a def or class, one
 * before anything else, counting the blank lines already there.
 */
function blankLinesAfter(root: Node, text: string, at: number): string[] {
  if (at >= text.length) return [];
  const blanks = /^(?:[ \t]*\r?\n)*/.exec(text.slice(at))![0].split('\n').length - 1;
  const next = namedChildren(root).find((c) => c.startIndex >= at);
  const wanted = next && DEFINITIONS.has(next.type) ? 2 : 1;
  return Array.from({ length: Math.max(0, wanted - blanks) }, () => '');
}

const DEFINITIONS: ReadonlySet<string> = new Set(['function_definition', 'class_definition', 'decorated_definition']);

/** `import logging` where the file's import style puts it, and the logger after the last import (never between imports). */
function headerEdits(ctx: PythonContext, plan: Extract<LoggerPlan, { kind: 'new' }>, changes: readonly string[]): Edit[] {
  const { file, root } = ctx;
  const at = plan.definedAt;
  const after = blankLinesAfter(root, file.text, at);
  const edits: Edit[] = [];
  if (plan.addImport) edits.push(addImport(file, root, ctx.project.importStyle(file.path), { module: 'logging' }, 'add import logging'));
  edits.push(insertLines(file, at, ['', LOGGER_LINE, ...after], 'add a module logger'));
  return edits.map((e) => ({ ...e, supports: changes }));
}

/** The innermost function a node stands in, or null. */
function enclosingFunction(node: Node): Node | null {
  for (const up of ancestors(node)) if (up.type === 'function_definition') return up;
  return null;
}

/** The module-level function a node stands in, or null. */
function topLevelFunction(node: Node): Node | null {
  let found: Node | null = null;
  for (const up of ancestors(node)) {
    if (up.type === 'class_definition') found = null;
    if (up.type !== 'function_definition') continue;
    const parent = parentOf(up);
    const holder = parent?.type === 'decorated_definition' ? parent : up;
    found = parentOf(holder)?.type === 'module' ? up : found;
  }
  return found;
}

/** Why a print that would convert must stay: its function runs at import time, or prints for a CLI command. */
function keepReason(c: Conversion, runs: ModuleRuns, cli: ReadonlyMap<string, CliReach>): string | null {
  const early = enclosingFunction(c.call);
  const earlyName = early?.childForFieldName('name')?.text ?? '?';
  if (early && runs.onImport.has(early.id)) {
    return `print() in ${earlyName}, which module code runs at import time, before the application configures logging: as a log record it would not be shown`;
  }
  if (early && runs.asScript.has(early.id)) return `print() in ${earlyName}, which this file's if __name__ == "__main__": block runs, is the script's own output`;
  const fn = topLevelFunction(c.call);
  const name = fn?.childForFieldName('name')?.text;
  const reach = name ? cli.get(name) : undefined;
  if (!reach) return null;
  if (reach.caller === null) return `print() is command output: ${reach.why}`;
  const through = reach.caller === reach.entry ? '' : `${reach.caller}, reached from `;
  return `print() is command output: ${name}() is called by ${through}${reach.entry} (${reach.why})`;
}

const PRINT_CALL = /\bprint(?:\s|\\\r?\n)*\(/;

/** `# noqa`, or `# noqa: T201, E501`: the codes, or none for all. */
const NOQA = /#\s*noqa(?::\s*([A-Za-z]+\d+(?:[\s,]+[A-Za-z]+\d+)*))?/i;

/**
 * Lines whose comment silences the linters' print rules (ruff and
 * flake8-print T201/T203, older T001/T003; or a bare `# noqa`), with the
 * marker: a maintainer chose to keep that print. A linter reads the comment
 * on the line the call starts on.
 */
function suppressedLines(root: Node): Map<number, string> {
  const lines = new Map<number, string>();
  for (const comment of descendantsOfType(root, 'comment')) {
    const found = NOQA.exec(comment.text);
    if (!found) continue;
    const codes = found[1]?.split(/[\s,]+/) ?? null;
    if (codes === null || codes.some((c) => /^T(?:20|00)\d$/i.test(c))) lines.set(lineOf(comment), found[0]);
  }
  return lines;
}

function transform(ctx: PythonContext): TransformResult {
  const { file, root } = ctx;
  const uses = nameUses(root, 'print');
  if (uses.length === 0) return { edits: [], notes: [] };

  const py2 = descendantsOfType(root, 'print_statement')[0];
  if (py2) return fileNote(py2, 'Python 2 print statement: file left alone');
  const notApp = nonApplicationReason(file.path);
  if (notApp) return fileNote(uses[0]!, `not an application module (${notApp}): its print() calls are left alone`);
  const star = descendantsOfType(root, 'wildcard_import')[0];
  if (star) return fileNote(star, `${star.parent?.text ?? 'from … import *'} may bind print, so print() may not be the built-in: file left alone`);
  const shadow = uses.find(isBinding);
  if (shadow) return fileNote(shadow, `print is bound in this module (line ${lineOf(shadow)}), so print() may not be the built-in: file left alone`);

  const moduleImportsCli = importsCliLibrary(root);
  const machinery = loggingMachinery(root);
  const kept = suppressedLines(root);
  const notes: Note[] = [];
  const conversions: Conversion[] = [];
  for (const id of uses) {
    const call = parentOf(id);
    if (call?.type !== 'call' || call.childForFieldName('function')?.id !== id.id) {
      notes.push({ line: lineOf(id), message: 'print is used as a value, not called: left alone' });
      continue;
    }
    const marker = kept.get(lineOf(call));
    if (marker) {
      notes.push({ line: lineOf(call), message: `print() is marked \`${marker}\`: the project keeps it on purpose` });
      continue;
    }
    const result = classifyCall(call, id, moduleImportsCli, machinery);
    if ('note' in result) notes.push({ line: lineOf(call), message: result.note });
    else conversions.push(result.convert);
  }
  if (conversions.length === 0) return { edits: [], notes };

  const plan = planLogger(root, file.text);
  if (plan.kind === 'conflict') return { edits: [], notes: [plan.note] };

  const runs = moduleRuns(SemanticModel.of(ctx.tree));
  const cli = cliFunctions({ project: ctx.project, withTree: ctx.withTree }, file.path, root);
  const edits: Edit[] = [];
  const changes: string[] = [];
  for (const c of conversions) {
    const keep = keepReason(c, runs, cli);
    if (keep) {
      notes.push({ line: lineOf(c.call), message: keep });
      continue;
    }
    const out = convertEdits(file, c, plan.name);
    if (typeof out === 'string') {
      notes.push({ line: lineOf(c.call), message: out });
      continue;
    }
    edits.push(...out);
    changes.push(out[0]!.change!);
  }
  if (edits.length > 0 && plan.kind === 'new') edits.push(...headerEdits(ctx, plan, changes));
  notes.sort((a, b) => a.line - b.line);
  if (edits.length === 0) return { edits, notes };
  return { edits, notes, prerequisites: [loggingPrerequisite(loggingSetup({ project: ctx.project, withTree: ctx.withTree }))] };
}

export const codemod = defineCodemod({
  meta: {
    id: 'python/print-to-logging',
    version: '1.1.0',
    title: 'Replace print() in application modules with a module logger',
    language: 'python',
    extensions: ['.py'],
    phrase: 'print() replaced with logging',
    summary: 'Turns print() statements in application modules into calls on a module-level logging logger that log exactly the same text.',
    fixes: [
      { tool: 'ruff', ruleId: 'T201' },
    ],
    keywords: [{ id: 'print-statements', pattern: /\bprint\(\)|\bprint statements?\b/i, says: '"print()", "print statement(s)"' }],
    safety: 'review',
    security: false,
    // CLI output is for a person at a terminal, not a log: scripts are not edited.
    roles: ['app'],
    rollback: 'Revert the commit; no data or configuration depends on it.',
    prerequisites: [
      'The converted messages log at DEBUG, INFO or ERROR: they are shown only where the application configures logging with a handler at that level (the pull request says where this project does).',
    ],
    references: [
      'https://docs.python.org/3/howto/logging.html',
      'https://docs.python.org/3/library/logging.html#logging.Logger.debug',
      'https://docs.python.org/3/library/functions.html#print',
      'https://docs.astral.sh/ruff/rules/print/',
    ],
  },
  prefilter(text: string): boolean {
    // A call, possibly with a space or a line continuation before the parenthesis. A module
    // that only passes print around (`map(print, xs)`) has nothing to convert and is not parsed.
    return PRINT_CALL.test(text);
  },
  transform,
});
