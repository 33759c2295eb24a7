import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { JobRunner } from '../../src/jobs/job-runner.ts';
import { createStrategy } from '../../src/strategies/create-strategy.ts';
import type { Strategy, WorkerIdentity } from '../../src/strategies/strategy.ts';
import { waitFor } from '../support/wait-for.ts';

const WORKERS = 2;

/**
 * An upstream that holds every request until released, and says when requests arrived: a
 * held http job is certainly running inside its worker when the worker is killed.
 */
async function holdingUpstream(): Promise<{ url: string; arrived(count: number): Promise<void>; release(): void; close(): Promise<void> }> {
  const held: ServerResponse[] = [];
  let onArrival = (): void => {};
  const server = createServer((_request, response) => {
    held.push(response);
    onArrival();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived: (count) =>
      new Promise<void>((resolve) => {
        onArrival = () => held.length >= count && resolve();
        onArrival();
      }),
    release: () => {
      for (const response of held.splice(0)) response.writeHead(200, { 'content-length': 2 }).end('ok');
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function crashOneWorker(strategy: Strategy, kill: (worker: WorkerIdentity) => void): Promise<void> {
  const upstream = await holdingUpstream();
  const runner = new JobRunner({ strategies: new Map([[strategy.name, strategy]]), queueLimit: 10, timeoutMs: 60_000, upstreamUrl: upstream.url });
  try {
    await strategy.ready();
    const before = strategy.workers();
    assert.equal(before.length, WORKERS);

    // One held http job per worker: once the upstream has both requests, each worker is
    // running its job, and the kill lands mid-job (not before the job reached the worker).
    const jobs = before.map(() => runner.run({ scenario: 'http', kind: 'io', strategy: strategy.name, size: 2 }).then((report) => ({ report }), (error: unknown) => ({ error })));
    await upstream.arrived(WORKERS);
    const victim = before[0]!;
    kill(victim);
    const crashed = await Promise.race(jobs);
    assert.ok('error' in crashed, 'the job on the killed worker fails while the other is still held');
    upstream.release();
    const settled = await Promise.all(jobs);

    const failed = settled.filter((outcome) => 'error' in outcome);
    const outcomes = settled.map((outcome) => ('error' in outcome ? (outcome.error as Error).message : outcome.report.worker));
    assert.equal(failed.length, 1, `exactly the job on the killed worker fails: ${JSON.stringify(outcomes)}`);
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
    upstream.release();
    await strategy.close();
    await upstream.close();
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
