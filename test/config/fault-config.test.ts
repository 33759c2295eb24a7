import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.equal((error as { code?: string }).code, 'LAB_ERR_CONFIG_INVALID');
    return (error as Error).message;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
}

describe('fault configuration', () => {
  it('defaults to no faults', () => {
    const config = loadConfig({});
    assert.equal(config.faultPreset, 'none');
    assert.deepEqual(config.faults.upstream, { errorRate: 0, slowRate: 0, slowFactor: 20, stall: false });
    assert.deepEqual(config.faults.network, { down: false });
  });

  it('a preset, with LAB_UPSTREAM_* fault variables over it', () => {
    const config = loadConfig({ LAB_FAULTS: 'slow-tail', LAB_UPSTREAM_SLOW_FACTOR: '50', LAB_UPSTREAM_ERROR_RATE: '0.25' });
    assert.equal(config.faultPreset, undefined);
    assert.deepEqual(config.faults.upstream, { errorRate: 0.25, slowRate: 0.05, slowFactor: 50, stall: false });
    assert.equal(loadConfig({ LAB_FAULTS: 'flaky' }).faultPreset, 'flaky');
  });

  it('names every bad fault variable with its rule', () => {
    const message = problems({ LAB_FAULTS: 'tornado', LAB_UPSTREAM_ERROR_RATE: '1.5', LAB_UPSTREAM_SLOW_FACTOR: '3', LAB_UPSTREAM_STALL: 'yes', LAB_TOXIPROXY_URL: 'ftp://x' });
    assert.match(message, /LAB_FAULTS="tornado": must be one of none, slow-tail, flaky, resets, upstream-down/);
    assert.match(message, /LAB_UPSTREAM_ERROR_RATE="1.5": must be a number from 0 to 1/);
    assert.match(message, /LAB_UPSTREAM_SLOW_FACTOR="3": must be a number from 10 to 100/);
    assert.match(message, /LAB_UPSTREAM_STALL="yes": must be on or off/);
    assert.match(message, /LAB_TOXIPROXY_URL="ftp:\/\/x"/);
  });

  it('refuses faults the daemon could not inject', () => {
    assert.match(problems({ LAB_FAULTS: 'resets' }), /network faults \(reset_peer\) need Toxiproxy; set LAB_TOXIPROXY_URL/);
    assert.match(problems({ LAB_FAULTS: 'upstream-down' }), /network faults \(down\)/);
    assert.deepEqual(loadConfig({ LAB_FAULTS: 'resets', LAB_TOXIPROXY_URL: 'http://127.0.0.1:8474' }).faults.network.resetPeer, { timeoutMs: 0, toxicity: 0.25 });
  });
});
