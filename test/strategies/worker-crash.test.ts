import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobRunner } from '../../src/jobs/job-runner.ts';
import { createStrategy } from '../../src/strategies/create-strategy.ts';
import type { Strategy, WorkerIdentity } from '../../src/strategies/strategy.ts';
import { waitFor } from '../support/wait-for.ts';

const WORKERS = 2;
/** Long enough (hundreds of ms) that the kill lands while the job runs. */
const LONG_MATRIX = 500;

async function crashOneWorker(strategy: Strategy, kill: (worker: WorkerIdentity) => void): Promise<void> {
  const runner = new JobRunner({ strategies: new Map([[strategy.name, strategy]]), queueLimit: 10, timeoutMs: 60_000, upstreamUrl: undefined });
  try {
    await strategy.ready();
    const before = strategy.workers();
    assert.equal(before.length, WORKERS);

    // One long job per worker: both are dispatched at once, so each worker holds one job.
    const jobs = before.map(() => runner.run({ scenario: 'matrix', kind: 'cpu', strategy: strategy.name, size: LONG_MATRIX }).then((report) => ({ report }), (error: unknown) => ({ error })));
    const victim = before[0]!;
    kill(victim);
    const settled = await Promise.all(jobs);

    const failed = settled.filter((outcome) => 'error' in outcome);
    assert.equal(failed.length, 1, 'exactly the job on the killed worker fails');
    assert.equal((failed[0] as { error: { code: string } }).error.code, 'LAB_ERR_WORKER_CRASHED');
    const survivor = settled.find((outcome) => 'report' in outcome) as { report: { worker: WorkerIdentity } };
    assert.notDeepEqual(survivor.report.worker, victim, 'the other job ran on the other worker and succeeded');

    // The next jobs succeed, and the pool is back to full size with a new worker in place of the victim.
    for (let i = 0; i < 4; i++) await runner.run({ scenario: 'matrix', kind: 'cpu', strategy: strategy.name, size: 20 });
    const after = await waitFor(
      () => {
        const workers = strategy.workers();
        return workers.length === WORKERS ? workers : undefined;
      },
      { description: 'the pool to be back to full size', timeoutMs: 10_000 },
    );
    assert.ok(!after.some((worker) => worker.pid === victim.pid && worker.threadId === victim.threadId), 'the killed worker is gone');
    assert.equal(strategy.restarts().crash, 1);
  } finally {
    await strategy.close();
  }
}

describe('a worker that dies mid-job fails only that job; the pool replaces it', () => {
  it('a child process killed with SIGKILL', async () => {
    await crashOneWorker(createStrategy('processes', WORKERS), ({ pid }) => process.kill(pid, 'SIGKILL'));
  });

  it('a worker thread terminated', async () => {
    const strategy = createStrategy('threads', WORKERS);
    await crashOneWorker(strategy, (worker) => assert.ok(strategy.terminateWorker(worker)));
  });

  it('the main thread cannot be terminated through a strategy', () => {
    const strategy = createStrategy('async', WORKERS);
    assert.equal(strategy.terminateWorker({ pid: process.pid, threadId: 0 }), false);
  });
});
