import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { scrapeMetric } from '../support/scrape-metric.ts';
import { waitFor } from '../support/wait-for.ts';

interface PoolStatus {
  workers: Array<{ pid: number; threadId: number }>;
  restarts: { crash: number; cancel: number };
}

async function pool(daemon: LabDaemon, strategy: string): Promise<PoolStatus> {
  const status = (await (await fetch(`${daemon.url}/api/v1/status`)).json()) as { pools: Record<string, PoolStatus> };
  return status.pools[strategy]!;
}

async function killWorker(daemon: LabDaemon, query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${daemon.url}/api/v1/chaos/kill-worker${query}`, { method: 'POST' });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A matrix job of about a second here: the kill lands while it runs. */
const LONG_MATRIX = 700;

describe('worker chaos', () => {
  let daemon: LabDaemon;
  before(async () => {
    daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'threads,processes,sequential', LAB_WORKERS: '2' });
    await waitFor(async () => (await fetch(`${daemon.url}/readyz`)).status === 200, { description: 'the daemon to be ready' });
  });
  after(async () => {
    await daemon?.stop();
  });

  for (const strategy of ['threads', 'processes']) {
    it(`POST /api/v1/chaos/kill-worker?strategy=${strategy} fails only the job on that worker; the pool is full again within a second`, async () => {
      const restartsBefore = (await pool(daemon, strategy)).restarts.crash;
      const jobs = [0, 1].map(() =>
        fetch(`${daemon.url}/api/v1/jobs/matrix?strategy=${strategy}&size=${LONG_MATRIX}`, { method: 'POST' }).then(async (response) => ({ status: response.status, body: (await response.json()) as { code?: string; worker?: { pid: number; threadId: number } } })),
      );
      // Both jobs admitted (2 workers, so both running), and a moment for them to reach their workers.
      await waitFor(async () => (await scrapeMetric(daemon.url, 'lab_jobs_in_flight', { scenario: 'matrix', strategy })) === 2 || undefined, { description: 'two jobs in flight', intervalMs: 20 });
      await new Promise((resolve) => setTimeout(resolve, 150));
      const kill = await killWorker(daemon, `?strategy=${strategy}`);
      assert.equal(kill.status, 200, JSON.stringify(kill.body));
      assert.equal(kill.body.strategy, strategy);
      const victim = kill.body.killed as { pid: number; threadId: number };
      const answers = await Promise.all(jobs);
      const killedAtMs = Date.now();
      const failed = answers.filter((answer) => answer.status !== 200);
      assert.equal(failed.length, 1, JSON.stringify(answers));
      assert.equal(failed[0]!.status, 500);
      assert.equal(failed[0]!.body.code, 'LAB_ERR_WORKER_CRASHED');
      const survivor = answers.find((answer) => answer.status === 200)!;
      assert.notDeepEqual(survivor.body.worker, victim);
      const full = await waitFor(
        async () => {
          const status = await pool(daemon, strategy);
          return status.workers.length === 2 && !status.workers.some((worker) => worker.pid === victim.pid && worker.threadId === victim.threadId) ? status : undefined;
        },
        { description: 'the pool to be back to full size', timeoutMs: 5_000, intervalMs: 50 },
      );
      assert.ok(Date.now() - killedAtMs < 1_000, `full again after ${Date.now() - killedAtMs} ms`);
      assert.equal(full.restarts.crash, restartsBefore + 1);
    });
  }

  it('refuses strategies without workers, unknown ones and unknown parameters', async () => {
    const sequential = await killWorker(daemon, '?strategy=sequential');
    assert.equal(sequential.status, 409);
    assert.equal(sequential.body.code, 'LAB_ERR_CHAOS_NO_WORKER');
    assert.match(String(sequential.body.message), /runs on the main thread/);
    assert.equal((await killWorker(daemon, '?strategy=fibers')).body.code, 'LAB_ERR_STRATEGY_UNKNOWN');
    assert.equal((await killWorker(daemon, '?strategy=async')).body.code, 'LAB_ERR_STRATEGY_UNKNOWN');
    assert.equal((await killWorker(daemon, '?victim=1')).body.code, 'LAB_ERR_PARAM_INVALID');
    assert.equal((await fetch(`${daemon.url}/api/v1/chaos/kill-worker`)).status, 405);
  });
});

describe('LAB_CHAOS_KILL_INTERVAL_MS', () => {
  it('kills a worker of the busy active pool at that interval, once the pool is full again: only crashes fail, each counted', async () => {
    const daemon = await startLabDaemon({ LAB_STRATEGIES: 'processes', LAB_SCENARIOS: 'matrix', LAB_SIZES: 'matrix=150', LAB_WORKERS: '2', LAB_CHAOS_KILL_INTERVAL_MS: '500' });
    try {
      const status = await waitFor(
        async () => {
          const current = await pool(daemon, 'processes');
          return current.restarts.crash >= 3 ? current : undefined;
        },
        { description: 'three chaos kills counted as crashes', timeoutMs: 60_000, intervalMs: 100 },
      );
      const kills = daemon.output().match(/chaos: killed processes worker pid \d+/g)?.length ?? 0;
      assert.ok(kills >= status.restarts.crash, `${kills} kills logged, ${status.restarts.crash} crashes counted`);
      // Every failed job is one a kill took down: no more errors than kills.
      const errors = await scrapeMetric(daemon.url, 'lab_jobs_total', { scenario: 'matrix', strategy: 'processes', outcome: 'error' });
      assert.ok(errors >= 1 && errors <= kills + 1, `${errors} errors for ${kills} kills`);
      assert.ok((await scrapeMetric(daemon.url, 'lab_jobs_total', { scenario: 'matrix', strategy: 'processes', outcome: 'ok' })) > 0);
      // The timer waits for a full pool before it kills again, so the pool is full between kills.
      await waitFor(async () => (await pool(daemon, 'processes')).workers.length === 2, { description: 'the pool at full size', timeoutMs: 15_000, intervalMs: 20 });
    } finally {
      const exit = await daemon.stop();
      assert.equal(exit.code, 0);
    }
  });
});
