import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/engine/run.js';
import { runCli } from '../helpers/cli.js';
import { tempTrees } from '../helpers/tree.js';

const tree = tempTrees('shipshape-innerhtml-project-');

/**
 * The project model hands the innerHTML codemod what the project's own
 * modules export: an imported helper that returns markup stays markup, an
 * imported escaper is reused, and data beside them is escaped.
 */
describe('innerHTML with imports from the project', () => {
  const ui = [
    "export function icon(name) { return '<i class=\"icon-' + name + '\"></i>'; }",
    "export function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\"/g, '&quot;').replace(/'/g, '&#39;'); }",
    'export function tr(key) { return window.LABELS[key]; }',
  ].join('\n');
  const page = [
    "import { icon, esc, tr } from './lib/ui.js';",
    "const item = JSON.parse(localStorage.getItem('item'));",
    "const box = document.querySelector('#box');",
    'box.innerHTML = `<p>${icon(item.kind)} ${item.title} ${tr("saved")}</p>`;',
    '',
  ].join('\n');

  it('follows ./lib/ui.js: the icon stays markup, the title is escaped with its esc(), the unknown translation is named', async () => {
    const dir = tree({ 'web/lib/ui.js': `${ui}\n`, 'web/page.js': page, 'package.json': '{ "type": "module" }\n' });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const out = await runCli(['run', '--json', '--allow', 'review', '--codemod', 'js/innerhtml-to-textcontent'], { cwd: dir });
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as RunReport;
    expect(report.files.filter((f) => f.status === 'changed').map((f) => f.path)).toEqual(['web/page.js']);
    const written = await runCli(['run', '--write', '--allow', 'review', '--codemod', 'js/innerhtml-to-textcontent'], { cwd: dir });
    expect(written.code).toBe(0);
    const text = readFileSync(join(dir, 'web/page.js'), 'utf8');
    expect(text).toContain('${icon(item.kind)} ${esc(item.title)} ${tr("saved")}');
    // No second, private escaper: the imported one does the work.
    expect(text.match(/function /g)).toBeNull();
    expect(report.codemods[0]!.notes.map((n) => n.message).join('\n')).toContain('tr("saved")');
  });

  it('a project that depends on escape-html imports it instead of growing a private escaper', async () => {
    const module = "import { render } from './render.js';\nconst row = JSON.parse(localStorage.getItem('row'));\nrender(row);\ndocument.querySelector('#t').innerHTML = `<td>${row.name}</td>`;\n";
    const dir = tree({ 'package.json': '{ "type": "module", "dependencies": { "escape-html": "^1.0.3" } }\n', 'src/table.js': module, 'src/render.js': 'export function render() {}\n' });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const out = await runCli(['run', '--write', '--allow', 'review', '--codemod', 'js/innerhtml-to-textcontent'], { cwd: dir });
    expect(out.code, out.stderr).toBe(0);
    expect(readFileSync(join(dir, 'src/table.js'), 'utf8')).toBe(
      "import { render } from './render.js';\nimport escapeHtml from 'escape-html';\nconst row = JSON.parse(localStorage.getItem('row'));\nrender(row);\ndocument.querySelector('#t').innerHTML = `<td>${escapeHtml(row.name)}</td>`;\n",
    );
  });

  it('without the module in the project, an imported helper is unknown and its slot is left as it is', async () => {
    const dir = tree({ 'web/page.js': page, 'package.json': '{ "type": "module" }\n' });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const out = await runCli(['run', '--json', '--allow', 'review', '--codemod', 'js/innerhtml-to-textcontent'], { cwd: dir });
    const report = JSON.parse(out.stdout) as RunReport;
    const notes = report.codemods[0]!.notes.map((n) => n.message).join('\n');
    expect(notes).toContain('icon(item.kind)');
  });
});
