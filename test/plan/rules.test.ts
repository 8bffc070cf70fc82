import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codemods } from '../../codemods/index.js';
import { makeFinding } from '../../src/findings/finding.js';
import { codemodTable, rulesDocument } from '../../src/docs/generate.js';
import { codemodForFinding, codemodForText } from '../../src/plan/rules.js';

const ROOT = join(import.meta.dirname, '..', '..');

function finding(tool: string, ruleId: string, message = '') {
  return makeFinding({ tool, ruleId, message, path: 'a.py', startLine: 1, severity: 'warning', source: 't' });
}

describe('rule table', () => {
  it('docs/rules.md and the README table are what the registry says (run `npm run docs` after changing metadata)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'rules.md'), 'utf8')).toBe(rulesDocument(codemods));
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(codemodTable(codemods));
  });

  it('the generated rules document lists every rule and keyword of every codemod', () => {
    const doc = rulesDocument(codemods);
    for (const c of codemods) {
      for (const f of c.meta.fixes) expect(doc).toContain(f.ruleId.replace(/\*/g, '…'));
      for (const k of c.meta.keywords) expect(doc).toContain(`| \`${k.id}\` | ${k.says} | \`${c.meta.id}\` |`);
    }
  });

  it('keyword ids are unique across codemods', () => {
    const ids = codemods.flatMap((c) => c.meta.keywords.map((k) => k.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    ['codeql', 'js/xss', 'js/innerhtml-to-textcontent'],
    ['codeql', 'js/html-injection', 'js/innerhtml-to-textcontent'],
    ['eslint', 'no-unsanitized/property', 'js/innerhtml-to-textcontent'],
    ['semgrep', 'javascript.browser.security.insecure-document-method.insecure-document-method', 'js/innerhtml-to-textcontent'],
    ['semgrep', 'javascript.browser.security.innerhtml-from-input', 'js/innerhtml-to-textcontent'],
    ['semgrep', 'python.django.security.django-secret-key-hardcoded', 'python/secret-from-env'],
    ['semgrep', 'insecure-innerhtml-other.x', undefined],
    ['bandit', 'B105', 'python/secret-from-env'],
    ['bandit', 'B107', 'python/secret-from-env'],
    ['ruff', 'S105', 'python/secret-from-env'],
    ['ruff', 'T201', 'python/print-to-logging'],
    ['semgrep', 'python.flask.security.audit.hardcoded-config.avoid_hardcoded_config_SECRET_KEY', 'python/secret-from-env'],
    ['bandit', 'B104', undefined],
    ['codeql', 'js/unused-local-variable', undefined],
    ['ruff', 'E501', undefined],
  ])('%s %s -> %s', (tool, ruleId, codemod) => {
    expect(codemodForFinding(finding(tool, ruleId), codemods)).toBe(codemod);
  });

  it('reads prose only from prose sources, never from an unknown analysis rule', () => {
    expect(codemodForFinding(finding('coderabbit', 'coderabbit/fix-xss', 'Fix XSS in innerHTML'), codemods)).toBe('js/innerhtml-to-textcontent');
    expect(codemodForFinding(finding('codeql', 'js/custom', 'innerHTML with XSS'), codemods)).toBeUndefined();
  });

  it.each([
    ['Fix hardcoded SECRET_KEY (backend/core/config.py:57)', 'python/secret-from-env'],
    ['Fix innerHTML XSS in aws-utilities.js:110-122', 'js/innerhtml-to-textcontent'],
    ['Replace 15 print() statements with proper logging', 'python/print-to-logging'],
    ['Convert 18 Config classes to model_config = ConfigDict()', 'python/pydantic-configdict'],
    ['Fix database connection conditional logic', 'python/sqlite-connect-args'],
    ['Migrate SFT token to AWS Secrets Manager', undefined],
    ['Implement structured logging', undefined],
    ['Add PostgreSQL support alongside SQLite', undefined],
    ['Add CSRF tokens to auth forms', undefined],
  ])('prose %j -> %s', (text, codemod) => {
    expect(codemodForText(text, codemods)).toBe(codemod);
  });

  it.each([
    ['XSS attack simulation fails', false, undefined],
    ['XSS attack simulation fails', true, 'js/innerhtml-to-textcontent'],
    ['Fix XSS in sft-fixer.js:323-324', true, 'js/innerhtml-to-textcontent'],
    ['Replace innerHTML with textContent everywhere', false, 'js/innerhtml-to-textcontent'],
  ])('%j pointing at a file: %s -> %s', (text, withFile, codemod) => {
    expect(codemodForText(text, codemods, withFile)).toBe(codemod);
  });
});
