import jscodeshift, { type Collection, type JSCodeshift } from 'jscodeshift';

export type JsParserName = 'babylon' | 'ts' | 'tsx';

export function jsParserFor(path: string): JsParserName {
  if (path.endsWith('.tsx')) return 'tsx';
  if (path.endsWith('.ts') || path.endsWith('.mts') || path.endsWith('.cts')) return 'ts';
  return 'babylon';
}

const apis = new Map<JsParserName, JSCodeshift>();

export function jsApi(parser: JsParserName): JSCodeshift {
  let api = apis.get(parser);
  if (!api) {
    api = jscodeshift.withParser(parser);
    apis.set(parser, api);
  }
  return api;
}

/** Parses with recast through jscodeshift; throws on a syntax error. */
export function parseJs(j: JSCodeshift, text: string): Collection {
  return j(text);
}
