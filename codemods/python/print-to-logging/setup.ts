import type { Node } from 'web-tree-sitter';
import type { ModuleReader } from '../lib/modules.js';
import { dottedText } from '../lib/imports.js';
import { descendantsOfType, lineOf, namedChildren } from '../lib/syntax.js';
import { parentOf } from '../lib/tree-index.js';

/**
 * Where the project configures logging, as its own code says: converted
 * prints log at INFO and DEBUG, which Python drops until something
 * configures a handler and a level (uvicorn and Django configure only
 * their own loggers). The pull request says what was found, so the
 * reviewer knows whether the messages will still be seen.
 */
export interface LoggingSetup {
  file: string;
  line: number;
  /** `logging.basicConfig(…)`, `dictConfig(…)`, `LOGGING = {…}`. */
  how: string;
}

/** Text a file that configures logging contains; only those files are parsed. */
const MENTIONS_SETUP = /\b(?:basicConfig|dictConfig|fileConfig)\s*\(|^LOGGING\s*=/m;
const SETUP_CALL = /^(?:logging\.)?(?:config\.)?(?:basicConfig|dictConfig|fileConfig)$/;

/** A logging setup in a module: the first at module level (run on import) if any, else the first at all. */
function setupIn(root: Node): { line: number; how: string; onImport: boolean } | null {
  let found: { line: number; how: string; onImport: boolean } | null = null;
  for (const call of descendantsOfType(root, 'call')) {
    const name = dottedText(call.childForFieldName('function'));
    if (!SETUP_CALL.test(name)) continue;
    const up = parentOf(call);
    const onImport = up?.type === 'expression_statement' && parentOf(up)?.type === 'module';
    if (onImport) return { line: lineOf(call), how: `${name}(…)`, onImport };
    found ??= { line: lineOf(call), how: `${name}(…)`, onImport };
  }
  // Django's LOGGING setting: a module-level assignment in a settings module.
  for (const stmt of namedChildren(root)) {
    const assignment = stmt.type === 'expression_statement' ? stmt.firstNamedChild : null;
    if (assignment?.type === 'assignment' && assignment.childForFieldName('left')?.text === 'LOGGING') return { line: lineOf(stmt), how: 'LOGGING = …', onImport: true };
  }
  return found;
}

/**
 * Where application or script code configures logging, or null: a setup
 * that runs on import in application code first (`logging.basicConfig(…)` at
 * the top of `main.py`), then one inside a function or a script, each in path order.
 */
export function loggingSetup(reader: ModuleReader): LoggingSetup | null {
  const { project } = reader;
  return project.shared('print-to-logging:logging-setup', () => {
    let best: { setup: LoggingSetup; rank: number } | null = null;
    for (const file of [...project.files].sort()) {
      if (!file.endsWith('.py')) continue;
      const role = project.role(file).role;
      if (role !== 'app' && role !== 'scripts') continue;
      const text = project.readText(file);
      if (text === null || !MENTIONS_SETUP.test(text)) continue;
      const found = reader.withTree(text, (tree) => (tree.rootNode.hasError ? null : setupIn(tree.rootNode)));
      if (!found) continue;
      const rank = (found.onImport ? 0 : 2) + (role === 'app' ? 0 : 1);
      if (!best || rank < best.rank) best = { setup: { file, line: found.line, how: found.how }, rank };
      if (rank === 0) break;
    }
    return best?.setup ?? null;
  });
}

/** What the pull request says the project needs for the converted prints to stay visible. */
export function loggingPrerequisite(setup: LoggingSetup | null): string {
  if (setup) {
    return `Logging is configured at ${setup.file}:${setup.line} (${setup.how}): check that it applies where these modules run and lets INFO records through, or the messages print() showed are dropped.`;
  }
  return 'No logging configuration was found in this project (no logging.basicConfig, dictConfig or fileConfig call, no Django LOGGING setting): add one where the application starts, for example logging.basicConfig(level=logging.INFO), or the INFO messages print() showed are dropped (uvicorn and Django configure only their own loggers).';
}
