import type { ASTPath } from 'jscodeshift';
import { defineCodemod, lineAt } from '../../api.js';
import type { Edit, JsContext, Note, TransformResult } from '../../api.js';
import { type Escapers, FALLBACK_HELPER, type Wrap, analyseValue, quote } from './analyse.js';
import { type AstNode, child, memberName, stringField } from './ast.js';
import {
  type HelperKind,
  type HelperStyle,
  type Range,
  helperInsertion,
  helperSource,
  indentLines,
  programScope,
  wrapperScope,
} from './helper.js';
import { type EscaperCheck, checkEscaper } from './escaper.js';
import { TEXT_STATE } from './html-state.js';
import { type Source, sourceFor } from './positions.js';

const PROJECT_HELPERS = ['escapeHtml', 'escapeHTML', 'escape_html'] as const;

interface Token {
  start: number;
  end: number;
  /** A `TokenType` object for code, a string for comments. */
  type: unknown;
  value: unknown;
}

interface MarkupSite {
  path: ASTPath;
  wraps: Wrap[];
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

function lineOf(src: Source, node: AstNode): number {
  return lineAt(src.text, src.start(node));
}

interface ProjectHelper {
  name: string;
  declaration: AstNode;
}

/** A project escape helper declared as a function and visible from `path`, if any. */
function projectHelperInScope(path: ASTPath): ProjectHelper | undefined {
  for (const name of PROJECT_HELPERS) {
    const scope = path.scope?.lookup(name);
    if (!scope) continue;
    const bindings = (scope.getBindings() as Record<string, ASTPath[]>)[name] ?? [];
    if (bindings.length !== 1) return undefined;
    const declaration = bindings[0]!.parent as ASTPath | null;
    if (!declaration || declaration.node.type !== 'FunctionDeclaration') return undefined;
    const helper = { name, declaration: declaration.node as unknown as AstNode };
    let container = declaration.parent as ASTPath | null;
    if (container?.node.type === 'ExportNamedDeclaration' || container?.node.type === 'ExportDefaultDeclaration') {
      container = container.parent as ASTPath | null;
    }
    const containerType = container?.node.type;
    // Only declarations at the top of a program or a function body are hoisted the same way everywhere.
    if (containerType === 'Program') return helper;
    const owner = (container?.parent as ASTPath | null)?.node.type ?? '';
    if (containerType === 'BlockStatement' && /Function/.test(owner)) return helper;
    return undefined;
  }
  return undefined;
}

/** Whether `path` declares its identifier (a variable, function, class, parameter or import). */
function isDeclaration(path: ASTPath): boolean {
  const node = path.node;
  const parent = path.parent?.node as AstNode | undefined;
  if (!parent) return false;
  if (/Function|Class|VariableDeclarator/.test(parent.type) && parent.id === node) return true;
  if (/Import.*Specifier/.test(parent.type) && parent.local === node) return true;
  if (/Function/.test(parent.type) && Array.isArray(parent.params) && parent.params.includes(node)) return true;
  return parent.type === 'CatchClause' && parent.param === node;
}

/** The one `const NAME = …` initializer of the file, if NAME is declared exactly once, that way. */
function constantInit(ctx: JsContext, name: string): AstNode | undefined {
  if (!name || !ctx.file.text.includes(name)) return undefined;
  const declarations = ctx.root().find(ctx.j.Identifier, { name }).filter(isDeclaration);
  if (declarations.size() !== 1) return undefined;
  const declarator = declarations.get().parent as ASTPath;
  const statement = declarator.parent?.node as AstNode | undefined;
  if (declarator.node.type !== 'VariableDeclarator' || statement?.type !== 'VariableDeclaration' || statement.kind !== 'const') return undefined;
  return child(declarator.node as unknown as AstNode, 'init');
}

/**
 * Escape functions declared once in the file under a known name, read (not
 * run) to learn which characters they escape: an existing `escapeHtml(x)`
 * call inside an attribute is only trusted when it escapes that quote.
 */
function fileEscapers(ctx: JsContext): { escapers: Escapers; checks: Map<AstNode, EscaperCheck> } {
  const escapers = new Map<string, ReadonlySet<string>>();
  const checks = new Map<AstNode, EscaperCheck>();
  for (const name of [...PROJECT_HELPERS, FALLBACK_HELPER]) {
    if (!ctx.file.text.includes(name)) continue;
    const declarations = ctx.root().find(ctx.j.Identifier, { name }).filter(isDeclaration);
    if (declarations.size() !== 1) continue;
    const fn = declarations.get().parent.node as AstNode;
    if (fn.type !== 'FunctionDeclaration') continue;
    const check = checkEscaper(fn, (constant) => constantInit(ctx, constant));
    checks.set(fn, check);
    escapers.set(name, check.escapes);
  }
  return { escapers, checks };
}

/** Whether `name` is written anywhere in the file as a variable (not as a property name). */
function nameInUse(ctx: JsContext, name: string): boolean {
  // An identifier can only be there if its name is in the text; the AST walk is the slow part.
  if (!ctx.file.text.includes(name)) return false;
  return (
    ctx
      .root()
      .find(ctx.j.Identifier, { name })
      .filter((path) => {
        const parent = path.parent?.node as AstNode | undefined;
        if (!parent) return true;
        if ((parent.type === 'MemberExpression' || parent.type === 'OptionalMemberExpression') && parent.property === path.node) {
          return parent.computed === true;
        }
        if (/Property|Method/.test(parent.type) && parent.key === path.node) return parent.computed === true;
        return true;
      })
      .size() > 0
  );
}

/** The file already calls the page's `Utils.escapeHtml` (the shape seed 001 builds on). */
function usesPageUtils(ctx: JsContext): boolean {
  if (!ctx.file.text.includes('Utils') || !ctx.file.text.includes('escapeHtml')) return false;
  return (
    ctx
      .root()
      .find(ctx.j.MemberExpression)
      .filter((path) => {
        const node = path.node as unknown as AstNode;
        const object = child(node, 'object');
        if (memberName(node) !== 'escapeHtml' || !object) return false;
        return (object.type === 'Identifier' && object.name === 'Utils') || memberName(object) === 'Utils';
      })
      .size() > 0
  );
}

/** `this.styleEl`, `document.querySelector('style')` → this, style, el, document, query, selector, style (lower case). */
function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
}

/** What one run over a file shares. */
interface Run {
  ctx: JsContext;
  src: Source;
  tokens: Token[];
  style: HelperStyle;
  edits: Edit[];
  notes: Note[];
  /** Project escape functions read from this file. */
  checks: Map<AstNode, EscaperCheck>;
}

function transform(ctx: JsContext): TransformResult {
  const edits: Edit[] = [];
  const notes: Note[] = [];
  const file = ctx.root().get().node as unknown as AstNode;
  const program = child(file, 'program');
  if (!program) return { edits, notes };
  const src = sourceFor(ctx.file.text);
  const tokens = readTokens(file);
  const style = styleOf(src, tokens, ctx.file.eol, /\.(c|m)?tsx?$/.test(ctx.file.path));
  const { escapers, checks } = fileEscapers(ctx);
  const run: Run = { ctx, src, tokens, style, edits, notes, checks };
  const sites: MarkupSite[] = [];

  ctx
    .root()
    .find(ctx.j.AssignmentExpression)
    .forEach((path) => {
      const node = path.node as unknown as AstNode;
      const left = child(node, 'left');
      const right = child(node, 'right');
      if (!left || !right || memberName(left) !== 'innerHTML') return;
      const line = lineOf(src, node);
      const property = child(left, 'property');
      if (left.computed === true || !property) {
        notes.push({ line, message: "writes innerHTML through a computed property (`el['innerHTML']`); left alone" });
        return;
      }
      const operator = stringField(node, 'operator');
      if (operator !== '=' && operator !== '+=') {
        notes.push({ line, message: `updates innerHTML with \`${operator}\`; left alone` });
        return;
      }
      const parent = path.parent?.node as AstNode | undefined;
      if (parent?.type !== 'ExpressionStatement' || parent.expression !== node) {
        notes.push({ line, message: 'the innerHTML assignment is used as a value, not as a statement; left alone' });
        return;
      }
      if (right.type === 'AssignmentExpression') {
        notes.push({ line, message: 'assigns the value of another assignment (`a.innerHTML = b.innerHTML = ...`); left alone' });
        return;
      }
      const object = child(left, 'object');
      const target = object ? src.text.slice(src.start(object), src.end(object)) : '';
      const analysis = analyseValue(src, right, TEXT_STATE, escapers);
      if (analysis.kind === 'plain' || analysis.kind === 'markup') {
        // The content of a <script> or <style> element is code either way: textContent or escaping would not make it safe.
        if (words(target).some((word) => /^(script|style|css|stylesheet)$/.test(word))) {
          notes.push({ line, message: `\`${target}\` may be a <script> or <style> element, whose text is code; left alone` });
          return;
        }
      }
      switch (analysis.kind) {
        case 'constant':
        case 'escaped':
          return;
        case 'unsure':
          notes.push({ line, message: `${analysis.reason}; left alone` });
          return;
        case 'markup':
          if (analysis.wraps.length > 0) sites.push({ path, wraps: analysis.wraps });
          return;
        case 'plain': {
          // A <template>'s innerHTML fills its content fragment; textContent would not.
          if (/templ|tmpl|tpl/i.test(target)) {
            notes.push({ line, message: `\`${target}\` may be a <template> element, whose innerHTML fills its content; left alone` });
            return;
          }
          if (operator === '=') writeAsText(run, property);
          else appendAsText(run, node, left, property, right);
        }
      }
    });

  if (sites.length > 0) escapeSites(run, program, sites);
  return { edits, notes };
}

/** `el.innerHTML = value` → `el.textContent = value`. */
function writeAsText(run: Run, property: AstNode): void {
  run.edits.push({
    start: run.src.start(property),
    end: run.src.end(property),
    text: 'textContent',
    safety: 'safe',
    description: 'innerHTML = value -> textContent: the value is shown as text, never parsed as HTML',
  });
}

/** `el.innerHTML += value` → `el.insertAdjacentText('beforeend', value)`: appends text, keeps existing children. */
function appendAsText(run: Run, node: AstNode, left: AstNode, property: AstNode, right: AstNode): void {
  const { src } = run;
  const line = lineOf(src, node);
  const object = child(left, 'object');
  const objectText = object ? src.text.slice(src.start(object), src.end(object)) : '';
  // `const root = this.attachShadow(…)`: any name may hold a ShadowRoot once the file makes one.
  if (/shadow/i.test(objectText) || run.src.text.includes('attachShadow')) {
    run.notes.push({ line, message: `\`${objectText}\` may be a ShadowRoot, which has no insertAdjacentText(); left alone` });
    return;
  }
  // Tokens and nodes share the file's positions, so the operator is the first token between them.
  const operator = tokensBetween(run.tokens, property.end, right.start)[0];
  if (!operator || operator.value !== '+=' || isComment(operator)) {
    run.notes.push({ line, message: 'a comment or parenthesis stands between innerHTML and `+=`; left alone' });
    return;
  }
  const q = run.style.quote;
  const what = "innerHTML += value -> insertAdjacentText('beforeend', value): appends the value as text";
  run.edits.push(
    { start: src.start(property), end: src.end(operator), text: `insertAdjacentText(${q}beforeend${q},`, safety: 'safe', description: what },
    { start: src.end(node), end: src.end(node), text: ')', safety: 'safe', description: what },
  );
}

/**
 * The project's own escape helper, when it is in scope and its source shows
 * it escapes what this site needs (`&`, `<` and the quote of every attribute
 * a value lands in) and renders values like the template did. Otherwise a
 * note says why it is not reused, and the codemod adds its own helper.
 */
function reusableHelper(run: Run, site: MarkupSite): string | undefined {
  const found = projectHelperInScope(site.path);
  if (!found) return undefined;
  const check = run.checks.get(found.declaration) ?? checkEscaper(found.declaration, () => undefined);
  const needed = new Set(['&', '<', ...site.wraps.flatMap((wrap) => (wrap.quote ? [wrap.quote] : []))]);
  const missing = [...needed].filter((ch) => !check.escapes.has(ch));
  if (check.exact && missing.length === 0) return found.name;
  const unreadable = check.escapes.size === 0 && check.problem !== undefined;
  const why = [
    ...(missing.length > 0 && !unreadable ? [`it does not escape ${missing.map((ch) => `\`${ch}\``).join(', ')}`] : []),
    ...(check.exact ? [] : [check.problem ?? 'it may render values differently']),
  ].join(', and ');
  const line = lineOf(run.src, found.declaration);
  const message = `the file's \`${found.name}()\` is not reused: ${why}; an escape helper of shipshape's is added instead`;
  if (!run.notes.some((note) => note.line === line && note.message === message)) run.notes.push({ line, message });
  return undefined;
}

/** Wraps the data of every markup site in the escape helper, adding the helper when the file has none in reach. */
function escapeSites(run: Run, program: AstNode, sites: readonly MarkupSite[]): void {
  const { ctx, src } = run;
  const existing = sites.map((site) => reusableHelper(run, site));
  let names: string[];
  let helper: { name: string; kind: HelperKind } | undefined;
  if (existing.every((name): name is string => name !== undefined)) {
    names = existing;
  } else {
    const name = [PROJECT_HELPERS[0], FALLBACK_HELPER].find((candidate) => !nameInUse(ctx, candidate));
    if (!name) {
      for (const site of sites) {
        run.notes.push({
          line: lineOf(src, site.path.node as unknown as AstNode),
          message: `needs an escape helper, but \`escapeHtml\` and \`${FALLBACK_HELPER}\` are both taken in this file; left alone`,
        });
      }
      return;
    }
    helper = { name, kind: usesPageUtils(ctx) ? 'utils' : 'plain' };
    names = sites.map(() => name);
  }
  for (const [index, site] of sites.entries()) {
    const name = names[index]!;
    for (const { node: wrap } of site.wraps) {
      // A comma expression would split into two arguments: keep it one.
      const sequence = wrap.type === 'SequenceExpression';
      const what = `escapes \`${quote(src, wrap)}\` before it is put into markup`;
      const start = src.start(wrap);
      const end = src.end(wrap);
      run.edits.push(
        { start, end: start, text: `${name}(${sequence ? '(' : ''}`, safety: 'safe', description: what },
        { start: end, end, text: `${sequence ? ')' : ''})`, safety: 'safe', description: what },
      );
    }
  }
  if (!helper) return;
  const comments: Range[] = run.tokens.filter(isComment).map((t) => ({ start: src.start(t), end: src.end(t) }));
  const source = helperSource(helper.name, helper.kind, run.style);
  const ranges = sites.map((site) => {
    const node = site.path.node as unknown as AstNode;
    return { start: src.start(node), end: src.end(node) };
  });
  const wrapper = wrapperScope(src, program, ranges);
  const insertion = wrapper
    ? helperInsertion(src.text, wrapper.scope, comments, indentLines(source, wrapper.indent, run.style.eol), run.style.eol)
    : helperInsertion(src.text, programScope(src, program), comments, source, run.style.eol);
  run.edits.push({
    start: insertion.at,
    end: insertion.at,
    text: insertion.text,
    safety: 'safe',
    description: `adds the ${helper.name}() helper the escaped values go through`,
  });
}

export const codemod = defineCodemod({
  meta: {
    id: 'js/innerhtml-to-textcontent',
    version: '1.0.0',
    title: 'Stop HTML injection through innerHTML',
    language: 'javascript',
    extensions: ['.js', '.mjs', '.cjs', '.jsx', '.ts', '.tsx'],
    phrase: 'innerHTML values escaped or set as text',
    summary:
      'Writes plain values assigned to innerHTML as text (textContent, insertAdjacentText) and escapes the data interpolated into HTML templates.',
    fixes: [
      { tool: 'codeql', ruleId: 'js/xss' },
      { tool: 'codeql', ruleId: 'js/xss-through-dom' },
      { tool: 'codeql', ruleId: 'js/reflected-xss' },
      { tool: 'codeql', ruleId: 'js/stored-xss' },
      { tool: 'eslint', ruleId: 'no-unsanitized/property' },
      { tool: 'codeql', ruleId: 'js/html-injection' },
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
