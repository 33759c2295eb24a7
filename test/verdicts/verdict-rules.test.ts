// The verdict rules at their thresholds (src/report/verdict-rules.ts): each rule fires at its
// threshold and not just below it, and the rules are tried in the documented order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellVerdict, LIMITS, memoryBudgetBytes, type VerdictInput, VERDICT_THRESHOLDS as T } from '../../src/report/verdict-rules.ts';
import { recommendStrategies, type RecommendationRow } from '../../src/report/verdict-recommendation.ts';

const GB = 2 ** 30;
const EPSILON = 1e-9;

/** A pool cell limited by nothing: half the cores, some jobs running, an idle main loop. */
function input(figures: Partial<VerdictInput['figures']> = {}, rest: Partial<Omit<VerdictInput, 'figures'>> = {}): VerdictInput {
  return {
    strategy: 'threads',
    kind: 'cpu',
    slots: 2,
    cores: 2,
    memoryBudgetBytes: 16 * GB,
    ...rest,
    figures: {
      coresUsed: 1,
      eventLoopDelayP99Ms: 5,
      memoryBytes: 1 * GB,
      queueMsMean: 0,
      runMsMean: 20,
      busyJobs: 1,
      mainThreadUtilization: 0.1,
      gcShare: 0.01,
      jobThreadUtilization: 0.9,
      ...figures,
    },
  };
}
const limit = (value: VerdictInput): string => cellVerdict(value).limit;

describe('verdict rules at their thresholds', () => {
  it('the base case is none, and says its figures', () => {
    assert.deepEqual(cellVerdict(input()), { limit: 'none', evidence: '1.00 of 2 cores, loop p99 5.0 ms, 1.0 jobs running' });
  });

  it(`memory-bound at ${T.memoryShareOfBudget} of the budget`, () => {
    assert.equal(limit(input({ memoryBytes: T.memoryShareOfBudget * 16 * GB })), 'memory-bound');
    assert.equal(limit(input({ memoryBytes: (T.memoryShareOfBudget - 0.01) * 16 * GB })), 'none');
    assert.match(cellVerdict(input({ memoryBytes: 15 * GB })).evidence, /^15360 MB is 94 % of the 16384 MB budget$/);
  });

  it(`gc-heavy at a GC share of ${T.gcShare}`, () => {
    assert.equal(limit(input({ gcShare: T.gcShare })), 'gc-heavy');
    assert.equal(limit(input({ gcShare: T.gcShare - EPSILON })), 'none');
  });

  it(`cpu-main-thread: sequential or async, main loop busy ${T.mainThreadUtilization}, at most ${T.mainThreadRunningJobs} jobs running`, () => {
    const main = { mainThreadUtilization: T.mainThreadUtilization, busyJobs: 1, eventLoopDelayP99Ms: 300, jobThreadUtilization: T.mainThreadUtilization };
    for (const strategy of ['sequential', 'async'] as const) assert.equal(limit(input(main, { strategy })), 'cpu-main-thread');
    assert.equal(limit(input({ ...main, mainThreadUtilization: T.mainThreadUtilization - EPSILON }, { strategy: 'async' })), 'loop-blocked', 'below it, the loop delay decides');
    assert.equal(limit(input({ ...main, busyJobs: T.mainThreadRunningJobs + EPSILON }, { strategy: 'async' })), 'loop-blocked', 'many jobs side by side are not one computation');
    assert.equal(limit(input(main, { strategy: 'threads' })), 'loop-blocked', 'a pool computes elsewhere');
    assert.match(cellVerdict(input(main, { strategy: 'async' })).evidence, /^main thread busy 90 % running 1\.0 job at a time, 1\.00 of 2 cores, loop p99 300\.0 ms$/);
  });

  it(`loop-blocked at a loop p99 of ${T.loopDelayP99Ms} ms with the loop busy ${T.loopBlockedUtilization}`, () => {
    assert.equal(limit(input({ eventLoopDelayP99Ms: T.loopDelayP99Ms, mainThreadUtilization: T.loopBlockedUtilization })), 'loop-blocked');
    assert.equal(limit(input({ eventLoopDelayP99Ms: T.loopDelayP99Ms - EPSILON, mainThreadUtilization: 0.6 })), 'none');
    assert.equal(limit(input({ eventLoopDelayP99Ms: 500, mainThreadUtilization: T.loopBlockedUtilization - EPSILON })), 'none', 'a delay with an idle loop is the machine, not the loop');
  });

  it(`cpu-cores at ${T.coresShare} of the cores`, () => {
    assert.equal(limit(input({ coresUsed: T.coresShare * 2 })), 'cpu-cores');
    assert.equal(limit(input({ coresUsed: T.coresShare * 2 - EPSILON })), 'none');
    assert.equal(limit(input({ coresUsed: T.coresShare * 8 }, { cores: 8 })), 'cpu-cores');
  });

  it(`upstream-bound: job threads busy at most ${T.waitingUtilization} while at least ${T.waitingRunningJobs} jobs run`, () => {
    assert.equal(limit(input({ jobThreadUtilization: T.waitingUtilization, busyJobs: 60, coresUsed: 0.3 }, { kind: 'io', slots: 256 })), 'upstream-bound');
    assert.equal(limit(input({ jobThreadUtilization: T.waitingUtilization + EPSILON, busyJobs: 60 }, { kind: 'io', slots: 256 })), 'none');
    assert.equal(limit(input({ jobThreadUtilization: 0.05, busyJobs: T.waitingRunningJobs - EPSILON })), 'none', 'no jobs running: nothing waited');
    assert.notEqual(limit(input({ jobThreadUtilization: 0.13, busyJobs: 1, coresUsed: 1.02 }, { kind: 'cpu', strategy: 'sequential', slots: 1 })), 'upstream-bound', 'a CPU job on native threads (sharp) waits for no upstream');
    assert.match(cellVerdict(input({ jobThreadUtilization: 0.05, busyJobs: 52.4, runMsMean: 31.2, coresUsed: 0.13 }, { kind: 'io', strategy: 'async', slots: Infinity })).evidence, /^52\.4 jobs running, the main thread busy 5 %: they wait \(31\.2 ms each\); 0\.13 of 2 cores$/);
  });

  it(`pool-saturated: ${T.busySlotsShare} of the slots busy and a queue wait of ${T.queueOverRun} × the run time`, () => {
    const full = { busyJobs: T.busySlotsShare * 2, queueMsMean: T.queueOverRun * 20, runMsMean: 20 };
    assert.equal(limit(input(full)), 'pool-saturated');
    assert.equal(limit(input({ ...full, busyJobs: T.busySlotsShare * 2 - EPSILON })), 'none');
    assert.equal(limit(input({ ...full, queueMsMean: T.queueOverRun * 20 - EPSILON })), 'none');
    assert.equal(limit(input({ ...full, busyJobs: 1 }, { strategy: 'sequential', slots: 1 })), 'pool-saturated', 'sequential has one slot');
    assert.equal(limit(input({ ...full, busyJobs: 1000 }, { strategy: 'async', slots: Infinity })), 'none', 'async has no slots to fill');
  });

  it('tries the rules in the order of LIMITS: the first that holds wins', () => {
    const everything = { memoryBytes: 15 * GB, gcShare: 0.5, mainThreadUtilization: 1, busyJobs: 1, eventLoopDelayP99Ms: 500, coresUsed: 2, jobThreadUtilization: 0.1, queueMsMean: 100 };
    const seen: string[] = [];
    let figures: Partial<VerdictInput['figures']> = everything;
    const clear: Partial<VerdictInput['figures']>[] = [{ memoryBytes: GB }, { gcShare: 0 }, { mainThreadUtilization: 0.6 }, { eventLoopDelayP99Ms: 5 }, { coresUsed: 0.1 }, { jobThreadUtilization: 0.9, busyJobs: 2 }, { queueMsMean: 0 }];
    for (const step of [{}, ...clear]) {
      figures = { ...figures, ...step };
      seen.push(limit(input(figures, { strategy: 'sequential', kind: 'io', slots: 2 })));
    }
    assert.deepEqual(seen, [...LIMITS]);
  });

  it('the memory budget is the cgroup limit when it is below the machine memory', () => {
    assert.equal(memoryBudgetBytes(24 * GB, 4 * GB), 4 * GB);
    assert.equal(memoryBudgetBytes(24 * GB, 2 ** 62), 24 * GB);
    assert.equal(memoryBudgetBytes(24 * GB, 0), 24 * GB);
    assert.equal(memoryBudgetBytes(24 * GB, undefined), 24 * GB);
  });
});

describe('the recommendation per scenario', () => {
  const verdict = (name: string) => ({ limit: name as never, evidence: `${name} evidence` });
  const row = (strategy: RecommendationRow['strategy'], jobsPerSecond: number, limitName: string, concurrency = 4): RecommendationRow => ({
    scenario: 'collatz',
    strategy,
    concurrency,
    jobsPerSecond,
    coresUsed: strategy === 'threads' || strategy === 'processes' ? 1.96 : 1,
    eventLoopDelayP99Ms: strategy === 'threads' || strategy === 'processes' ? 4.8 : 240,
    verdict: verdict(limitName),
  });

  it('names the fastest, the runner-up and the margin, and what limited the slowest', () => {
    const [recommendation] = recommendStrategies([row('sequential', 10, 'cpu-main-thread'), row('async', 10.5, 'cpu-main-thread'), row('threads', 19.6, 'cpu-cores'), row('processes', 18.2, 'cpu-cores')], 2);
    assert.equal(recommendation!.strategy, 'threads');
    assert.deepEqual(recommendation!.runnerUp, { strategy: 'processes', concurrency: 4, jobsPerSecond: 18.2 });
    assert.equal(recommendation!.margin!.toFixed(3), (19.6 / 18.2).toFixed(3));
    assert.equal(
      recommendation!.why,
      'threads: 19.6 jobs/s at 4 in flight, 1.96 of 2 cores, loop p99 4.8 ms (cpu-cores); runner-up processes 18.2 jobs/s, 1.08×; slowest sequential 10.0 jobs/s, cpu-main-thread: cpu-main-thread evidence',
    );
  });

  it('takes each strategy at its best concurrency and leaves out scenarios without a successful job', () => {
    const rows = [row('async', 1000, 'upstream-bound', 16), row('async', 1700, 'upstream-bound', 256), row('threads', 1550, 'upstream-bound', 256), row('threads', 0, 'none', 4096)].map((r) => ({ ...r, scenario: 'wait' }));
    const [recommendation] = recommendStrategies([...rows, { ...row('sequential', 0, 'none'), scenario: 'dead' }], 2);
    assert.equal(recommendation!.strategy, 'async');
    assert.equal(recommendation!.concurrency, 256);
    assert.equal(recommendation!.runnerUp!.strategy, 'threads');
    assert.match(recommendation!.why, /runner-up threads 1550\.0 jobs\/s, 1\.10×$/);
    assert.equal(recommendStrategies(rows, 2).length, 1);
  });

  it('within 5 % of the fastest, recommends the strategy that leaves the event loop freest, and says so', () => {
    const [tie] = recommendStrategies([row('async', 24.6, 'cpu-main-thread'), row('processes', 23.9, 'pool-saturated'), row('sequential', 20, 'cpu-main-thread')], 2);
    assert.equal(tie!.strategy, 'processes');
    assert.equal(tie!.runnerUp!.strategy, 'async');
    assert.equal(tie!.margin!.toFixed(3), (23.9 / 24.6).toFixed(3));
    assert.match(tie!.why, /; runner-up async 24\.6 jobs\/s, 0\.97× \(a tie within 5 %: processes keeps the event loop freer, p99 4\.8 ms against 240\.0 ms\); slowest sequential/);
    const [fastestFreest] = recommendStrategies([row('threads', 19.6, 'cpu-cores'), row('processes', 19.2, 'cpu-cores')], 2);
    assert.equal(fastestFreest!.strategy, 'threads');
    assert.match(fastestFreest!.why, /1\.02× \(a tie within 5 %\)$/);
  });
});
