import { readFile } from 'node:fs/promises';
import { InputError } from '../../findings/types.js';
import { parseSprintPlan } from './parse.js';
import type { ParsedPlan } from './types.js';

/** Reads and parses a plan file; the only part of this module that touches the file system. */
export async function loadSprintPlan(file: string): Promise<ParsedPlan> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new InputError(file, '', `cannot read the plan (${code})`);
  }
  return parseSprintPlan(decodePlan(file, bytes), file);
}

/** Strict UTF-8: a plan we cannot read faithfully would give wrong lines and paths. */
export function decodePlan(file: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidByte(bytes);
    const before = bytes.subarray(0, bad);
    const lineStart = before.lastIndexOf(0x0a) + 1;
    const line = before.filter((b) => b === 0x0a).length + 1;
    const column = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, bad)).length + 1;
    throw new InputError(file, `line ${line}, column ${column}`, 'not valid UTF-8');
  }
}

/** Length of the longest prefix that is valid UTF-8 (a sequence cut off at the end counts as valid). */
function firstInvalidByte(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (validPrefix(bytes.subarray(0, mid))) lo = mid;
    else hi = mid - 1;
  }
  // Point at the start of the broken sequence, not at the byte that broke it.
  while (lo > 0 && !validPrefix(bytes.subarray(0, lo), false)) lo--;
  return lo;
}

function validPrefix(bytes: Uint8Array, allowCutOff = true): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: allowCutOff });
    return true;
  } catch {
    return false;
  }
}
