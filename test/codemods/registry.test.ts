import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codemods } from '../../codemods/index.js';
import { TOOL_VERSION } from '../../src/version.js';
import { describeFixtures } from '../helpers/fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');
const HEADINGS = ['What it changes', 'Why', 'Before/after', 'Fix safety', 'Rollback', 'References'];

describe('codemod registry', () => {
  it('ids are unique and registered in security-first order', () => {
    const ids = codemods.map((c) => c.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    const firstNonSecurity = codemods.findIndex((c) => !c.meta.security);
    expect(codemods.slice(firstNonSecurity).some((c) => c.meta.security)).toBe(false);
  });

  it('every codemod folder on disk is registered', () => {
    const onDisk = ['js', 'python'].flatMap((lang) =>
      readdirSync(join(ROOT, 'codemods', lang), { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'codemods', lang, d.name, 'index.ts')))
        .map((d) => `${lang}/${d.name}`),
    );
    expect(onDisk.sort()).toEqual(codemods.map((c) => c.meta.id).sort());
  });

  it.each(codemods.map((c) => [c.meta.id, c] as const))('%s: folder, id, fixtures, README and metadata agree', async (id, codemod) => {
    const [lang] = id.split('/');
    expect(codemod.meta.language === 'python' ? 'python' : 'js').toBe(lang);
    const module = (await import(/* @vite-ignore */ pathToFileURL(join(ROOT, 'codemods', id, 'index.ts')).href)) as { codemod: unknown };
    expect(module.codemod).toBe(codemod);
    expect(existsSync(join(ROOT, 'fixtures', 'codemods', id))).toBe(true);
    const readme = readFileSync(join(ROOT, 'codemods', id, 'README.md'), 'utf8');
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim());
    expect(headings.filter((h) => HEADINGS.includes(h))).toEqual(HEADINGS);
    expect(codemod.meta.fixes.length).toBeGreaterThan(0);
    expect(codemod.meta.extensions.length).toBeGreaterThan(0);
    expect(codemod.meta.references.length).toBeGreaterThan(0);
    expect(codemod.meta.rollback.length).toBeGreaterThan(10);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`codemods/${id}/README.md`);
  });

  it('the tool version matches package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(TOOL_VERSION).toBe(pkg.version);
  });
});

// Every registered codemod's fixtures run from here: a new codemod is covered by its registry line alone.
for (const codemod of codemods) describeFixtures(codemod);
