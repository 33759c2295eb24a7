// The registry: built-ins plus the scenarios of the named modules, and the daemon's config on
// top of it (in-process: registering a module here changes this test process only).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { BUILT_IN_SCENARIO_NAMES, customScenarioNames, getScenario, scenarioNames } from '../../src/scenarios/catalog.ts';
import { registerScenarioModules, SCENARIO_MODULES_VARIABLE } from '../../src/scenarios/scenario-modules.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/scenarios/', import.meta.url));

describe('the scenario registry', () => {
  it('holds only the built-ins until a module is registered', () => {
    assert.deepEqual(scenarioNames(), [...BUILT_IN_SCENARIO_NAMES]);
    assert.throws(() => getScenario('collatz'), { code: 'LAB_ERR_SCENARIO_UNKNOWN' });
    assert.throws(() => loadConfig({ LAB_SCENARIOS: 'collatz' }), /LAB_SCENARIOS="collatz": must be a comma-separated list of distinct scenarios/);
  });

  it('adds a module once (a second registration of the same path is a no-op) and tells the workers through the environment', async () => {
    const path = join(FIXTURES, 'collatz-cpu.ts');
    assert.deepEqual(await registerScenarioModules([path]), [path]);
    assert.deepEqual(await registerScenarioModules([path]), [path]);
    assert.deepEqual(customScenarioNames(), ['collatz']);
    assert.equal(getScenario('collatz').kind, 'cpu');
    assert.equal(process.env[SCENARIO_MODULES_VARIABLE], path);
  });

  it('the daemon config: LAB_SCENARIOS unset is the defaults plus the modules\' scenarios; LAB_SIZES checks their bounds', () => {
    assert.deepEqual(loadConfig({}).scenarios, ['thumbnail', 'matrix', 'array', 'http', 'collatz']);
    assert.deepEqual(loadConfig({ LAB_SCENARIOS: 'collatz' }).scenarios, ['collatz']);
    const config = loadConfig({ LAB_SCENARIOS: 'collatz', LAB_SIZES: 'collatz=5000', LAB_WORKERS: '3' });
    assert.equal(config.sizes.collatz, 5000);
    assert.equal(config.concurrency.collatz, 6, 'a cpu scenario: 2 × workers in flight');
    assert.throws(() => loadConfig({ LAB_SIZES: 'collatz=10' }), /size for collatz must be an integer from 1000 to 10000000 \(N \(numbers tried\)\); got "10"/);
  });
});
