import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyComment, slugify } from '../../src/findings/coderabbit/classify.js';
import { MAX_MESSAGE_LENGTH, parseCodeRabbit } from '../../src/findings/coderabbit/parse.js';
import { InputError, type Finding } from '../../src/findings/types.js';

const fixtureText = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'findings', 'coderabbit-pr-comments.json'), 'utf8');
const ctx = { file: 'comments.json', repoRoot: '/work/pcm-ops' };

type Json = Record<string, unknown>;

function comment(fields: Json = {}): Json {
  return {
    id: 1,
    path: 'backend/app.py',
    line: 5,
    start_line: null,
    original_line: 5,
    original_start_line: null,
    body: '_⚠️ Potential issue_\n\n**Handle the error**\n\nDetails.',
    user: { login: 'coderabbitai[bot]', type: 'Bot' },
    html_url: 'https://github.com/o/r/pull/1#discussion_r1',
    diff_hunk: '@@ -1,3 +1,4 @@',
    subject_type: 'line',
    ...fields,
  };
}

function parse(comments: Json[], extra: Json = {}): ReturnType<typeof parseCodeRabbit> {
  return parseCodeRabbit(JSON.stringify(comments), { ...ctx, ...extra });
}

describe('CodeRabbit review comments (GitHub API shape)', () => {
  const parsed = parseCodeRabbit(fixtureText, ctx);
  const byPath = (path: string): Finding[] => parsed.findings.filter((f) => f.path === path);

  it('keeps the bot’s top-level comments; the human’s comment and the bot’s reply are left out', () => {
    expect(parsed.rejected).toEqual([]);
    expect(parsed.findings.map((f) => [f.ruleId, f.path, f.startLine, f.endLine, f.severity])).toEqual([
      ['coderabbit/fix-xss-in-innerhtml-rendering-of-instance-data', 'backend/static/js/aws-utilities.js', 110, 121, 'error'],
      ['coderabbit/hardcoded-secret-key-must-come-from-the-environment', 'backend/core/config.py', 57, undefined, 'error'],
      ['coderabbit/escape-the-server-message-before-inserting-it-into-the-alert', 'backend/static/js/sft-fixer.js', 323, 324, 'warning'],
      ['coderabbit/use-the-module-logger-instead-of-print', 'backend/services/credential_service.py', 100, undefined, 'note'],
      ['coderabbit/log-the-table-initialisation-at-debug-level', 'backend/core/utils/session_store.py', 41, undefined, 'note'],
    ]);
    expect(parsed.findings.every((f) => f.tool === 'coderabbit')).toBe(true);
    expect(parsed.findings.some((f) => f.message.includes('toast component'))).toBe(false);
    expect(parsed.findings.some((f) => f.message.includes('Thanks for confirming'))).toBe(false);
  });

  it('an outdated comment keeps its original lines and says so', () => {
    const [outdated] = byPath('backend/static/js/sft-fixer.js');
    expect(outdated!.message).toMatch(/^\[outdated: the code changed after this comment; line numbers are from the reviewed commit\] _⚠️ Potential issue_/);
    const [current] = byPath('backend/core/config.py');
    expect(current!.message).not.toContain('[outdated');
  });

  it('the message is the visible body; the url is the comment on GitHub; the source names the comment', () => {
    const [xss] = byPath('backend/static/js/aws-utilities.js');
    expect(xss!.message).toMatch(/^_⚠️ Potential issue_\n\n\*\*Fix XSS in innerHTML rendering of instance data\*\*\n\nInstance names/);
    expect(xss!.message).not.toContain('<!--');
    expect(xss!.url).toBe('https://github.com/acme-ops/pcm-ops/pull/42#discussion_r1723456701');
    expect(xss!.source).toBe('comments.json [0] (comment 1723456701)');
  });

  it('botLogin chooses whose comments are findings', () => {
    const human = parseCodeRabbit(fixtureText, { ...ctx, botLogin: 'Octo-Dev' });
    expect(human.findings.map((f) => [f.path, f.startLine])).toEqual([['backend/static/js/sft-fixer.js', 323]]);
    const both = parseCodeRabbit(fixtureText, { ...ctx, botLogin: ['coderabbitai[bot]', 'octo-dev'] });
    expect(both.findings).toHaveLength(6);
  });
});

describe('lines', () => {
  it.each<[string, Json, [number, number | undefined], boolean]>([
    ['single line', { line: 12, original_line: 12 }, [12, undefined], false],
    ['multi-line', { start_line: 10, line: 14, original_line: 14, original_start_line: 10 }, [10, 14], false],
    ['outdated single line', { line: null, original_line: 8 }, [8, undefined], true],
    ['outdated multi-line', { line: null, start_line: null, original_line: 9, original_start_line: 7 }, [7, 9], true],
    ['line without original_line', { line: 3, original_line: undefined }, [3, undefined], false],
  ])('%s', (_name, fields, [startLine, endLine], outdated) => {
    const [finding] = parse([comment(fields)]).findings;
    expect([finding!.startLine, finding!.endLine]).toEqual([startLine, endLine]);
    expect(finding!.message.startsWith('[outdated')).toBe(outdated);
  });

  it('a file-level comment is placed on line 1 and marked, not called outdated', () => {
    const [finding] = parse([comment({ line: null, original_line: null, subject_type: 'file' })]).findings;
    expect(finding!.startLine).toBe(1);
    expect(finding!.message).toMatch(/^\[file-level comment\] _⚠️/);
  });
});

describe('headings: title and severity', () => {
  it.each<[string, string, string]>([
    ['_⚠️ Potential issue_\n\n**Fix XSS in innerHTML**\n\nMore.', 'Fix XSS in innerHTML', 'error'],
    ['_⚠️ Potential issue_\n\n**Handle a missing instance**\n\nMore.', 'Handle a missing instance', 'warning'],
    ['_⚠️ Potential issue_ | _🔴 Critical_\n\n**Remove the hardcoded key**', 'Remove the hardcoded key', 'error'],
    ['_⚠️ Potential issue_ | _🟠 Major_\n\n**Close the DB session**', 'Close the DB session', 'warning'],
    ['_🛠️ Refactor suggestion_\n\n**Use the logger**\n\nThis also matters for security.', 'Use the logger', 'note'],
    ['_🛠️ Refactor suggestion_ | _🟡 Minor_\n\n**Rename the helper**', 'Rename the helper', 'note'],
    ['_🧹 Nitpick (assertive)_\n\n**Fix the typo**', 'Fix the typo', 'note'],
    ['_💡 Verification agent_\n\n**Check the other callers**', 'Check the other callers', 'note'],
    ['_🛠️ Refactor suggestion_\n\n**Tighten security headers**', 'Tighten security headers', 'error'],
    ['Consider `textContent` here.\n\n**Note**: more.', 'Consider textContent here.', 'warning'],
    ['<!-- internal -->\n**Prefer [`Path`](https://docs.python.org) objects.** They are safer.', 'Prefer Path objects.', 'warning'],
    ['<details>\n<summary>x</summary>\n</details>', 'x', 'warning'],
    ['', 'CodeRabbit comment', 'warning'],
  ])('%j → %j, %s', (body, title, severity) => {
    expect(classifyComment(body)).toMatchObject({ title, severity });
  });

  it.each([
    ['Fix XSS in innerHTML', 'fix-xss-in-innerhtml'],
    ['Use `logging` — not print()!', 'use-logging-not-print'],
    ['Crème brûlée: déjà vu', 'creme-brulee-deja-vu'],
    ['😀', 'comment'],
    ['A very long title that keeps going and going well past the sixty character limit of slugs', 'a-very-long-title-that-keeps-going-and-going-well-past-the'],
  ])('slug of %j is %j', (title, slug) => {
    expect(slugify(title)).toBe(slug);
    expect(slug.length).toBeLessThanOrEqual(60);
  });
});

describe('bodies', () => {
  it(`are trimmed to at most ${MAX_MESSAGE_LENGTH} characters`, () => {
    const [finding] = parse([comment({ body: `**Long one**\n\n${'word '.repeat(1000)}` })]).findings;
    expect(finding!.message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(finding!.message.length).toBeGreaterThan(MAX_MESSAGE_LENGTH - 10);
    expect(finding!.message.endsWith('…')).toBe(true);
    expect(finding!.ruleId).toBe('coderabbit/long-one');
  });
});

describe('rejected and malformed input', () => {
  it.each([
    ['../outside.py', 'path escapes the repository: ../outside.py'],
    ['/etc/passwd', 'absolute path outside the repository: /etc/passwd'],
  ])('path %s → rejected', (path, reason) => {
    const parsed = parse([comment(), comment({ id: 2, path })]);
    expect(parsed.findings).toHaveLength(1);
    expect(parsed.rejected).toHaveLength(1);
    expect(parsed.rejected[0]!.source).toBe('comments.json [1] (comment 2)');
    expect(parsed.rejected[0]!.reason).toContain(reason);
  });

  it.each<[string, unknown, string]>([
    ['not an array', { comments: [] }, 'comments.json: /: expected the JSON array of pull request review comments that GitHub returns'],
    ['an element that is not an object', [comment(), 'x'], 'comments.json: /1: expected a review comment object'],
    ['path missing', [comment(), comment(), comment({ path: undefined })], 'comments.json: /2/path: expected a string, got nothing'],
    ['body not a string', [comment({ body: 42 })], 'comments.json: /0/body: expected a string, got a number'],
    ['line 0', [comment({ line: 0 })], 'comments.json: /0/line: expected a line number (integer ≥ 1) or null, got 0'],
    ['user without login', [comment({ user: { id: 3 } })], 'comments.json: /0/user: expected an object with a string login, or null'],
  ])('%s → InputError', (_name, value, message) => {
    const text = JSON.stringify(value);
    expect(() => parseCodeRabbit(text, ctx)).toThrow(InputError);
    expect(() => parseCodeRabbit(text, ctx)).toThrow(message);
  });

  it('a comment by a deleted account (user: null) is not a bot finding', () => {
    expect(parse([comment({ user: null })]).findings).toEqual([]);
  });

  it.each([
    ['empty text', ''],
    ['empty array', '[]'],
  ])('%s → no findings', (_name, text) => {
    expect(parseCodeRabbit(text, ctx)).toEqual({ findings: [], rejected: [] });
  });
});
