import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMPARE_DEFAULTS, type ResolvedCompareOptions } from '../../src/report/compare-options.ts';
import { planCompare } from '../../src/report/compare-plan.ts';

const OPTIONS: ResolvedCompareOptions = {
  ...COMPARE_DEFAULTS,
  scenarios: ['matrix', 'http'],
  strategies: ['sequential', 'async', 'threads', 'processes'],
  ioConcurrency: [1, 16, 256, 4096],
  workers: 2,
  ioTasksPerWorker: 128,
  sizes: { thumbnail: 1600, matrix: 200, array: 500_000, http: 1024, noop: 0 },
};

describe('planCompare', () => {
  it('runs every CPU combination at 2 × workers, pools at every http level, sequential http only at the lowest level, and says why it skips', () => {
    const plan = planCompare(OPTIONS);
    const cpu = plan.runs.filter((run) => run.kind === 'cpu');
    assert.deepEqual(cpu.map((run) => [run.strategy, run.concurrency]), [['sequential', 4], ['async', 4], ['threads', 4], ['processes', 4]]);
    const io = (strategy: string): number[] => plan.runs.filter((run) => run.kind === 'io' && run.strategy === strategy).map((run) => run.concurrency);
    assert.deepEqual(io('sequential'), [1]);
    assert.deepEqual(io('async'), [1, 16, 256, 4096]);
    // 2 workers × 128 I/O jobs each: 4096 requests pass through 256 slots in 16 × 50 ms.
    assert.deepEqual(io('threads'), [1, 16, 256, 4096]);
    assert.deepEqual(io('processes'), [1, 16, 256, 4096]);
    const skipped = plan.skipped.map((skip) => `${skip.strategy}@${skip.concurrency}`);
    assert.deepEqual(skipped, ['sequential@16', 'sequential@256', 'sequential@4096']);
    assert.match(plan.skipped[0]!.reason, /sequential runs one request at a time/);
    // With one I/O job per worker the old limit comes back, and the plan says why.
    const narrow = planCompare({ ...OPTIONS, ioTasksPerWorker: 1 });
    assert.match(narrow.skipped.find((skip) => skip.strategy === 'threads')!.reason, /need 102\.4 s to pass through once, longer than the 10 s run/);
    assert.ok(plan.estimatedSeconds > plan.runs.length * 10, 'the estimate covers at least every measured run');
  });
});
