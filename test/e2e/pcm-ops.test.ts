import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { schemaErrors } from '../helpers/schema.js';

const DEMO = join(import.meta.dirname, '..', '..', 'fixtures', 'repos', 'pcm-ops');

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.parentPath.includes('.git'))
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

function python(cwd: string, code: string, env: Record<string, string>) {
  return spawnSync('python3', ['-c', code], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
  });
}

describe('the demo app, end to end through the CLI', () => {
  let repo: string;
  let before: Map<string, Buffer>;
  let written: string[];

  beforeAll(async () => {
    repo = mkdtempSync(join(tmpdir(), 'shipshape-pcm-ops-'));
    cpSync(DEMO, repo, { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    before = new Map(allFiles(repo).map((f) => [f, readFileSync(join(repo, f))]));
    // Without --allow review the secret change (which needs SECRET_KEY set before deploying) is held.
    const safeOnly = await runCli(['run', '--json'], { cwd: repo });
    expect(safeOnly.code).toBe(0);
    const held = JSON.parse(safeOnly.stdout) as { codemods: { id: string; changedFiles: unknown[]; held: { line: number; path: string; safety: string }[] }[] };
    expect(held.codemods.find((c) => c.id === 'python/secret-from-env')).toMatchObject({ changedFiles: [], held: [expect.objectContaining({ line: 57 })] });
    // innerHTML changes alter what a page shows for data with markup in it: held too.
    const innerHtml = held.codemods.find((c) => c.id === 'js/innerhtml-to-textcontent')!;
    expect(innerHtml.changedFiles).toEqual([]);
    expect([...new Set(innerHtml.held.map((h) => h.path))].sort()).toEqual([
      'backend/static/js/aws-utilities.js',
      'backend/static/js/linux-qc-patching-prep.js',
      'backend/static/js/sft-fixer.js',
    ]);
    expect(innerHtml.held.every((h) => h.safety === 'review')).toBe(true);
    const dry = await runCli(['run', '--json', '--allow', 'review'], { cwd: repo });
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout) as {
      files: { path: string; status: string; codemods?: string[] }[];
      codemods: { id: string; changedFiles: { path: string }[]; held: { path: string; safety: string }[] }[];
    };
    expect(schemaErrors('run-report.schema.json', report)).toBe('');
    const changedBy = Object.fromEntries(report.codemods.map((c) => [c.id, c.changedFiles.map((f) => f.path).sort()]));
    expect(changedBy).toEqual({
      'python/secret-from-env': ['backend/core/config.py'],
      'js/innerhtml-to-textcontent': ['backend/static/js/aws-utilities.js', 'backend/static/js/linux-qc-patching-prep.js', 'backend/static/js/sft-fixer.js'],
      'python/print-to-logging': [
        'backend/core/utils/session_store.py',
        'backend/providers/aws/script_runner/api/changes.py',
        'backend/providers/aws/script_runner/api/status.py',
        'backend/services/credential_service.py',
      ],
      'python/pydantic-configdict': ['backend/core/config.py', 'backend/schemas/account.py', 'backend/schemas/change.py', 'backend/schemas/execution.py', 'backend/schemas/script.py'],
      'python/sqlite-connect-args': ['backend/db/session.py'],
    });
    const write = await runCli(['run', '--write', '--allow', 'review'], { cwd: repo });
    expect(write.code).toBe(0);
    written = report.files.filter((f) => f.status === 'changed').map((f) => f.path);
  });

  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('--check then finds nothing left to change', async () => {
    const check = await runCli(['run', '--check', '--allow', 'review'], { cwd: repo });
    expect(check.code).toBe(0);
    expect(check.stderr).toContain('0 files would change');
  });

  it('leaves every file it did not change byte-identical', () => {
    for (const [path, bytes] of before) {
      if (written.includes(path)) continue;
      expect(readFileSync(join(repo, path)).equals(bytes), path).toBe(true);
    }
  });

  it('no hardcoded secret remains and the settings read SECRET_KEY from the environment', () => {
    expect(readFileSync(join(repo, 'backend/core/config.py'), 'utf8')).not.toContain('your-secret-key-here-change-in-production');
    const ok = python(repo, 'from backend.core.config import settings; print(settings.SECRET_KEY)', { SECRET_KEY: 's3cr3t-from-env' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe('s3cr3t-from-env');
    const prod = python(repo, 'import backend.core.config', {});
    expect(prod.status).not.toBe(0);
    expect(prod.stderr).toContain('SECRET_KEY');
    const dev = python(repo, 'from backend.core.config import settings; print(len(settings.SECRET_KEY))', { DEBUG: 'true' });
    expect(dev.stdout.trim()).toBe('43');
  });

  it('the schemas import without any pydantic v1 deprecation warning and keep their meaning', () => {
    const code = [
      // @validator and .dict() are other v1 APIs, out of this codemod's scope; only config warnings must be gone.
      'import warnings',
      'warnings.filterwarnings("error", message=".*class-based `config`.*")',
      'warnings.filterwarnings("error", message=".*config keys have changed.*")',
      'from types import SimpleNamespace',
      'import backend.schemas.account, backend.schemas.change, backend.schemas.execution, backend.schemas.script',
      'mods = [backend.schemas.account, backend.schemas.change, backend.schemas.execution, backend.schemas.script]',
      'from pydantic import BaseModel',
      'n = sum(1 for m in mods for v in vars(m).values() if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == m.__name__ and "model_config" in v.__dict__)',
      'print(n)',
    ].join('\n');
    const r = python(repo, code, { SECRET_KEY: 'x' });
    expect(r.stderr).toBe('');
    expect(Number(r.stdout.trim())).toBeGreaterThanOrEqual(18);
  });

  it('rewritten JavaScript still parses', () => {
    for (const path of written.filter((p) => p.endsWith('.js'))) {
      expect(() => execFileSync(process.execPath, ['--check', join(repo, path)], { stdio: 'pipe' })).not.toThrow();
    }
  });
});
