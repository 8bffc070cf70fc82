import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const schemas = join(import.meta.dirname, '..', '..', 'schemas');

describe('schemas/sarif-2.1.0.schema.json', () => {
  const text = readFileSync(join(schemas, 'sarif-2.1.0.schema.json'), 'utf8');
  const schema = JSON.parse(text) as Record<string, unknown>;

  it('is the OASIS SARIF 2.1.0 errata 01 schema text (oasis-tcs/sarif-spec Schemata/sarif-schema-2.1.0.json), unedited', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema.id).toBe('https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json');
    expect(schema.title).toBe('Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema');
    expect(text).toHaveLength(112768);
    expect(createHash('sha256').update(text).digest('hex')).toBe(SARIF_SCHEMA_SHA256);
  });

  it('uses no draft-04 keyword whose meaning changed later, so the draft-07 validator reads it the same', () => {
    // Boolean exclusiveMinimum/Maximum are the draft-04 forms that draft-06+ reinterpret.
    expect(text).not.toMatch(/"exclusive(Minimum|Maximum)"/);
    expect(text).not.toMatch(/"\$id"|"dependencies"|"const"|"contains"|"propertyNames"/);
  });
});

// sha256 of the committed file; a change to the published text must be deliberate.
const SARIF_SCHEMA_SHA256 = 'ddddcccbf95c7c50c037b5b07eff4140556278ca574ff374db46786b5fce7949';
