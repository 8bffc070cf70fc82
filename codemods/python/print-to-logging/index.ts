import type { Node } from 'web-tree-sitter';
import { defineCodemod } from '../../api.js';
import type { Edit, Note, PythonContext, SourceFile, TransformResult } from '../../api.js';
import { bindingIdentifiers, isBinding, nameUses } from '../lib/bindings.js';
import { fromImportsOf, importInsertionPoint, isImportStatement, leadingImports, topLevelImports } from '../lib/imports.js';
import { descendantsOfType, indentAt, insertLines, lineEndAfterBreak, lineOf, namedChildren, startsLine } from '../lib/syntax.js';
import { importsCliLibrary, insideLogging, loggingMachinery, nonApplicationReason, printContext, reachedBefore } from './scope.js';
import { isStrExpression, leadingLiteralText, literalValue, quoteOf, renderLiteral } from './strings.js';

type Level = 'info' | 'warning' | 'error';

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
  /** `sep=` or another keyword is present, so the argument list must be rebuilt. */
  hasKeywords: boolean;
  hasComment: boolean;
  level: Level;
  atImportTime: boolean;
}

type Classified = { convert: Conversion } | { note: string };

/**
 * Level rule: a message whose literal text starts with "Warning"/"WARNING"
 * is a warning (the author said so); otherwise a print in an `except` body is
 * an error; everything else is info.
 */
function levelOf(first: Node | undefined, inExcept: boolean): Level {
  const lead = first ? leadingLiteralText(first) : null;
  if (lead !== null && /^(Warning|WARNING)\b/.test(lead)) return 'warning';
  return inExcept ? 'error' : 'info';
}

function classifyCall(call: Node, fn: Node, moduleImportsCli: boolean, machinery: ReadonlySet<string>): Classified {
  const statement = call.parent;
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
    if (value?.type === 'none') continue;
    const literal = value ? literalValue(value) : null;
    if (literal === null) return { note: 'print() with a sep= that is not a literal string: the message could not be reproduced exactly' };
    sep = literal;
  }
  return {
    convert: {
      call,
      fn,
      args,
      positional,
      sep,
      hasKeywords: seen.size > 0,
      hasComment,
      level: levelOf(positional[0], context.inExcept),
      atImportTime: context.atImportTime,
    },
  };
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

function convertEdits(file: SourceFile, c: Conversion, loggerName: string): Edit[] | string {
  const description = `print() -> ${loggerName}.${c.level}()`;
  const callee = `${loggerName}.${c.level}`;
  const text = file.text;
  const [only] = c.positional;
  if (!c.hasKeywords && c.positional.length <= 1) {
    // Minimal edits: the argument list (and any comment in it) stays as written.
    const edits: Edit[] = [{ start: c.fn.startIndex, end: c.fn.endIndex, text: callee, safety: 'safe', description }];
    const args = loggingArguments(c.positional, c.sep);
    if (!only) {
      edits.push({ start: c.args.startIndex + 1, end: c.args.startIndex + 1, text: args[0]!, safety: 'safe', description });
    } else if (args.length === 2) {
      const glue = startsLine(text, only.startIndex) ? `,${file.eol}${indentAt(text, only.startIndex)}` : ', ';
      edits.push({ start: only.startIndex, end: only.startIndex, text: args[0]! + glue, safety: 'safe', description });
    }
    return edits;
  }
  if (c.hasComment) return 'print() has a comment among its arguments that rebuilding the call would drop';
  const args = loggingArguments(c.positional, c.sep);
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
  return [{ start: c.fn.startIndex, end: c.args.endIndex, text: callee + body, safety: 'safe', description }];
}

type LoggerPlan =
  | { kind: 'existing'; name: string; definedAt: number; statementAt: number; line: number }
  | { kind: 'new'; name: 'logger'; definedAt: number; addImport: boolean; importAt: number }
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
  for (let up = id.parent; up; up = up.parent) {
    if (up.type === 'function_definition' || up.type === 'class_definition' || up.type === 'lambda') {
      // A def/class name binds in the enclosing scope.
      if (up.id === id.parent?.id && up.childForFieldName('name')?.id === id.id) continue;
      return true;
    }
  }
  return false;
}

/** A module-level binding of `logging` that is not `import logging[.sub]`. */
function foreignLoggingBinding(root: Node): Node | null {
  for (const id of bindingIdentifiers(root, 'logging')) {
    if (inFunctionOrClass(id)) continue;
    const dotted = id.parent;
    const stmt = dotted?.parent;
    if (dotted?.type === 'dotted_name' && stmt?.type === 'import_statement') continue;
    return id;
  }
  return null;
}

function importsLogging(stmt: Node): boolean {
  return stmt.type === 'import_statement' && namedChildren(stmt).some((n) => n.type === 'dotted_name' && n.text === 'logging');
}

const SIMPLE_VALUES = new Set(['none', 'true', 'false', 'integer', 'float', 'string', 'identifier', 'attribute']);

/** A statement that only imports (or sets a fallback): part of the import block even inside try/if. */
function importOnly(node: Node): boolean {
  if (isImportStatement(node) || node.type === 'pass_statement' || node.type === 'comment') return true;
  if (node.type === 'expression_statement') {
    const assignment = node.firstNamedChild;
    const right = assignment?.childForFieldName('right');
    return node.namedChildCount === 1 && assignment?.type === 'assignment' && !!right && SIMPLE_VALUES.has(right.type);
  }
  if (node.type !== 'try_statement' && node.type !== 'if_statement') return false;
  const blocks: Node[] = [];
  for (const child of namedChildren(node)) {
    if (child.type === 'block') blocks.push(child);
    else if (['except_clause', 'except_group_clause', 'else_clause', 'elif_clause', 'finally_clause'].includes(child.type)) {
      blocks.push(...namedChildren(child).filter((c) => c.type === 'block'));
    }
  }
  return blocks.length > 0 && blocks.every((b) => namedChildren(b).every(importOnly));
}

/** Where the logger line goes: after the leading imports and any `try:`/`if` import blocks right after them. */
function loggerInsertionPoint(root: Node, text: string, importAt: number): number {
  let at = importAt;
  for (const child of namedChildren(root)) {
    if (child.startIndex < importAt || child.type === 'comment') continue;
    if (child.type !== 'try_statement' && child.type !== 'if_statement') break;
    if (!importOnly(child)) break;
    at = lineEndAfterBreak(text, child.endIndex);
  }
  return at;
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
    return { kind: 'existing', name, definedAt: chosen.statement.endIndex, statementAt: chosen.statement.startIndex, line: lineOf(chosen.statement) };
  }
  const used = nameUses(root, 'logger')[0];
  if (used) {
    return {
      kind: 'conflict',
      note: { line: lineOf(used), message: `the name logger is already used at line ${lineOf(used)} for something other than a module-level logging.getLogger(): file left alone` },
    };
  }
  const importAt = importInsertionPoint(root, text);
  const addImport = !leadingImports(root).some(importsLogging);
  return { kind: 'new', name: 'logger', definedAt: loggerInsertionPoint(root, text, importAt), addImport, importAt };
}

function isBlankLineAt(text: string, at: number): boolean {
  const end = text.indexOf('\n', at);
  return /^[ \t]*\r?$/.test(text.slice(at, end === -1 ? text.length : end));
}

function headerEdits(file: SourceFile, plan: Extract<LoggerPlan, { kind: 'new' }>): Edit[] {
  const at = plan.definedAt;
  const after = at < file.text.length && !isBlankLineAt(file.text, at) ? [''] : [];
  const loggerLines = ['', LOGGER_LINE, ...after];
  if (plan.addImport && plan.importAt === at) return [insertLines(file, at, ['import logging', ...loggerLines], 'add import logging and a module logger')];
  const edits: Edit[] = [];
  if (plan.addImport) edits.push(insertLines(file, plan.importAt, ['import logging'], 'add import logging'));
  edits.push(insertLines(file, at, loggerLines, 'add a module logger'));
  return edits;
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
  const notes: Note[] = [];
  const conversions: Conversion[] = [];
  for (const id of uses) {
    const call = id.parent;
    if (call?.type !== 'call' || call.childForFieldName('function')?.id !== id.id) {
      notes.push({ line: lineOf(id), message: 'print is used as a value, not called: left alone' });
      continue;
    }
    const result = classifyCall(call, id, moduleImportsCli, machinery);
    if ('note' in result) notes.push({ line: lineOf(call), message: result.note });
    else conversions.push(result.convert);
  }
  if (conversions.length === 0) return { edits: [], notes };

  const plan = planLogger(root, file.text);
  if (plan.kind === 'conflict') return { edits: [], notes: [plan.note] };

  // Module code before an existing logger may call functions (or run class bodies) whose prints would find no logger yet.
  const early = plan.kind === 'existing' ? { line: plan.line, defs: reachedBefore(root, plan.statementAt) } : null;
  const edits: Edit[] = [];
  for (const c of conversions) {
    if (c.atImportTime && c.call.startIndex < plan.definedAt) {
      notes.push({ line: lineOf(c.call), message: `print() runs at import time, before the module logger (${plan.name}) is defined` });
      continue;
    }
    // The innermost reached function or class around the print names it in the note.
    const reached = early?.defs
      .filter((def) => c.call.startIndex >= def.startIndex && c.call.endIndex <= def.endIndex)
      .reduce<Node | undefined>((inner, def) => (inner && inner.startIndex > def.startIndex ? inner : def), undefined);
    if (early && reached) {
      const name = reached.childForFieldName('name')?.text ?? '?';
      notes.push({
        line: lineOf(c.call),
        message: `print() in ${name}, which module code may run at import time before the module logger (${plan.name}) is defined at line ${early.line}`,
      });
      continue;
    }
    const out = convertEdits(file, c, plan.name);
    if (typeof out === 'string') notes.push({ line: lineOf(c.call), message: out });
    else edits.push(...out);
  }
  if (edits.length > 0 && plan.kind === 'new') edits.push(...headerEdits(file, plan));
  notes.sort((a, b) => a.line - b.line);
  return { edits, notes };
}

export const codemod = defineCodemod({
  meta: {
    id: 'python/print-to-logging',
    version: '1.0.0',
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
      'Configure logging where the application starts (for example logging.basicConfig(level=logging.INFO)); without it, INFO messages that print() used to show are dropped.',
    ],
    references: [
      'https://docs.python.org/3/howto/logging.html',
      'https://docs.python.org/3/library/logging.html#logging.Logger.debug',
      'https://docs.python.org/3/library/functions.html#print',
      'https://docs.astral.sh/ruff/rules/print/',
    ],
  },
  prefilter(text: string): boolean {
    return text.includes('print');
  },
  transform,
});
