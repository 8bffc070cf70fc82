import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/engine/run.js';
import { runCli } from '../helpers/cli.js';
import { schemaErrors } from '../helpers/schema.js';

/**
 * The project model on a multi-module app: models derive from a base model
 * defined in another module (a three-module chain, a src layout, relative
 * imports, a re-export, an import cycle), settings import BaseSettings from
 * pydantic 1's place, and docs, tests and migrations hold models that must
 * stay as they are. Variants of the same app pin pydantic 1, allow 1 and 2,
 * or lock 2.
 */
const APP = join(import.meta.dirname, '..', '..', 'fixtures', 'repos', 'modular-app');
const CODEMOD = ['--codemod', 'python/pydantic-configdict'];

const dirs: string[] = [];
function copyApp(edit?: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-modular-'));
  dirs.push(dir);
  cpSync(APP, dir, { recursive: true });
  edit?.(dir);
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const d of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!d.isFile() || d.parentPath.includes('.git') || d.parentPath.includes('__pycache__')) continue;
    out.set(relative(dir, join(d.parentPath, d.name)), readFileSync(join(d.parentPath, d.name)));
  }
  return out;
}

async function report(dir: string, ...extra: string[]): Promise<RunReport> {
  const run = await runCli(['run', '--json', ...CODEMOD, ...extra], { cwd: dir });
  expect(run.code, run.stderr).toBe(0);
  const parsed = JSON.parse(run.stdout) as RunReport;
  expect(schemaErrors('run-report.schema.json', parsed)).toBe('');
  return parsed;
}

function changed(r: RunReport): string[] {
  return r.files.filter((f) => f.status === 'changed').map((f) => f.path);
}

function pinPydantic(spec: string) {
  return (dir: string) => {
    const path = join(dir, 'pyproject.toml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"pydantic>=2.5,<3"', `"pydantic${spec}"`));
  };
}

const CONVERTED = ['src/shop/core/config.py', 'src/shop/core/worker.py', 'src/shop/schemas/_base.py', 'src/shop/schemas/audit.py', 'src/shop/schemas/mixins.py', 'src/shop/schemas/order.py', 'src/shop/schemas/user.py'];

describe('a multi-module app pinned to pydantic 2', () => {
  let dir: string;
  let before: Map<string, Buffer>;
  let dry: RunReport;

  beforeAll(async () => {
    dir = copyApp();
    before = files(dir);
    dry = await report(dir, '--allow', 'review');
    const write = await runCli(['run', '--write', '--allow', 'review', ...CODEMOD], { cwd: dir });
    expect(write.code, write.stderr).toBe(0);
  });

  it('converts every Config whose class resolves to a pydantic model, across modules', () => {
    expect(changed(dry)).toEqual(CONVERTED);
    const changes = dry.files.flatMap((f) => (f.status === 'changed' ? f.changes.map((c) => `${f.path}: ${c.description}`) : []));
    expect(changes).toEqual([
      'src/shop/core/config.py: from pydantic import BaseSettings -> from pydantic_settings import BaseSettings',
      'src/shop/core/config.py: class Config -> model_config = SettingsConfigDict(...) in Settings',
      'src/shop/core/worker.py: class Config -> model_config = SettingsConfigDict(...) in WorkerSettings (with BaseSettings moved in src/shop/core/config.py)',
      'src/shop/schemas/_base.py: class Config -> model_config = ConfigDict(...) in AppModel',
      'src/shop/schemas/audit.py: class Config -> model_config = ConfigDict(...) in AuditEntry',
      'src/shop/schemas/mixins.py: class Config -> model_config = ConfigDict(...) in Timestamped',
      'src/shop/schemas/order.py: class Config -> model_config = ConfigDict(...) in Order',
      'src/shop/schemas/user.py: class Config -> model_config = ConfigDict(...) in User',
    ]);
    expect(dry.summary).toMatchObject({ changed: 7, changes: 8 });
    // Valid only with config.py's moved import, so reviewed with it.
    expect(dry.files.find((f) => f.path === 'src/shop/core/worker.py')).toMatchObject({ changes: [{ safety: 'review' }] });
  });

  it('says why what it leaves alone stays: an import cycle; a non-pydantic Config gets no note', () => {
    const notes = dry.codemods[0]!.notes.map((n) => `${n.path}:${n.line} ${n.message}`);
    expect(notes).toEqual([
      'src/shop/legacy/cycle_a.py:5 class LegacyItem is not provably a pydantic model (LegacyBase is imported in a cycle through src/shop/legacy/cycle_b.py); its class Config is left alone',
    ]);
  });

  it('never edits docs, tests or migrations, and says so by role', () => {
    const roles = dry.scope.filter((s) => s.kind === 'role').map((s) => [s.reason, s.paths]);
    expect(roles).toEqual([
      ['docs', ['docs_src/tutorial/models.py']],
      ['migrations', ['migrations/versions/0001_initial.py']],
      ['tests', ['tests/test_schemas.py']],
    ]);
    const after = files(dir);
    for (const [path, bytes] of before) {
      if (!CONVERTED.includes(path)) expect(after.get(path)?.equals(bytes), path).toBe(true);
    }
  });

  it('names pydantic-settings only when the project does not declare it', () => {
    expect(dry.prerequisites).toEqual([]);
  });

  it('leaves models that behave as the v1 config meant, under pydantic 2', () => {
    const code = `
import os
os.environ["SHOP_DEBUG"] = "true"
from shop.schemas.user import User
from shop.schemas.order import Order
from shop.schemas.audit import AuditEntry
from shop.core.config import Settings
from shop.core.worker import WorkerSettings

class Row:
    userName = "  ada  "
    email = "ada@example.com"

u = User.model_validate(Row())           # from_attributes, inherited from AppModel
assert u.name == "ada", u.name          # str_strip_whitespace, inherited from Timestamped
assert User(name="bob").name == "bob"   # populate_by_name, inherited from AppModel
try:
    u.email = 5                          # validate_assignment on User
    raise SystemExit("assignment was not validated")
except Exception as e:
    assert "string" in str(e)
o = Order(id=1)
try:
    o.id = 2
    raise SystemExit("Order is not frozen")
except Exception:
    pass
assert Order.model_json_schema()["example"] == {"id": 7}
assert AuditEntry.model_config["from_attributes"] is False
assert Settings().debug is True
os.environ["SHOP_WORKER_CONCURRENCY"] = "5"
assert WorkerSettings().concurrency == 5
print("ok")
`;
    const out = spawnSync('python3', ['-W', 'error::UserWarning', '-c', code], { cwd: dir, env: { PATH: process.env.PATH, PYTHONPATH: join(dir, 'src') }, encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(out.stdout.trim()).toBe('ok');
  });

  it('is done: a second run changes nothing', async () => {
    const check = await runCli(['run', '--check', '--allow', 'review', ...CODEMOD], { cwd: dir });
    expect(check.code, check.stdout).toBe(0);
  });
});

describe('the same app, other pins', () => {
  it('pinned to pydantic 1: converts nothing and says why once', async () => {
    const dir = copyApp(pinPydantic('>=1.10,<2'));
    const r = await report(dir, '--allow', 'review');
    expect(changed(r)).toEqual([]);
    const declined = r.scope.filter((s) => s.kind === 'declined');
    expect(declined).toHaveLength(1);
    expect(declined[0]!.reason).toBe('the project pins pydantic 1 (pyproject.toml: >=1.10,<2); upgrade pydantic to 2 first (https://docs.pydantic.dev/latest/migration/)');
    expect(r.codemods[0]!.notes).toEqual([]);
    const human = await runCli(['run', ...CODEMOD], { cwd: dir });
    expect(human.stderr.match(/declined/g)).toHaveLength(1);
  });

  it('a range allowing 1 and 2 with no lock: every change held for review', async () => {
    const dir = copyApp(pinPydantic('>=1.10,<3'));
    const safe = await report(dir);
    expect(changed(safe)).toEqual([]);
    expect(safe.summary.held).toBe(8);
    expect(safe.scope.filter((s) => s.kind === 'review').map((s) => s.reason)).toEqual([
      'pyproject.toml: >=1.10,<3 allows pydantic 1 or 2 and no lock file says which is installed; the change needs pydantic >=2',
    ]);
  });

  it('the same range with a Poetry lock that resolves 2: converted', async () => {
    const dir = copyApp((d) => {
      pinPydantic('>=1.10,<3')(d);
      writeFileSync(join(d, 'poetry.lock'), '[[package]]\nname = "pydantic"\nversion = "2.7.1"\n\n[[package]]\nname = "pydantic-settings"\nversion = "2.2.1"\n');
    });
    expect(changed(await report(dir, '--allow', 'review'))).toEqual(CONVERTED);
  });

  it('without pydantic-settings declared: the PR names it as a prerequisite', async () => {
    const dir = copyApp((d) => {
      const path = join(d, 'pyproject.toml');
      writeFileSync(path, readFileSync(path, 'utf8').replace('    "pydantic-settings>=2.1",\n', ''));
    });
    const r = await report(dir, '--allow', 'review');
    expect(r.prerequisites).toEqual(["Add pydantic-settings (>=2) to the project's dependencies: pydantic 2 moved BaseSettings to the pydantic-settings package."]);
  });
});

describe('one file of the app', () => {
  it('still resolves bases through the whole project and rewrites only that file', async () => {
    const dir = copyApp();
    const r = await report(dir, '--allow', 'review', 'src/shop/schemas/user.py');
    expect(changed(r)).toEqual(['src/shop/schemas/user.py']);
  });

  it('a base also named in a subscripted annotation (`-> list[AppModel]`) still resolves: the annotation reads it, it does not rebind it', async () => {
    const dir = copyApp((d) => {
      const path = join(d, 'src/shop/schemas/order.py');
      writeFileSync(path, `${readFileSync(path, 'utf8')}\n\ndef newest(orders: dict[int, AppModel], *rest: AppModel) -> list[AppModel]:\n    return list(orders.values())\n`);
    });
    const r = await report(dir, '--allow', 'review', 'src/shop/schemas/order.py');
    expect(r.files.flatMap((f) => (f.status === 'changed' ? f.changes.map((c) => `${f.path}: ${c.description}`) : []))).toEqual(['src/shop/schemas/order.py: class Config -> model_config = ConfigDict(...) in Order']);
    expect(r.codemods[0]!.notes).toEqual([]);
  });

  it('a base whose subclass elsewhere keeps a v1 key it renames, outside this run: left alone, naming the subclass', async () => {
    const dir = copyApp();
    const r = await report(dir, '--allow', 'review', 'src/shop/schemas/_base.py');
    expect(changed(r)).toEqual([]);
    expect(r.codemods[0]!.notes.map((n) => n.message)).toEqual([
      'class AppModel: its subclass AuditEntry (src/shop/schemas/audit.py:9) is not part of this run; its class Config sets orm_mode, a v1 name pydantic 2 ignores, so from_attributes converted here would take its place; class Config left alone',
    ]);
  });
});

describe('a monorepo with two manifests', () => {
  it('follows the nearest manifest: one service converted, the other pinned to 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipshape-mono-'));
    dirs.push(dir);
    const model = 'from pydantic import BaseModel\n\n\nclass Item(BaseModel):\n    class Config:\n        orm_mode = True\n';
    const tree: Record<string, string> = {
      'services/api/pyproject.toml': '[project]\nname = "api"\ndependencies = ["pydantic>=2"]\n',
      'services/api/app/models.py': model,
      'services/legacy/requirements.txt': 'pydantic==1.10.21\n',
      'services/legacy/app/models.py': model,
    };
    for (const [path, text] of Object.entries(tree)) {
      execFileSync('mkdir', ['-p', join(dir, path, '..')]);
      writeFileSync(join(dir, path), text);
    }
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const r = await report(dir);
    expect(changed(r)).toEqual(['services/api/app/models.py']);
    expect(r.scope.filter((s) => s.kind === 'declined')).toEqual([
      {
        codemod: 'python/pydantic-configdict',
        kind: 'declined',
        reason: 'the project pins pydantic 1 (services/legacy/requirements.txt: ==1.10.21); upgrade pydantic to 2 first (https://docs.pydantic.dev/latest/migration/)',
        paths: ['services/legacy/app/models.py'],
      },
    ]);
  });
});

describe('the same app: secrets and the sqlite engine', () => {
  const SECURITY = join('src', 'shop', 'core', 'security.py');
  let dir: string;
  let before: Map<string, Buffer>;
  let dry: RunReport;

  beforeAll(async () => {
    dir = copyApp();
    before = files(dir);
    const codemods = ['--codemod', 'python/secret-from-env', '--codemod', 'python/sqlite-connect-args'];
    const run = await runCli(['run', '--json', '--allow', 'review', ...codemods], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    dry = JSON.parse(run.stdout) as RunReport;
    expect((await runCli(['run', '--write', '--allow', 'review', ...codemods], { cwd: dir })).code).toBe(0);
  });

  it('moves the hardcoded key to the environment and leaves the empty-default SSO secret (feature off) as it is', () => {
    expect(changed(dry)).toEqual(['src/shop/core/security.py', 'src/shop/db.py']);
    const text = readFileSync(join(dir, SECURITY), 'utf8');
    expect(text).not.toContain('shop-dev-secret-3f9a1c');
    expect(text).toContain('SSO_CLIENT_SECRET = os.environ.get("SHOP_SSO_CLIENT_SECRET", "")\n');
    expect(text).toContain('# Signs session cookies.\nSECRET_KEY = ');
    // Changing where a secret comes from changes behaviour on purpose: a reviewer reads it.
    expect(dry.files.find((f) => f.path === 'src/shop/core/security.py')).toMatchObject({ changes: [{ safety: 'review' }] });
    for (const [path, bytes] of before) {
      if (!changed(dry).includes(path)) expect(files(dir).get(path)?.equals(bytes), path).toBe(true);
    }
  });

  it('the rewritten settings read the key, refuse to start without it, and keep SSO off by default', () => {
    const probe = 'from shop.core import security as s; print(repr(s.SECRET_KEY), repr(s.SSO_CLIENT_SECRET))';
    const run = (env: Record<string, string>) =>
      spawnSync('python3', ['-c', probe], { cwd: dir, env: { PATH: process.env.PATH, PYTHONPATH: join(dir, 'src'), ...env }, encoding: 'utf8' });
    expect(run({ SECRET_KEY: 'from-env' }).stdout.trim()).toBe("'from-env' ''");
    const missing = run({});
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('SECRET_KEY must be set in the environment');
    // A throwaway key only while debugging, different on every start.
    const a = run({ DEBUG: '1' }).stdout;
    const b = run({ DEBUG: '1' }).stdout;
    expect(a).toMatch(/^'[\w-]{20,}' ''$/m);
    expect(a).not.toBe(b);
  });

  it('guards check_same_thread on the computed URL, evaluated once', () => {
    const text = readFileSync(join(dir, 'src', 'shop', 'db.py'), 'utf8');
    expect(text).toContain('_database_url = os.environ["DATABASE_URL"]\n');
    expect(text).toContain('engine = create_engine(_database_url, connect_args={"check_same_thread": False} if make_url(_database_url).drivername.startswith("sqlite") else {})\n');
    expect(text.match(/os\.environ\["DATABASE_URL"\]/g)).toHaveLength(1);
    const compiled = spawnSync('python3', ['-m', 'py_compile', join(dir, 'src', 'shop', 'db.py')], { encoding: 'utf8' });
    expect(compiled.stderr).toBe('');
  });

  it('is done: a second run changes nothing', async () => {
    const check = await runCli(['run', '--check', '--allow', 'review', '--codemod', 'python/secret-from-env', '--codemod', 'python/sqlite-connect-args'], { cwd: dir });
    expect(check.code, check.stdout).toBe(0);
  });
});

describe('print-to-logging on the same app', () => {
  const PRINTS = ['--codemod', 'python/print-to-logging'];

  it('keeps CLI output and import-time prints, converts application prints, and files its import where isort would', async () => {
    const dir = copyApp();
    const run = await runCli(['run', '--json', '--allow', 'review', ...PRINTS], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as RunReport;
    expect(schemaErrors('run-report.schema.json', r)).toBe('');
    expect(changed(r)).toEqual(['src/shop/reporting.py', 'src/shop/services/sync.py']);
    const changes = r.files.flatMap((f) => (f.status === 'changed' ? f.changes.map((c) => `${f.path}:${c.line} ${c.description} (${c.safety})`) : []));
    expect(changes).toEqual([
      'src/shop/reporting.py:7 print() -> logger.info() (review)',
      'src/shop/services/sync.py:11 print() -> logger.info() (review)',
      'src/shop/services/sync.py:21 print() -> logger.error() (in an except block) (review)',
    ]);
    expect(r.codemods[0]!.notes.map((n) => `${n.path}:${n.line} ${n.message}`)).toEqual([
      'src/shop/deprecated.py:2 print() runs at import time, before the application configures logging: as a log record it would not be shown',
      'src/shop/reporting.py:3 print() is command output: report_error() is called by check() in src/shop/cli.py:14 (check() is a CLI command (@main.command))',
    ]);
    // The console script's own module is CLI output by role.
    expect(r.scope.filter((s) => s.kind === 'role').map((s) => [s.reason, s.paths])).toEqual([['scripts', ['src/shop/cli.py']]]);
  });

  it('writes import logging in sorted position and the logger after the last import; the CLI still prints and the service logs', async () => {
    const dir = copyApp();
    const before = files(dir);
    const write = await runCli(['run', '--write', '--allow', 'review', ...PRINTS], { cwd: dir });
    expect(write.code, write.stderr).toBe(0);
    const sync = readFileSync(join(dir, 'src/shop/services/sync.py'), 'utf8');
    expect(sync.startsWith('import json\nimport logging\nimport os\nfrom pathlib import Path\n\nfrom shop.reporting import record_sync\n\nlogger = logging.getLogger(__name__)\n\n\ndef sync(')).toBe(true);
    const after = files(dir);
    for (const path of ['src/shop/cli.py', 'src/shop/deprecated.py']) expect(after.get(path)?.equals(before.get(path)!), path).toBe(true);
    const code = [
      'import logging, sys',
      'from pathlib import Path',
      'logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s %(message)s", stream=sys.stdout)',
      'from click.testing import CliRunner',
      'from shop.cli import main',
      'from shop.services.sync import failed',
      'print("CLI:", CliRunner().invoke(main, ["check", "b@d"]).output.strip())',
      'failed(Path("/nonexistent/x"), RuntimeError("disk"))',
    ].join('\n');
    const out = spawnSync('python3', ['-c', code], { cwd: dir, env: { PATH: process.env.PATH, PYTHONPATH: join(dir, 'src') }, encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(out.stdout.split('\n')).toEqual(["CLI: Error: bad SKU 'b@d'", 'ERROR shop.services.sync could not remove /nonexistent/x: disk', '']);
  });
});
