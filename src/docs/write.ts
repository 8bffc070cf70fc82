import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codemods } from '../../codemods/index.js';
import { rulesDocument, withCodemodTable } from './generate.js';

/** `npm run docs`: rewrites docs/rules.md and the README's codemod table from the registry. */
const root = join(import.meta.dirname, '..', '..', '..');
writeFileSync(join(root, 'docs', 'rules.md'), rulesDocument(codemods));
const readme = join(root, 'README.md');
writeFileSync(readme, withCodemodTable(readFileSync(readme, 'utf8'), codemods));
