import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMPARE_DEFAULTS, type ResolvedCompareOptions } from '../../src/report/compare-options.ts';
import { type PlannedRun, planCompare } from '../../src/report/compare-plan.ts';

const OPTIONS: ResolvedCompareOptions = {
  ...COMPARE_DEFAULTS,
  scenarios: ['matrix', 'http'],
  strategies: ['sequential', 'async', 'threads', 'processes'],
  ioConcurrency: [1, 16, 256, 4096],
  workers: 2,
  ioTasksPerWorker: 128,
  sizes: { thumbnail: 1600, matrix: 200, array: 500_000, http: 1024, noop: 0 },
};

const name = (run: PlannedRun): string => (run.reference ? `${run.strategy}×${run.workers}` : run.strategy);

describe('planCompare', () => {
  it('interleaves the rounds of every CPU scenario (A B C R, R C B A, A B C R) with the one-worker threads reference among them', () => {
    const plan = planCompare({ ...OPTIONS, scenarios: ['thumbnail', 'matrix'], strategies: ['sequential', 'threads', 'processes'], rounds: 3 });
    const order = plan.runs.map((run) => `${run.scenario}:${name(run)}#${run.round}`);
    const forward = ['sequential', 'threads', 'processes', 'threads×1'];
    const backward = [...forward].reverse();
    const expected = ['thumbnail', 'matrix'].flatMap((scenario) =>
      [forward, backward, forward].flatMap((strategies, index) => strategies.map((strategy) => `${scenario}:${strategy}#${index + 1}`)),
    );
    assert.deepEqual(order, expected);
    for (const run of plan.runs) {
      assert.equal(run.rounds, 3);
      // The reference is threads with one worker at 2 × its one slot in flight; the compared cells use the full pool at 2 × workers.
      assert.deepEqual([run.workers, run.concurrency], run.reference ? [1, 2] : [2, 4], name(run));
    }
  });

  it('interleaves http cells by their I/O rounds, one round unless told otherwise', () => {
    const once = planCompare({ ...OPTIONS, scenarios: ['http'], strategies: ['async', 'threads'], ioConcurrency: [1, 16] });
    assert.deepEqual(once.runs.map((run) => `${run.strategy}@${run.concurrency}#${run.round}`), ['async@1#1', 'async@16#1', 'threads@1#1', 'threads@16#1']);
    const twice = planCompare({ ...OPTIONS, scenarios: ['http'], strategies: ['async', 'threads'], ioConcurrency: [1, 16], ioRounds: 2 });
    assert.deepEqual(twice.runs.map((run) => `${run.strategy}@${run.concurrency}#${run.round}`), [
      ...['async@1#1', 'async@16#1', 'threads@1#1', 'threads@16#1'],
      ...['threads@16#2', 'threads@1#2', 'async@16#2', 'async@1#2'],
    ]);
    assert.ok(twice.runs.every((run) => !run.reference), 'http gets no one-worker reference');
  });

  it('adds no reference without a pool, and none when the compared threads pool already has one worker', () => {
    const mainThread = planCompare({ ...OPTIONS, scenarios: ['matrix'], strategies: ['sequential', 'async'] });
    assert.ok(mainThread.runs.every((run) => !run.reference));
    const single = planCompare({ ...OPTIONS, scenarios: ['matrix'], strategies: ['sequential', 'threads'], workers: 1, rounds: 1 });
    assert.deepEqual(single.runs.map(name), ['sequential', 'threads']);
    const processesOnly = planCompare({ ...OPTIONS, scenarios: ['matrix'], strategies: ['processes'], workers: 1, rounds: 1 });
    assert.deepEqual(processesOnly.runs.map(name), ['processes', 'threads×1']);
  });

  it('runs every CPU combination at 2 × workers, pools at every http level, sequential http only at the lowest level, and says why it skips', () => {
    const plan = planCompare(OPTIONS);
    const firstRound = plan.runs.filter((run) => run.round === 1);
    const cpu = firstRound.filter((run) => run.kind === 'cpu');
    assert.deepEqual(cpu.map((run) => [name(run), run.concurrency]), [['sequential', 4], ['async', 4], ['threads', 4], ['processes', 4], ['threads×1', 2]]);
    assert.equal(plan.runs.filter((run) => run.kind === 'cpu').length, 3 * 5, 'three rounds of five CPU cells by default');
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
    assert.deepEqual(narrow.skipped.filter((skip) => skip.strategy === 'threads').map((skip) => skip.concurrency), [256, 4096]);
    assert.match(narrow.skipped.find((skip) => skip.strategy === 'threads')!.reason, /256 in flight need 6\.4 s to pass through once, longer than the 4 s round/);
    const measuredSeconds = plan.runs.length * ((OPTIONS.durationMs + OPTIONS.warmupMs) / 1000);
    assert.ok(plan.estimatedSeconds > measuredSeconds, `the estimate (${plan.estimatedSeconds} s) covers at least every round's warm-up and measured run (${measuredSeconds} s)`);
    assert.ok(plan.steps.every((step) => step.language === 'node'), 'no Python rows without --python');
  });

  it('with --python, puts the Python rows among the Node cells of their scenario in every round (A B P Q, Q P B A), so both see the same drift', () => {
    const python = { executable: '/usr/bin/python3', python: '3.13.5', pillow: '11.1.0', requests: '2.32.3', aiohttp: '3.11.16' };
    const plan = planCompare({ ...OPTIONS, scenarios: ['matrix', 'array', 'http'], strategies: ['sequential', 'threads'], ioConcurrency: [1, 16], workers: 1, rounds: 2, python });
    const order = plan.steps.map((step) => (step.language === 'node' ? `${step.run.scenario}:${step.run.strategy}@${step.run.concurrency}#${step.run.round}` : `py-${step.run.workload}:${step.run.model}@${step.run.concurrency}#${step.run.round}`));
    assert.deepEqual(order, [
      'matrix:sequential@2#1', 'matrix:threads@2#1', 'py-matrix:sequential@1#1', 'py-matrix:processes@2#1', 'py-matrix:threads@2#1',
      'py-matrix:threads@2#2', 'py-matrix:processes@2#2', 'py-matrix:sequential@1#2', 'matrix:threads@2#2', 'matrix:sequential@2#2',
      // array has no Python code in the talk: Node cells only.
      'array:sequential@2#1', 'array:threads@2#1', 'array:threads@2#2', 'array:sequential@2#2',
      // http: --io-rounds 1; sequential at the lowest level only.
      'http:sequential@1#1', 'http:threads@1#1', 'http:threads@16#1', 'py-http:threads@1#1', 'py-http:asyncio@1#1', 'py-http:threads@16#1', 'py-http:asyncio@16#1',
    ]);
    assert.deepEqual(plan.runs, plan.steps.flatMap((step) => (step.language === 'node' ? [step.run] : [])), 'runs are the Node steps in order');
    const pythonSeconds = plan.steps.filter((step) => step.language === 'python').reduce((sum, step) => sum + step.run.expectedSeconds, 0);
    assert.ok(pythonSeconds >= 11 * ((OPTIONS.durationMs + OPTIONS.warmupMs) / 1000), 'the estimate counts every Python round');
  });
});
