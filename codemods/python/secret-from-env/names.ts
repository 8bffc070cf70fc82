import type { Node } from 'web-tree-sitter';
import { importsOf, topLevelImports } from '../lib/imports.js';
import { namedChildren } from '../lib/syntax.js';

/**
 * Secret-like names: `SECRET`, `SECRET_KEY`, `JWT_SECRET`, `SIGNING_KEY` with
 * any `WORD_` prefix (`SESSION_SECRET`, `FLASK_SECRET_KEY`, `JWT_SIGNING_KEY`).
 * Anchored at the end, so `SECRET_KEY_PATH`, `PUBLIC_KEY`, `API_KEY` or
 * `TOKEN_URL` never match.
 */
const SECRET_NAME = /^(?:[A-Z0-9]+_)*(?:SECRET|SECRET_KEY|SIGNING_KEY)$/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Debug/dev flags, in order of preference, compared case-insensitively. */
export const FLAG_NAMES = ['DEBUG', 'DEBUG_MODE', 'DEV', 'DEVELOPMENT'] as const;

export function isFlagName(name: string): boolean {
  return (FLAG_NAMES as readonly string[]).includes(name.toUpperCase());
}

/** A test module by its content: it imports pytest or unittest at top level (test paths have the `tests` role). */
export function importsTestFramework(root: Node): boolean {
  return topLevelImports(root).some((stmt) => importsOf(stmt).some((item) => /^(?:pytest|unittest)(?:\.|$)/.test(item.module)));
}

/**
 * Whether an expression certainly evaluates to a bool: a flag computed from
 * a string (`os.getenv("DEBUG", "0")`) is truthy even when it says "0", and
 * must never decide that a random secret is acceptable.
 */
export function isBooleanExpression(node: Node | null): boolean {
  if (!node) return false;
  switch (node.type) {
    case 'true':
    case 'false':
    case 'not_operator':
    case 'comparison_operator':
      return true;
    case 'parenthesized_expression':
      return isBooleanExpression(namedChildren(node)[0] ?? null);
    case 'boolean_operator':
      return isBooleanExpression(node.childForFieldName('left')) && isBooleanExpression(node.childForFieldName('right'));
    case 'call': {
      // `bool(os.getenv("DEBUG"))` is True for "0" and "false": only bool() of a bool or an int() counts.
      if (node.childForFieldName('function')?.text !== 'bool') return false;
      const args = node.childForFieldName('arguments');
      const inner = args?.type === 'argument_list' ? namedChildren(args).filter((a) => a.type !== 'comment') : [];
      const only = inner.length === 1 ? inner[0]! : null;
      return isBooleanExpression(only) || (only?.type === 'call' && only.childForFieldName('function')?.text === 'int');
    }
    default:
      return false;
  }
}

/**
 * Layered configuration (Django `settings/base.py` + `settings/production.py`,
 * Flask `default_settings.py` loaded before the deployment's own file): a
 * base layer's value is overridden elsewhere, often under another variable
 * name, so requiring it in the base layer would stop a correctly configured
 * deployment. Judged by the module's name only; null for any other module.
 */
export type SettingsLayer = 'base' | null;

const SETTINGS_DIRS: ReadonlySet<string> = new Set(['settings', 'config', 'configs', 'conf', 'configuration']);
const BASE_STEMS: ReadonlySet<string> = new Set(['base', 'common', 'default', 'defaults', 'shared', 'global_settings']);

export function settingsLayer(path: string): SettingsLayer {
  const parts = path.split('/');
  const stem = (parts.at(-1) ?? '').replace(/\.py$/, '');
  if (/^(?:default_(?:settings|config)|(?:settings|config)_defaults?|global_settings)$/.test(stem)) return 'base';
  const dir = parts.at(-2);
  return dir !== undefined && SETTINGS_DIRS.has(dir) && BASE_STEMS.has(stem) ? 'base' : null;
}
