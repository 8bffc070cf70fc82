import { InputError, type FindingsResult } from '../types.js';
import { normaliseRepoPath } from '../paths.js';
import { collect, makeFinding, type ParseContext } from '../finding.js';
import { parseJsonText } from '../json.js';
import { classifyComment, slugify, stripHtmlComments } from './classify.js';

export interface CodeRabbitContext extends ParseContext {
  /** Review bot account(s) whose comments are findings; default `coderabbitai[bot]`. Compared case-insensitively. */
  botLogin?: string | readonly string[];
}

export const DEFAULT_BOT_LOGIN = 'coderabbitai[bot]';

/** Longest message kept from a comment body; CodeRabbit bodies carry long collapsed sections. */
export const MAX_MESSAGE_LENGTH = 2000;

/**
 * One element of the JSON array GitHub returns for "List review comments on a
 * pull request" (GET /repos/{owner}/{repo}/pulls/{pull_number}/comments);
 * only the fields we read.
 */
export interface ReviewComment {
  id?: number;
  path: string;
  body: string;
  user?: { login?: string } | null;
  line?: number | null;
  start_line?: number | null;
  original_line?: number | null;
  original_start_line?: number | null;
  subject_type?: 'line' | 'file';
  in_reply_to_id?: number;
  html_url?: string;
  diff_hunk?: string;
}

/** Reads the review comments of a pull request (the API's JSON text) into findings. */
export function parseCodeRabbit(text: string, ctx: CodeRabbitContext): FindingsResult {
  if (text.trim() === '') return { findings: [], rejected: [] };
  return codeRabbitToFindings(parseJsonText(text, ctx.file), ctx);
}

/**
 * Each top-level comment by the bot becomes a Finding. Comments by anyone else
 * and replies inside a thread are conversations, not findings, and are left
 * out. A comment on a line that changed since the review ("outdated": `line`
 * is null) keeps its `original_line` and says so in the message.
 */
export function codeRabbitToFindings(value: unknown, ctx: CodeRabbitContext): FindingsResult {
  const comments = assertComments(value, ctx.file);
  const bots = new Set([ctx.botLogin ?? DEFAULT_BOT_LOGIN].flat().map((login) => login.toLowerCase()));
  const out = collect();
  comments.forEach((comment, index) => {
    const login = comment.user?.login?.toLowerCase();
    if (login === undefined || !bots.has(login)) return;
    if (comment.in_reply_to_id !== undefined && comment.in_reply_to_id !== null) return;

    const source = `${ctx.file} [${index}]${comment.id !== undefined ? ` (comment ${comment.id})` : ''}`;
    const path = normaliseRepoPath(comment.path, ctx);
    if (!path.ok) {
      out.reject({ source, reason: path.reason });
      return;
    }
    const fileLevel = comment.subject_type === 'file' || (comment.line == null && comment.original_line == null);
    // GitHub nulls `line` once the commented lines change; `original_line` is where the comment was made.
    const outdated = !fileLevel && comment.line == null;
    const end = fileLevel ? undefined : outdated ? comment.original_line! : comment.line!;
    const start = fileLevel ? undefined : ((outdated ? comment.original_start_line : comment.start_line) ?? end);
    const heading = classifyComment(comment.body);
    const notes = [
      outdated ? '[outdated: the code changed after this comment; line numbers are from the reviewed commit]' : '',
      fileLevel ? '[file-level comment]' : '',
    ].filter(Boolean);
    out.add(
      makeFinding({
        tool: 'coderabbit',
        ruleId: `coderabbit/${slugify(heading.title)}`,
        message: [...notes, trimBody(comment.body)].join(' '),
        path: path.path,
        startLine: start ?? 1,
        endLine: end !== undefined && start !== undefined && end > start ? end : undefined,
        severity: heading.severity,
        url: comment.html_url,
        source,
      }),
    );
  });
  return out.result();
}

function trimBody(body: string): string {
  const visible = stripHtmlComments(body).trim();
  if (visible.length <= MAX_MESSAGE_LENGTH) return visible;
  return `${visible.slice(0, MAX_MESSAGE_LENGTH - 1).trimEnd()}…`;
}

/** The array shape GitHub returns; anything else is not this format and is reported where it breaks. */
function assertComments(value: unknown, file: string): ReviewComment[] {
  if (!Array.isArray(value)) throw new InputError(file, '/', 'expected the JSON array of pull request review comments that GitHub returns');
  value.forEach((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new InputError(file, `/${index}`, 'expected a review comment object');
    }
    const comment = item as Record<string, unknown>;
    for (const key of ['path', 'body'] as const) {
      if (typeof comment[key] !== 'string') throw new InputError(file, `/${index}/${key}`, `expected a string, got ${typeName(comment[key])}`);
    }
    for (const key of ['line', 'start_line', 'original_line', 'original_start_line'] as const) {
      const line = comment[key];
      if (line !== undefined && line !== null && !(Number.isInteger(line) && (line as number) >= 1)) {
        throw new InputError(file, `/${index}/${key}`, `expected a line number (integer ≥ 1) or null, got ${JSON.stringify(line)}`);
      }
    }
    const user = comment.user;
    if (user !== undefined && user !== null && (typeof user !== 'object' || typeof (user as { login?: unknown }).login !== 'string')) {
      throw new InputError(file, `/${index}/user`, 'expected an object with a string login, or null');
    }
  });
  return value as ReviewComment[];
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`;
}
