import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';

test('LAB_GRAFANA_URL: unset by default, an http(s) URL when set, anything else refused by name', () => {
  assert.equal(loadConfig({}).grafanaUrl, undefined);
  assert.equal(loadConfig({ LAB_GRAFANA_URL: ' ' }).grafanaUrl, undefined);
  assert.equal(loadConfig({ LAB_GRAFANA_URL: 'http://127.0.0.1:3000' }).grafanaUrl, 'http://127.0.0.1:3000');
  assert.throws(
    () => loadConfig({ LAB_GRAFANA_URL: 'ftp://grafana' }),
    (error: { code?: string; message: string }) => error.code === 'LAB_ERR_CONFIG_INVALID' && error.message.includes('LAB_GRAFANA_URL="ftp://grafana"'),
  );
});
