import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import sarifSchema from '../../../schemas/sarif-2.1.0.schema.json' with { type: 'json' };
import { InputError } from '../types.js';
import type { SarifLog } from './types.js';

let compiled: ValidateFunction | undefined;

/**
 * The committed schema is the OASIS text as published, which declares JSON
 * Schema draft-04 (`$schema` draft-04, `id` instead of `$id`). Ajv 8 has no
 * draft-04 mode without an extra package, but the schema uses no keyword whose
 * meaning changed after draft-04 (no boolean exclusiveMinimum/Maximum; a test
 * keeps it that way), so the draft-07 validator reads it identically once the
 * two header keywords are translated. Formats (uri, date-time) are not
 * checked: they do not affect how findings are read, and real tools emit
 * sloppy values there (ESLint's helpUri "Please see details in message").
 */
function validator(): ValidateFunction {
  if (compiled) return compiled;
  const { $schema: _draft04, id, ...rest } = sarifSchema;
  const ajv = new Ajv({ allErrors: false, strict: true, strictRequired: false, allowUnionTypes: true, validateFormats: false });
  compiled = ajv.compile({ ...rest, $id: id });
  return compiled;
}

/** Checks a parsed document against the SARIF 2.1.0 schema; throws an InputError at the first problem. */
export function assertSarif(value: unknown, file: string): asserts value is SarifLog {
  const version = (value as { version?: unknown } | null)?.version;
  if (typeof value === 'object' && value !== null && typeof version === 'string' && version !== '2.1.0') {
    throw new InputError(file, '/version', `SARIF version ${version} is not supported; only 2.1.0 is`);
  }
  const validate = validator();
  if (validate(value)) return;
  const error = validate.errors?.[0];
  if (!error) throw new InputError(file, '/', 'does not match the SARIF 2.1.0 schema');
  throw new InputError(file, error.instancePath || '/', `does not match the SARIF 2.1.0 schema: ${describeError(error)}`);
}

function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `unknown property '${String(params.additionalProperty)}'`;
  if (error.keyword === 'enum') return `${error.message} (${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`;
  return error.message ?? error.keyword;
}
