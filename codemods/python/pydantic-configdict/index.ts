import { defineCodemod } from '../../api.js';
import type { Edit, PythonContext, TransformResult } from '../../api.js';
import { analyse } from './analyse.js';
import { renderConfig } from './config.js';
import { dropImportedName, moveSettingsImport, statementLines } from './imports.js';

const PYDANTIC_CONFIG_NAMES = ['Extra', 'BaseConfig'];

function transform(ctx: PythonContext): TransformResult {
  const { file } = ctx;
  const { notes, prerequisites, move, ready, sources, resolver } = analyse(ctx);
  const edits: Edit[] = [];
  const settingsReady = ready.filter((c) => c.settings);
  if (move) edits.push(...moveSettingsImport(file, move, settingsReady.map((c) => `class:${c.line}`)));
  for (const [settings, source] of sources) {
    const group = ready.filter((c) => c.settings === settings);
    const ids = group.map((c) => `class:${c.line}`);
    // With a moved import, SettingsConfigDict arrives on the moved line.
    if (source.edit && !(settings && move)) edits.push({ ...source.edit, supports: ids });
    for (const c of group) {
      edits.push({
        start: c.parsed.start,
        end: c.parsed.end,
        text: renderConfig(c.parsed, source.local, file.eol),
        // Valid only with another file's moved import, a review change: reviewed together.
        safety: c.movedIn.length > 0 ? 'review' : 'safe',
        description: `class Config -> model_config = ${source.local}(...) in ${c.model}${c.movedIn.length > 0 ? ` (with BaseSettings moved in ${c.movedIn.join(', ')})` : ''}`,
        change: `class:${c.line}`,
        ...(settings && move ? { requires: [move.id] } : {}),
      });
      notes.push(...c.parsed.remarks.map((r) => ({ line: r.line, message: `class ${c.model}: ${r.message}`, caveat: true })));
    }
  }
  // Only when every change is applied or held together (one risk, no requirement): else a held class would keep a use.
  const uniform = new Set(ready.map((c) => `${c.movedIn.length > 0}:${c.settings && move ? 'moved' : ''}`)).size === 1;
  const added = [...sources.values()].flatMap((s) => (s.edit ? [{ edit: s.edit, name: s.local }] : []));
  // `Extra` (its members became strings) and `BaseConfig` (a converted Config's base) may be read nowhere else now.
  let drops = uniform ? PYDANTIC_CONFIG_NAMES.flatMap((name) => dropImportedName(file, ctx.root, resolver, ['pydantic', 'pydantic.config'], name, ready.map((c) => c.parsed), added) ?? []) : [];
  // Both names of one `from pydantic import BaseConfig, Extra` go: the statement goes (or, sharing its line, BaseConfig stays).
  if (drops.length === 2 && drops[0]!.stmt.id === drops[1]!.stmt.id && drops[0]!.names === 2 && !drops.some((d) => d.replaces)) {
    const whole = statementLines(file.text, drops[0]!.stmt);
    drops = whole ? [{ ...drops[0]!, edit: { ...drops[0]!.edit, ...whole, text: '', description: 'remove the import of Extra and BaseConfig, no longer used' } }] : [drops[0]!];
  }
  for (const drop of drops) {
    const at = drop.replaces ? edits.findIndex((e) => e.start === drop.replaces!.start && e.text === drop.replaces!.text) : -1;
    if (at >= 0) edits.splice(at, 1);
    edits.push({ ...drop.edit, supports: ready.map((c) => `class:${c.line}`) });
  }
  if (edits.length === 0) return { edits, notes };
  return prerequisites.length > 0 ? { edits, notes, prerequisites } : { edits, notes };
}

export const codemod = defineCodemod({
  meta: {
    id: 'python/pydantic-configdict',
    version: '1.1.0',
    title: 'Pydantic v1 class Config to model_config = ConfigDict(...)',
    language: 'python',
    extensions: ['.py'],
    phrase: 'pydantic class Config → ConfigDict',
    summary: 'Replaces the nested class Config of pydantic models and settings with model_config = ConfigDict(...) / SettingsConfigDict(...), renaming v1 keys that pydantic 2 would silently ignore.',
    fixes: [
      { tool: 'coderabbit', ruleId: 'pydantic-v1-config' },
    ],
    keywords: [{ id: 'pydantic-config-class', pattern: /\bConfig class(?:es)?\b|\bConfigDict\b|\bclass Config\b/i, says: '"Config class(es)", "ConfigDict", "class Config"' }],
    // Converting a Config keeps meaning (safe); moving BaseSettings to pydantic_settings needs a new package (review).
    safety: 'review',
    security: false,
    requires: [{ name: 'pydantic', range: '>=2', hint: 'upgrade pydantic to 2 first (https://docs.pydantic.dev/latest/migration/)' }],
    rollback: 'Revert the commit; a settings class converted with another file\'s moved BaseSettings import is reverted with that file.',
    prerequisites: ['pydantic 2 (and pydantic-settings 2 for BaseSettings classes) must already be the installed version: ConfigDict does not exist in pydantic 1.'],
    references: ['https://docs.pydantic.dev/latest/migration/', 'https://docs.pydantic.dev/latest/api/config/'],
  },
  prefilter(text: string): boolean {
    // A model may get its pydantic base from another module: no pydantic import is needed here.
    return /\bclass\s+Config\b|\bConfig\s*=|\bBaseSettings\b/.test(text);
  },
  transform,
});
