import type { Codemod } from './api.js';
import { codemod as innerHtmlToTextContent } from './js/innerhtml-to-textcontent/index.js';
import { codemod as pydanticConfigDict } from './python/pydantic-configdict/index.js';
import { codemod as printToLogging } from './python/print-to-logging/index.js';
import { codemod as secretFromEnv } from './python/secret-from-env/index.js';
import { codemod as sqliteConnectArgs } from './python/sqlite-connect-args/index.js';

/**
 * Every codemod shipshape knows, in the order they run on a file. Listed by
 * hand, never discovered from the file system, so a build contains exactly
 * what was reviewed. Security fixes come first.
 */
export const codemods: readonly Codemod[] = [secretFromEnv, innerHtmlToTextContent, printToLogging, pydanticConfigDict, sqliteConnectArgs];

export function findCodemod(id: string): Codemod | undefined {
  return codemods.find((c) => c.meta.id === id);
}
