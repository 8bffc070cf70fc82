import { createRequire } from 'node:module';
import type { Collection, JSCodeshift } from 'jscodeshift';

export type JsParserName = 'babylon' | 'ts' | 'tsx';

interface BabelParser {
  parse(code: string): unknown;
}

const require = createRequire(import.meta.url);

/**
 * jscodeshift and its Babel parsers are loaded on the first JavaScript file,
 * not at start: they are a fifth of a second, and a run over Python files
 * (or `--help`) never needs them.
 */
let loaded: { jscodeshift: JSCodeshift; getParser: (name: JsParserName) => BabelParser } | undefined;
function jscodeshiftModule() {
  loaded ??= {
    jscodeshift: require('jscodeshift') as JSCodeshift,
    getParser: require('jscodeshift/src/getParser.js') as (name: JsParserName) => BabelParser,
  };
  return loaded;
}

export function jsParserFor(path: string): JsParserName {
  if (path.endsWith('.tsx')) return 'tsx';
  if (path.endsWith('.ts') || path.endsWith('.mts') || path.endsWith('.cts')) return 'ts';
  return 'babylon';
}

const apis = new Map<JsParserName, { j: JSCodeshift; parser: BabelParser }>();

function api(name: JsParserName): { j: JSCodeshift; parser: BabelParser } {
  let entry = apis.get(name);
  if (!entry) {
    const { jscodeshift, getParser } = jscodeshiftModule();
    entry = { j: jscodeshift.withParser(name), parser: getParser(name) };
    apis.set(name, entry);
  }
  return entry;
}

export function jsApi(name: JsParserName): JSCodeshift {
  return api(name).j;
}

/**
 * Parses with jscodeshift's own Babel parser configuration, but on the file's
 * exact text. `j(text)` would go through recast, which hands the parser a
 * copy with tabs in indentation expanded and line endings rejoined, so node
 * `start`/`end` would not index into the file. Codemods never reprint with
 * recast (they return string edits), so the raw AST is all they need.
 * Throws on a syntax error.
 */
export function parseJs(name: JsParserName, text: string): Collection {
  const { j, parser } = api(name);
  return j(parser.parse(text) as Parameters<JSCodeshift>[0]);
}
