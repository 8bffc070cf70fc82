import { beforeAll, describe, expect, it } from 'vitest';
import { transformSource, type EngineContext } from '../../src/engine/transform.js';
import type { Edit, JsCodemod, SourceFile } from '../../src/engine/types.js';
import { blankOutside, vueCode } from '../../src/engine/vue.js';
import { testEngine } from '../helpers/fixtures.js';
import { varToLet } from '../helpers/toy-codemods.js';

let engine: EngineContext;
beforeAll(async () => {
  engine = await testEngine();
});

function vue(text: string, path = 'src/App.vue'): SourceFile {
  return { path, text, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

const COMPONENT = '<template>\n  <p>{{ msg }}</p>\n</template>\n\n<script>\nvar msg = "hi";\nexport default { data: () => ({ msg }) };\n</script>\n\n<style>\np { color: red; }\n</style>\n';

describe('vueCode: a component as the program codemods read', () => {
  it('keeps the script block at its own offsets and lines, everything else blank', () => {
    const code = vueCode(COMPONENT);
    if (!code.ok) throw new Error(code.message);
    expect(code.text).toHaveLength(COMPONENT.length);
    expect(code.text.split('\n').length).toBe(COMPONENT.split('\n').length);
    const [script] = code.scripts;
    expect(COMPONENT.slice(script!.start, script!.end)).toBe('\nvar msg = "hi";\nexport default { data: () => ({ msg }) };\n');
    expect(code.text.slice(script!.start, script!.end)).toBe(COMPONENT.slice(script!.start, script!.end));
    expect(code.text.slice(0, script!.start).trim()).toBe('');
    expect(code.text.slice(script!.end).trim()).toBe('');
    expect(code.parser).toBe('babylon');
  });

  it('reads both blocks of <script> and <script setup lang="ts">, CRLF kept', () => {
    const text = '<script lang="ts">\r\nexport const a: number = 1;\r\n</script>\r\n<script setup lang="ts">\r\nconst b = a;\r\n</script>\r\n';
    const code = vueCode(text);
    expect(code).toMatchObject({ ok: true, parser: 'ts', scripts: [{ lang: 'ts' }, { lang: 'ts' }] });
    if (code.ok) expect(code.text.match(/\r\n/g)).toHaveLength(6);
  });

  it('reads a block whose attribute value holds a >', () => {
    const text = '<script setup lang="ts" generic="T extends Record<string, unknown>">\nconst x: T | null = null;\n</script>\n';
    const code = vueCode(text);
    expect(code).toMatchObject({ ok: true, parser: 'ts' });
    if (code.ok) expect(text.slice(code.scripts[0]!.start, code.scripts[0]!.end)).toBe('\nconst x: T | null = null;\n');
  });

  it('leaves out a block with src=, one in an HTML comment, and one not at the start of a line', () => {
    const text = '<template>\n  <div><script>evil()</script></div>\n</template>\n<!--\n<script>old()</script>\n-->\n<script src="./x.js"></script>\n';
    expect(vueCode(text)).toMatchObject({ ok: true, scripts: [] });
  });

  it('says why a component is not read', () => {
    expect(vueCode('<script>\nlet a;\n')).toEqual({ ok: false, message: 'the <script> block at line 1 is not closed' });
    expect(vueCode('<script>\n</script>\n<script setup lang="ts">\n</script>\n')).toMatchObject({ ok: false, message: expect.stringContaining('different languages') });
    expect(vueCode('<script lang="coffee">\n</script>\n')).toMatchObject({ ok: false, message: expect.stringContaining('coffee') });
  });

  it('blanks by UTF-16 unit, so offsets past non-ASCII text stay the same', () => {
    const text = 'é😀\n<b>x</b>';
    expect(blankOutside(text, [{ start: 7, end: 8 }])).toBe('   \n   x    ');
  });
});

describe('transformSource on a Vue component', () => {
  const toVue = (): JsCodemod => ({ ...varToLet(), meta: { ...varToLet().meta, extensions: ['.vue'] } });

  it('edits the script block and keeps every other byte', () => {
    const out = transformSource(engine, vue(COMPONENT), [toVue()]);
    expect(out).toMatchObject({ kind: 'changed', text: COMPONENT.replace('var msg', 'let msg') });
  });

  it('names the line of a syntax error in the script block', () => {
    const out = transformSource(engine, vue('<template>\n</template>\n<script>\nvar x = ;\n</script>\n'), [toVue()]);
    expect(out).toMatchObject({ kind: 'skipped', reason: 'syntax-error', message: expect.stringMatching(/line 4/) });
  });

  it('skips a component it cannot read, saying why', () => {
    const out = transformSource(engine, vue('<script>\nvar x = 1;\n'), [toVue()]);
    expect(out).toMatchObject({ kind: 'skipped', message: 'not read as a Vue component: the <script> block at line 1 is not closed' });
  });

  it('leaves the component alone when an edit would land outside its script blocks', () => {
    const stray: JsCodemod = {
      ...toVue(),
      transform: () => ({ edits: [{ start: 0, end: 0, text: 'import x from "x";\n', safety: 'safe', description: 'at the top' } satisfies Edit], notes: [] }),
    };
    const out = transformSource(engine, vue(COMPONENT), [stray]);
    expect(out).toMatchObject({ kind: 'unchanged', notes: [{ line: 1, message: expect.stringContaining("outside the component's <script> blocks") }] });
  });
});
