/**
 * Reads Markdown sprint plans (the PRD style of seed 000 and the action-plan
 * style of seed 001) into sections of work. The text is parsed with
 * unified + remark-parse + remark-gfm and the top-level mdast nodes are walked
 * in order; regular expressions only ever look at one heading's or one bold
 * label's text, or at one paragraph's source when looking for file references.
 *
 * Recognition rules
 *
 * Section openers (each becomes one `PlanSection`):
 * 1. Sprint heading: a heading of any level whose text is
 *    `Sprint <n>[.<n>…][: | - | – | — | . | space]<title>` → key `<n>[.<n>…]` as
 *    written (`1.2`, `4`).
 * 2. Sprint paragraph: a top-level paragraph that starts with a bold
 *    `**Sprint <n>…: <title>**` and has nothing else on that line (seed 000).
 *    Prose that merely mentions "**Sprint 1.1** is …" is not an opener, nor
 *    is a bold sprint line inside a list or a quote.
 * 3. Day heading: `Day <n>[-<m>]: <title>` (or `Days …`, separator `:`, `–`, `—`)
 *    → key `w<week>-d<n>-<m>` when inside a `Week <week>: …` heading, else
 *    `d<n>-<m>`; `when` is `Day <n>-<m>`.
 * 4. Week heading: `Week <n>: <title>` → key `w<n>`, `when` `Week <n>`; it is
 *    also the phase of everything under it.
 * 5. Numbered heading: a heading whose text is `<n>.<m>[.<k>] <title>`
 *    (`### 1.1 Remove Hardcoded Credentials ⚠️ CRITICAL`, seed 003) → key
 *    `<n>.<m>[.<k>]` as written — but only under a `Phase <n>…` heading and
 *    only when the plan has no Sprint opener (rule 1 or 2) anywhere, so
 *    seed 000's `#### 1.1 …` requirement headings stay context. A trailing
 *    `CRITICAL`/`HIGH`/`MEDIUM`/`LOW` after an emoji (`⚠️ CRITICAL`) becomes
 *    `priority`.
 * Day, Week and numbered headings are kept only when they end up with tasks or issue
 * references; a Day heading with neither is reported as a warning, a heading
 * that only groups nested sections (seed 001's `## Week 1: …`) is dropped
 * quietly. The same goes for a Sprint heading that only groups nested sprints;
 * any other Sprint with no tasks is kept, with a warning.
 * Headings such as `Week 1 (Security)` or `Week 1 Testing …` (no `:` title),
 * `#### 1.1 Authentication & Authorization` (no `Sprint` word, not under a
 * Phase heading, or in a plan with Sprint openers), Executive Summary, Requirements, Success Metrics… never open a section.
 *
 * Titles: trailing parentheticals are peeled off: a time (`Days 3-4`,
 * `2 days`, `4h`) becomes `when` (Sprints only; a Day/Week already has one),
 * anything with `priority` or `P0`–`P4` becomes `priority`; the first other
 * parenthetical stops the peeling (`XSS Prevention (3 locations)` stays).
 * Trailing emoji, and the UTF-8-read-as-cp1252 mojibake of emoji (`ðŸ”´`,
 * `âœ…`), are trimmed from titles and phase labels only; all other text is
 * kept as written.
 *
 * Context: `Phase <n>…` headings and `Week <n>: …` headings set `phase`,
 * `Priority <n>…` headings set `priority`, for the sections below them until a
 * heading of the same or a higher level.
 *
 * Where a section ends: a heading section at the next heading of the same or
 * a higher level; a sprint paragraph at the next heading, thematic break
 * (`---`) or sprint paragraph. Deeper headings inside a heading section are
 * part of it. A nested opener starts its own section; the enclosing section
 * gets back whatever follows the nested one.
 *
 * Inside a section:
 * - every list item (GFM task, plain bullet or numbered; nested items too,
 *   flattened in document order) is a task; `done` is a checked box; its
 *   text is the Markdown source of the item's own paragraphs, line breaks
 *   folded, so inline code and links survive into PR bodies;
 * - an item or paragraph that starts with a bold label `Rollback`,
 *   `Rollback Plan` (also `Rollback Procedure`/`Strategy`), colon inside or
 *   outside the bold, gives `rollback`: the rest of its text, or, when that is
 *   empty, the items of the list right after it (one per line). Only the
 *   first one counts; another is a warning;
 * - a bold `Issue:` (`Issues`, `File`, `Location`) label gives issue
 *   references, with the text after the reference as `note`;
 * - a sub-heading that contains a file reference (`#### XSS Fix 1: \`path\``)
 *   gives issue references, with the heading text as `note`;
 * - a bold `Priority:` label sets `priority`;
 * - fenced and indented code blocks, also inside list items and quotes, go
 *   to `code` (their text is never searched for references);
 * - other paragraphs (Goal, Implementation Steps…), tables and HTML are
 *   context and ignored; so is everything outside a section (Requirements'
 *   acceptance criteria, Success Metrics…).
 *
 * The plan's `title` is the text of its first level-1 heading.
 *
 * File references: see `extractRefs` — a file name with a known extension (or
 * `Dockerfile`), optionally with a directory and `:N` / `:N-M`.
 *
 * Keys are unique: a repeated key gets `-<title slug>` appended (or `-2`,
 * `-3`… if that is taken too), with a warning.
 */
import type { Blockquote, Heading, List, ListItem, Nodes, Paragraph, RootContent, Strong } from 'mdast';
import { toString } from 'mdast-util-to-string';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { extractRefs } from './refs.js';
import type { ParsedPlan, PlanRef, PlanSection, PlanWarning } from './types.js';

const RANGE = String.raw`\d+(?:\.\d+)?(?:\s*[-\u2013]\s*\d+(?:\.\d+)?)?`;
const SPRINT_RE = /^Sprint\s+(\d+(?:\.\d+)*)(?:(?:\s*[:\u2013\u2014-]\s*|\.\s+|\s+)(.*))?$/iu;
const DAY_RE = new RegExp(String.raw`^(Days?)\s+(${RANGE})\s*[:\u2013\u2014]\s*(.+)$`, 'iu');
const WEEK_RE = new RegExp(String.raw`^(Weeks?)\s+(${RANGE})\s*[:\u2013\u2014]\s*(.+)$`, 'iu');
const PHASE_RE = /^Phase\s+\d+(?:\.\d+)*\b/iu;
const PRIORITY_HEADING_RE = /^Priority\s+\d+\b/iu;
const NUMBERED_RE = /^(\d+\.\d+(?:\.\d+)?)\s+(\S.*)$/u;
/** `⚠️ CRITICAL` at the end of a numbered heading: an emoji, then a severity word. */
const SEVERITY_MARK_RE = /\s*\p{Extended_Pictographic}[\uFE0F\u200D\p{Extended_Pictographic}]*\s*(CRITICAL|HIGH|MEDIUM|LOW)$/u;
const WHEN_RE = new RegExp(
  String.raw`^(?:(?:days?|weeks?|hours?|months?)\s+${RANGE}|${RANGE}\s*(?:h|hrs?|hours?|d|days?|w|wks?|weeks?))$`,
  'iu',
);
const PRIORITY_MARK_RE = /\bpriority\b|^P[0-4]$/iu;
const TRAILING_PAREN_RE = /\s*\(([^()]*)\)$/u;
// Real emoji, and what their UTF-8 bytes look like when read as Windows-1252: a 4-byte emoji becomes
// `ðŸ` + 2 characters (the last may be an NBSP that trimming already ate), ✅ and ⚠ become `âœ…` and `âš `.
const TRAILING_DECORATION_RE =
  /(?:[\s\u00A0]*(?:[\p{Extended_Pictographic}\uFE0F\u200D]+|\u00F0\u0178[\u0080-\u02FF\u2000-\u21FF]{1,2}|\u00E2[\u0153\u0161][\u0080-\u02FF\u2000-\u21FF]?))+$/u;
const LABELS: Record<string, 'rollback' | 'issue' | 'priority'> = {
  rollback: 'rollback',
  'rollback plan': 'rollback',
  'rollback procedure': 'rollback',
  'rollback strategy': 'rollback',
  issue: 'issue',
  issues: 'issue',
  file: 'issue',
  files: 'issue',
  location: 'issue',
  locations: 'issue',
  priority: 'priority',
};

interface Draft {
  section: PlanSection;
  kind: 'sprint' | 'period';
  heading: string;
  /** Another section opened inside this one, so an empty one is only a grouping heading. */
  hasChild: boolean;
}

interface Frame {
  depth: number;
  phase?: string;
  /** Set by a `Phase <n>…` heading (not by a Week heading), where numbered headings open sections. */
  phaseHeading?: boolean;
  priority?: string;
  week?: string;
  draft?: Draft;
}

interface Walk {
  src: string;
  stack: Frame[];
  /** The open bold-paragraph sprint, which ends at the next heading, `---` or sprint paragraph. */
  para: Draft | null;
  drafts: Draft[];
  warnings: PlanWarning[];
  title?: string;
  /** Whether numbered headings (`### 1.1 …`) may open sections: the plan has no Sprint opener. */
  numbered: boolean;
}

interface Label {
  kind: 'rollback' | 'issue' | 'priority';
  /** Markdown source after the bold label, with the colon if it sits outside the bold. */
  rest: string;
  restLine: number;
  /** Plain text of the same, for notes. */
  restPlain: string;
}

/** Parses a Markdown plan. Pure: `source` is only used to name the plan in the result. */
export function parseSprintPlan(markdown: string, source: string): ParsedPlan {
  const src = markdown.startsWith('\uFEFF') ? markdown.slice(1) : markdown;
  const tree = unified().use(remarkParse).use(remarkGfm).parse(src);
  const nodes = tree.children;
  const walk: Walk = { src, stack: [], para: null, drafts: [], warnings: [], numbered: true };
  walk.numbered = !nodes.some(
    (n) => (n.type === 'heading' && SPRINT_RE.test(plain(n))) || (n.type === 'paragraph' && sprintParagraph(walk, n) !== null),
  );
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.type === 'heading') {
      onHeading(walk, node);
      continue;
    }
    if (node.type === 'thematicBreak') {
      walk.para = null;
      continue;
    }
    if (node.type === 'paragraph' && openSprintParagraph(walk, node)) continue;
    const receiver = currentSection(walk);
    if (receiver) i += collectBlock(walk, receiver, node, nodes[i + 1]);
  }
  const sections = finish(walk);
  const warnings = [...walk.warnings].sort((a, b) => a.line - b.line);
  const plan: ParsedPlan = { source, sections, warnings };
  if (walk.title !== undefined) plan.title = walk.title;
  return plan;
}

function onHeading(walk: Walk, node: Heading): void {
  walk.para = null;
  while (walk.stack.length > 0 && walk.stack[walk.stack.length - 1]!.depth >= node.depth) walk.stack.pop();
  const text = plain(node);
  const line = lineOf(node);
  const frame: Frame = { depth: node.depth };
  const sprint = SPRINT_RE.exec(text);
  const day = sprint ? null : DAY_RE.exec(text);
  const week = sprint || day ? null : WEEK_RE.exec(text);
  const numbered =
    sprint || day || week || !walk.numbered || !walk.stack.some((f) => f.phaseHeading) ? null : NUMBERED_RE.exec(text);
  if (sprint) {
    frame.draft = openSection(walk, 'sprint', text, line, sprint[1]!, sprint[2] ?? '');
  } else if (day) {
    const weekNo = innermost(walk, 'week');
    const key = `${weekNo ? `w${weekNo}-` : ''}d${compactRange(day[2]!)}`;
    frame.draft = openSection(walk, 'period', text, line, key, day[3]!, `${day[1]} ${day[2]}`);
  } else if (week) {
    frame.phase = stripDecoration(text);
    frame.week = compactRange(week[2]!);
    frame.draft = openSection(walk, 'period', text, line, `w${frame.week}`, week[3]!, `${week[1]} ${week[2]}`, frame.phase);
  } else if (numbered) {
    const mark = SEVERITY_MARK_RE.exec(numbered[2]!);
    const title = mark ? numbered[2]!.slice(0, mark.index) : numbered[2]!;
    frame.draft = openSection(walk, 'period', text, line, numbered[1]!, title);
    if (mark && frame.draft.section.priority === undefined) frame.draft.section.priority = mark[1]!;
  } else if (PHASE_RE.test(text)) {
    frame.phase = stripDecoration(text);
    frame.phaseHeading = true;
  } else if (PRIORITY_HEADING_RE.test(text)) {
    frame.priority = stripDecoration(text);
  } else {
    const receiver = currentSection(walk);
    if (receiver) addIssues(walk, receiver, slice(walk, node), line, text);
  }
  if (node.depth === 1 && walk.title === undefined) walk.title = text;
  walk.stack.push(frame);
}

/** A paragraph whose first line is exactly `**Sprint n: title**` opens a section (seed 000's layout). */
function openSprintParagraph(walk: Walk, node: Paragraph): boolean {
  const match = sprintParagraph(walk, node);
  if (!match) return false;
  walk.para = null;
  walk.para = openSection(walk, 'sprint', match[0], lineOf(node), match[1]!, match[2] ?? '');
  return true;
}

/** The `SPRINT_RE` match of a paragraph whose first line is exactly a bold `**Sprint …**`, else null. */
function sprintParagraph(walk: Walk, node: Paragraph): RegExpExecArray | null {
  const first = node.children[0];
  if (first?.type !== 'strong') return null;
  const match = SPRINT_RE.exec(plain(first));
  if (!match) return null;
  const after = walk.src.slice(offset(first, 'end'), offset(node, 'end'));
  return after.split(/\r\n|\r|\n/u, 1)[0]!.trim() === '' ? match : null;
}

function openSection(
  walk: Walk,
  kind: Draft['kind'],
  heading: string,
  line: number,
  key: string,
  rawTitle: string,
  when?: string,
  ownPhase?: string,
): Draft {
  const parent = currentDraft(walk);
  if (parent) parent.hasChild = true;
  const split = splitTitle(rawTitle, when);
  const section: PlanSection = { key, title: split.title, tasks: [], issues: [], code: [], line };
  if (split.when !== undefined) section.when = split.when;
  const phase = ownPhase ?? innermost(walk, 'phase');
  if (phase !== undefined) section.phase = phase;
  const priority = split.priority ?? innermost(walk, 'priority');
  if (priority !== undefined) section.priority = priority;
  const draft: Draft = { section, kind, heading, hasChild: false };
  walk.drafts.push(draft);
  return draft;
}

/** Peels `(Days 3-4)` into `when` and `(HIGHEST PRIORITY)` into `priority`, right to left. */
function splitTitle(raw: string, when?: string): { title: string; when?: string; priority?: string } {
  let title = stripDecoration(raw.trim());
  let priority: string | undefined;
  for (let m = TRAILING_PAREN_RE.exec(title); m; m = TRAILING_PAREN_RE.exec(title)) {
    const inner = m[1]!.trim();
    if (when === undefined && WHEN_RE.test(inner)) when = inner;
    else if (priority === undefined && PRIORITY_MARK_RE.test(inner)) priority = inner;
    else break;
    title = stripDecoration(title.slice(0, m.index).trimEnd());
  }
  const out: { title: string; when?: string; priority?: string } = { title };
  if (when !== undefined) out.when = when;
  if (priority !== undefined) out.priority = priority;
  return out;
}

/** The section that content at this point belongs to. */
function currentSection(walk: Walk): PlanSection | null {
  return currentDraft(walk)?.section ?? null;
}

function currentDraft(walk: Walk): Draft | null {
  if (walk.para) return walk.para;
  for (let i = walk.stack.length - 1; i >= 0; i--) {
    const draft = walk.stack[i]!.draft;
    if (draft) return draft;
  }
  return null;
}

function innermost(walk: Walk, field: 'phase' | 'priority' | 'week'): string | undefined {
  for (let i = walk.stack.length - 1; i >= 0; i--) {
    const value = walk.stack[i]![field];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Adds one block to a section; returns how many following siblings it used up (a rollback's list). */
function collectBlock(walk: Walk, section: PlanSection, node: RootContent, next: RootContent | undefined): number {
  switch (node.type) {
    case 'list':
      for (const item of node.children) collectItem(walk, section, item);
      return 0;
    case 'code':
      section.code.push(node.lang ? { lang: node.lang, value: node.value, line: lineOf(node) } : { value: node.value, line: lineOf(node) });
      return 0;
    case 'paragraph': {
      const label = leadingLabel(walk, node);
      if (!label) return 0;
      return applyLabel(walk, section, label, lineOf(node), next?.type === 'list' ? next : undefined) ? 1 : 0;
    }
    case 'blockquote':
      collectChildren(walk, section, node);
      return 0;
    default:
      return 0;
  }
}

function collectChildren(walk: Walk, section: PlanSection, node: Blockquote | ListItem): void {
  const children = node.children as RootContent[];
  for (let i = 0; i < children.length; i++) i += collectBlock(walk, section, children[i]!, children[i + 1]);
}

function collectItem(walk: Walk, section: PlanSection, item: ListItem): void {
  const [first, ...others] = item.children;
  const label = first?.type === 'paragraph' ? leadingLabel(walk, first) : null;
  if (first && label) {
    const nested = others.find((c): c is List => c.type === 'list');
    const used = applyLabel(walk, section, label, lineOf(item), nested) ? nested : undefined;
    for (const child of others) if (child !== used) collectBlock(walk, section, child as RootContent, undefined);
    return;
  }
  const paragraphs = item.children.filter((c): c is Paragraph => c.type === 'paragraph');
  const text = paragraphs.map((p) => fold(slice(walk, p))).join(' ').trim();
  const refs = paragraphs.flatMap((p) => extractRefs(slice(walk, p), lineOf(p), (w) => walk.warnings.push(w)));
  if (text !== '' || refs.length > 0) {
    const checkbox = item.checked === true || item.checked === false;
    section.tasks.push({ text, done: item.checked === true, checkbox, refs, line: lineOf(item) });
  }
  for (const child of item.children) if (child.type !== 'paragraph') collectBlock(walk, section, child as RootContent, undefined);
}

/** Applies a Rollback / Issue / Priority label; true when it took `following` as its body. */
function applyLabel(walk: Walk, section: PlanSection, label: Label, line: number, following: List | undefined): boolean {
  if (label.kind === 'priority') {
    const value = fold(label.rest).replace(/^:\s*/u, '');
    if (value !== '') section.priority = value;
    return false;
  }
  if (label.kind === 'issue') {
    const found = addIssues(walk, section, label.rest, label.restLine, label.restPlain);
    if (found === 0) walk.warnings.push({ line, message: 'Issue label without a file reference; nothing to fix is known' });
    return false;
  }
  let text = fold(label.rest).replace(/^:\s*/u, '');
  let used = false;
  if (text === '' && following) {
    text = following.children.map((item) => listItemText(walk, item)).filter((t) => t !== '').join('\n');
    used = true;
  }
  if (text === '') {
    walk.warnings.push({ line, message: 'Rollback label without any text' });
    return used;
  }
  if (section.rollback !== undefined) {
    walk.warnings.push({ line, message: `second rollback note in the section on line ${section.line}; keeping the first` });
    return used;
  }
  section.rollback = text;
  return used;
}

/** Issue references from a heading or label: returns how many were found. */
function addIssues(walk: Walk, section: PlanSection, source: string, line: number, plainText: string): number {
  const refs = extractRefs(source, line, (w) => walk.warnings.push(w));
  const note = noteOf(plainText, refs);
  for (const ref of refs) section.issues.push(note === undefined ? ref : { ...ref, note });
  return refs.length;
}

function noteOf(text: string, refs: PlanRef[]): string | undefined {
  let rest = text;
  for (const ref of refs) rest = rest.split(ref.raw).join(' ');
  const note = fold(rest)
    .replace(/\s+/gu, ' ')
    .replace(/^[\s:,;\u2013\u2014-]+|[\s:,;\u2013\u2014-]+$/gu, '');
  return note === '' ? undefined : note;
}

function leadingLabel(walk: Walk, node: Paragraph): Label | null {
  const first = node.children[0];
  if (first?.type !== 'strong') return null;
  const kind = LABELS[labelName(first)];
  if (!kind) return null;
  return {
    kind,
    rest: walk.src.slice(offset(first, 'end'), offset(node, 'end')),
    restLine: first.position?.end.line ?? lineOf(node),
    restPlain: node.children.slice(1).map((c) => toString(c)).join(''),
  };
}

function labelName(strong: Strong): string {
  return plain(strong).replace(/\s*:$/u, '').trim().toLowerCase();
}

function listItemText(walk: Walk, item: ListItem): string {
  return item.children
    .filter((c): c is Paragraph => c.type === 'paragraph')
    .map((p) => fold(slice(walk, p)))
    .join(' ')
    .trim();
}

function finish(walk: Walk): PlanSection[] {
  const sections: PlanSection[] = [];
  const taken = new Map<string, number>();
  for (const draft of walk.drafts) {
    const s = draft.section;
    const empty = s.tasks.length === 0 && s.issues.length === 0;
    if (empty && draft.hasChild) continue;
    if (empty && draft.kind === 'period') {
      walk.warnings.push({
        line: s.line,
        message: `"${draft.heading}" looks like a work item but lists no tasks or file references; not read as a section`,
      });
      continue;
    }
    if (empty) walk.warnings.push({ line: s.line, message: `section ${s.key} lists no tasks` });
    const first = taken.get(s.key);
    if (first !== undefined) {
      const key = uniqueKey(s.key, s.title, taken);
      walk.warnings.push({ line: s.line, message: `section key ${s.key} is already used on line ${first}; this one is keyed ${key}` });
      s.key = key;
    }
    taken.set(s.key, s.line);
    sections.push(s);
  }
  return sections;
}

function uniqueKey(key: string, title: string, taken: ReadonlyMap<string, number>): string {
  const slug = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/gu, '-')
    .replace(/^-+|-+$/gu, '');
  if (slug !== '' && !taken.has(`${key}-${slug}`)) return `${key}-${slug}`;
  let n = 2;
  while (taken.has(`${key}-${n}`)) n++;
  return `${key}-${n}`;
}

function stripDecoration(text: string): string {
  return text.replace(TRAILING_DECORATION_RE, '').trim();
}

/** `1 - 2` and `1–2` both become `1-2` so keys do not depend on spacing or dash style. */
function compactRange(range: string): string {
  return range.replace(/\s+/gu, '').replace(/\u2013/gu, '-');
}

/** One line of text: line breaks (and the indentation or `>` that continues them) become one space. */
function fold(text: string): string {
  return text.replace(/[ \t]*(?:\r\n|\r|\n)[ \t>]*/gu, ' ').trim();
}

function plain(node: Nodes): string {
  return fold(toString(node));
}

function slice(walk: Walk, node: Nodes): string {
  return walk.src.slice(offset(node, 'start'), offset(node, 'end'));
}

function offset(node: Nodes, edge: 'start' | 'end'): number {
  const value = node.position?.[edge].offset;
  // remark always records positions when it parses text; a missing one is a bug here, not bad input.
  if (value === undefined) throw new Error(`mdast ${node.type} node without a source position`);
  return value;
}

function lineOf(node: Nodes): number {
  return node.position?.start.line ?? 0;
}
