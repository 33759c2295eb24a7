import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JobRunner } from '../../src/jobs/job-runner.ts';
import type { Strategy, StrategyName } from '../../src/strategies/strategy.ts';
import { type RunningUpstream, startUpstream } from '../../src/upstream/upstream-server.ts';
import { closeAll, startAllStrategies } from '../support/strategies.ts';
import { waitFor } from '../support/wait-for.ts';

describe('job runner: timeouts, cancellation and bounded queues', () => {
  let strategies: Strategy[];
  let upstream: RunningUpstream;
  const runnerWith = (options: { queueLimit?: number; timeoutMs?: number } = {}): JobRunner =>
    new JobRunner({
      strategies: new Map(strategies.map((strategy) => [strategy.name, strategy])),
      queueLimit: options.queueLimit ?? 100,
      timeoutMs: options.timeoutMs ?? 30_000,
      upstreamUrl: upstream.url,
    });

  before(async () => {
    // A slow upstream makes http jobs long without burning CPU.
    upstream = await startUpstream({ host: '127.0.0.1', port: 0, delayMs: 2_000, jitterMs: 0 });
    strategies = await startAllStrategies(2);
  });
  after(async () => {
    await closeAll(strategies ?? []);
    await upstream?.close();
  });

  for (const strategy of ['sequential', 'async', 'threads', 'processes'] as const satisfies StrategyName[]) {
    it(`${strategy}: a job past its timeout fails with LAB_ERR_JOB_TIMEOUT promptly`, async () => {
      const runner = runnerWith({ timeoutMs: 150 });
      const started = performance.now();
      await assert.rejects(runner.run({ scenario: 'http', strategy, size: 10 }), { code: 'LAB_ERR_JOB_TIMEOUT' });
      assert.ok(performance.now() - started < 1_500, 'the timeout interrupts the request instead of waiting for the upstream');
      assert.equal(runner.inFlight, 0);
    });

    it(`${strategy}: an aborted signal cancels the job (LAB_ERR_JOB_CANCELLED)`, async () => {
      const runner = runnerWith();
      const controller = new AbortController();
      const job = runner.run({ scenario: 'http', strategy, size: 10, signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(job, { code: 'LAB_ERR_JOB_CANCELLED' });
    });
  }

  it('a cancelled running job on a pool costs a worker, and the pool recovers', async () => {
    const threads = strategies.find((strategy) => strategy.name === 'threads')!;
    // Earlier tests recycled workers; a replacement still booting would hold the job in
    // piscina's queue, and aborting a queued job rightly costs no worker.
    await threads.ready();
    const before = threads.restarts().cancel;
    const runner = runnerWith({ timeoutMs: 300 });
    await assert.rejects(runner.run({ scenario: 'http', strategy: 'threads', size: 10 }), { code: 'LAB_ERR_JOB_TIMEOUT' });
    await waitFor(() => threads.workers().length === 2 && threads.restarts().cancel === before + 1, { description: 'a replacement worker', timeoutMs: 10_000 });
    assert.equal((await runner.run({ scenario: 'noop', strategy: 'threads', size: 0 })).scenario, 'noop');
  });

  it('past slots + queue limit, jobs are shed at once with LAB_ERR_QUEUE_FULL', async () => {
    const runner = runnerWith({ queueLimit: 3 });
    const controller = new AbortController();
    // threads has 2 slots: 2 running + 3 queued are admitted, the 6th is shed.
    const admitted = Array.from({ length: 5 }, () => runner.run({ scenario: 'http', strategy: 'threads', size: 10, signal: controller.signal }).catch((error: unknown) => error));
    const started = performance.now();
    await assert.rejects(runner.run({ scenario: 'http', strategy: 'threads', size: 10 }), { code: 'LAB_ERR_QUEUE_FULL' });
    assert.ok(performance.now() - started < 100, 'shedding does not wait');
    assert.deepEqual(runner.load('threads'), { inFlight: 5, busy: 2, queued: 3 });
    controller.abort();
    await Promise.all(admitted);
  });

  it('async never queues: the limit bounds jobs in flight', async () => {
    const runner = runnerWith({ queueLimit: 4 });
    const controller = new AbortController();
    const admitted = Array.from({ length: 4 }, () => runner.run({ scenario: 'http', strategy: 'async', size: 10, signal: controller.signal }).catch((error: unknown) => error));
    await assert.rejects(runner.run({ scenario: 'http', strategy: 'async', size: 10 }), { code: 'LAB_ERR_QUEUE_FULL' });
    assert.deepEqual(runner.load('async'), { inFlight: 4, busy: 4, queued: 0 });
    controller.abort();
    await Promise.all(admitted);
  });

  it('queue limit 0 means no queue on every strategy: a job starts at once or is shed, and async is not bounded', async () => {
    const runner = runnerWith({ queueLimit: 0 });
    const controller = new AbortController();
    const running = [
      ...Array.from({ length: 2 }, () => runner.run({ scenario: 'http', strategy: 'threads', size: 10, signal: controller.signal }).catch((error: unknown) => error)),
      runner.run({ scenario: 'http', strategy: 'sequential', size: 10, signal: controller.signal }).catch((error: unknown) => error),
      ...Array.from({ length: 5 }, () => runner.run({ scenario: 'http', strategy: 'async', size: 10, signal: controller.signal }).catch((error: unknown) => error)),
    ];
    await assert.rejects(runner.run({ scenario: 'http', strategy: 'threads', size: 10 }), { code: 'LAB_ERR_QUEUE_FULL' });
    await assert.rejects(runner.run({ scenario: 'http', strategy: 'sequential', size: 10 }), { code: 'LAB_ERR_QUEUE_FULL' });
    assert.deepEqual(runner.load('threads'), { inFlight: 2, busy: 2, queued: 0 });
    assert.deepEqual(runner.load('async'), { inFlight: 5, busy: 5, queued: 0 });
    controller.abort();
    await Promise.all(running);
  });

  it('errors from inside a worker keep their code across the boundary', async () => {
    const runner = new JobRunner({ strategies: new Map(strategies.map((strategy) => [strategy.name, strategy])), queueLimit: 10, timeoutMs: 10_000, upstreamUrl: 'http://127.0.0.1:9' });
    for (const strategy of ['threads', 'processes'] as const) {
      await assert.rejects(runner.run({ scenario: 'http', strategy, size: 10 }), (error: { code: string; message: string }) => {
        assert.equal(error.code, 'LAB_ERR_UPSTREAM_FAILED');
        assert.match(error.message, /127\.0\.0\.1:9/);
        return true;
      });
    }
  });

  it('drain lets in-flight jobs finish within the grace period, then refuses new ones', async () => {
    const runner = runnerWith();
    const order: string[] = [];
    const job = runner.run({ scenario: 'matrix', strategy: 'threads', size: 100 });
    void job.then(() => order.push('job settled'));
    const draining = runner.drain(5_000).then(() => order.push('drain resolved'));
    assert.equal(runner.inFlight, 1, 'the job is in flight when the drain starts');
    await draining;
    assert.deepEqual(order, ['job settled', 'drain resolved'], 'drain waited for the job');
    assert.equal((await job).scenario, 'matrix');
    await assert.rejects(runner.run({ scenario: 'noop', strategy: 'async', size: 0 }), { code: 'LAB_ERR_SHUTTING_DOWN' });
  });

  it('drain cancels jobs still waiting for a slot at once, and lets running ones finish', async () => {
    const runner = runnerWith();
    // sequential has one slot: the first http job (2 s upstream) runs, the others wait.
    const running = runner.run({ scenario: 'http', strategy: 'sequential', size: 10 });
    const waiting = [1, 2, 3].map(() => runner.run({ scenario: 'http', strategy: 'sequential', size: 10 }));
    await waitFor(() => runner.load('sequential').queued === 3, { description: 'three jobs waiting' });
    const started = performance.now();
    const draining = runner.drain(10_000);
    for (const job of waiting) await assert.rejects(job, { code: 'LAB_ERR_SHUTTING_DOWN' });
    assert.ok(performance.now() - started < 500, 'waiting jobs were cancelled at once');
    assert.equal((await running).scenario, 'http');
    await draining;
  });

  it('drain cancels jobs still running at the deadline', async () => {
    const runner = runnerWith();
    const job = assert.rejects(runner.run({ scenario: 'http', strategy: 'processes', size: 10 }), { code: 'LAB_ERR_SHUTTING_DOWN' });
    const started = performance.now();
    await runner.drain(100);
    assert.ok(performance.now() - started < 1_500);
    await job;
  });
});
