import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** shipshape's version; a test keeps it equal to package.json's. */
export const TOOL_VERSION = '0.1.0';

/** The folder that holds shipshape's package.json (run from dist/ or from the sources). */
export function packageRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the shipshape package folder');
    dir = up;
  }
  return dir;
}
