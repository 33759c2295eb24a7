import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableParallelism } from 'node:os';
import { ENV_SCHEMA } from '../../src/config/env-schema.ts';
import { loadConfig } from '../../src/config/load-config.ts';

describe('daemon configuration from the environment', () => {
  it('defaults follow the contract', () => {
    const config = loadConfig({});
    assert.deepEqual(config.strategies, ['sequential', 'async', 'threads', 'processes']);
    assert.deepEqual(config.scenarios, ['thumbnail', 'matrix', 'array', 'http']);
    assert.equal(config.rotateSeconds, 10);
    assert.equal(config.mix, 'isolated');
    assert.equal(config.ioTasksPerWorker, 128);
    assert.equal(config.workers, availableParallelism());
    assert.equal(config.concurrency.matrix, 2 * availableParallelism());
    assert.equal(config.concurrency.http, 64);
    assert.equal(config.jobTimeoutMs, 30_000);
    assert.equal(config.driver, true);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.upstreamUrl, undefined);
    assert.equal(config.upstreamDelayMs, 50);
    assert.equal(config.upstreamJitterMs, 10);
    assert.equal(config.shutdownGraceMs, 10_000);
    assert.ok(Object.isFrozen(config));
  });

  it('a blank variable counts as unset', () => {
    assert.equal(loadConfig({ LAB_PORT: '  ', LAB_STRATEGIES: '' }).port, 8080);
  });

  it('values are parsed: lists, switches, sizes, concurrency', () => {
    const config = loadConfig({ LAB_STRATEGIES: 'threads, processes', LAB_DRIVER: 'off', LAB_SIZES: 'matrix=64,thumbnail=800', LAB_CONCURRENCY: '7', LAB_WORKERS: '3' });
    assert.deepEqual(config.strategies, ['threads', 'processes']);
    assert.equal(config.driver, false);
    assert.equal(config.sizes.matrix, 64);
    assert.equal(config.sizes.thumbnail, 800);
    assert.equal(config.sizes.array, 500_000);
    assert.equal(config.concurrency.http, 7);
    assert.equal(config.workers, 3);
  });

  it('every bad variable is reported at once, with its value and the rule', () => {
    assert.throws(
      () => loadConfig({ LAB_PORT: '99999', LAB_STRATEGIES: 'threads,threads', LAB_ROTATE_SECONDS: '-1', LAB_UPSTREAM_URL: 'not a url', LAB_SIZES: 'matrix=5000' }),
      (error: { code: string; message: string }) => {
        assert.equal(error.code, 'LAB_ERR_CONFIG_INVALID');
        for (const expected of ['LAB_PORT="99999"', 'LAB_STRATEGIES="threads,threads"', 'LAB_ROTATE_SECONDS="-1"', 'LAB_UPSTREAM_URL="not a url"', 'LAB_SIZES="matrix=5000"']) {
          assert.ok(error.message.includes(expected), `message names ${expected}:\n${error.message}`);
        }
        assert.match(error.message, /LAB_PORT="99999": must be an integer from 0 to 65535/);
        return true;
      },
    );
  });

  it('every option documents its rule and meaning', () => {
    for (const [name, option] of Object.entries(ENV_SCHEMA)) {
      assert.ok(option.allowed.length > 0 && option.description.length > 0, name);
    }
  });
});
