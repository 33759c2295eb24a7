import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { childPidsOf, isAlive } from '../support/child-pids.ts';
import { CLI, type LabDaemon, NODE, startLabDaemon } from '../support/lab-daemon.ts';
import { waitFor } from '../support/wait-for.ts';

const SMALL_SIZES = 'thumbnail=320,matrix=60,array=20000';

async function getJson(url: string): Promise<any> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `${url} answered ${response.status}`);
  return response.json();
}

describe('the daemon', () => {
  const started: LabDaemon[] = [];
  after(async () => {
    await Promise.all(started.map((daemon) => daemon.stop('SIGKILL')));
  });

  it('refuses bad environment values with exit code 2 and one message naming every bad variable', () => {
    const result = spawnSync(NODE, [CLI, 'daemon'], {
      env: { ...process.env, LAB_WORKERS: 'many', LAB_STRATEGIES: 'threads,greenlets', LAB_ROTATE_SECONDS: '0', LAB_PORT: '8080' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /LAB_WORKERS="many": must be an integer from 1 to 256/);
    assert.match(result.stderr, /LAB_STRATEGIES="threads,greenlets": must be a comma-separated list of distinct strategies from sequential, async, threads, processes/);
    assert.match(result.stderr, /LAB_ROTATE_SECONDS="0": must be a positive number of seconds/);
    assert.doesNotMatch(result.stderr, /LAB_PORT/);
    assert.doesNotMatch(result.stdout, /listening/, 'nothing starts');
  });

  it('isolated: one cell at a time, every cell of the cycle visited, no other cell in flight while a window measures, gauges agree with the status', async () => {
    const daemon = await startLabDaemon({ LAB_STRATEGIES: 'sequential,threads,processes', LAB_SCENARIOS: 'matrix,http', LAB_ROTATE_SECONDS: '1', LAB_SIZES: SMALL_SIZES, LAB_WORKERS: '2', LAB_CONCURRENCY: '4' });
    started.push(daemon);
    await waitFor(async () => (await fetch(`${daemon.url}/readyz`)).status === 200, { description: 'ready', timeoutMs: 60_000 });
    const leaks: string[] = [];
    let measuringSeen = 0;
    const status = await waitFor(
      async () => {
        const current = await getJson(`${daemon.url}/api/v1/status`);
        if (current.rotation.phase === 'measuring') {
          measuringSeen++;
          const [cell] = current.rotation.cells as { strategy: string }[];
          for (const [strategy, pool] of Object.entries(current.pools as Record<string, { inFlight: number }>)) {
            if (strategy !== cell!.strategy && pool.inFlight > 0) leaks.push(`${strategy} had ${pool.inFlight} jobs in flight during ${JSON.stringify(cell)}'s window`);
          }
        }
        return current.rotation.cycle.completed >= 1 ? current : undefined;
      },
      { description: 'a full cycle of 6 cells', timeoutMs: 120_000, intervalMs: 50 },
    );
    assert.deepEqual(leaks, [], 'a window only ever has its own cell in flight');
    assert.ok(measuringSeen > 10, `the status was sampled while windows measured (${measuringSeen} times)`);
    assert.equal(status.mix, 'isolated');
    assert.deepEqual(
      status.rotation.cycle.cells.map((cell: { scenario: string; strategy: string }) => `${cell.scenario}/${cell.strategy}`),
      ['matrix/sequential', 'matrix/threads', 'matrix/processes', 'http/sequential', 'http/threads', 'http/processes'],
      'scenario by scenario, every strategy',
    );
    assert.equal(status.pools.processes.workers.length, 2);
    assert.ok(status.pools.processes.workers.every((worker: { pid: number }) => worker.pid !== daemon.pid));
    const cells = status.cells as { scenario: string; strategy: string; mix: string; jobsPerSecond: number; jobs: number; coresUsed: number }[];
    assert.equal(cells.length, 6, 'one latest window per cell');
    for (const cell of cells) assert.ok(cell.jobsPerSecond > 0 && cell.jobs > 0, `${cell.scenario}/${cell.strategy} ran jobs in its window: ${JSON.stringify(cell)}`);
    // Sequential http runs one request at a time, not LAB_CONCURRENCY=4 queued behind one slot: its latency is the upstream's (50 ± 10 ms), not 4 × that.
    const sequentialHttp = (status.cells as { scenario: string; strategy: string; latencyMs: { p50: number } }[]).find((cell) => cell.scenario === 'http' && cell.strategy === 'sequential')!;
    assert.ok(sequentialHttp.latencyMs.p50 < 120, `sequential http p50 ${sequentialHttp.latencyMs.p50} ms`);

    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    for (const cell of cells) {
      const labels = `scenario="${cell.scenario}",strategy="${cell.strategy}",mix="isolated"`;
      for (const name of ['lab_cell_jobs_per_second', 'lab_cell_cores_used', 'lab_cell_memory_bytes']) assert.match(metrics, new RegExp(`^${name}\\{${labels}\\} `, 'm'), `${name} for ${labels}`);
      for (const quantile of ['0.5', '0.99']) assert.match(metrics, new RegExp(`^lab_cell_latency_seconds\\{${labels},quantile="${quantile}"\\} `, 'm'));
      assert.match(metrics, new RegExp(`^lab_cell_event_loop_delay_seconds\\{${labels},quantile="0.99"\\} `, 'm'));
    }
    // lab_cell_active marks exactly the running cell; the status says the same (read right after).
    const [active] = (await getJson(`${daemon.url}/api/v1/status`)).rotation.cells as { scenario: string; strategy: string }[];
    const activeLines = (await (await fetch(`${daemon.url}/metrics`)).text()).split('\n').filter((line) => line.startsWith('lab_cell_active{') && line.endsWith(' 1'));
    assert.equal(activeLines.length, 1, activeLines.join('\n'));
    const still = (await getJson(`${daemon.url}/api/v1/status`)).rotation.cells[0];
    if (still.scenario === active!.scenario && still.strategy === active!.strategy) {
      assert.match(activeLines[0]!, new RegExp(`scenario="${active!.scenario}",strategy="${active!.strategy}",mix="isolated"`));
    }
    assert.match(daemon.output(), /latest window per cell \(isolated\):\nscenario\s+strategy\s+jobs\/s\s+p50 ms\s+p99 ms\s+errors\s+cores\s+loop p99 ms\s+MB/);
    assert.match(daemon.output(), /matrix on threads: [\d.]+ jobs\/s/);
  });

  it('mixed: every scenario at once under the active strategy, and it says so', async () => {
    const daemon = await startLabDaemon({ LAB_MIX: 'mixed', LAB_STRATEGIES: 'async,threads', LAB_SCENARIOS: 'matrix,http', LAB_ROTATE_SECONDS: '1', LAB_SIZES: SMALL_SIZES, LAB_WORKERS: '2', LAB_CONCURRENCY: '4' });
    started.push(daemon);
    const status = await waitFor(
      async () => {
        const current = await getJson(`${daemon.url}/api/v1/status`);
        return current.rotation.cycle.completed >= 1 ? current : undefined;
      },
      { description: 'a full mixed cycle', timeoutMs: 120_000, intervalMs: 100 },
    );
    assert.equal(status.mix, 'mixed');
    assert.equal(status.rotation.cycle.length, 2, 'one stage per strategy');
    const cells = status.cells as { scenario: string; strategy: string; mix: string; startedAt: string }[];
    assert.deepEqual(cells.map((cell) => `${cell.scenario}/${cell.strategy}/${cell.mix}`).toSorted(), ['http/async/mixed', 'http/threads/mixed', 'matrix/async/mixed', 'matrix/threads/mixed']);
    const threads = cells.filter((cell) => cell.strategy === 'threads');
    assert.equal(threads[0]!.startedAt, threads[1]!.startedAt, 'both scenarios share the strategy window');
    assert.match(await (await fetch(`${daemon.url}/metrics`)).text(), /^lab_cell_active\{scenario="http",strategy="(async|threads)",mix="mixed"\} 1$/m);
    assert.match(daemon.output(), /driver: mixed/);
    assert.match(daemon.output(), /latest window per cell \(mixed\)/);
  });

  it('on SIGTERM under load: finishes or cancels in-flight jobs within the grace period, exits 0, leaves no process behind', async () => {
    const graceMs = 3_000;
    const daemon = await startLabDaemon({ LAB_STRATEGIES: 'processes', LAB_MIX: 'mixed', LAB_SIZES: 'thumbnail=800,matrix=300,array=200000', LAB_WORKERS: '2', LAB_SHUTDOWN_GRACE_MS: String(graceMs), LAB_UPSTREAM_DELAY_MS: '200' });
    started.push(daemon);
    // Under load: every scenario at once (mixed), so jobs are in flight on the pool and the http lanes wait on the upstream.
    await waitFor(
      async () => {
        const status = await getJson(`${daemon.url}/api/v1/status`);
        return status.pools.processes.inFlight > 4;
      },
      { description: 'jobs in flight', timeoutMs: 30_000 },
    );
    const children = childPidsOf(daemon.pid);
    assert.ok(children.length >= 3, `pool children and the upstream are running: ${children}`);

    const stopAt = performance.now();
    daemon.child.kill('SIGTERM');
    const exit = await daemon.exited;
    const elapsedMs = performance.now() - stopAt;
    assert.deepEqual(exit, { code: 0, signal: null }, daemon.output());
    assert.ok(elapsedMs < graceMs + 3_000, `exited within the grace period (took ${Math.round(elapsedMs)} ms)`);
    await waitFor(() => children.every((pid) => !isAlive(pid)), { description: 'every child process to be gone', timeoutMs: 5_000 });
  });

  it('shuts down gracefully on a SIGTERM that arrives right after it listens, while the pools warm up', async () => {
    const daemon = await startLabDaemon({ LAB_STRATEGIES: 'threads,processes', LAB_WORKERS: '2' });
    started.push(daemon);
    daemon.child.kill('SIGTERM');
    assert.deepEqual(await daemon.exited, { code: 0, signal: null }, daemon.output());
    assert.match(daemon.output(), /SIGTERM: shutting down/);
  });

  it('does not wait for the upstream to answer a request it no longer needs', async () => {
    const daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'async', LAB_UPSTREAM_DELAY_MS: '20000', LAB_SHUTDOWN_GRACE_MS: '500' });
    started.push(daemon);
    await waitFor(async () => (await fetch(`${daemon.url}/readyz`)).ok, { description: 'ready' });
    const job = fetch(`${daemon.url}/api/v1/jobs/http?strategy=async`, { method: 'POST' }).then((response) => response.status, () => 0);
    await waitFor(async () => (await getJson(`${daemon.url}/api/v1/status`)).pools.async.inFlight === 1, { description: 'the http job to run' });
    const stopAt = performance.now();
    daemon.child.kill('SIGTERM');
    assert.deepEqual(await daemon.exited, { code: 0, signal: null }, daemon.output());
    const elapsedMs = performance.now() - stopAt;
    assert.ok(elapsedMs < 5_000, `stopped in ${Math.round(elapsedMs)} ms, not after the upstream's 20 s delay`);
    await job;
  });

  it('serves /healthz at once, /readyz 503 while the pools warm up and 200 once they are warm', async () => {
    // No pool worker finishes loading the fixture module until the test writes its gate file (the
    // main thread loads it at once), so the pools are still warming up for the first probes.
    const slowModule = fileURLToPath(new URL('../fixtures/scenarios/slow-in-workers.ts', import.meta.url));
    const gateDir = mkdtempSync(join(tmpdir(), 'lab-readiness-'));
    after(() => rmSync(gateDir, { recursive: true, force: true }));
    const gate = join(gateDir, 'open');
    const daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'threads,processes', LAB_WORKERS: '4', LAB_SCENARIO_MODULES: slowModule, LAB_TEST_WORKER_IMPORT_GATE: gate });
    started.push(daemon);
    const statuses: number[] = [];
    const probe = async (): Promise<boolean> => {
      const response = await fetch(`${daemon.url}/readyz`);
      await response.arrayBuffer();
      statuses.push(response.status);
      return response.status === 200;
    };
    assert.equal(await probe(), false, 'not ready right after it listens');
    // No worker has answered yet, so chaos has none to kill, and says why.
    const early = await fetch(`${daemon.url}/api/v1/chaos/kill-worker?strategy=threads`, { method: 'POST' });
    const earlyBody = (await early.json()) as { code: string; message: string };
    assert.equal(early.status, 409);
    assert.equal(earlyBody.code, 'LAB_ERR_CHAOS_NO_WORKER');
    assert.match(earlyBody.message, /none of its workers is ready yet/);
    assert.deepEqual(await getJson(`${daemon.url}/healthz`), { status: 'ok' });
    assert.equal(await probe(), false, 'still not ready while the workers wait on the gate');
    writeFileSync(gate, '');
    await waitFor(probe, { description: 'ready', timeoutMs: 60_000, intervalMs: 50 });
    assert.equal(statuses[0], 503);
    assert.equal(statuses.at(-1), 200);
    assert.ok(statuses.indexOf(200) > statuses.lastIndexOf(503), `503s, then 200s: ${statuses.join(',')}`);
    const status = await getJson(`${daemon.url}/api/v1/status`);
    assert.equal(status.driver, 'off');
    assert.equal(status.pools.threads.inFlight, 0, 'no driver, no jobs');
  });
});
