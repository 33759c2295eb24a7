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
  sizes: { thumbnail: 1600, matrix: 200, array: 500_000, http: 1024, noop: 0 },
};

describe('planCompare', () => {
  it('runs every CPU combination at 2 × workers, sequential http only at the lowest level, and says why it skips', () => {
    const plan = planCompare(OPTIONS);
    const cpu = plan.runs.filter((run) => run.kind === 'cpu');
    assert.deepEqual(cpu.map((run) => [run.strategy, run.concurrency]), [['sequential', 4], ['async', 4], ['threads', 4], ['processes', 4]]);
    const io = (strategy: string): number[] => plan.runs.filter((run) => run.kind === 'io' && run.strategy === strategy).map((run) => run.concurrency);
    assert.deepEqual(io('sequential'), [1]);
    assert.deepEqual(io('async'), [1, 16, 256, 4096]);
    // 4096 requests through 2 slots at 50 ms each need 102 s, longer than the 10 s run.
    assert.deepEqual(io('threads'), [1, 16, 256]);
    const skipped = plan.skipped.map((skip) => `${skip.strategy}@${skip.concurrency}`);
    assert.deepEqual(skipped, ['sequential@16', 'sequential@256', 'sequential@4096', 'threads@4096', 'processes@4096']);
    assert.match(plan.skipped[0]!.reason, /sequential runs one request at a time/);
    assert.match(plan.skipped[3]!.reason, /need 102\.4 s to pass through once, longer than the 10 s run/);
    assert.ok(plan.estimatedSeconds > plan.runs.length * 10, 'the estimate covers at least every measured run');
  });
});
