import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { schemaErrors } from '../helpers/schema.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DEMO = join(ROOT, 'fixtures', 'repos', 'pcm-ops');

describe('shipshape plan', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipshape-plan-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a readable plan: automatable items with files and rollback, the rest as needs a human', async () => {
    const r = await runCli(['plan', '--plan', 'fixtures/plans/prd-pcm-ops.md', '--repo', 'fixtures/repos/pcm-ops'], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1\.1 +Immediate Security +automatable security$/m);
    expect(r.stdout).toMatch(/^1\.3 +CSRF & Credential Security +needs a human$/m);
    expect(r.stdout).toContain('backend/core/config.py (1 finding)');
    expect(r.stdout).toContain('rollback: Feature flag to use old rendering');
    expect(r.stdout).toContain('5 of 13 items automatable, 8 need a human');
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('plans nothing with a codemod .github/shipshape.yml turns off, and says so where it would have', async () => {
    const repo = join(dir, 'off');
    mkdirSync(join(repo, 'app'), { recursive: true });
    mkdirSync(join(repo, '.github'), { recursive: true });
    writeFileSync(join(repo, 'app', 'jobs.py'), 'def run(n):\n    print("ran", n)\n');
    writeFileSync(join(dir, 'off.md'), '# Plan\n\n**Sprint 1.1: Logging**\n- [ ] Replace print() statements with proper logging in app/jobs.py:2\n');
    const result = { ruleId: 'T201', message: { text: 'print found' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'app/jobs.py' }, region: { startLine: 2 } } }] };
    writeFileSync(join(dir, 'off.sarif'), JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'ruff' } }, results: [result] }] }));
    type PlanJson = { items: { key: string; automatable: boolean; reason?: string }[]; warnings: string[] };
    const plan = async () => JSON.parse((await runCli(['plan', '--plan', 'off.md', '--findings', 'off.sarif', '--repo', 'off', '--json'], { cwd: dir })).stdout) as PlanJson;
    expect((await plan()).items.find((i) => i.key === '1.1')?.automatable).toBe(true);
    writeFileSync(join(repo, '.github', 'shipshape.yml'), 'codemods:\n  python/print-to-logging: false\n');
    const off = await plan();
    expect(schemaErrors('plan.schema.json', off)).toBe('');
    const item = off.items.find((i) => i.key === '1.1')!;
    expect(item.automatable).toBe(false);
    expect(item.reason).toBe('python/print-to-logging would do this, but .github/shipshape.yml turns it off');
    expect(off.warnings).toContain('1 finding(s) for python/print-to-logging left alone: .github/shipshape.yml turns it off');
    // With nothing to plan from, the codemods scan, and the one turned off is named.
    const scan = await runCli(['plan', '--repo', 'off'], { cwd: dir });
    expect(scan.stdout).toContain('not scanned with python/print-to-logging: turned off in .github/shipshape.yml');
  });

  it('accounts for every finding once: to fix, not confirmed (grouped by reason), or with no codemod', async () => {
    const repo = join(dir, 'counts');
    mkdirSync(join(repo, 'app'), { recursive: true });
    const cli = 'import argparse\n\n\ndef main():\n    argparse.ArgumentParser().parse_args()\n    print("starting")\n    print("done")\n';
    writeFileSync(join(repo, 'app', 'cli.py'), cli);
    writeFileSync(join(repo, 'app', 'jobs.py'), 'def run(n):\n    print("ran", n)\n');
    const result = (rule: string, path: string, line: number) => ({ ruleId: rule, message: { text: rule }, locations: [{ physicalLocation: { artifactLocation: { uri: path }, region: { startLine: line } } }] });
    const sarif = { version: '2.1.0', runs: [{ tool: { driver: { name: 'ruff' } }, results: [result('T201', 'app/cli.py', 6), result('T201', 'app/cli.py', 7), result('T201', 'app/jobs.py', 2), result('E501', 'app/jobs.py', 1)] }] };
    writeFileSync(join(dir, 'counts.sarif'), JSON.stringify(sarif));
    const r = await runCli(['plan', '--findings', 'counts.sarif', '--repo', 'counts'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4 findings: 1 to fix in 1 item, 2 not confirmed, 1 with no codemod');
    const notConfirmed = r.stdout.split('\n').filter((l) => l.startsWith('not confirmed'));
    expect(notConfirmed).toHaveLength(1);
    expect(notConfirmed[0]).toMatch(/^not confirmed app\/cli\.py:6 \[ruff T201\] .*\(and 1 more like it: app\/cli\.py:7; --verbose lists each\)$/);
    const verbose = await runCli(['plan', '--findings', 'counts.sarif', '--repo', 'counts', '--verbose'], { cwd: dir });
    expect(verbose.stdout.split('\n').filter((l) => l.startsWith('not confirmed'))).toHaveLength(2);
  });

  it('a finding where the codemod finds nothing of its shape gets a reason that quotes the line and says what shape it moves', async () => {
    const repo = join(dir, 'shapes');
    mkdirSync(join(repo, 'app'), { recursive: true });
    writeFileSync(join(repo, 'app', 'auth.py'), 'def check(user):\n    return user.password == "LDAP"\n');
    const result = { ruleId: 'S105', message: { text: 'Possible hardcoded password' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'app/auth.py' }, region: { startLine: 2 } } }] };
    writeFileSync(join(dir, 'shapes.sarif'), JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'ruff' } }, results: [result] }] }));
    const r = await runCli(['plan', '--findings', 'shapes.sarif', '--repo', 'shapes', '--json'], { cwd: dir });
    const plan = JSON.parse(r.stdout) as { notConfirmed: { reason: string }[] };
    expect(plan.notConfirmed.map((n) => n.reason)).toEqual([
      expect.stringMatching(/^S105 at app\/auth\.py:2 \(`return user\.password == "LDAP"`\): python\/secret-from-env moves only non-empty literals given to secret-like names .*; nothing of that shape here$/),
    ]);
  });

  it('a CodeQL XSS finding on a Vue template line is told the codemod changes innerHTML writes in script code only', async () => {
    const repo = join(dir, 'vue');
    mkdirSync(join(repo, 'src'), { recursive: true });
    writeFileSync(join(repo, 'src', 'Comment.vue'), '<template>\n  <div v-html="comment.body"></div>\n</template>\n\n<script>\nexport default { props: [\'comment\'] };\n</script>\n');
    const result = { ruleId: 'js/xss', message: { text: 'Cross-site scripting' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'src/Comment.vue' }, region: { startLine: 2 } } }] };
    writeFileSync(join(dir, 'vue.sarif'), JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'CodeQL' } }, results: [result] }] }));
    const r = await runCli(['plan', '--findings', 'vue.sarif', '--repo', 'vue', '--json'], { cwd: dir });
    const plan = JSON.parse(r.stdout) as { notConfirmed: { reason: string }[] };
    expect(plan.notConfirmed.map((n) => n.reason)).toEqual([
      expect.stringMatching(/^js\/xss at src\/Comment\.vue:2 \(`<div v-html="comment\.body"><\/div>`\): js\/innerhtml-to-textcontent changes only values written to innerHTML .*v-html.*; nothing of that shape here$/),
    ]);
  });

  it('shows progress while planning on a terminal only, and clears it', async () => {
    const repo = join(dir, 'many');
    mkdirSync(repo, { recursive: true });
    for (let i = 0; i < 30; i++) writeFileSync(join(repo, `m${i}.py`), `def f():\n    print(${i})\n`);
    const tty = await runCli(['plan', '--repo', 'many'], { cwd: dir, tty: true });
    expect(tty.stderr).toContain('\rshipshape: planning, 25 files checked');
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    const piped = await runCli(['plan', '--repo', 'many'], { cwd: dir });
    expect(piped.stderr).toBe('');
  });

  it('--json prints the plan in its published schema', async () => {
    const r = await runCli(['plan', '--findings', join(ROOT, 'fixtures/findings/eslint-pcm-ops.sarif'), '--repo', DEMO, '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { items: { key: string; codemods: string[] }[] };
    expect(schemaErrors('plan.schema.json', plan)).toBe('');
    expect(plan.items.map((i) => [i.key, i.codemods])).toEqual([['S1', ['js/innerhtml-to-textcontent']]]);
  });

  it.each([
    ['malformed JSON', 'bad.json', '{"version": "2.1.0", "runs": [', /bad\.json: line 1, column \d+: /],
    ['a YAML error', 'bad.yml', 'shipshape-findings:\n  version: 1\n  findings: [\n', /bad\.yml: line \d+, column \d+: /],
    ['SARIF that breaks the schema', 'bad.sarif', '{"version": "2.1.0", "runs": [{"tool": {}}]}', /bad\.sarif: \/runs\/0\/tool/],
    ['an unknown format', 'odd.json', '{"hello": 1}', /odd\.json: .*not a findings format/],
  ])('%s exits 2 naming the file and the place', async (_name, file, content, message) => {
    writeFileSync(join(dir, file), content);
    const r = await runCli(['plan', '--findings', file, '--repo', DEMO], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an empty findings file gives an empty plan and exit 0', async () => {
    writeFileSync(join(dir, 'empty.sarif'), '');
    const r = await runCli(['plan', '--findings', 'empty.sarif', '--repo', DEMO, '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ items: [], notConfirmed: [], rejected: [] });
  });

  it('a missing plan file exits 2', async () => {
    const r = await runCli(['plan', '--plan', 'nope.md', '--repo', DEMO], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.md');
  });
});
