import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import { codemod } from '../../codemods/js/innerhtml-to-textcontent/index.js';
import { helperSource } from '../../codemods/js/innerhtml-to-textcontent/helper.js';
import type { EngineContext } from '../../src/engine/transform.js';
import type { CodemodNote } from '../../src/engine/types.js';
import { FIXTURES, describeFixtures, testEngine, transformBytes } from '../helpers/fixtures.js';

describeFixtures(codemod);

const DIR = join(FIXTURES, 'js', 'innerhtml-to-textcontent');

function fixture(name: string, ext = '.js'): { input: string; output: string } {
  const read = (kind: string) => readFileSync(join(DIR, `${name}.${kind}${ext}`), 'utf8').replace(/^\uFEFF/, '');
  return { input: read('input'), output: read('output') };
}

let engine: EngineContext;
beforeAll(async () => {
  engine = await testEngine();
});

function run(source: string, path = 'src/case.js'): { output: string; notes: CodemodNote[]; kind: string } {
  const { outcome, output } = transformBytes(engine, [codemod], path, Buffer.from(source, 'utf8'));
  const notes = outcome.kind === 'skipped' ? [] : outcome.notes;
  return { output, notes, kind: outcome.kind };
}

describe('metadata', () => {
  it('matches its folder, fixtures and README', () => {
    expect(codemod.meta.id).toBe('js/innerhtml-to-textcontent');
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'codemods', 'js', 'innerhtml-to-textcontent', 'README.md'), 'utf8');
    const headings = readme.split('\n').filter((line) => line.startsWith('## '));
    expect(headings).toEqual(['## What it changes', '## Why', '## Before/after', '## Fix safety', '## Rollback', '## References']);
    expect(codemod.meta.fixes).toContainEqual({ tool: 'codeql', ruleId: 'js/xss' });
    expect(codemod.meta.safety).toBe('review');
    expect(codemod.meta.security).toBe(true);
  });

  it('only parses files that mention innerHTML', () => {
    expect(codemod.prefilter('el.textContent = x;')).toBe(false);
    expect(codemod.prefilter('el.innerHTML = x;')).toBe(true);
  });
});

describe('rewrites', () => {
  it.each([
    ['identifier', 'el.innerHTML = message;', 'el.textContent = message;'],
    ['member', 'el.innerHTML = data.message;', 'el.textContent = data.message;'],
    ['call', 'el.innerHTML = format(x);', 'el.textContent = format(x);'],
    ['concatenation without markup', "el.innerHTML = 'Count: ' + n;", "el.textContent = 'Count: ' + n;"],
    ['template without markup', 'el.innerHTML = `${a} ${b}`;', 'el.textContent = `${a} ${b}`;'],
    ['append plain', 'el.innerHTML += line;', "el.insertAdjacentText('beforeend', line);"],
    ['append parenthesised', 'el.innerHTML += (a || b);', "el.insertAdjacentText('beforeend', (a || b));"],
    ['template', 'el.innerHTML = `<div class="x">${name}</div>`;', 'el.innerHTML = `<div class="x">${escapeHtml(name)}</div>`;'],
    ['concatenation', "el.innerHTML = '<b>' + name + '</b>';", "el.innerHTML = '<b>' + escapeHtml(name) + '</b>';"],
    ['entity only', "el.innerHTML = '&copy; ' + owner;", "el.innerHTML = '&copy; ' + escapeHtml(owner);"],
    ['numeric prefix', "el.innerHTML = a + b + '<i>' + c;", "el.innerHTML = escapeHtml(a + b) + '<i>' + escapeHtml(c);"],
    ['comma expression', 'el.innerHTML = `<p>${(a, b)}</p>`;', 'el.innerHTML = `<p>${(escapeHtml((a, b)))}</p>`;'],
    ['ternary branch', "el.innerHTML = `<p>${x ? y : '<i>-</i>'}</p>`;", "el.innerHTML = `<p>${x ? escapeHtml(y) : '<i>-</i>'}</p>`;"],
    ['quoted attribute', 'el.innerHTML = `<a title=\'${t}\'>x</a>`;', 'el.innerHTML = `<a title=\'${escapeHtml(t)}\'>x</a>`;'],
    ['textarea body', 'el.innerHTML = `<textarea>${t}</textarea>`;', 'el.innerHTML = `<textarea>${escapeHtml(t)}</textarea>`;'],
    ['append markup', 'el.innerHTML += `<li>${x}</li>`;', 'el.innerHTML += `<li>${escapeHtml(x)}</li>`;'],
    ['safe values kept', 'el.innerHTML = `<p>${n.length} ${n.toFixed(1)} ${escapeHtml(a)} ${b}</p>`;', 'el.innerHTML = `<p>${n.length} ${n.toFixed(1)} ${escapeHtml(a)} ${shipshapeEscapeHtml(b)}</p>`;'],
  ])('%s', (_name, source, expected) => {
    const { output, kind } = run(`${source}\n`);
    expect(kind).toBe('changed');
    expect(output).toContain(expected);
  });

  it('maps positions back through tab indentation and CRLF', () => {
    const source = 'function f(el, a) {\r\n\t\tel.innerHTML = a;\r\n\t\tel.innerHTML = `<b>${a}</b>`;\r\n}\r\n';
    const { output } = run(source);
    expect(output).toContain('\r\n\t\tel.textContent = a;\r\n\t\tel.innerHTML = `<b>${escapeHtml(a)}</b>`;\r\n}\r\n');
    expect(output).toContain('function escapeHtml(value) {\r\n');
  });

  it('uses the project helper in scope instead of adding one', () => {
    const { output } = run('function escapeHTML(s) { return s; }\nel.innerHTML = `<b>${a}</b>`;\n');
    expect(output).toBe('function escapeHTML(s) { return s; }\nel.innerHTML = `<b>${escapeHTML(a)}</b>`;\n');
  });

  it('uses an exported project helper', () => {
    const source = 'export function escapeHtml(s) { return s; }\nexport function f(el, a) { el.innerHTML = `<b>${a}</b>`; }\n';
    expect(run(source).output).toBe(source.replace('${a}', '${escapeHtml(a)}'));
  });

  it('types the helper in TypeScript files', () => {
    const { output } = run('el.innerHTML = `<b>${a}</b>`;\n', 'src/case.ts');
    expect(output).toContain('function escapeHtml(value: unknown): string {');
  });
});

describe('left alone', () => {
  it.each([
    ['join', 'el.innerHTML = `<tbody>${rows.join(\'\')}</tbody>`;', "interpolates `rows.join('')`, which may be intended HTML"],
    ['render call', 'el.innerHTML = `<div>${renderRow(x)}</div>`;', 'interpolates `renderRow(x)`, which may be intended HTML'],
    ['html variable', 'el.innerHTML = html;', 'assigns `html`, which may be intended HTML'],
    ['rowsHtml', 'el.innerHTML = rowsHtml;', 'assigns `rowsHtml`, which may be intended HTML'],
    ['items', 'el.innerHTML = `<ul>${items}</ul>`;', 'interpolates `items`, which may be intended HTML'],
    ['markup inside ||', "el.innerHTML = x || '<i>none</i>';", "assigns `x || '<i>none</i>'`, which may be intended HTML"],
    ['fetched body', "el.innerHTML = await res.text();", 'assigns `await res.text()`, which may be intended HTML'],
    ['XHR body', 'el.innerHTML = xhr.responseText;', 'assigns `xhr.responseText`, which may be intended HTML'],
    ['JSX', 'el.innerHTML = <b>{x}</b>;', 'assigns `<b>{x}</b>`, which may be intended HTML'],
    ['template element', 'tpl.innerHTML = label;', '`tpl` may be a <template> element'],
    ['unquoted attribute', 'el.innerHTML = `<td colspan=${n}>`;', 'interpolates `n` into an unquoted attribute value'],
    ['event handler', 'el.innerHTML = `<a onclick="go(\'${id}\')">`;', 'interpolates `id` into the `onclick` event-handler attribute'],
    ['tag name', "el.innerHTML = '<' + tag + '>';", 'interpolates `tag` inside a tag'],
    ['script body', 'el.innerHTML = `<script>var x = ${x}</script>`;', 'interpolates `x` inside <script>'],
    ['used as a value', 'a = el.innerHTML = x;', 'used as a value'],
    ['arrow body', 'const f = (x) => el.innerHTML = x;', 'used as a value'],
    ['chained', 'a.innerHTML = b.innerHTML = x;', 'another assignment'],
    ['computed', "el['innerHTML'] = x;", 'computed property'],
    ['logical assignment', 'el.innerHTML ||= x;', 'updates innerHTML with `||=`'],
    ['comment before +=', 'el.innerHTML /* c */ += x;', 'stands between innerHTML and `+=`'],
    ['shadow root', 'this.shadowRoot.innerHTML += x;', 'may be a ShadowRoot'],
  ])('%s', (_name, source, reason) => {
    const text = `// line 1\n${source}\n`;
    const { output, notes, kind } = run(text);
    expect(kind).toBe('unchanged');
    expect(output).toBe(text);
    expect(notes).toContainEqual(expect.objectContaining({ line: 2, message: expect.stringContaining(reason) }));
  });

  it.each([
    ['empty string', "el.innerHTML = '';"],
    ['constant markup', 'el.innerHTML = \'<span class="spinner"></span>\';'],
    ['constant template', 'el.innerHTML = `<div class="empty">None</div>`;'],
    ['constant concatenation', "el.innerHTML = '<ul>' + '<li>-</li>' + '</ul>';"],
    ['escaped', 'el.innerHTML = escapeHtml(x);'],
    ['sanitised', 'el.innerHTML = DOMPurify.sanitize(x);'],
    ['Utils.escapeHtml', 'el.innerHTML = `<b>${Utils.escapeHtml(x)}</b>`;'],
    ['encodeURIComponent', 'el.innerHTML = `<a href="/q?${encodeURIComponent(x)}">q</a>`;'],
    ['outerHTML', 'el.outerHTML = x;'],
    ['insertAdjacentHTML', "el.insertAdjacentHTML('beforeend', x);"],
  ])('%s, silently', (_name, source) => {
    const text = `${source}\n`;
    const { output, notes } = run(text);
    expect(output).toBe(text);
    expect(notes).toEqual([]);
  });
});

describe('the added helper', () => {
  function helper(kind: 'plain' | 'utils', utils?: { escapeHtml(text: string): string }): (value: unknown) => string {
    const source = helperSource('escapeHtml', kind, { eol: '\n', indent: '  ', quote: "'", semicolon: ';', typescript: false });
    const factory = new Function('window', `${source}\nreturn escapeHtml;`) as (window: unknown) => (value: unknown) => string;
    return factory(utils ? { Utils: utils } : undefined);
  }

  it.each(['plain', 'utils'] as const)('%s: escapes the five characters and renders like a template literal', (kind) => {
    const escape = helper(kind);
    expect(escape(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    for (const value of [null, undefined, 0, 42, false, 'Zoë 😀']) expect(escape(value)).toBe(`${value}`);
  });

  it('delegates to window.Utils.escapeHtml and still escapes quotes', () => {
    const calls: string[] = [];
    const escape = helper('utils', {
      escapeHtml(text: string) {
        calls.push(text);
        return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      },
    });
    expect(escape(`"><b>'`)).toBe('&quot;&gt;&lt;b&gt;&#39;');
    expect(calls).toEqual([`"><b>'`]);
    expect(escape(null)).toBe('null');
  });
});

describe('untouched bytes', () => {
  it('keeps a JSDoc-preceded function with parentheses byte-identical outside the edit', () => {
    const { input, output } = fixture('jsdoc-parens');
    const before = input.split('\n');
    const after = output.split('\n');
    expect(after).toHaveLength(before.length);
    for (const [i, line] of before.entries()) {
      if (line.includes('innerHTML')) expect(after[i]).toBe(line.replace('innerHTML', 'textContent'));
      else expect(after[i]).toBe(line);
    }
    expect(output).toContain('  return ((root));\n');
    expect(output).toContain('const noop = (function () { return (1 + (2)); })();');
  });

  it('only adds the helper and wraps values in a JSDoc-documented file', () => {
    const { input, output } = fixture('template-escapes-interpolations');
    const withoutHelper = output.slice(output.indexOf('/**'));
    expect(withoutHelper.replace(/escapeHtml\(([^()]*)\)/g, '$1')).toBe(input);
  });
});

// ---------------------------------------------------------------------------
// Behaviour: the original and the rewritten code run in a real DOM (jsdom).

const BENIGN: unknown[] = ['Ada Lovelace', 'Zoë Émile 😀', 'Tom & Jerry', "O'Brien", 'x < y > z', 42, 0, null];
const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=1</script>',
  '"><svg onload="window.__pwned=1">',
  "'><svg onload=window.__pwned=1>",
];

type Win = JSDOM['window'] & { __pwned?: unknown; __fixture?: Record<string, (...args: unknown[]) => unknown>; Utils?: unknown };

interface Call {
  fn: string;
  args: (root: Element, value: unknown) => unknown[];
  /** Markup already in the element (for `+=`). */
  prefill?: string;
  /** The rewrite appends as text, so the prefilled element must survive as the same node. */
  keeps?: boolean;
}

interface Behaviour {
  fixture: string;
  /** Names the script defines at its top level (read back after eval), or none when it sets window properties itself. */
  exports: string[];
  calls: Call[];
  setup?: (window: Win) => void;
}

/** seed 001's page helper: escapes through the DOM, leaves quotes alone, and turns null into ''. */
function seedUtils(window: Win): void {
  window.Utils = {
    escapeHtml(text: unknown) {
      const div = window.document.createElement('div');
      div.textContent = (text as string) || '';
      return div.innerHTML;
    },
  };
}

const withRoot = (root: Element, value: unknown) => [root, value];

const BEHAVIOURS: Behaviour[] = [
  {
    fixture: 'plain-value-to-textcontent',
    exports: ['showStatus', 'showError', 'showCount', 'showName'],
    calls: [
      { fn: 'showStatus', args: (root, v) => [root, { message: v }] },
      { fn: 'showError', args: withRoot },
      { fn: 'showCount', args: withRoot },
      { fn: 'showName', args: (root, v) => [root, v, v] },
    ],
  },
  {
    fixture: 'append-plain-value',
    exports: ['appendLog', 'appendEntry'],
    calls: [
      { fn: 'appendLog', args: withRoot, prefill: '<p id="keep">existing <b>row</b></p>', keeps: true },
      { fn: 'appendEntry', args: withRoot, prefill: '<li id="keep">first</li>' },
    ],
  },
  {
    fixture: 'template-escapes-interpolations',
    exports: ['renderInstance'],
    calls: [
      {
        fn: 'renderInstance',
        args: (root, v) => [root, { name: v, instance_id: v, state: v, cpu: 12.345, tags: [1, 2], owner: v }],
      },
    ],
  },
  {
    fixture: 'concatenation-escapes-operands',
    exports: ['greet', 'summary', 'legal'],
    calls: [
      { fn: 'greet', args: withRoot },
      { fn: 'summary', args: (root, v) => [root, v, v, v] },
      { fn: 'legal', args: (root, v) => [root, v, v] },
    ],
  },
  {
    fixture: 'reuses-project-helper',
    exports: ['showFix'],
    calls: [{ fn: 'showFix', args: (root, v) => [root, { rule: v, message: v }] }],
  },
  {
    fixture: 'utils-escapehtml-delegate',
    exports: ['showFixResult'],
    calls: [{ fn: 'showFixResult', args: (root, v) => [root, { success: true, host: v, title: v, message: v }] }],
    setup: seedUtils,
  },
  {
    fixture: 'utils-escapehtml-delegate',
    exports: ['showFixResult'],
    calls: [{ fn: 'showFixResult', args: (root, v) => [root, { success: false, host: v, title: v, message: v }] }],
  },
  {
    fixture: 'helper-name-taken',
    exports: ['showNote'],
    calls: [{ fn: 'showNote', args: withRoot }],
  },
  {
    fixture: 'helper-in-wrapper-scope',
    exports: [],
    calls: [{ fn: 'renderRow', args: (root, v) => [root, { id: v, state: v }] }],
  },
  {
    fixture: 'helper-added-to-wrapper',
    exports: [],
    calls: [{ fn: 'renderHostError', args: (root, v) => [root, v, { message: v, exit_code: v }] }],
  },
  {
    fixture: 'comments-kept',
    exports: ['renderCard', 'renderFooter'],
    calls: [
      { fn: 'renderCard', args: (root, v) => [root, { title: v, body: v }] },
      { fn: 'renderFooter', args: withRoot },
    ],
  },
  {
    fixture: 'odd-formatting',
    exports: ['render'],
    calls: [{ fn: 'render', args: withRoot }],
  },
  {
    fixture: 'crlf',
    exports: ['showUser', 'showMessage'],
    calls: [
      { fn: 'showUser', args: (root, v) => [root, { name: v }] },
      { fn: 'showMessage', args: withRoot },
    ],
  },
  {
    fixture: 'bom',
    exports: ['showItem'],
    calls: [{ fn: 'showItem', args: (root, v) => [root, { label: v }] }],
  },
  {
    fixture: 'non-ascii',
    exports: ['greet', 'price'],
    calls: [
      { fn: 'greet', args: withRoot },
      { fn: 'price', args: withRoot },
    ],
  },
  {
    fixture: 'conditional-markup',
    exports: ['showState', 'showOwner', 'showLabel'],
    calls: [
      { fn: 'showState', args: (root, v) => [root, { running: true, name: v }] },
      { fn: 'showState', args: (root, v) => [root, { running: false, name: v }] },
      { fn: 'showOwner', args: withRoot },
      { fn: 'showLabel', args: (root, v) => [root, v, v] },
    ],
  },
  {
    fixture: 'several-per-file',
    exports: ['renderAccounts', 'showRegion', 'addWarning', 'addNote'],
    calls: [
      { fn: 'renderAccounts', args: (root, v) => [root, [{ alias: v, id: v }]] },
      { fn: 'showRegion', args: withRoot },
      { fn: 'addWarning', args: withRoot, prefill: '<p id="keep">earlier</p>' },
      { fn: 'addNote', args: withRoot, prefill: '<p id="keep">earlier</p>', keeps: true },
    ],
  },
  {
    fixture: 'jsdoc-parens',
    exports: ['showName'],
    calls: [{ fn: 'showName', args: (root, v) => [root, { displayName: v, login: 'fallback' }] }],
  },
];

interface Rendered {
  html: string;
  text: string;
  injected: boolean;
  pwned: unknown;
  /** Whether the prefilled element is the same node afterwards. */
  kept: boolean | null;
  attributes: string[];
}

function render(code: string, behaviour: Behaviour, call: Call, value: unknown): Rendered {
  const dom = new JSDOM('<div id="root"></div>', { runScripts: 'outside-only' });
  const window = dom.window as Win;
  behaviour.setup?.(window);
  const exports = behaviour.exports.length > 0 ? `\n;window.__fixture = { ${behaviour.exports.join(', ')} };` : '';
  window.eval(code + exports);
  const root = window.document.getElementById('root')!;
  if (call.prefill) root.innerHTML = call.prefill;
  const kept = call.prefill ? root.querySelector('#keep') : null;
  const fn = window.__fixture?.[call.fn] ?? (window as unknown as Record<string, unknown>)[call.fn];
  if (typeof fn !== 'function') throw new Error(`${behaviour.fixture}: ${call.fn} is not defined`);
  fn(...call.args(root, value));
  const attributes = [...root.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.value));
  const result = {
    html: root.innerHTML,
    text: root.textContent ?? '',
    injected: root.querySelector('img,script,svg') !== null,
    pwned: window.__pwned,
    kept: kept ? root.querySelector('#keep') === kept : null,
    attributes,
  };
  window.close();
  return result;
}

describe.each(BEHAVIOURS.map((b, i) => [`${b.fixture}${b.setup ? ' (with window.Utils)' : ''} #${i}`, b] as const))(
  'behaviour: %s',
  (_name, behaviour) => {
    const { input, output } = fixture(behaviour.fixture);

    it('the rewrite changed the code', () => {
      expect(output).not.toBe(input);
    });

    it.each(behaviour.calls.map((c, i) => [`${c.fn} #${i}`, c] as const))('%s renders benign data the same', (_fn, call) => {
      for (const value of BENIGN) {
        const before = render(input, behaviour, call, value);
        const after = render(output, behaviour, call, value);
        expect(after.html, `value ${String(value)}`).toBe(before.html);
        expect(after.text).toBe(before.text);
      }
    });

    it.each(behaviour.calls.map((c, i) => [`${c.fn} #${i}`, c] as const))('%s shows injected markup as text', (_fn, call) => {
      let originalInjected = false;
      for (const payload of PAYLOADS) {
        originalInjected ||= render(input, behaviour, call, payload).injected;
        const after = render(output, behaviour, call, payload);
        expect(after.injected, payload).toBe(false);
        expect(after.pwned).toBeUndefined();
        const shown = after.text.includes(payload) || after.attributes.some((value) => value.includes(payload));
        expect(shown, payload).toBe(true);
        if (call.keeps) expect(after.kept).toBe(true);
      }
      // The original is really injectable, so this check can fail.
      expect(originalInjected).toBe(true);
    });
  },
);
