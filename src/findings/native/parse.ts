import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, type Document } from 'yaml';
import findingsSchema from '../../../schemas/findings.schema.json' with { type: 'json' };
import { InputError, type FindingsResult, type Severity } from '../types.js';
import { normaliseRepoPath } from '../paths.js';
import { collect, makeFinding, type ParseContext } from '../finding.js';
import { parseJsonText, stripBom } from '../json.js';

/** The top-level key that marks a shipshape findings file. */
export const NATIVE_KEY = 'shipshape-findings';
export const NATIVE_VERSION = 1;

/** One entry of `shipshape-findings.findings`, as schemas/findings.schema.json describes it. */
export interface NativeFinding {
  rule: string;
  path: string;
  line: number;
  endLine?: number;
  message: string;
  severity?: Severity;
  tool?: string;
  url?: string;
}

export interface NativeDocument {
  [NATIVE_KEY]: { version: 1; findings: NativeFinding[] };
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: false, strict: true }).compile(findingsSchema);
  return compiled;
}

/** Reads a findings file in our own format; `syntax` says how the text is written. */
export function parseNativeFindings(text: string, ctx: ParseContext, syntax: 'yaml' | 'json'): FindingsResult {
  if (text.trim() === '') return { findings: [], rejected: [] };
  if (syntax === 'json') return nativeToFindings(parseJsonText(text, ctx.file), ctx);

  const lineCounter = new LineCounter();
  const doc = parseDocument(stripBom(text), { lineCounter, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    throw new InputError(ctx.file, `line ${pos.line}, column ${pos.col}`, `invalid YAML: ${error.message}`);
  }
  // Only comments: a findings file that has nothing in it yet.
  if (doc.contents === null) return { findings: [], rejected: [] };
  return nativeToFindings(doc.toJS() as unknown, ctx, (pointer) => yamlPlace(doc, lineCounter, pointer));
}

/**
 * Reads an already parsed findings document. `place` turns a JSON pointer into
 * a place the user can find (the YAML line); by default the pointer itself.
 */
export function nativeToFindings(value: unknown, ctx: ParseContext, place: (pointer: string) => string = (p) => p || '/'): FindingsResult {
  const version = (value as Partial<Record<string, { version?: unknown }>> | null)?.[NATIVE_KEY]?.version;
  if (typeof version === 'number' && version !== NATIVE_VERSION) {
    throw new InputError(ctx.file, place(`/${NATIVE_KEY}/version`), `${NATIVE_KEY} version ${version} is not supported; this shipshape reads version ${NATIVE_VERSION}`);
  }
  const validate = validator();
  if (!validate(value)) {
    const error = validate.errors?.[0];
    const pointer = error?.instancePath ?? '';
    throw new InputError(ctx.file, place(pointer), `does not match schemas/findings.schema.json: ${error ? describeError(error) : 'invalid'}`);
  }
  const doc = value as NativeDocument;
  const out = collect();
  doc[NATIVE_KEY].findings.forEach((entry, index) => {
    const pointer = `/${NATIVE_KEY}/findings/${index}`;
    if (entry.endLine !== undefined && entry.endLine < entry.line) {
      throw new InputError(ctx.file, place(`${pointer}/endLine`), `endLine ${entry.endLine} is before line ${entry.line}`);
    }
    const source = `${ctx.file} findings[${index}]`;
    const path = normaliseRepoPath(entry.path, ctx);
    if (!path.ok) {
      out.reject({ source, reason: path.reason });
      return;
    }
    out.add(
      makeFinding({
        tool: entry.tool ?? 'shipshape',
        ruleId: entry.rule,
        message: entry.message,
        path: path.path,
        startLine: entry.line,
        endLine: entry.endLine,
        severity: entry.severity ?? 'warning',
        url: entry.url,
        source,
      }),
    );
  });
  return out.result();
}

function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `unknown property '${String(params.additionalProperty)}'`;
  if (error.keyword === 'required') return `missing property '${String(params.missingProperty)}'`;
  if (error.keyword === 'enum') return `${error.message} (${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`;
  return error.message ?? error.keyword;
}

/** `line L, column C (pointer)` of the YAML node a JSON pointer names, or of its nearest existing parent. */
function yamlPlace(doc: Document, lineCounter: LineCounter, pointer: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  for (let n = segments.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) {
      const { line, col } = lineCounter.linePos(range[0]);
      return `line ${line}, column ${col}${pointer ? ` (${pointer})` : ''}`;
    }
  }
  return pointer || '/';
}
