// Your own scenarios in the daemon (issue 17): the two fixture modules run under every
// strategy through the API and the driver, show up in /api/v1/scenarios, the status, the
// metrics, and get the verdicts their nature implies. A module nobody named is never imported.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { waitFor } from '../support/wait-for.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/scenarios/', import.meta.url));
const STRATEGIES = ['sequential', 'async', 'threads', 'processes'] as const;

async function getJson(url: string): Promise<any> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `${url} answered ${response.status}`);
  return response.json();
}

describe('scenario modules in the daemon', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-modules-'));
  const marker = join(dir, 'marker');
  let daemon: LabDaemon | undefined;

  before(async () => {
    daemon = await startLabDaemon({
      LAB_SCENARIO_MODULES: `${join(FIXTURES, 'collatz-cpu.ts')},${join(FIXTURES, 'wait-io.ts')}`,
      LAB_SCENARIOS: 'collatz,wait',
      LAB_SIZES: 'collatz=100000,wait=200',
      LAB_ROTATE_SECONDS: '2',
      LAB_WORKERS: '2',
      // The marker fixture writes here if anything imported it.
      LAB_TEST_MARKER_FILE: marker,
    });
    await waitFor(async () => (await fetch(`${daemon!.url}/readyz`)).status === 200, { description: 'ready', timeoutMs: 60_000 });
  });
  after(async () => {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the custom scenarios with their bounds in GET /api/v1/scenarios', async () => {
    const { scenarios } = await getJson(`${daemon!.url}/api/v1/scenarios`);
    const byName = Object.fromEntries(scenarios.map((scenario: { name: string }) => [scenario.name, scenario]));
    assert.deepEqual(
      { kind: byName.collatz.kind, custom: byName.collatz.custom, driven: byName.collatz.driven, size: byName.collatz.parameters.size },
      { kind: 'cpu', custom: true, driven: true, size: { type: 'integer', minimum: 1000, maximum: 10_000_000, default: 300_000, unit: 'N (numbers tried)' } },
    );
    assert.equal(byName.wait.kind, 'io');
    assert.equal(byName.matrix.custom, false);
  });

  it('runs each custom scenario under every strategy through the API, with the same result, in the worker the strategy says', async () => {
    for (const [scenario, size, expected] of [
      ['collatz', 10_000, { longest: 261 }],
      ['wait', 5, { waitedMs: 5 }],
    ] as const) {
      for (const strategy of STRATEGIES) {
        const response = await fetch(`${daemon!.url}/api/v1/jobs/${scenario}?strategy=${strategy}&size=${size}`, { method: 'POST' });
        const body = (await response.json()) as { scenario: string; strategy: string; result: unknown; worker: { pid: number; threadId: number } };
        assert.equal(response.status, 200, `${scenario} on ${strategy}: ${JSON.stringify(body)}`);
        assert.deepEqual([body.scenario, body.strategy, body.result], [scenario, strategy, expected]);
        if (strategy === 'processes') assert.notEqual(body.worker.pid, daemon!.pid, 'ran in a child process');
        if (strategy === 'threads') assert.notEqual(body.worker.threadId, 0, 'ran in a worker thread');
      }
    }
    const outOfBounds = await fetch(`${daemon!.url}/api/v1/jobs/wait?strategy=async&size=0`, { method: 'POST' });
    assert.equal(outOfBounds.status, 400);
  });

  it('drives every custom cell and states what limited it: collatz on the main thread cpu-main-thread, wait upstream-bound everywhere', async () => {
    const cells = await waitFor(
      async () => {
        const status = await getJson(`${daemon!.url}/api/v1/status`);
        return status.cells.length === 8 ? (status.cells as Array<{ scenario: string; strategy: string; jobs: number; verdict: { limit: string; evidence: string } }>) : undefined;
      },
      { description: 'a window of each of the 8 cells', timeoutMs: 120_000, intervalMs: 1_000, abortReason: () => (daemon!.child.exitCode === null ? undefined : daemon!.output()) },
    );
    const verdict = (scenario: string, strategy: string) => cells.find((cell) => cell.scenario === scenario && cell.strategy === strategy)!.verdict;
    for (const cell of cells) assert.ok(cell.jobs > 0, `${cell.scenario} on ${cell.strategy} ran jobs`);
    assert.equal(verdict('collatz', 'sequential').limit, 'cpu-main-thread', verdict('collatz', 'sequential').evidence);
    assert.equal(verdict('collatz', 'async').limit, 'cpu-main-thread', verdict('collatz', 'async').evidence);
    for (const strategy of ['threads', 'processes']) assert.match(verdict('collatz', strategy).limit, /^(cpu-cores|pool-saturated)$/, `collatz on ${strategy}: ${JSON.stringify(verdict('collatz', strategy))}`);
    for (const strategy of STRATEGIES) assert.equal(verdict('wait', strategy).limit, 'upstream-bound', `wait on ${strategy}: ${verdict('wait', strategy).evidence}`);
    assert.match(verdict('collatz', 'async').evidence, /main thread busy \d+ %/);

    const metrics = await (await fetch(`${daemon!.url}/metrics`)).text();
    assert.match(metrics, /^lab_cell_verdict\{scenario="collatz",strategy="sequential",limit="cpu-main-thread"\} 1$/m);
    assert.match(metrics, /^lab_cell_verdict\{scenario="wait",strategy="threads",limit="upstream-bound"\} 1$/m);
    assert.match(metrics, /^lab_cell_verdict\{scenario="wait",strategy="threads",limit="cpu-main-thread"\} 0$/m);
    assert.match(metrics, /^lab_jobs_total\{scenario="wait",strategy="processes",outcome="ok"\} \d+/m);
    assert.match(daemon!.output(), /collatz on async: .*; cpu-main-thread: main thread busy/);
  });

  it('imports no module it was not told to (the marker fixture was never loaded, in the daemon or its workers)', () => {
    assert.equal(existsSync(marker), false);
  });
});
