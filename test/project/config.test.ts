import { describe, expect, it } from 'vitest';
import { codemods } from '../../codemods/index.js';
import { ConfigError, DEFAULT_SETTINGS, enabledCodemodIds, parseProjectConfig, parseRepositoryConfig } from '../../src/project/config.js';

const IDS = codemods.map((c) => c.meta.id);

describe('.github/shipshape.yml for the App', () => {
  it('an empty file means the defaults: no plan, every codemod, coderabbitai[bot], review edits allowed, nothing on install', () => {
    const config = parseRepositoryConfig('', { codemodIds: IDS });
    expect(config.settings).toEqual(DEFAULT_SETTINGS);
    expect(config.settings.reviewBot).toBe('coderabbitai[bot]');
    expect(enabledCodemodIds(IDS, config.project)).toEqual(IDS);
  });

  it('reads every setting, next to the project sections', () => {
    const text = [
      'plan: ./docs/plan.md',
      'codemods: [python/print-to-logging, python/pydantic-configdict]',
      'caps: { openPrs: 3, filesPerPr: 4 }',
      'labels: [bot, tech-debt]',
      'reviewBot: my-reviewer[bot]',
      'dashboard: true',
      'allow: safe',
      'onInstall: plan',
      'roles:',
      '  docs: [handbook/**]',
    ].join('\n');
    const config = parseRepositoryConfig(text, { codemodIds: IDS });
    expect(config.settings).toEqual({
      plan: 'docs/plan.md',
      caps: { openPrs: 3, filesPerPr: 4 },
      labels: ['bot', 'tech-debt'],
      reviewBot: 'my-reviewer[bot]',
      dashboard: true,
      allow: 'safe',
      onInstall: 'plan',
    });
    expect(enabledCodemodIds(IDS, config.project).sort()).toEqual(['python/print-to-logging', 'python/pydantic-configdict']);
    expect(config.project.roles).toEqual([{ role: 'docs', pattern: 'handbook/**' }]);
  });

  it('keeps per-codemod options working, and false turns one codemod off', () => {
    const text = 'codemods:\n  js/innerhtml-to-textcontent: { text: [t] }\n  python/print-to-logging: false\n';
    const config = parseRepositoryConfig(text, { codemodIds: IDS });
    expect(config.project.codemodOptions.get('js/innerhtml-to-textcontent')).toEqual({ text: ['t'] });
    const enabled = enabledCodemodIds(IDS, config.project);
    expect(enabled).not.toContain('python/print-to-logging');
    expect(enabled).toContain('js/innerhtml-to-textcontent');
    // The project model reads the same file and keeps the options.
    expect(parseProjectConfig(text).codemodOptions.get('js/innerhtml-to-textcontent')).toEqual({ text: ['t'] });
  });

  it.each([
    ['plna: docs/plan.md', '.github/shipshape.yml: plna is not a setting; use one of plan, codemods'],
    ['caps: { openPrs: 0 }', '.github/shipshape.yml: caps.openPrs must be >= 1'],
    ['caps: { maxOpen: 3 }', '.github/shipshape.yml: caps.maxOpen is not a setting; use one of openPrs, prsPerRun, filesPerPr, linesPerPr'],
    ['allow: unsafe', '.github/shipshape.yml: allow must be one of safe, review'],
    ['onInstall: apply', '.github/shipshape.yml: onInstall must be one of nothing, plan'],
    ['dashboard: sometimes', '.github/shipshape.yml: dashboard must be boolean'],
    ['plan: ../outside.md', '.github/shipshape.yml: plan must be a path inside the repository (relative, without ..)'],
    ['plan: /etc/passwd', '.github/shipshape.yml: plan must be a path inside the repository (relative, without ..)'],
    ['labels: [ok, ok]', '.github/shipshape.yml: labels must NOT have duplicate items'],
    ['codemods: [python/no-such-thing]', '.github/shipshape.yml: codemods names python/no-such-thing, which is not a shipshape codemod'],
    ['codemods: [3]', '.github/shipshape.yml: codemods[0] must be a codemod id'],
    ['codemods:\n  python/print-to-logging: yes', 'codemods.python/print-to-logging must be a mapping of options, or true/false'],
    ['plan: [', '.github/shipshape.yml is not valid YAML'],
    ['- just a list', '.github/shipshape.yml must be a mapping of settings'],
  ])('a broken config %j gets a precise message', (text, message) => {
    const attempt = () => parseRepositoryConfig(text, { codemodIds: IDS });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });
});
