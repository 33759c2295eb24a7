import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { scrapeMetric } from '../support/scrape-metric.ts';
import { waitFor } from '../support/wait-for.ts';

/** Long enough that a job is surely still running when its client goes away. */
const UPSTREAM_DELAY_MS = 5000;
const STRATEGIES = ['sequential', 'async', 'threads', 'processes'] as const;

interface PoolLoad {
  inFlight: number;
  running: number;
  queued: number;
}

async function poolLoad(daemon: LabDaemon, strategy: string): Promise<PoolLoad> {
  const status = (await (await fetch(`${daemon.url}/api/v1/status`)).json()) as { pools: Record<string, PoolLoad> };
  return status.pools[strategy]!;
}

/** Starts a job whose request can be aborted; the promise settles when the request ends. */
function startJob(daemon: LabDaemon, strategy: string): { controller: AbortController; done: Promise<number | 'aborted'> } {
  const controller = new AbortController();
  const done = fetch(`${daemon.url}/api/v1/jobs/http?strategy=${strategy}&size=64`, { method: 'POST', signal: controller.signal }).then(
    async (response) => {
      await response.body?.cancel();
      return response.status;
    },
    (error: unknown) => {
      if ((error as Error).name === 'AbortError') return 'aborted' as const;
      throw error;
    },
  );
  return { controller, done };
}

describe('a client that disconnects cancels its job', () => {
  let daemon: LabDaemon;

  before(async () => {
    daemon = await startLabDaemon({
      LAB_DRIVER: 'off',
      LAB_STRATEGIES: STRATEGIES.join(','),
      LAB_WORKERS: '2',
      LAB_UPSTREAM_DELAY_MS: String(UPSTREAM_DELAY_MS),
      LAB_UPSTREAM_JITTER_MS: '0',
    });
  });

  after(async () => {
    await daemon?.stop();
  });

  for (const strategy of STRATEGIES) {
    it(`${strategy}: a running job is cancelled and counted`, async () => {
      const cancelledBefore = await scrapeMetric(daemon.url, 'lab_jobs_total', { outcome: 'cancelled', strategy });
      const job = startJob(daemon, strategy);
      try {
        await waitFor(async () => (await poolLoad(daemon, strategy)).running === 1, { description: `a running ${strategy} job`, timeoutMs: 5000, intervalMs: 50 });
        job.controller.abort();
        assert.equal(await job.done, 'aborted');
        // Cancelled, not finished: in flight drops back to 0 and the outcome says so well
        // before the upstream would have answered.
        await waitFor(async () => (await poolLoad(daemon, strategy)).inFlight === 0, {
          description: `${strategy} in flight back to 0`,
          timeoutMs: UPSTREAM_DELAY_MS - 1000,
          intervalMs: 50,
        });
        const cancelled = await scrapeMetric(daemon.url, 'lab_jobs_total', { outcome: 'cancelled', strategy });
        assert.equal(cancelled - cancelledBefore, 1, `lab_jobs_total{outcome="cancelled",strategy="${strategy}"}`);
      } finally {
        job.controller.abort();
      }
    });
  }

  it('sequential: a job still waiting in the queue is cancelled without running, the running one goes on', async () => {
    const cancelledBefore = await scrapeMetric(daemon.url, 'lab_jobs_total', { outcome: 'cancelled', strategy: 'sequential' });
    const running = startJob(daemon, 'sequential');
    const waiting = startJob(daemon, 'sequential');
    try {
      await waitFor(
        async () => {
          const load = await poolLoad(daemon, 'sequential');
          return load.running === 1 && load.queued === 1;
        },
        { description: 'one sequential job running, one queued', timeoutMs: 5000, intervalMs: 50 },
      );
      waiting.controller.abort();
      assert.equal(await waiting.done, 'aborted');
      const load = await waitFor(
        async () => {
          const current = await poolLoad(daemon, 'sequential');
          return current.queued === 0 ? current : undefined;
        },
        { description: 'the queue empty again', timeoutMs: UPSTREAM_DELAY_MS - 1000, intervalMs: 50 },
      );
      assert.equal(load.running, 1, 'the first job still runs');
      assert.equal((await scrapeMetric(daemon.url, 'lab_jobs_total', { outcome: 'cancelled', strategy: 'sequential' })) - cancelledBefore, 1);
      running.controller.abort();
      assert.equal(await running.done, 'aborted');
    } finally {
      running.controller.abort();
      waiting.controller.abort();
    }
  });
});
