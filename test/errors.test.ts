import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { ERROR_CODES, fromWire, LabError, toWire } from '../src/errors.ts';

describe('error codes', () => {
  it('follow LAB_ERR_<AREA>_<DETAIL>, map to an HTTP status and say what they mean', () => {
    for (const [code, { statusCode, description }] of Object.entries(ERROR_CODES)) {
      assert.match(code, /^LAB_ERR_[A-Z]+_[A-Z_]+$/);
      assert.ok(statusCode >= 400 && statusCode < 600, `${code}: ${statusCode}`);
      assert.ok(description.length > 10, `${code} is described`);
    }
  });

  it('are each documented in the README with their status', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    for (const [code, { statusCode }] of Object.entries(ERROR_CODES)) {
      assert.match(readme, new RegExp(`^\\| \`${code}\` \\| ${statusCode} \\|`, 'm'), `${code} is in the README's error table`);
    }
  });

  it('survive the wire: code, message and details come back as a LabError', () => {
    const original = new LabError('LAB_ERR_UPSTREAM_FAILED', 'upstream answered 503', { details: { status: 503 } });
    const rebuilt = fromWire(structuredClone(toWire(original)));
    assert.ok(rebuilt instanceof LabError);
    assert.deepEqual([rebuilt.code, rebuilt.message, rebuilt.details, rebuilt.statusCode], ['LAB_ERR_UPSTREAM_FAILED', 'upstream answered 503', { status: 503 }, 502]);
  });
});
