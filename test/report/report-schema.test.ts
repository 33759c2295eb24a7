import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { reportJsonSchema } from '../../src/report/report-schema.ts';

const COMMITTED = new URL('../../schemas/report.schema.json', import.meta.url);
const REGENERATE =
  "node_modules/.bin/node -e \"import('./src/report/report-schema.ts').then((m) => process.stdout.write(JSON.stringify(m.reportJsonSchema(), null, 2) + '\\n'))\" > schemas/report.schema.json";

describe('schemas/report.schema.json', () => {
  it('is what the zod schema in src/report/report-schema.ts generates', () => {
    const committed = readFileSync(COMMITTED, 'utf8');
    assert.equal(committed, `${JSON.stringify(reportJsonSchema(), null, 2)}\n`, `the committed JSON Schema is stale; regenerate it with:\n${REGENERATE}`);
  });
});
