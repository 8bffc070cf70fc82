import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSarif, resolveUriBaseIds, toolName } from '../../src/findings/sarif/parse.js';
import { InputError, type Finding } from '../../src/findings/types.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'findings');
const repoRoot = '/work/pcm-ops';
const ctx = { file: 'in.sarif', repoRoot };

function fixture(name: string): string {
  return readFileSync(join(fixtures, name), 'utf8');
}

/** The parts of a finding a table can state. */
function row(f: Finding): [string, string, string, number, number | undefined, string] {
  return [f.tool, f.ruleId, f.path, f.startLine, f.endLine, f.severity];
}

type Json = Record<string, unknown>;

function location(uri: string, region: Json | null = { startLine: 10 }): Json {
  return { physicalLocation: { artifactLocation: { uri }, ...(region ? { region } : {}) } };
}

function result(fields: Json = {}): Json {
  return { ruleId: 'R1', message: { text: 'something is wrong' }, locations: [location('src/app.js')], ...fields };
}

function log(results: Json[], run: Json = {}, driver: Json = {}): string {
  return JSON.stringify({
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'Demo', rules: [{ id: 'R1', helpUri: 'https://example.com/R1' }], ...driver } }, results, ...run }],
  });
}

function one(text: string): Finding {
  const parsed = parseSarif(text, ctx);
  expect(parsed.rejected).toEqual([]);
  expect(parsed.findings).toHaveLength(1);
  return parsed.findings[0]!;
}

function rejection(text: string): string {
  const parsed = parseSarif(text, ctx);
  expect(parsed.findings).toEqual([]);
  expect(parsed.rejected).toHaveLength(1);
  return parsed.rejected[0]!.reason;
}

describe('SARIF fixtures', () => {
  it('CodeQL: %SRCROOT% from another machine, rules in an extension, rule.index, artifact index', () => {
    const parsed = parseSarif(fixture('codeql-pcm-ops.sarif'), ctx);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.findings.map(row)).toEqual([
      ['codeql', 'js/xss', 'backend/static/js/aws-utilities.js', 110, 121, 'error'],
      // No ruleId and no rule.id: rule.index 0 of the extension names it.
      ['codeql', 'js/xss', 'backend/static/js/sft-fixer.js', 323, 324, 'error'],
      // Only artifactLocation.index: the uri (and %SRCROOT%) come from run.artifacts.
      ['codeql', 'js/xss-through-dom', 'backend/static/js/linux-qc-patching-prep.js', 165, 179, 'warning'],
      ['codeql', 'js/unused-local-variable', 'backend/static/js/aws-execution.js', 13, undefined, 'note'],
    ]);
    expect(parsed.findings[0]!.url).toBe('https://codeql.github.com/codeql-query-help/javascript/js-xss/');
    expect(parsed.findings[0]!.source).toBe('in.sarif runs[0].results[0]');
  });

  it('Bandit: B105 hardcoded password string on config.py:57', () => {
    const parsed = parseSarif(fixture('bandit-pcm-ops.sarif'), ctx);
    expect(parsed.findings.map(row)).toEqual([
      ['bandit', 'B104', 'backend/core/config.py', 24, 24, 'warning'],
      ['bandit', 'B105', 'backend/core/config.py', 57, 57, 'note'],
    ]);
    expect(parsed.findings[1]).toMatchObject({
      message: "Possible hardcoded password: 'your-secret-key-here-change-in-production'",
      url: 'https://bandit.readthedocs.io/en/1.7.10/plugins/b105_hardcoded_password_string.html',
    });
  });

  it('Ruff: T201 with absolute CI file URIs, mapped through srcRoot', () => {
    const parsed = parseSarif(fixture('ruff-pcm-ops.sarif'), { ...ctx, srcRoot: '/home/runner/work/pcm-ops/pcm-ops' });
    expect(parsed.rejected).toEqual([]);
    expect(parsed.findings.map(row)).toEqual([
      ['ruff', 'T201', 'backend/providers/aws/script_runner/api/changes.py', 71, 71, 'error'],
      ['ruff', 'T201', 'backend/providers/aws/script_runner/api/changes.py', 76, 76, 'error'],
      ['ruff', 'T201', 'backend/services/credential_service.py', 58, 58, 'error'],
      ['ruff', 'T201', 'backend/services/credential_service.py', 100, 100, 'error'],
      ['ruff', 'T201', 'backend/core/utils/session_store.py', 41, 41, 'error'],
    ]);
    expect(new Set(parsed.findings.map((f) => f.message))).toEqual(new Set(['`print` found']));
  });

  it('Ruff without srcRoot: every absolute path from the CI machine is rejected, with the result named', () => {
    const parsed = parseSarif(fixture('ruff-pcm-ops.sarif'), ctx);
    expect(parsed.findings).toEqual([]);
    expect(parsed.rejected.map((r) => r.source)).toEqual([0, 1, 2, 3, 4].map((i) => `in.sarif runs[0].results[${i}]`));
    expect(parsed.rejected[0]!.reason).toMatch(/^absolute path outside the repository: file:\/\/\/home\/runner\//);
  });

  it('Semgrep: several runs in one file', () => {
    const parsed = parseSarif(fixture('semgrep-pcm-ops.sarif'), ctx);
    const xss = 'javascript.browser.security.insecure-document-method.insecure-document-method';
    expect(parsed.findings.map(row)).toEqual([
      ['semgrep', xss, 'backend/static/js/aws-utilities.js', 110, 121, 'warning'],
      ['semgrep', xss, 'backend/static/js/sft-fixer.js', 323, 324, 'warning'],
      ['semgrep', xss, 'backend/static/js/linux-qc-patching-prep.js', 165, 179, 'warning'],
      ['semgrep', 'python.flask.security.audit.hardcoded-config.avoid_hardcoded_config_SECRET_KEY', 'backend/core/config.py', 57, 57, 'error'],
    ]);
    expect(parsed.findings[3]!.source).toBe('in.sarif runs[1].results[0]');
  });
});

describe('tool names', () => {
  it.each([
    ['CodeQL', 'codeql'],
    ['Semgrep OSS', 'semgrep'],
    ['Semgrep PRO', 'semgrep'],
    ['semgrep', 'semgrep'],
    ['ESLint', 'eslint'],
    ['Bandit', 'bandit'],
    ['Ruff', 'ruff'],
    ['ruff', 'ruff'],
    ['SonarQube', 'sonarqube'],
  ])('%s → %s', (driver, tool) => {
    expect(toolName(driver)).toBe(tool);
    expect(one(log([result()], {}, { name: driver })).tool).toBe(tool);
  });
});

describe('rules', () => {
  const rules = [{ id: 'R1' }, { id: 'R2', defaultConfiguration: { level: 'error' }, helpUri: 'https://example.com/R2' }];

  it.each<[string, Json, Json, string, string]>([
    ['ruleId', { ruleId: 'R2' }, {}, 'R2', 'error'],
    ['rule.id', { ruleId: undefined, rule: { id: 'R2' } }, {}, 'R2', 'error'],
    ['rule.index into driver rules', { ruleId: undefined, rule: { index: 1 } }, {}, 'R2', 'error'],
    ['ruleIndex into driver rules', { ruleId: undefined, ruleIndex: 1 }, {}, 'R2', 'error'],
    ['rule.toolComponent.index into an extension', { ruleId: undefined, rule: { index: 0, toolComponent: { index: 0 } } }, { extensions: [{ name: 'pack', rules: [{ id: 'X9', defaultConfiguration: { level: 'note' } }] }] }, 'X9', 'note'],
    ['rule.toolComponent.name', { ruleId: 'X9', rule: { id: 'X9', toolComponent: { name: 'pack' } } }, { extensions: [{ name: 'pack', rules: [{ id: 'X9', defaultConfiguration: { level: 'note' } }] }] }, 'X9', 'note'],
    // A rule with no metadata is still a finding; planning decides what to do with it.
    ['unknown rule id', { ruleId: 'not-in-rules' }, {}, 'not-in-rules', 'warning'],
  ])('%s', (_name, fields, tool, ruleId, severity) => {
    const text = JSON.stringify({
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'Demo', rules }, ...tool }, results: [result(fields)] }],
    });
    expect(one(text)).toMatchObject({ ruleId, severity });
  });

  it.each<[string, Json, string]>([
    ['no rule at all', { ruleId: undefined }, 'no rule: the result has no ruleId, rule.id or rule.index'],
    ['rule.index out of range', { ruleId: undefined, rule: { index: 5 } }, "rule index 5 is out of range: driver 'Demo' has 1 rule(s)"],
    ['toolComponent index out of range', { rule: { id: 'R1', toolComponent: { index: 3 } } }, 'rule.toolComponent.index 3 is out of range: the run has 0 extension(s)'],
    ['toolComponent name unknown', { rule: { id: 'R1', toolComponent: { name: 'nope' } } }, 'rule.toolComponent names no tool component of this run (nope)'],
  ])('%s → rejected', (_name, fields, reason) => {
    expect(rejection(log([result(fields)]))).toBe(reason);
  });
});

describe('messages, severity and url', () => {
  it.each<[string, Json, Json, string]>([
    ['text', { message: { text: 'plain' } }, {}, 'plain'],
    ['text with arguments', { message: { text: 'Use {0} not {1}; {{literal}}', arguments: ['a', 'b'] } }, {}, 'Use a not b; {literal}'],
    ['id from the rule', { message: { id: 'default', arguments: ['x'] } }, { rules: [{ id: 'R1', messageStrings: { default: { text: 'Variable {0} is unused.' } } }] }, 'Variable x is unused.'],
    ['id from the tool', { message: { id: 'g' } }, { globalMessageStrings: { g: { text: 'global text' } } }, 'global text'],
  ])('%s', (_name, fields, driver, message) => {
    expect(one(log([result(fields)], {}, driver)).message).toBe(message);
  });

  it('a message id that resolves nowhere is rejected', () => {
    expect(rejection(log([result({ message: { id: 'missing' } })]))).toBe(
      "message id 'missing' is not in the rule's messageStrings nor the tool's globalMessageStrings",
    );
  });

  it.each<[string, Json, Json, string]>([
    ['result level wins', { level: 'note' }, { rules: [{ id: 'R1', defaultConfiguration: { level: 'error' } }] }, 'note'],
    ["the rule's default level", {}, { rules: [{ id: 'R1', defaultConfiguration: { level: 'error' } }] }, 'error'],
    ['warning when nothing says', {}, { rules: [{ id: 'R1' }] }, 'warning'],
    ['none is kept', { level: 'none' }, {}, 'none'],
  ])('severity: %s', (_name, fields, driver, severity) => {
    expect(one(log([result(fields)], {}, driver)).severity).toBe(severity);
  });

  it.each<[string, string | undefined]>([
    ['https://example.com/rules/R1', 'https://example.com/rules/R1'],
    // ESLint's formatter writes this when a rule has no docs.
    ['Please see details in message', undefined],
    ['javascript:alert(1)', undefined],
  ])('helpUri %j → url %j', (helpUri, url) => {
    expect(one(log([result()], {}, { rules: [{ id: 'R1', helpUri }] })).url).toBe(url);
  });
});

describe('locations', () => {
  it.each<[string, Json, Json, [string, number, number | undefined]]>([
    ['uri and region', { locations: [location('src/a.js', { startLine: 3, endLine: 7 })] }, {}, ['src/a.js', 3, 7]],
    ['no region: the whole file, line 1', { locations: [location('src/a.js', null)] }, {}, ['src/a.js', 1, undefined]],
    ['offset-only region: line 1', { locations: [location('src/a.js', { charOffset: 40, charLength: 3 })] }, {}, ['src/a.js', 1, undefined]],
    ['endLine before startLine is dropped', { locations: [location('src/a.js', { startLine: 9, endLine: 2 })] }, {}, ['src/a.js', 9, undefined]],
    ['artifact index', { locations: [{ physicalLocation: { artifactLocation: { index: 1 }, region: { startLine: 2 } } }] }, { artifacts: [{ location: { uri: 'a.js' } }, { location: { uri: 'lib/b.js' } }] }, ['lib/b.js', 2, undefined]],
    ['%SRCROOT% declared relative', { locations: [{ physicalLocation: { artifactLocation: { uri: 'x.py', uriBaseId: 'SRC' }, region: { startLine: 4 } } }] }, { originalUriBaseIds: { SRC: { uri: 'backend/' } } }, ['backend/x.py', 4, undefined]],
    ['uriBaseId chain into the repository', { locations: [{ physicalLocation: { artifactLocation: { uri: 'x.py', uriBaseId: 'PKG' }, region: { startLine: 4 } } }] }, { originalUriBaseIds: { ROOT: { uri: `file://${repoRoot}/` }, PKG: { uri: 'backend/core/', uriBaseId: 'ROOT' } } }, ['backend/core/x.py', 4, undefined]],
    ['file URI in the repository', { locations: [location(`file://${repoRoot}/backend/main.py`)] }, {}, ['backend/main.py', 10, undefined]],
    ['only the first location counts', { locations: [location('first.js'), location('second.js')] }, {}, ['first.js', 10, undefined]],
  ])('%s', (_name, fields, run, [path, startLine, endLine]) => {
    const finding = one(log([result(fields)], run));
    expect([finding.path, finding.startLine, finding.endLine]).toEqual([path, startLine, endLine]);
  });

  it.each<[string, Json, Json, string]>([
    ['no locations', { locations: [] }, {}, 'no location: the result names no file'],
    ['locations missing', { locations: undefined }, {}, 'no location: the result names no file'],
    ['logical location only', { locations: [{ logicalLocations: [{ name: 'main' }] }] }, {}, 'no physical location (only logical locations): the result names no file'],
    ['address only', { locations: [{ physicalLocation: { address: { absoluteAddress: 4096 } } }] }, {}, 'no artifactLocation: the result names no file'],
    ['artifact index out of range', { locations: [{ physicalLocation: { artifactLocation: { index: 4 } } }] }, { artifacts: [{ location: { uri: 'a.js' } }] }, 'artifactLocation.index 4 is out of range: the run has 1 artifact(s)'],
    ['escaping path', { locations: [location('../../etc/passwd')] }, {}, 'path escapes the repository: ../../etc/passwd'],
    ['absolute path elsewhere', { locations: [location('/etc/passwd')] }, {}, 'absolute path outside the repository: /etc/passwd (made on another machine? give that checkout as srcRoot)'],
    ['file URI elsewhere', { locations: [location('file:///etc/passwd')] }, {}, 'absolute path outside the repository: file:///etc/passwd (made on another machine? give that checkout as srcRoot)'],
  ])('%s → rejected', (_name, fields, run, reason) => {
    expect(rejection(log([result(fields)], run))).toBe(reason);
  });

  it('a result whose path escapes is rejected by name; the others are kept', () => {
    const results = [
      result({ locations: [location('a.js', { startLine: 1 })] }),
      result({ locations: [location('b.js', { startLine: 2 })] }),
      result({ locations: [location('c.js', { startLine: 3 })] }),
      result({ locations: [location('../x', { startLine: 4 })] }),
      result({ locations: [location('d.js', { startLine: 5 })] }),
    ];
    const parsed = parseSarif(log(results), { file: 'scan.sarif', repoRoot });
    expect(parsed.findings.map((f) => f.path)).toEqual(['a.js', 'b.js', 'c.js', 'd.js']);
    expect(parsed.rejected).toEqual([{ source: 'scan.sarif runs[0].results[3]', reason: 'path escapes the repository: ../x' }]);
  });
});

describe('results that are not problems to fix', () => {
  it.each<[string, Json, string]>([
    ['kind pass', { kind: 'pass' }, "kind 'pass' is not a problem to fix"],
    ['kind notApplicable', { kind: 'notApplicable' }, "kind 'notApplicable' is not a problem to fix"],
    ['suppressed in source', { suppressions: [{ kind: 'inSource' }] }, 'suppressed (inSource) by the project'],
    ['suppression accepted', { suppressions: [{ kind: 'external', status: 'accepted' }] }, 'suppressed (external) by the project'],
    ['absent from the baseline', { baselineState: 'absent' }, "baselineState 'absent': no longer present"],
  ])('%s', (_name, fields, reason) => {
    expect(rejection(log([result(fields)]))).toBe(reason);
  });

  it.each<[string, Json]>([
    ['kind review', { kind: 'review' }],
    ['suppression rejected by a reviewer', { suppressions: [{ kind: 'inSource', status: 'rejected' }] }],
    ['new in the baseline', { baselineState: 'new' }],
  ])('%s is kept', (_name, fields) => {
    expect(one(log([result(fields)])).ruleId).toBe('R1');
  });
});

describe('ids', () => {
  it('are 12 hex digits, the same for the same input, different when the line differs', () => {
    const a = one(log([result()]));
    const again = one(log([result()]));
    const moved = one(log([result({ locations: [location('src/app.js', { startLine: 11 })] })]));
    expect(a.id).toMatch(/^[0-9a-f]{12}$/);
    expect(again.id).toBe(a.id);
    expect(moved.id).not.toBe(a.id);
  });

  it('the same result reported by two runs is one finding', () => {
    const text = JSON.stringify({
      version: '2.1.0',
      runs: [
        { tool: { driver: { name: 'Demo' } }, results: [result()] },
        { tool: { driver: { name: 'Demo' } }, results: [result(), result({ message: { text: 'another' } })] },
      ],
    });
    expect(parseSarif(text, ctx).findings.map((f) => f.message)).toEqual(['something is wrong', 'another']);
  });
});

describe('empty input', () => {
  it.each([
    ['empty text', ''],
    ['no runs', '{"version":"2.1.0","runs":[]}'],
    ['runs: null', '{"version":"2.1.0","runs":null}'],
    ['a run without results', '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL"}}}]}'],
    ['a run with empty results', '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL"}},"results":[]}]}'],
  ])('%s → no findings', (_name, text) => {
    expect(parseSarif(text, ctx)).toEqual({ findings: [], rejected: [] });
  });
});

describe('schema-invalid SARIF → InputError at the instance path', () => {
  function broken(mutate: (doc: { runs: Json[] } & Json) => void): string {
    const doc = JSON.parse(log([result()])) as { runs: Json[] } & Json;
    mutate(doc);
    return JSON.stringify(doc);
  }
  const firstResult = (doc: { runs: Json[] }): Json => (doc.runs[0]!.results as Json[])[0]!;

  it.each<[string, (doc: { runs: Json[] } & Json) => void, string]>([
    ['run without tool', (d) => delete d.runs[0]!.tool, "in.sarif: /runs/0: does not match the SARIF 2.1.0 schema: must have required property 'tool'"],
    ['driver without name', (d) => ((d.runs[0]!.tool as Json).driver = {}), "in.sarif: /runs/0/tool/driver: does not match the SARIF 2.1.0 schema: must have required property 'name'"],
    ['result without message', (d) => delete firstResult(d).message, "in.sarif: /runs/0/results/0: does not match the SARIF 2.1.0 schema: must have required property 'message'"],
    ['startLine 0', (d) => (firstResult(d).locations = [location('a.js', { startLine: 0 })]), 'in.sarif: /runs/0/results/0/locations/0/physicalLocation/region/startLine: does not match the SARIF 2.1.0 schema: must be >= 1'],
    ['unknown level', (d) => (firstResult(d).level = 'fatal'), 'in.sarif: /runs/0/results/0/level: does not match the SARIF 2.1.0 schema: must be equal to one of the allowed values ("none", "note", "warning", "error")'],
    ['unknown property', (d) => (firstResult(d).file = 'a.js'), "in.sarif: /runs/0/results/0: does not match the SARIF 2.1.0 schema: unknown property 'file'"],
    ['runs not an array', (d) => (d.runs = 'x' as unknown as Json[]), 'in.sarif: /runs: does not match the SARIF 2.1.0 schema: must be array,null'],
    ['version missing', (d) => delete d.version, "in.sarif: /: does not match the SARIF 2.1.0 schema: must have required property 'version'"],
    ['SARIF 2.0.0', (d) => (d.version = '2.0.0'), 'in.sarif: /version: SARIF version 2.0.0 is not supported; only 2.1.0 is'],
  ])('%s', (_name, mutate, message) => {
    const text = broken(mutate);
    expect(() => parseSarif(text, ctx)).toThrow(InputError);
    expect(() => parseSarif(text, ctx)).toThrow(message);
  });

  it('malformed JSON names line and column', () => {
    expect(() => parseSarif('{\n  "version": "2.1.0",\n  "runs": [,]\n}', ctx)).toThrow("in.sarif: line 3, column 12: invalid JSON: Unexpected token ','");
  });
});

describe('resolveUriBaseIds', () => {
  it('follows chains, and a symbol without uri (or a cycle) is the root', () => {
    expect(
      resolveUriBaseIds({
        tool: { driver: { name: 'x' } },
        originalUriBaseIds: {
          ROOT: { uri: 'file:///ci/app/' },
          SRC: { uri: 'src', uriBaseId: 'ROOT' },
          LIB: { uri: 'lib/', uriBaseId: 'SRC' },
          BARE: {},
          LOOP: { uri: 'a/', uriBaseId: 'LOOP' },
        },
      }),
    ).toEqual({ ROOT: 'file:///ci/app/', SRC: 'file:///ci/app/src', LIB: 'file:///ci/app/src/lib/', BARE: '', LOOP: 'a/' });
  });
});
