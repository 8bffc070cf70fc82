/**
 * The benchmark's floor, as a process of its own: read every file named in a
 * list and parse it once, single-threaded, with the parsers shipshape uses
 * (web-tree-sitter with tree-sitter-python's WASM grammar for `.py`, the
 * Babel parser jscodeshift configures for JavaScript/TypeScript). Nothing of
 * shipshape is imported, so the process loads only what a raw parse needs.
 *
 *   node dist/bench/baseline.js <list-file>
 *
 * The list holds one absolute path a line. Prints one JSON line: files,
 * bytes, how many parsed with errors, elapsed milliseconds inside the process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

interface BabelParser {
  parse(code: string): unknown;
}

const JS_PARSER: Record<string, string> = { '.js': 'babylon', '.mjs': 'babylon', '.cjs': 'babylon', '.jsx': 'babylon', '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx' };

async function main(): Promise<void> {
  const start = performance.now();
  const listFile = process.argv[2];
  if (!listFile) throw new Error('usage: baseline.js <list-file>');
  const files = readFileSync(listFile, 'utf8').split('\n').filter(Boolean);

  let python: Parser | undefined;
  const babel = new Map<string, BabelParser>();
  let bytes = 0;
  let errors = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    bytes += Buffer.byteLength(text);
    const ext = file.slice(file.lastIndexOf('.')).toLowerCase();
    if (ext === '.py') {
      if (!python) {
        await Parser.init();
        const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
        python = new Parser();
        python.setLanguage(language);
      }
      const tree = python.parse(text);
      if (!tree) throw new Error(`no tree for ${file}`);
      if (tree.rootNode.hasError) errors++;
      tree.delete();
    } else if (JS_PARSER[ext]) {
      const name = JS_PARSER[ext]!;
      let parser = babel.get(name);
      if (!parser) {
        parser = (require('jscodeshift/src/getParser.js') as (n: string) => BabelParser)(name);
        babel.set(name, parser);
      }
      try {
        parser.parse(text);
      } catch {
        errors++;
      }
    } else {
      throw new Error(`no parser for ${file}`);
    }
  }
  process.stdout.write(`${JSON.stringify({ files: files.length, bytes, errors, ms: Math.round(performance.now() - start) })}\n`);
}

await main();
