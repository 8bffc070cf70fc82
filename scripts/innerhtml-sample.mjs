#!/usr/bin/env node
/**
 * Checks the innerHTML codemod's changes on a real project in jsdom.
 *
 *   npx shipshape run src -c js/innerhtml-to-textcontent --allow review --json > report.json
 *   node scripts/innerhtml-sample.mjs report.json
 *
 * For every change that replaces one whole line with one whole line, both
 * lines are run as statements in a scope where every name the line reads is
 * data: benign text with entities, non-ASCII and a newline, and then a
 * payload. Whatever the line writes (innerHTML/textContent of an element, a
 * variable, a returned value) is rendered into a jsdom element.
 *   - benign data must render identically before and after;
 *   - a payload must create no element after the change that benign data
 *     does not create too (the payload never becomes markup).
 * Lines that are not whole statements (part of a multi-line expression) are
 * counted as not sampled. Exit 1 when any sampled change fails.
 */
/* global console */
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { JSDOM } from 'jsdom';

// Benign: text that HTML reads as itself (a bare `&`, `<` not opening a tag,
// non-ASCII, a newline). Quotes and entities are not benign: unescaped, they
// already render wrongly before the change, which is what it fixes.
const BENIGN = 'Tom & Jerry <3 café 東京 ünïcode\nsecond line';
const PAYLOAD = '<img src=x onerror="window.__ran=1"><b id=injected>x</b>';

const dom = new JSDOM('<!doctype html><body></body>', { runScripts: 'outside-only' });
const { window } = dom;

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/**
 * A value that is text when printed, and more data when a field is read, a
 * method called or a list mapped. `path` names it as the line does
 * (`item.Name`); paths in `payloadPaths` print the payload, the rest benign text.
 */
function dataValue(path, env) {
  const text = env.payloadPaths.has(path) ? PAYLOAD : BENIGN;
  const target = function () {};
  return new Proxy(target, {
    get(_t, key) {
      if (key === Symbol.toPrimitive || key === 'toString' || key === 'valueOf') return () => text;
      if (key === 'map' || key === 'filter') return (fn) => [fn(dataValue(`${path}[]`, env), 0)];
      if (key === 'forEach') return (fn) => void fn(dataValue(`${path}[]`, env), 0);
      if (key === 'join') return () => text;
      if (key === 'length') return 1;
      if (typeof key === 'symbol') return undefined;
      return dataValue(`${path}.${key}`, env);
    },
    set(_t, key, value) {
      env.sink.push({ kind: 'property', key: String(key), value });
      return true;
    },
    apply() {
      return dataValue(`${path}()`, env);
    },
  });
}

/** Runs one line as a statement; returns what it wrote, or undefined when the line is not a whole statement. */
function runLine(line, payloadPaths) {
  const env = { sink: [], payloadPaths };
  const known = new Map([['escapeHtml', escapeHtml], ['undefined', undefined], ['String', String], ['Number', Number], ['Math', Math], ['JSON', JSON]]);
  const scope = new Proxy({}, {
    has: (_t, key) => typeof key === 'string',
    get(_t, key) {
      if (key === Symbol.unscopables) return undefined;
      if (known.has(key)) return known.get(key);
      return dataValue(String(key), env);
    },
    set(_t, key, value) {
      env.sink.push({ kind: 'variable', key: String(key), value });
      return true;
    },
  });
  // `x += …` on an unknown name appends to data: start the variable empty instead.
  const body = line.trim().replace(/^(let|const|var)\s+/, '');
  const compound = /^([A-Za-z_$][\w$]*)\s*\+=/.exec(body);
  if (compound) known.set(compound[1], '');
  let fn;
  try {
    fn = new Function('scope', `with (scope) { return (function () { ${body}\n }).call(undefined); }`);
  } catch {
    return undefined;
  }
  let returned;
  try {
    returned = fn(scope);
  } catch (error) {
    return { error: String(error) };
  }
  if (returned !== undefined) env.sink.push({ kind: 'return', key: 'return', value: returned });
  return { writes: env.sink };
}

/** Dotted names in a piece of code (`item.Name`, `v.Id`). */
function namePaths(code) {
  return code.match(/(?<![\w$.'"`])[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/g) ?? [];
}

/** The line with the text of its string literals blanked (template literals keep their `${…}` code). */
function codeOnly(line) {
  let out = '';
  const stack = []; // open quotes; '}' marks code inside a template's ${…}
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    const top = stack[stack.length - 1];
    if (top === "'" || top === '"' || top === '`') {
      if (c === '\\') i++;
      else if (c === top) stack.pop();
      else if (top === '`' && c === '$' && line[i + 1] === '{') {
        stack.push('}');
        i++;
      }
      out += ' ';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') stack.push(c);
    else if (c === '{' && top === '}') stack.push('{');
    else if (c === '}' && (top === '}' || top === '{')) stack.pop();
    out += c === "'" || c === '"' || c === '`' ? ' ' : c;
  }
  return out;
}

/** The values the change made safe: arguments of the escaper it added, or what is now assigned to textContent. */
function fixedPaths(before, after) {
  const paths = new Set();
  let from = 0;
  for (;;) {
    const at = after.indexOf('escapeHtml(', from);
    if (at < 0) break;
    let depth = 0;
    let end = at + 'escapeHtml'.length;
    for (; end < after.length; end++) {
      if (after[end] === '(') depth++;
      else if (after[end] === ')' && --depth === 0) break;
    }
    const argument = after.slice(at + 'escapeHtml('.length, end);
    // Only what this change escaped: an escaper call already on the line before is not its work.
    if (!before.includes(`escapeHtml(${argument})`)) for (const p of namePaths(argument)) paths.add(p);
    from = end;
  }
  // A value also written unescaped elsewhere on the line (a URL slot the codemod reports as still open) cannot carry the payload alone.
  const rest = new Set(namePaths(codeOnly(after.replace(/escapeHtml\((?:[^()]|\([^()]*\))*\)/g, ''))));
  for (const p of paths) if (rest.has(p)) paths.delete(p);
  const text = /\.textContent\s*\+?=\s*(.*)$/.exec(after);
  if (text && /\.innerHTML\s*\+?=/.test(before)) for (const p of namePaths(text[1])) paths.add(p);
  paths.delete('escapeHtml');
  return paths;
}

function render(write) {
  const el = window.document.createElement('div');
  window.__ran = 0;
  if (write.kind === 'property' && write.key === 'textContent') el.textContent = String(write.value);
  else el.innerHTML = String(write.value);
  return { html: el.innerHTML, elements: el.querySelectorAll('*').length, text: el.textContent, ran: window.__ran === 1 };
}

function renderAll(result) {
  // innerHTML and textContent of an element are one target: what matters is what it shows.
  return result.writes.map((w) => ({ target: w.key === 'textContent' ? 'innerHTML' : w.key, ...render(w) }));
}

/** Single-line replacements in a unified diff: one `-` line followed by one `+` line. */
function pairs(diff) {
  const lines = diff.split('\n');
  const out = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const a = lines[i];
    const b = lines[i + 1];
    const prev = lines[i - 1] ?? '';
    const next = lines[i + 2] ?? '';
    if (a.startsWith('-') && !a.startsWith('---') && b.startsWith('+') && !b.startsWith('+++') && !prev.startsWith('-') && !next.startsWith('+')) {
      out.push({ before: a.slice(1), after: b.slice(1) });
    }
  }
  return out;
}

const reportPath = process.argv[2];
if (!reportPath) {
  console.error('usage: node scripts/innerhtml-sample.mjs REPORT.json   (from `shipshape run … --json`)');
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
let sampled = 0;
let notSampled = 0;
let payloadChecked = 0;
const failures = [];
for (const file of report.files ?? []) {
  if (!file.diff) continue;
  for (const { before, after } of pairs(file.diff)) {
    const none = new Set();
    const fixed = fixedPaths(before, after);
    const benignBefore = runLine(before, none);
    const benignAfter = runLine(after, none);
    const payloadAfter = runLine(after, fixed);
    if ([benignBefore, benignAfter, payloadAfter].some((r) => !r || r.error) || benignBefore.writes.length === 0) {
      notSampled++;
      continue;
    }
    sampled++;
    const where = `${file.path}: ${after.trim().slice(0, 120)}`;
    const [b, a, p] = [benignBefore, benignAfter, payloadAfter].map(renderAll);
    if (JSON.stringify(b) !== JSON.stringify(a)) {
      failures.push(`${where}\n    benign data renders differently:\n    before ${JSON.stringify(b)}\n    after  ${JSON.stringify(a)}`);
    } else if (fixed.size > 0 && p.some((w, k) => w.elements > (a[k]?.elements ?? 0) || w.ran)) {
      failures.push(`${where}\n    a payload in ${[...fixed].join(', ')} becomes markup: ${JSON.stringify(p)}`);
    } else if (fixed.size > 0) payloadChecked++;
  }
}
console.log(`${sampled} single-line changes sampled in jsdom (${payloadChecked} of them also with a payload in each value they made safe), ${failures.length} failed; ${notSampled} not sampled (not a whole statement, or it throws on data)`);
for (const f of failures) console.log(`FAIL ${f}`);
process.exit(failures.length > 0 ? 1 : 0);
