import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { waitFor } from '../support/wait-for.ts';

interface Worker {
  pid: number;
  threadId: number;
}

interface Pool {
  size: number;
  workers: Worker[];
  restarts: { crash: number; cancel: number };
}

/** A replacement loads the task entry before it takes jobs: 4.8–5.7 s measured on the shared 2-core VM at load average 12–15; the bound leaves room for a busier machine. */
const READY_WITHIN_MS = 15_000;

const key = (worker: Worker): string => `${worker.pid}:${worker.threadId}`;

describe('a worker killed while idle is replaced at once, not when the pool next needs it', () => {
  let daemon: LabDaemon;

  before(async () => {
    // The driver off: nothing runs on the pools, so every worker is idle when it is killed.
    daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'threads,processes', LAB_SCENARIOS: 'matrix', LAB_WORKERS: '2', OTEL_TRACES_SAMPLER: 'always_off' });
  });
  after(async () => {
    await daemon?.stop();
  });

  async function pool(strategy: string): Promise<Pool> {
    const status = (await (await fetch(`${daemon.url}/api/v1/status`)).json()) as { pools: Record<string, Pool> };
    return status.pools[strategy]!;
  }

  for (const strategy of ['threads', 'processes']) {
    it(`${strategy}: full size again within a second with no job sent, counted as a crash, and the replacement runs jobs`, async () => {
      const start = await pool(strategy);
      assert.equal(start.workers.length, 2);
      const killed = (await (await fetch(`${daemon.url}/api/v1/chaos/kill-worker?strategy=${strategy}`, { method: 'POST' })).json()) as { killed: Worker };
      const killedAtMs = performance.now();
      const refilled = await waitFor(
        async () => {
          const now = await pool(strategy);
          return now.workers.length === 2 && !now.workers.some((worker) => key(worker) === key(killed.killed)) && now;
        },
        // The README's claim is a second; 2 s leaves room for /api/v1/status answering late on a loaded machine (754 ms measured).
        { description: `the ${strategy} pool back at 2 workers without the killed one`, timeoutMs: 2_000, intervalMs: 25 },
      );
      const listedAfterMs = performance.now() - killedAtMs;
      assert.deepEqual(refilled.restarts, { crash: start.restarts.crash + 1, cancel: start.restarts.cancel });
      const replacement = refilled.workers.find((worker) => !start.workers.some((old) => key(old) === key(worker)))!;
      // Listed is not ready: the replacement loads the task entry (scenarios, sharp, the tracing
      // SDK) first, and the pool hands jobs to ready workers only. CPU jobs run one per worker, so
      // four at once reach every ready worker; once the replacement is among them, it is ready.
      const readyAfterMs = await waitFor(
        async () => {
          const answers = await Promise.all(
            Array.from({ length: 4 }, async () => {
              const response = await fetch(`${daemon.url}/api/v1/jobs/matrix?strategy=${strategy}&size=40`, { method: 'POST' });
              assert.equal(response.status, 200);
              return ((await response.json()) as { worker: Worker }).worker;
            }),
          );
          return answers.some((worker) => key(worker) === key(replacement)) && performance.now() - killedAtMs;
        },
        { description: `the replacement ${key(replacement)} to run a job`, timeoutMs: READY_WITHIN_MS, intervalMs: 20 },
      );
      process.stderr.write(`${strategy}: replacement listed ${(listedAfterMs).toFixed(0)} ms and ran its first job ${readyAfterMs.toFixed(0)} ms after the kill\n`);
    });
  }
});
