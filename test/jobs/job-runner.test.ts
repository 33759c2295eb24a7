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
      await assert.rejects(runner.run({ scenario: 'http', kind: 'io', strategy, size: 10 }), { code: 'LAB_ERR_JOB_TIMEOUT' });
      assert.ok(performance.now() - started < 1_500, 'the timeout interrupts the request instead of waiting for the upstream');
      assert.equal(runner.inFlight, 0);
    });

    it(`${strategy}: an aborted signal cancels the job (LAB_ERR_JOB_CANCELLED)`, async () => {
      const runner = runnerWith();
      const controller = new AbortController();
      const job = runner.run({ scenario: 'http', kind: 'io', strategy, size: 10, signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(job, { code: 'LAB_ERR_JOB_CANCELLED' });
    });
  }

  for (const strategy of ['threads', 'processes'] as const) {
    it(`${strategy}: I/O jobs share a worker; cancelling or timing out one leaves its siblings and its worker alone`, async () => {
      const pool = strategies.find((each) => each.name === strategy)!;
      await pool.ready();
      const restartsBefore = pool.restarts();
      const workersBefore = pool.workers();
      const runner = runnerWith({ timeoutMs: 10_000 });
      // Ten 2-second requests on a pool of 2 workers: more than one per worker at once.
      const siblings = Array.from({ length: 10 }, () => runner.run({ scenario: 'http', kind: 'io', strategy, size: 10 }));
      const controller = new AbortController();
      const cancelled = runner.run({ scenario: 'http', kind: 'io', strategy, size: 10, signal: controller.signal });
      const timedOut = runnerWith({ timeoutMs: 300 }).run({ scenario: 'http', kind: 'io', strategy, size: 10 });
      await waitFor(() => runner.load(strategy).running === 11, { description: '11 I/O jobs running at once' });
      assert.ok(runner.load(strategy).running > pool.workerCount, 'more I/O jobs run than there are workers');
      controller.abort();
      await assert.rejects(cancelled, { code: 'LAB_ERR_JOB_CANCELLED' });
      await assert.rejects(timedOut, { code: 'LAB_ERR_JOB_TIMEOUT' });
      const reports = await Promise.all(siblings);
      assert.ok(reports.every((report) => report.result !== undefined), 'every sibling succeeded');
      const workersUsed = new Set(reports.map((report) => `${report.worker.pid}:${report.worker.threadId}`));
      assert.equal(workersUsed.size, 2, 'the siblings ran on both workers');
      assert.deepEqual(pool.restarts(), restartsBefore, 'no worker was ended');
      assert.deepEqual(pool.workers(), workersBefore, 'the same workers are alive');
    });

    it(`${strategy}: a cancelled running CPU job ends its worker, and the pool recovers`, async () => {
      const pool = strategies.find((each) => each.name === strategy)!;
      await pool.ready();
      const before = pool.restarts().cancel;
      const runner = runnerWith();
      const controller = new AbortController();
      // A matrix of 700 runs for seconds: long enough to be cancelled while it runs.
      const job = runner.run({ scenario: 'matrix', kind: 'cpu', strategy, size: 700, signal: controller.signal });
      await waitFor(() => runner.load(strategy).running === 1, { description: 'the CPU job to run' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = performance.now();
      controller.abort();
      await assert.rejects(job, { code: 'LAB_ERR_JOB_CANCELLED' });
      assert.ok(performance.now() - started < 500, 'the cancel does not wait for the multiply');
      await waitFor(() => pool.workers().length === 2 && pool.restarts().cancel === before + 1, { description: 'a replacement worker, counted as a cancel', timeoutMs: 10_000 });
      assert.equal((await runner.run({ scenario: 'noop', kind: 'cpu', strategy, size: 0 })).scenario, 'noop');
    });
  }

  it('past slots + queue limit, jobs are shed at once with LAB_ERR_QUEUE_FULL', async () => {
    const runner = runnerWith({ queueLimit: 3 });
    const controller = new AbortController();
    // sequential has 1 slot: 1 running + 3 queued are admitted, the 5th is shed.
    const admitted = Array.from({ length: 4 }, () => runner.run({ scenario: 'http', kind: 'io', strategy: 'sequential', size: 10, signal: controller.signal }).catch((error: unknown) => error));
    const started = performance.now();
    await assert.rejects(runner.run({ scenario: 'http', kind: 'io', strategy: 'sequential', size: 10 }), { code: 'LAB_ERR_QUEUE_FULL' });
    assert.ok(performance.now() - started < 100, 'shedding does not wait');
    assert.deepEqual(runner.load('sequential'), { inFlight: 4, running: 1, queued: 3, busyWorkers: 1 });
    controller.abort();
    await Promise.all(admitted);
  });

  it('async never queues: the limit bounds jobs in flight', async () => {
    const runner = runnerWith({ queueLimit: 4 });
    const controller = new AbortController();
    const admitted = Array.from({ length: 4 }, () => runner.run({ scenario: 'http', kind: 'io', strategy: 'async', size: 10, signal: controller.signal }).catch((error: unknown) => error));
    await assert.rejects(runner.run({ scenario: 'http', kind: 'io', strategy: 'async', size: 10 }), { code: 'LAB_ERR_QUEUE_FULL' });
    assert.deepEqual(runner.load('async'), { inFlight: 4, running: 4, queued: 0, busyWorkers: 1 });
    controller.abort();
    await Promise.all(admitted);
  });

  it('queue limit 0 means no queue on every strategy: a job starts at once or is shed, and async is not bounded', async () => {
    const runner = runnerWith({ queueLimit: 0 });
    const controller = new AbortController();
    // threads has 2 CPU slots: long matrix jobs hold them (cancelled at the end, which ends their workers).
    const running = [
      ...Array.from({ length: 2 }, () => runner.run({ scenario: 'matrix', kind: 'cpu', strategy: 'threads', size: 600, signal: controller.signal }).catch((error: unknown) => error)),
      runner.run({ scenario: 'http', kind: 'io', strategy: 'sequential', size: 10, signal: controller.signal }).catch((error: unknown) => error),
      ...Array.from({ length: 5 }, () => runner.run({ scenario: 'http', kind: 'io', strategy: 'async', size: 10, signal: controller.signal }).catch((error: unknown) => error)),
    ];
    await assert.rejects(runner.run({ scenario: 'matrix', kind: 'cpu', strategy: 'threads', size: 10 }), { code: 'LAB_ERR_QUEUE_FULL' });
    await assert.rejects(runner.run({ scenario: 'http', kind: 'io', strategy: 'sequential', size: 10 }), { code: 'LAB_ERR_QUEUE_FULL' });
    assert.deepEqual(runner.load('threads'), { inFlight: 2, running: 2, queued: 0, busyWorkers: 2 });
    assert.deepEqual(runner.load('async'), { inFlight: 5, running: 5, queued: 0, busyWorkers: 1 });
    controller.abort();
    await Promise.all(running);
    await strategies.find((strategy) => strategy.name === 'threads')!.ready();
  });

  it('errors from inside a worker keep their code across the boundary', async () => {
    const runner = new JobRunner({ strategies: new Map(strategies.map((strategy) => [strategy.name, strategy])), queueLimit: 10, timeoutMs: 10_000, upstreamUrl: 'http://127.0.0.1:9' });
    for (const strategy of ['threads', 'processes'] as const) {
      await assert.rejects(runner.run({ scenario: 'http', kind: 'io', strategy, size: 10 }), (error: { code: string; message: string }) => {
        assert.equal(error.code, 'LAB_ERR_UPSTREAM_FAILED');
        assert.match(error.message, /127\.0\.0\.1:9/);
        return true;
      });
    }
  });

  it('drain lets in-flight jobs finish within the grace period, then refuses new ones', async () => {
    const runner = runnerWith();
    const order: string[] = [];
    const job = runner.run({ scenario: 'matrix', kind: 'cpu', strategy: 'threads', size: 100 });
    void job.then(() => order.push('job settled'));
    const draining = runner.drain(5_000).then(() => order.push('drain resolved'));
    assert.equal(runner.inFlight, 1, 'the job is in flight when the drain starts');
    await draining;
    assert.deepEqual(order, ['job settled', 'drain resolved'], 'drain waited for the job');
    assert.equal((await job).scenario, 'matrix');
    await assert.rejects(runner.run({ scenario: 'noop', kind: 'cpu', strategy: 'async', size: 0 }), { code: 'LAB_ERR_SHUTTING_DOWN' });
  });

  it('drain cancels jobs still waiting for a slot at once, and lets running ones finish', async () => {
    const runner = runnerWith();
    // sequential has one slot: the first http job (2 s upstream) runs, the others wait.
    const running = runner.run({ scenario: 'http', kind: 'io', strategy: 'sequential', size: 10 });
    const waiting = [1, 2, 3].map(() => runner.run({ scenario: 'http', kind: 'io', strategy: 'sequential', size: 10 }));
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
    const job = assert.rejects(runner.run({ scenario: 'http', kind: 'io', strategy: 'processes', size: 10 }), { code: 'LAB_ERR_SHUTTING_DOWN' });
    const started = performance.now();
    await runner.drain(100);
    assert.ok(performance.now() - started < 1_500);
    await job;
  });
});
