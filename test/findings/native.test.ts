import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseNativeFindings } from '../../src/findings/native/parse.js';
import { InputError } from '../../src/findings/types.js';
import { schemaErrors } from '../helpers/schema.js';

const root = join(import.meta.dirname, '..', '..');
const ctx = { file: 'findings.yml', repoRoot: '/work/pcm-ops' };

function read(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

function yamlWith(findingLines: string): string {
  return `shipshape-findings:\n  version: 1\n  findings:\n${findingLines}`;
}

describe('shipshape findings fixtures', () => {
  it('YAML', () => {
    const parsed = parseNativeFindings(read('fixtures/findings/pcm-ops.findings.yml'), ctx, 'yaml');
    expect(parsed.rejected).toEqual([]);
    expect(parsed.findings.map((f) => [f.tool, f.ruleId, f.path, f.startLine, f.endLine, f.severity, f.url])).toEqual([
      ['bandit', 'B105', 'backend/core/config.py', 57, undefined, 'error', 'https://bandit.readthedocs.io/en/latest/plugins/b105_hardcoded_password_string.html'],
      ['eslint', 'no-unsanitized/property', 'backend/static/js/aws-utilities.js', 110, 122, 'error', undefined],
      // Defaults: severity warning, tool shipshape.
      ['ruff', 'T201', 'backend/services/credential_service.py', 100, undefined, 'warning', undefined],
      ['shipshape', 'pydantic-v1-config', 'backend/schemas/account.py', 14, undefined, 'note', undefined],
    ]);
    expect(parsed.findings[1]!.message).toBe('XSS: instance fields interpolated into innerHTML');
    expect(parsed.findings[2]!.source).toBe('findings.yml findings[2]');
  });

  it('JSON', () => {
    const parsed = parseNativeFindings(read('fixtures/findings/pcm-ops.findings.json'), { ...ctx, file: 'f.json' }, 'json');
    expect(parsed.findings.map((f) => [f.tool, f.ruleId, f.path, f.startLine, f.endLine])).toEqual([
      ['shipshape', 'sqlite-check-same-thread', 'backend/db/session.py', 11, undefined],
      ['eslint', 'no-unsanitized/property', 'backend/static/js/sft-fixer.js', 323, 324],
    ]);
  });

  it.each(['fixtures/findings/pcm-ops.findings.yml', 'fixtures/findings/pcm-ops.findings.json'])('%s matches schemas/findings.schema.json', (path) => {
    const value: unknown = parseDocument(read(path)).toJS();
    expect(schemaErrors('findings.schema.json', value)).toBe('');
  });

  it('the example in docs/findings-format.md is valid and reads as documented', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(read('docs/findings-format.md'))?.[1];
    expect(example).toContain('shipshape-findings:');
    expect(schemaErrors('findings.schema.json', parseDocument(example!).toJS())).toBe('');
    const parsed = parseNativeFindings(example!, ctx, 'yaml');
    expect(parsed.findings.map((f) => [f.ruleId, f.path, f.startLine])).toEqual([
      ['B105', 'backend/core/config.py', 57],
      ['no-unsanitized/property', 'backend/static/js/aws-utilities.js', 110],
    ]);
  });
});

describe('YAML syntax errors → InputError with line and column', () => {
  it.each([
    // The yaml package reports where it notices the problem: here, the next key.
    ['unclosed flow sequence', yamlWith('    - rule: R1\n      path: [backend/x.py\n      line: 3\n'), 'findings.yml: line 6, column 7: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['duplicate key', yamlWith('    - rule: R1\n      rule: R2\n'), 'findings.yml: line 5, column 7: invalid YAML: Map keys must be unique'],
    ['tab indentation', 'shipshape-findings:\n\tversion: 1\n', 'findings.yml: line 2, column 1: invalid YAML:'],
    ['bad indentation', yamlWith('    - rule: R1\n     path: a.py\n'), 'findings.yml: line 5, column 1: invalid YAML: Sequence item without - indicator'],
    ['unterminated quote', yamlWith('    - rule: "R1\n      path: a.py\n'), 'findings.yml: line 6, column 1: invalid YAML: Missing closing "quote'],
  ])('%s', (_name, text, message) => {
    expect(() => parseNativeFindings(text, ctx, 'yaml')).toThrow(InputError);
    expect(() => parseNativeFindings(text, ctx, 'yaml')).toThrow(message);
  });
});

describe('schema errors → InputError at the offending node', () => {
  const ok = '    - rule: R1\n      path: a.py\n      line: 3\n      message: m\n';
  it.each([
    ['missing message', yamlWith('    - rule: R1\n      path: a.py\n      line: 3\n'), "findings.yml: line 4, column 7 (/shipshape-findings/findings/0): does not match schemas/findings.schema.json: missing property 'message'"],
    ['line 0', yamlWith(ok.replace('line: 3', 'line: 0')), 'findings.yml: line 6, column 13 (/shipshape-findings/findings/0/line): does not match schemas/findings.schema.json: must be >= 1'],
    ['line as text', yamlWith(ok.replace('line: 3', 'line: three')), 'findings.yml: line 6, column 13 (/shipshape-findings/findings/0/line): does not match schemas/findings.schema.json: must be integer'],
    ['unknown severity', yamlWith(`${ok}      severity: fatal\n`), 'findings.yml: line 8, column 17 (/shipshape-findings/findings/0/severity): does not match schemas/findings.schema.json: must be equal to one of the allowed values ("error", "warning", "note", "none")'],
    ['unknown property', yamlWith(`${ok}      file: a.py\n`), "findings.yml: line 4, column 7 (/shipshape-findings/findings/0): does not match schemas/findings.schema.json: unknown property 'file'"],
    ['url not http', yamlWith(`${ok}      url: ftp://x\n`), 'findings.yml: line 8, column 12 (/shipshape-findings/findings/0/url): does not match schemas/findings.schema.json: must match pattern'],
    ['second finding broken', yamlWith(`${ok}${ok.replace('rule: R1', 'rule: ""')}`), 'findings.yml: line 8, column 13 (/shipshape-findings/findings/1/rule): does not match schemas/findings.schema.json: must NOT have fewer than 1 characters'],
    ['findings missing', 'shipshape-findings:\n  version: 1\n', "findings.yml: line 2, column 3 (/shipshape-findings): does not match schemas/findings.schema.json: missing property 'findings'"],
    ['version 2', 'shipshape-findings:\n  version: 2\n  findings: []\n', 'findings.yml: line 2, column 12 (/shipshape-findings/version): shipshape-findings version 2 is not supported; this shipshape reads version 1'],
    ['endLine before line', yamlWith(`${ok}      endLine: 2\n`), 'findings.yml: line 8, column 16 (/shipshape-findings/findings/0/endLine): endLine 2 is before line 3'],
    ['not our document', 'findings:\n  - rule: R1\n', "findings.yml: line 1, column 1: does not match schemas/findings.schema.json: missing property 'shipshape-findings'"],
  ])('%s', (_name, text, message) => {
    expect(() => parseNativeFindings(text, ctx, 'yaml')).toThrow(InputError);
    expect(() => parseNativeFindings(text, ctx, 'yaml')).toThrow(message);
  });

  it('in JSON the place is the JSON pointer', () => {
    const text = JSON.stringify({ 'shipshape-findings': { version: 1, findings: [{ rule: 'R1', path: 'a.py', line: 1.5, message: 'm' }] } });
    expect(() => parseNativeFindings(text, { ...ctx, file: 'f.json' }, 'json')).toThrow(
      'f.json: /shipshape-findings/findings/0/line: does not match schemas/findings.schema.json: must be integer',
    );
  });
});

describe('paths and empty input', () => {
  it('a finding whose path leaves the repository is set aside; the others are kept', () => {
    const text = yamlWith(
      ['../../etc/passwd', '/etc/shadow', 'backend/ok.py'].map((path) => `    - rule: R1\n      path: ${path}\n      line: 1\n      message: m\n`).join(''),
    );
    const parsed = parseNativeFindings(text, ctx, 'yaml');
    expect(parsed.findings.map((f) => f.path)).toEqual(['backend/ok.py']);
    expect(parsed.rejected).toEqual([
      { source: 'findings.yml findings[0]', reason: 'path escapes the repository: ../../etc/passwd' },
      { source: 'findings.yml findings[1]', reason: 'absolute path outside the repository: /etc/shadow (made on another machine? give that checkout as srcRoot)' },
    ]);
  });

  it.each([
    ['empty file', '', 'yaml'],
    ['only a comment', '# nothing yet\n', 'yaml'],
    ['no findings', 'shipshape-findings:\n  version: 1\n  findings: []\n', 'yaml'],
    ['empty JSON file', '  \n', 'json'],
  ] as const)('%s → no findings', (_name, text, syntax) => {
    expect(parseNativeFindings(text, ctx, syntax)).toEqual({ findings: [], rejected: [] });
  });
});
