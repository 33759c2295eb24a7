// Bad scenario modules stop `run`, `compare` and the daemon before anything starts, with exit
// code 2 and a message naming the module and the problem (issue 17); a named module is loaded
// in the main thread and in every worker, and only a named one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { MAX_SCENARIO_MODULES, SCENARIO_MODULE_IMPORT_TIMEOUT_MS } from '../../src/scenarios/scenario-modules.ts';
import { CLI, NODE } from '../support/lab-daemon.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/scenarios/', import.meta.url));
const fixture = (name: string): string => join(FIXTURES, name);

function lab(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000) {
  return spawnSync(NODE, [CLI, ...args], { env: { ...process.env, LAB_PORT: '0', ...env }, encoding: 'utf8', timeout: timeoutMs });
}

describe('bad scenario modules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-module-errors-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: { name: string; module: string; message: RegExp }[] = [
    { name: 'a module without a scenario export', module: fixture('bad-no-export.ts'), message: /bad-no-export\.ts: exports no scenario: `export default`/ },
    { name: 'bounds with min above max', module: fixture('bad-bounds.ts'), message: /bad-bounds\.ts: its export is not a scenario: size\.min: min must not be above max/ },
    { name: 'a default outside the bounds', module: fixture('bad-default.ts'), message: /bad-default\.ts: its export is not a scenario: size\.default: default must lie within min\.\.max/ },
    {
      name: 'a bad name, kind, description and run',
      module: fixture('bad-shape.ts'),
      message: /bad-shape\.ts: its export is not a scenario: name: must match .*; kind: Invalid option: expected one of "cpu"\|"io"; description: must say what the scenario does; run: must be a function/,
    },
    { name: 'a name clash with a built-in', module: fixture('clash-builtin.ts'), message: /clash-builtin\.ts: its scenario is named "matrix", the name of a built-in scenario; pick another name/ },
    { name: 'a module that throws on import', module: fixture('throws-on-import.ts'), message: /throws-on-import\.ts: importing it threw: no database configured/ },
    { name: 'a missing file', module: join(dir, 'nowhere.ts'), message: /nowhere\.ts: no such file/ },
  ];
  for (const { name, module, message } of cases) {
    it(`run exits 2 naming the module for ${name}`, () => {
      const result = lab(['run', 'anything', '--strategy', 'async', '--jobs', '1', '--scenario-module', module]);
      assert.equal(result.status, 2, `exit status; stderr: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`concurrency-lab: scenario module ${module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.match(result.stderr, message);
    });
  }

  it('the daemon exits 2 for a bad module in LAB_SCENARIO_MODULES, before it listens', () => {
    const result = lab(['daemon'], { LAB_SCENARIO_MODULES: fixture('throws-on-import.ts') });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /scenario module .*throws-on-import\.ts: importing it threw: no database configured/);
    assert.doesNotMatch(result.stdout, /listening/);
  });

  it('compare exits 2 for a bad module, before it measures anything', () => {
    const result = lab(['compare', '--out', join(dir, 'never'), '--scenario-module', fixture('clash-builtin.ts')]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /clash-builtin\.ts: its scenario is named "matrix"/);
    assert.doesNotMatch(result.stderr, /steps, about/);
  });

  it('two modules with the same scenario name: the second is named with the first', () => {
    const first = join(dir, 'wait-a.ts');
    const second = join(dir, 'wait-b.ts');
    copyFileSync(fixture('wait-io.ts'), first);
    copyFileSync(fixture('wait-io.ts'), second);
    const result = lab(['run', 'wait', '--strategy', 'async', '--jobs', '1', '--scenario-module', first, '--scenario-module', second]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`wait-b\\.ts: its scenario is named "wait", as is the scenario of ${first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it(`more than ${MAX_SCENARIO_MODULES} modules: the scenario label stays bounded`, () => {
    const result = lab(['daemon'], { LAB_SCENARIO_MODULES: Array.from({ length: MAX_SCENARIO_MODULES + 1 }, (_, index) => `m${index}.ts`).join(',') });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`LAB_SCENARIO_MODULES=.*must be a comma-separated list of at most ${MAX_SCENARIO_MODULES} distinct paths`));
    const cli = lab(['run', 'wait', '--strategy', 'async', ...Array.from({ length: MAX_SCENARIO_MODULES + 1 }, (_, index) => ['--scenario-module', `m${index}.ts`]).flat()]);
    assert.equal(cli.status, 2, cli.stderr);
    assert.match(cli.stderr, new RegExp(`at most ${MAX_SCENARIO_MODULES} scenario modules \\(the scenario label of the metrics stays bounded\\); got ${MAX_SCENARIO_MODULES + 1}`));
  });

  it('a module that hangs on import fails after the import timeout, naming it', () => {
    const started = performance.now();
    const result = lab(['run', 'anything', '--strategy', 'async', '--scenario-module', fixture('hangs-on-import.ts')], {}, SCENARIO_MODULE_IMPORT_TIMEOUT_MS + 30_000);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`hangs-on-import\\.ts: its import did not finish within ${SCENARIO_MODULE_IMPORT_TIMEOUT_MS} ms`));
    assert.ok(performance.now() - started >= SCENARIO_MODULE_IMPORT_TIMEOUT_MS, 'waited for the timeout');
  });

  it('an unknown scenario with modules loaded names the custom ones among the allowed', () => {
    const result = lab(['run', 'video', '--strategy', 'async', '--scenario-module', fixture('wait-io.ts')]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /command-argument value 'video' is invalid\. must be one of thumbnail, matrix, array, http, noop, wait\./);
  });
});

describe('which modules are loaded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-module-marker-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const strategy of ['threads', 'processes'] as const) {
    it(`a named module is imported in the main thread and in every ${strategy === 'threads' ? 'worker thread' : 'child process'}, once each`, () => {
      const marker = join(dir, `${strategy}.txt`);
      const result = lab(['run', 'marker', '--strategy', strategy, '--workers', '2', '--jobs', '4', '--scenario-module', fixture('marker-on-import.ts')], { LAB_TEST_MARKER_FILE: marker });
      assert.equal(result.status, 0, result.stderr);
      const importers = readFileSync(marker, 'utf8').trim().split('\n');
      assert.equal(importers.length, 3, `main + 2 workers: ${importers.join(', ')}`);
      assert.equal(new Set(importers).size, 3);
      const pids = new Set(importers.map((line) => line.split(' ')[0]));
      assert.equal(pids.size, strategy === 'threads' ? 1 : 3);
    });
  }

  it('a module nobody named is never imported (run, with other modules named)', () => {
    const marker = join(dir, 'unnamed.txt');
    const result = lab(['run', 'wait', '--strategy', 'processes', '--workers', '1', '--jobs', '2', '--scenario-module', fixture('wait-io.ts')], { LAB_TEST_MARKER_FILE: marker });
    assert.equal(result.status, 0, result.stderr);
    assert.throws(() => readFileSync(marker), { code: 'ENOENT' });
  });
});
