import type { Node } from 'web-tree-sitter';
import { allImports } from '../lib/imports.js';
import { descendantsOfType, namedChildren } from '../lib/syntax.js';

/** Repository paths whose output is for a person at a terminal or a test runner, not an application log. */
export function nonApplicationReason(path: string): string | null {
  const parts = path.split('/');
  const base = parts.at(-1) ?? '';
  const dirs = parts.slice(0, -1);
  if (['__main__.py', 'setup.py', 'conftest.py'].includes(base)) return `${base} is a script or test entry point`;
  if (/^test_.*\.py$/.test(base) || /_test\.py$/.test(base)) return `${base} is a test module`;
  const dir = dirs.find((d) => d === 'tests' || d === 'test' || d === 'scripts');
  if (dir) return `files under ${dir}/ are not application modules`;
  return null;
}

function isMainCheck(condition: Node | null): boolean {
  if (condition?.type !== 'comparison_operator') return false;
  const operands = namedChildren(condition);
  if (operands.length !== 2 || condition.childForFieldName('operators')?.text !== '==') return false;
  const texts = operands.map((o) => (o.type === 'string' ? o.text.replace(/^['"]|['"]$/g, '') : o.text)).sort();
  return texts[0] === '__main__' && texts[1] === '__name__' && operands.some((o) => o.type === 'string');
}

const CLI_MODULES = new Set(['argparse', 'click', 'typer']);

/** Whether the module imports argparse, click or typer anywhere. */
export function importsCliLibrary(root: Node): boolean {
  return allImports(root).some((item) => CLI_MODULES.has(item.module.split('.')[0]!));
}

/** `@click.command()`, `@cli.command("x")`, `@app.command()`, `@click.group()`, `@command`. */
function cliDecorator(fn: Node): string | null {
  const holder = fn.parent;
  if (holder?.type !== 'decorated_definition') return null;
  for (const decorator of namedChildren(holder)) {
    if (decorator.type !== 'decorator') continue;
    let expr = decorator.firstNamedChild;
    if (expr?.type === 'call') expr = expr.childForFieldName('function');
    if (!expr || (expr.type !== 'attribute' && expr.type !== 'identifier')) continue;
    if (/(^|\.)(command|group)$/.test(expr.text.replace(/\s+/g, ''))) return `@${expr.text}`;
  }
  return null;
}

function usesArgparse(fn: Node): boolean {
  return descendantsOfType(fn, 'identifier').some((id) => id.text === 'argparse' || id.text === 'ArgumentParser');
}

/** Why a function is a command-line entry point whose prints are its user-facing output, or null. */
function cliReason(fn: Node, moduleImportsCli: boolean): string | null {
  const name = fn.childForFieldName('name')?.text ?? '?';
  const decorator = cliDecorator(fn);
  if (decorator) return `${name}() is a CLI command (${decorator})`;
  if (name === 'main' && moduleImportsCli) return 'main() of a module that uses argparse/click/typer is a CLI entry point';
  if (usesArgparse(fn)) return `${name}() parses command-line arguments with argparse`;
  return null;
}

export interface PrintContext {
  /** Why the print is user-facing output and must stay, or null. */
  keep: string | null;
  /** Inside an `except` body of the same function (or module) scope. */
  inExcept: boolean;
  /** Runs when the module is imported (not inside a function body). */
  atImportTime: boolean;
}

const SCOPES = new Set(['function_definition', 'class_definition', 'lambda']);

export function printContext(call: Node, moduleImportsCli: boolean): PrintContext {
  let keep: string | null = null;
  let inExcept = false;
  let sameScope = true;
  let atImportTime = true;
  for (let child = call, up = call.parent; up; child = up, up = up.parent) {
    if (sameScope && (up.type === 'except_clause' || up.type === 'except_group_clause') && child.type === 'block') inExcept = true;
    if (SCOPES.has(up.type)) sameScope = false;
    if (up.type === 'function_definition' || up.type === 'lambda') atImportTime = false;
    if (keep) continue;
    if (up.type === 'if_statement' && up.childForFieldName('consequence')?.id === child.id && isMainCheck(up.childForFieldName('condition'))) {
      keep = 'print() under if __name__ == "__main__": is the script\'s own output';
    } else if (up.type === 'function_definition') {
      const reason = cliReason(up, moduleImportsCli);
      if (reason) keep = `print() is command output: ${reason}`;
    }
  }
  return { keep, inExcept, atImportTime };
}
