import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSarif } from '../../src/findings/sarif/parse.js';
import type { Finding, FindingsResult } from '../../src/findings/types.js';

// Real tool output: ESLint 9 with eslint-plugin-no-unsanitized over the demo
// app's browser code, written as SARIF by Microsoft's formatter, read back by
// our SARIF reader. Neither package ships types, hence the require.
const require = createRequire(import.meta.url);
const noUnsanitized = require('eslint-plugin-no-unsanitized') as ESLint.Plugin;
const formatSarif = require('@microsoft/eslint-formatter-sarif') as (results: ESLint.LintResult[], data: ESLint.LintResultData) => string;

const pcmOps = join(import.meta.dirname, '..', '..', 'fixtures', 'repos', 'pcm-ops');
const fixture = join(import.meta.dirname, '..', '..', 'fixtures', 'findings', 'eslint-pcm-ops.sarif');

const browserGlobals = Object.fromEntries(
  ['window', 'document', 'console', 'fetch', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'alert', 'confirm', 'Utils', 'URLSearchParams', 'FormData', 'Event'].map(
    (name) => [name, 'readonly' as const],
  ),
);

async function lintPcmOps(): Promise<string> {
  const eslint = new ESLint({
    cwd: pcmOps,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.js'],
        plugins: { 'no-unsanitized': noUnsanitized },
        rules: { 'no-unsanitized/property': 'error', 'no-unsanitized/method': 'error' },
        languageOptions: { sourceType: 'script', ecmaVersion: 2022, globals: browserGlobals },
      },
    ],
  });
  const results = await eslint.lintFiles(['backend/static/js/*.js']);
  return formatSarif(results, { cwd: pcmOps, rulesMeta: eslint.getRulesMetaForResults(results) });
}

/**
 * The committed fixture: the same SARIF with this machine's file:// URIs made
 * repository-relative and the ESLint version dropped, so it is the same on
 * every machine and after every ESLint upgrade.
 */
function portable(sarifText: string): string {
  const prefix = `${pathToFileURL(pcmOps).href}/`;
  const relative = (uri: unknown): unknown => (typeof uri === 'string' && uri.startsWith(prefix) ? uri.slice(prefix.length) : uri);
  const log = JSON.parse(sarifText) as {
    runs: {
      tool: { driver: { version?: string } };
      artifacts?: { location: { uri: string } }[];
      results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    }[];
  };
  for (const run of log.runs) {
    delete run.tool.driver.version;
    for (const artifact of run.artifacts ?? []) artifact.location.uri = relative(artifact.location.uri) as string;
    for (const result of run.results) {
      for (const location of result.locations) {
        location.physicalLocation.artifactLocation.uri = relative(location.physicalLocation.artifactLocation.uri) as string;
      }
    }
  }
  return `${JSON.stringify(log, null, 2)}\n`;
}

function withoutSource(findings: Finding[]): Omit<Finding, 'source'>[] {
  return findings.map(({ source: _source, ...rest }) => rest);
}

describe('ESLint (no-unsanitized) SARIF over pcm-ops', () => {
  let sarifText = '';
  let result: FindingsResult;

  beforeAll(async () => {
    sarifText = await lintPcmOps();
    result = parseSarif(sarifText, { file: 'eslint.sarif', repoRoot: pcmOps });
    // UPDATE_FIXTURES=1 npx vitest run test/findings/eslint-sarif.test.ts
    if (process.env.UPDATE_FIXTURES === '1') writeFileSync(fixture, portable(sarifText));
  });

  it('the formatter writes absolute file:// URIs, which are read as repository-relative paths', () => {
    expect(sarifText).toContain(`"uri": "${pathToFileURL(pcmOps).href}/backend/static/js/aws-utilities.js"`);
    expect(result.rejected).toEqual([]);
    for (const finding of result.findings) expect(finding.path).toMatch(/^backend\/static\/js\/[a-z-]+\.js$/);
  });

  it.each([
    // The three XSS sites the seed action plan names (file:line ranges from it).
    ['backend/static/js/aws-utilities.js', 110, 122],
    ['backend/static/js/sft-fixer.js', 323, 324],
    ['backend/static/js/linux-qc-patching-prep.js', 165, 180],
  ])('reports %s around lines %i-%i as no-unsanitized/property', (path, from, to) => {
    const hits = result.findings.filter((f) => f.path === path && f.startLine >= from && f.startLine <= to);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ tool: 'eslint', ruleId: 'no-unsanitized/property', severity: 'error' });
    expect(hits[0]!.message).toMatch(/^Unsafe assignment to innerHTML/);
    expect(hits[0]!.id).toMatch(/^[0-9a-f]{12}$/);
    expect(hits[0]!.url).toMatch(/^https:\/\/github\.com\/mozilla\/eslint-plugin-no-unsanitized\//);
  });

  it.each([
    // Constant strings are allowed by the plugin: these innerHTML writes are safe.
    ['backend/static/js/aws-utilities.js', 98, "container.innerHTML = ''"],
    ['backend/static/js/aws-utilities.js', 101, "container.innerHTML = '<div class=\"empty-state\">…'"],
    ['backend/static/js/aws-utilities.js', 141, "button.innerHTML = '<span class=\"spinner\"></span>'"],
    ['backend/static/js/linux-qc-patching-prep.js', 44, "list.innerHTML = ''"],
    ['backend/static/js/sft-fixer.js', 172, "tbody.innerHTML = ''"],
  ])('does not report the constant-string write at %s:%i (%s)', (path, line) => {
    const source = readFileSync(join(pcmOps, path), 'utf8').split('\n')[line - 1];
    expect(source).toContain('innerHTML');
    expect(result.findings.filter((f) => f.path === path && f.startLine === line)).toEqual([]);
  });

  it('the committed fixture is this output, made portable (regenerate with UPDATE_FIXTURES=1)', () => {
    const committed = readFileSync(fixture, 'utf8');
    expect(committed).not.toContain('file://');
    expect(committed).not.toContain(pcmOps);
    expect(committed).toBe(portable(sarifText));
    // Relative URIs read back to the very same findings as the absolute ones.
    const fromFixture = parseSarif(committed, { file: 'eslint-pcm-ops.sarif', repoRoot: '/elsewhere/pcm-ops' });
    expect(withoutSource(fromFixture.findings)).toEqual(withoutSource(result.findings));
  });
});
