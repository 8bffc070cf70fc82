import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError, type FindingsResult } from './types.js';
import { realpathOnDisk, type PathContext } from './paths.js';
import { parseJsonText, stripBom } from './json.js';
import { NATIVE_KEY, nativeToFindings, parseNativeFindings } from './native/parse.js';
import { sarifToFindings } from './sarif/parse.js';
import { codeRabbitToFindings } from './coderabbit/parse.js';

export type FindingsFormat = 'sarif' | 'coderabbit' | 'native';

export interface LoadContext extends Omit<PathContext, 'realpath' | 'uriBaseIds'> {
  /** Review bot login(s) for CodeRabbit comments; default `coderabbitai[bot]`. */
  botLogin?: string | readonly string[];
  /** Symlink resolution; default: the real file system under `repoRoot`. */
  realpath?: PathContext['realpath'];
}

/**
 * Reads a findings file and turns it into Findings, whatever the format:
 * SARIF 2.1.0, GitHub review comments (CodeRabbit), or shipshape's own
 * format. An empty file (or `[]`) has no findings; malformed input throws an
 * InputError that names the file and the place.
 */
export async function loadFindings(file: string, ctx: LoadContext): Promise<FindingsResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(file, '', code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(error)})`);
  }
  return parseFindingsText(text, file, ctx);
}

/** `loadFindings` without the read: the detection and parsing, for text already in hand. */
export function parseFindingsText(text: string, file: string, ctx: LoadContext): FindingsResult {
  const parseCtx = {
    file,
    repoRoot: resolve(ctx.repoRoot),
    srcRoot: ctx.srcRoot,
    realpath: ctx.realpath ?? realpathOnDisk,
    botLogin: ctx.botLogin,
  };
  const source = stripBom(text);
  if (source.trim() === '') return { findings: [], rejected: [] };

  const byName = formatFromName(file);
  if (byName === 'native-yaml') return parseNativeFindings(source, parseCtx, 'yaml');
  const trimmed = source.trimStart();
  // Not JSON at all, and not named like YAML: our YAML format is the only other text format.
  if (byName === undefined && !trimmed.startsWith('{') && !trimmed.startsWith('[')) {
    if (new RegExp(`^${NATIVE_KEY}\\s*:`, 'm').test(source)) return parseNativeFindings(source, parseCtx, 'yaml');
    throw new InputError(file, 'line 1, column 1', unrecognised);
  }

  const value = parseJsonText(source, file);
  const format = byName === 'sarif' ? 'sarif' : detectFormat(value);
  if (format === 'empty') return { findings: [], rejected: [] };
  if (format === undefined) throw new InputError(file, '/', unrecognised);
  if (format === 'sarif') return sarifToFindings(value, parseCtx);
  if (format === 'coderabbit') return codeRabbitToFindings(value, parseCtx);
  return nativeToFindings(value, parseCtx);
}

const unrecognised =
  'not a findings format shipshape reads: expected SARIF 2.1.0 (an object with "version" and "runs"), ' +
  'GitHub pull request review comments (an array of objects with "path" and "body"), ' +
  `or a "${NATIVE_KEY}" document (docs/findings-format.md)`;

function formatFromName(file: string): 'sarif' | 'native-yaml' | undefined {
  const name = file.toLowerCase();
  if (name.endsWith('.sarif') || name.endsWith('.sarif.json')) return 'sarif';
  if (name.endsWith('.yml') || name.endsWith('.yaml')) return 'native-yaml';
  return undefined;
}

/** What a parsed JSON document is, from its shape. */
export function detectFormat(value: unknown): FindingsFormat | 'empty' | undefined {
  if (Array.isArray(value)) {
    if (value.length === 0) return 'empty';
    // The first element decides; the CodeRabbit reader then points at any later element that is malformed.
    const first: unknown = value[0];
    const looksLikeComment = typeof first === 'object' && first !== null && 'path' in first && ('body' in first || 'diff_hunk' in first);
    return looksLikeComment ? 'coderabbit' : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (NATIVE_KEY in value) return 'native';
  // Any version goes to the SARIF reader, which says which versions it supports.
  if ('runs' in value && 'version' in value) return 'sarif';
  return undefined;
}
