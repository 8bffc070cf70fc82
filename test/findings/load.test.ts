import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFormat, loadFindings } from '../../src/findings/load.js';
import { InputError } from '../../src/findings/types.js';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'fixtures', 'findings');
const pcmOps = join(root, 'fixtures', 'repos', 'pcm-ops');

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipshape-load-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const sarif = (uri: string, startLine = 3): string =>
  JSON.stringify({
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'CodeQL' } }, results: [{ ruleId: 'js/xss', message: { text: 'XSS' }, locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine } } }] }] }],
  });

describe('every fixture loads, its format recognised', () => {
  it.each([
    ['codeql-pcm-ops.sarif', 'codeql', 4],
    ['bandit-pcm-ops.sarif', 'bandit', 2],
    ['semgrep-pcm-ops.sarif', 'semgrep', 4],
    ['eslint-pcm-ops.sarif', 'eslint', 4],
    ['coderabbit-pr-comments.json', 'coderabbit', 5],
    ['pcm-ops.findings.yml', undefined, 4],
    ['pcm-ops.findings.json', undefined, 2],
  ])('%s', async (name, tool, count) => {
    const result = await loadFindings(join(fixtures, name), { repoRoot: pcmOps });
    expect(result.rejected).toEqual([]);
    expect(result.findings).toHaveLength(count);
    if (tool) expect(new Set(result.findings.map((f) => f.tool))).toEqual(new Set([tool]));
    for (const finding of result.findings) {
      expect(finding.source.startsWith(join(fixtures, name))).toBe(true);
      // The fixtures describe the demo repository: every finding names one of its files.
      expect(existsSync(join(pcmOps, finding.path)), finding.path).toBe(true);
    }
  });

  it('Ruff SARIF from CI loads with srcRoot', async () => {
    const result = await loadFindings(join(fixtures, 'ruff-pcm-ops.sarif'), { repoRoot: pcmOps, srcRoot: '/home/runner/work/pcm-ops/pcm-ops' });
    expect(result.findings.map((f) => `${f.path}:${f.startLine}`)).toContain('backend/services/credential_service.py:100');
    expect(result.rejected).toEqual([]);
  });
});

describe('format detection', () => {
  it.each([
    ['scan.sarif.json', sarif('a.js'), 'codeql'],
    ['scan.json', sarif('a.js'), 'codeql'],
    ['results.txt', sarif('a.js'), 'codeql'],
    ['comments.json', JSON.stringify([{ path: 'a.js', line: 3, body: '**Fix it**', user: { login: 'coderabbitai[bot]' } }]), 'coderabbit'],
    ['mine.json', JSON.stringify({ 'shipshape-findings': { version: 1, findings: [{ rule: 'R', path: 'a.js', line: 3, message: 'm' }] } }), 'shipshape'],
    ['mine.txt', 'shipshape-findings:\n  version: 1\n  findings:\n    - { rule: R, path: a.js, line: 3, message: m, tool: ruff }\n', 'ruff'],
    ['mine.YAML', 'shipshape-findings:\n  version: 1\n  findings:\n    - { rule: R, path: a.js, line: 3, message: m }\n', 'shipshape'],
  ])('%s', async (name, text, tool) => {
    const result = await loadFindings(write(name, text), { repoRoot: '/work/app' });
    expect(result.findings.map((f) => [f.tool, f.path, f.startLine])).toEqual([[tool, 'a.js', 3]]);
  });

  it.each<[unknown, string | undefined]>([
    [[], 'empty'],
    [[{ path: 'a', body: 'b' }], 'coderabbit'],
    [[{ path: 'a', diff_hunk: '@@' }], 'coderabbit'],
    [[{ id: 1 }], undefined],
    [[1, 2], undefined],
    [{ 'shipshape-findings': {} }, 'native'],
    [{ version: '2.1.0', runs: [] }, 'sarif'],
    [{ version: '2.0.0', runs: [] }, 'sarif'],
    [{ runs: [] }, undefined],
    ['text', undefined],
    [null, undefined],
  ])('detectFormat(%j) → %s', (value, format) => {
    expect(detectFormat(value)).toBe(format);
  });
});

describe('empty input → no findings', () => {
  it.each([
    ['empty.sarif', ''],
    ['empty.json', ''],
    ['blank.json', '  \n\n'],
    ['bom-only.json', '\uFEFF'],
    ['empty-array.json', '[]'],
    ['empty-array-spaced.json', ' [ ]\n'],
    ['empty.yml', ''],
    ['no-runs.sarif', '{"version":"2.1.0","runs":[]}'],
  ])('%s', async (name, text) => {
    expect(await loadFindings(write(name, text), { repoRoot: '/work/app' })).toEqual({ findings: [], rejected: [] });
  });
});

describe('malformed JSON → InputError with line and column', () => {
  it.each([
    // V8 gives no position for these: the scanner finds it.
    ['bad-token.json', '{\n  "runs": [\n    {"tool": x}\n  ]\n}', "line 3, column 14: invalid JSON: Unexpected token 'x'"],
    ['trailing-comma.json', '[\n  {"path": "a", "body": "b"},\n]', "line 3, column 1: invalid JSON: Unexpected token ']'"],
    ['single-quotes.sarif', "{'version': '2.1.0'}", "line 1, column 2: invalid JSON: Expected property name or '}'"],
    // V8 gives the position in the message.
    ['missing-comma.json', '{\n  "version": "2.1.0"\n  "runs": []\n}', "line 3, column 3: invalid JSON: Expected ',' or '}' after property value"],
    ['unterminated.json', '[{"path": "a.js", "body": "oops}]', 'line 1, column 34: invalid JSON: Unterminated string'],
    ['truncated.sarif', '{"version": "2.1.0", "runs": [', 'line 1, column 31: invalid JSON: Unexpected end of JSON input'],
    ['garbage-after.json', '[]\n[]', 'line 2, column 1: invalid JSON: Unexpected non-whitespace character after JSON'],
    // A BOM is not counted as a column.
    ['bom.json', '\uFEFF{"a": tru}', "line 1, column 10: invalid JSON: Unexpected token '}'"],
    ['crlf.json', '{\r\n  "a": 1,\r\n  "b": ]\r\n}', "line 3, column 8: invalid JSON: Unexpected token ']'"],
  ])('%s', async (name, text, message) => {
    const file = write(name, text);
    const error = await loadFindings(file, { repoRoot: '/work/app' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`${file}: ${message}`);
  });
});

describe('other bad input', () => {
  it.each([
    ['unknown.json', '{"findings": []}', '/: not a findings format shipshape reads'],
    ['numbers.json', '[1, 2]', '/: not a findings format shipshape reads'],
    ['prose.txt', 'Just some notes.\n', 'line 1, column 1: not a findings format shipshape reads'],
    ['invalid.sarif', '{"version": "2.1.0", "runs": [{}]}', "/runs/0: does not match the SARIF 2.1.0 schema: must have required property 'tool'"],
    ['broken.yaml', 'shipshape-findings: [\n', 'line 2, column 1: invalid YAML:'],
  ])('%s', async (name, text, message) => {
    const file = write(name, text);
    await expect(loadFindings(file, { repoRoot: '/work/app' })).rejects.toThrow(`${file}: ${message}`);
  });

  it('a missing file', async () => {
    await expect(loadFindings(join(dir, 'nope.sarif'), { repoRoot: '/work/app' })).rejects.toThrow(`${join(dir, 'nope.sarif')}: no such file`);
  });
});

describe('paths against a repository on disk', () => {
  let repoRoot = '';
  beforeAll(() => {
    repoRoot = join(dir, 'repo');
    mkdirSync(join(repoRoot, 'src'), { recursive: true });
    writeFileSync(join(repoRoot, 'src', 'app.js'), 'x\n');
    writeFileSync(join(dir, 'outside.js'), 'x\n');
    symlinkSync(join(dir, 'outside.js'), join(repoRoot, 'src', 'linked.js'));
  });

  it.each([
    ['src/app.js', { ok: 'src/app.js' }],
    ['src/linked.js', { rejected: 'symlink leaves the repository: src/linked.js resolves to' }],
    ['../x', { rejected: 'path escapes the repository: ../x' }],
    ['/etc/passwd', { rejected: 'absolute path outside the repository: /etc/passwd' }],
    ['file:///etc/passwd', { rejected: 'absolute path outside the repository: file:///etc/passwd' }],
  ])('%s', async (uri, expected) => {
    const file = write('disk.sarif', sarif(uri));
    const result = await loadFindings(file, { repoRoot });
    if ('ok' in expected) {
      expect(result.findings.map((f) => f.path)).toEqual([expected.ok]);
      return;
    }
    expect(result.findings).toEqual([]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]!.source).toBe(`${file} runs[0].results[0]`);
    expect(result.rejected[0]!.reason).toContain(expected.rejected);
  });

  it('a relative repoRoot is taken from the working directory', async () => {
    const file = write('rel.sarif', sarif(`file://${pcmOps}/backend/core/config.py`, 57));
    const result = await loadFindings(file, { repoRoot: 'fixtures/repos/pcm-ops' });
    expect(result.findings.map((f) => f.path)).toEqual(['backend/core/config.py']);
  });
});
