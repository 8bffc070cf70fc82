import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PositionEncoding, Workspace, type Diagnostic } from '@astral-sh/ruff-wasm-nodejs';
import { parse as parseToml } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/engine/run.js';
import { runCli } from '../helpers/cli.js';

/**
 * The Python codemods' new imports and statements follow the file: run on
 * the fixture repositories, no file they change gains a Ruff finding for a
 * module import not at the top (E402), an unused import (F401) or an
 * unsorted import block (I001). Ruff runs from its WebAssembly build, with
 * the isort settings the repository's pyproject.toml gives.
 */
const REPOS = join(import.meta.dirname, '..', '..', 'fixtures', 'repos');
const RULES = ['E402', 'F401', 'I001'];
const PYTHON_CODEMODS = ['python/pydantic-configdict', 'python/print-to-logging', 'python/sqlite-connect-args', 'python/secret-from-env'];

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The repository's own top-level packages, as Ruff finds first-party code from its `src` setting. */
function ownPackages(root: string): string[] {
  const names: string[] = [];
  for (const base of [root, join(root, 'src')]) {
    if (!existsSync(base)) continue;
    for (const d of readdirSync(base, { withFileTypes: true })) {
      if (d.isDirectory() && existsSync(join(base, d.name, '__init__.py'))) names.push(d.name);
    }
  }
  return names;
}

function ruffFor(root: string): Workspace {
  const pyproject = parseToml(readFileSync(join(root, 'pyproject.toml'), 'utf8')) as { tool?: { ruff?: { lint?: { isort?: Record<string, unknown> }; isort?: Record<string, unknown> } } };
  const ruff = pyproject.tool?.ruff;
  const isort = { ...(ruff?.isort ?? {}), ...(ruff?.lint?.isort ?? {}) };
  const firstParty = [...new Set([...((isort['known-first-party'] as string[] | undefined) ?? []), ...ownPackages(root)])];
  return new Workspace({ lint: { select: RULES, isort: { ...isort, 'known-first-party': firstParty } } }, PositionEncoding.Utf16);
}

/** Findings as `code message`, counted: a moved line is the same finding. */
function findings(ruff: Workspace, text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of ruff.check(text) as Diagnostic[]) {
    const key = `${d.code} ${d.message}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

function gained(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after].filter(([key, n]) => n > (before.get(key) ?? 0)).map(([key]) => key);
}

async function changedByRun(repo: string, codemods: readonly string[]): Promise<{ dir: string; changed: { path: string; before: string; after: string }[] }> {
  const dir = mkdtempSync(join(tmpdir(), `shipshape-lint-${repo}-`));
  dirs.push(dir);
  cpSync(join(REPOS, repo), dir, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: dir });
  const args = codemods.flatMap((id) => ['--codemod', id]);
  const dry = await runCli(['run', '--json', '--allow', 'review', ...args], { cwd: dir });
  expect(dry.code, dry.stderr).toBe(0);
  const report = JSON.parse(dry.stdout) as RunReport;
  const paths = report.files.filter((f) => f.status === 'changed').map((f) => f.path);
  const before = new Map(paths.map((p) => [p, readFileSync(join(dir, p), 'utf8')]));
  const write = await runCli(['run', '--write', '--allow', 'review', ...args], { cwd: dir });
  expect(write.code, write.stderr).toBe(0);
  return { dir, changed: paths.map((path) => ({ path, before: before.get(path)!, after: readFileSync(join(dir, path), 'utf8') })) };
}

describe.each([['modular-app'], ['pcm-ops']])('Ruff E402/F401/I001 on %s', (repo) => {
  it.each(PYTHON_CODEMODS.map((id) => [id]))('files %s changes gain no finding', async (id) => {
    const { dir, changed } = await changedByRun(repo, [id]);
    expect(changed.length).toBeGreaterThan(0);
    const ruff = ruffFor(dir);
    try {
      const problems = changed.map((f) => [f.path, gained(findings(ruff, f.before), findings(ruff, f.after))] as const);
      expect(problems.filter(([, g]) => g.length > 0)).toEqual([]);
    } finally {
      ruff.free();
    }
  });
});

describe('the Ruff check itself', () => {
  it('catches an import out of order, a statement between imports and an unused import', async () => {
    const { dir, changed } = await changedByRun('modular-app', ['python/print-to-logging']);
    const ruff = ruffFor(dir);
    try {
      const sync = changed.find((f) => f.path === 'src/shop/services/sync.py')!;
      expect(sync.after).toContain('import json\nimport logging\nimport os\n');
      const codes = (text: string) => gained(findings(ruff, sync.before), findings(ruff, text)).map((k) => k.split(' ')[0]);
      expect(codes(sync.after.replace('import logging\n', '').replace('from pathlib import Path\n', 'from pathlib import Path\nimport logging\n'))).toEqual(['I001']);
      expect(codes(sync.after.replace('import os\n', 'import os\nlogger = None\n'))).toContain('E402');
      expect(codes(sync.after.replace('import os\n', 'import os\nimport sys\n'))).toEqual(['F401']);
    } finally {
      ruff.free();
    }
  });
});
