import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';

const ajv = new Ajv({ allErrors: true, strict: true, validateFormats: false });

/** Validates `value` against one of `schemas/*.json`; returns the errors as readable text, or '' when valid. */
export function schemaErrors(schemaFile: string, value: unknown): string {
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schemas', schemaFile), 'utf8')) as object;
  const validate = ajv.getSchema((schema as { $id: string }).$id) ?? ajv.compile(schema);
  if (validate(value)) return '';
  return ajv.errorsText(validate.errors, { separator: '\n' });
}
