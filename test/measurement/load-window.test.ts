// The window figures the verdicts read, measured on a real main-thread strategy: jobs that
// block the event loop one after another (issue 17).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JobRunner } from '../../src/jobs/job-runner.ts';
import { type LoadResult, runClosedLoop } from '../../src/measurement/closed-loop.ts';
import { ResourceUsage } from '../../src/measurement/resource-usage.ts';
import { cellVerdict } from '../../src/report/verdict-rules.ts';
import { registerScenarios } from '../../src/scenarios/catalog.ts';
import { createStrategy } from '../../src/strategies/create-strategy.ts';
import type { Strategy } from '../../src/strategies/strategy.ts';

const BLOCK_MS = 300;

describe('a window of jobs that block the main thread longer than the window', () => {
  let strategy: Strategy;
  let usage: ResourceUsage;
  let result: LoadResult;

  before(async () => {
    registerScenarios([
      {
        name: 'block',
        kind: 'cpu',
        description: 'spins on the thread that runs it',
        size: { min: 1, max: 10_000, default: BLOCK_MS, unit: 'ms' },
        async run(ms) {
          const end = performance.now() + ms;
          while (performance.now() < end);
          return {};
        },
      },
    ]);
    strategy = createStrategy('async', 1, 1);
    await strategy.ready();
    usage = new ResourceUsage(() => new Map());
    const runner = new JobRunner({ strategies: new Map([[strategy.name, strategy]]), queueLimit: 10, timeoutMs: 60_000, upstreamUrl: undefined });
    // Three jobs of 300 ms chained on the loop, a 200 ms window: the loop never reaches its timers.
    result = await runClosedLoop({ runner, usage, scenario: 'block', kind: 'cpu', strategy: 'async', size: BLOCK_MS, concurrency: 3, durationMs: 200 });
  });
  after(async () => {
    await strategy?.close();
    usage?.close();
  });

  it('reports the loop delay as at least the window when the loop never turned, not NaN', () => {
    assert.equal(result.ok, 3);
    if (result.eventLoopDelaySamples === 0) assert.ok(result.eventLoopDelayP99Ms >= result.wallSeconds * 1000 - 10, `${result.eventLoopDelayP99Ms} ms over ${result.wallSeconds} s`);
    assert.ok(Number.isFinite(result.eventLoopDelayP99Ms) && result.eventLoopDelayP99Ms >= 2 * BLOCK_MS - 10, `loop p99 ${result.eventLoopDelayP99Ms} ms`);
  });

  it('measures one job running at a time, the main thread busy, jobs queueing behind it', () => {
    assert.ok(result.mainThreadUtilization > 0.9, `main thread busy ${result.mainThreadUtilization}`);
    assert.equal(result.jobThreadUtilization, result.mainThreadUtilization, 'on async the jobs run on the main thread');
    assert.ok(result.busyJobs > 0.8 && result.busyJobs <= 1.05, `${result.busyJobs} jobs running at once`);
    assert.ok(result.runMsMean >= BLOCK_MS && result.runMsMean < 2 * BLOCK_MS, `run ${result.runMsMean} ms`);
    assert.ok(result.queueMsMean >= BLOCK_MS * 0.9, `queue ${result.queueMsMean} ms: the second and third job waited for the first`);
    const verdict = cellVerdict({ strategy: 'async', kind: 'cpu', slots: Infinity, cores: 2, memoryBudgetBytes: 2 ** 40, figures: result });
    assert.equal(verdict.limit, 'cpu-main-thread', verdict.evidence);
  });
});
