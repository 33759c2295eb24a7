import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LabError } from '../../src/errors.ts';
import { JobRunner } from '../../src/jobs/job-runner.ts';
import { BUILT_IN_SCENARIO_NAMES, type BuiltInScenarioName, getScenario, parseSize, SCENARIOS } from '../../src/scenarios/catalog.ts';
import type { Strategy } from '../../src/strategies/strategy.ts';
import { type RunningUpstream, startUpstream } from '../../src/upstream/upstream-server.ts';
import { closeAll, startAllStrategies } from '../support/strategies.ts';

/** Small sizes keep the test quick; every scenario runs with the same input on every strategy. */
const SIZES: Record<BuiltInScenarioName, number> = { thumbnail: 320, matrix: 40, array: 20_000, http: 2048, noop: 0 };

describe('every scenario gives the same result for the same input under every strategy', () => {
  let strategies: Strategy[];
  let upstream: RunningUpstream;
  let runner: JobRunner;

  before(async () => {
    upstream = await startUpstream({ host: '127.0.0.1', port: 0, delayMs: 5, jitterMs: 0 });
    strategies = await startAllStrategies(2);
    runner = new JobRunner({ strategies: new Map(strategies.map((strategy) => [strategy.name, strategy])), queueLimit: 100, timeoutMs: 30_000, upstreamUrl: upstream.url });
  });
  after(async () => {
    await closeAll(strategies ?? []);
    await upstream?.close();
  });

  for (const scenario of BUILT_IN_SCENARIO_NAMES) {
    it(scenario, async () => {
      const reports = [];
      for (const strategy of strategies) reports.push(await runner.run({ scenario, kind: SCENARIOS[scenario].kind, strategy: strategy.name, size: SIZES[scenario] }));
      const [first, ...rest] = reports;
      for (const report of rest) assert.deepEqual(report.result, first!.result, `${report.strategy} differs from ${first!.strategy}`);
      // Where it ran is where the strategy says it runs.
      const byStrategy = Object.fromEntries(reports.map((report) => [report.strategy, report.worker]));
      assert.equal(byStrategy.sequential!.pid, process.pid);
      assert.equal(byStrategy.async!.threadId, 0);
      assert.equal(byStrategy.threads!.pid, process.pid);
      assert.notEqual(byStrategy.threads!.threadId, 0);
      assert.notEqual(byStrategy.processes!.pid, process.pid);
    });
  }

  it('results are the real work: a thumbnail fits 75×75 with the source aspect, a matrix checksum depends on N', async () => {
    const thumbnail = (await runner.run({ scenario: 'thumbnail', kind: 'cpu', strategy: 'async', size: 1600 })).result as { width: number; height: number };
    assert.deepEqual([thumbnail.width, thumbnail.height], [75, 56]);
    const small = (await runner.run({ scenario: 'matrix', kind: 'cpu', strategy: 'async', size: 3 })).result as { checksum: number };
    const larger = (await runner.run({ scenario: 'matrix', kind: 'cpu', strategy: 'async', size: 4 })).result as { checksum: number };
    assert.notEqual(small.checksum, larger.checksum);
  });
});

describe('scenario parameters are validated', () => {
  for (const [scenario, bad] of [['matrix', '5000'], ['matrix', '1'], ['array', 'ten'], ['thumbnail', '12.5'], ['http', '-1']] as const) {
    it(`${scenario} size ${bad} is refused with a message naming the bounds`, () => {
      assert.throws(
        () => parseSize(getScenario(scenario), bad),
        (error: unknown) => error instanceof LabError && error.code === 'LAB_ERR_PARAM_INVALID' && /must be an integer from \d+ to \d+/.test(error.message),
      );
    });
  }
  it('an unknown scenario is refused', () => {
    assert.throws(() => getScenario('fibonacci'), { code: 'LAB_ERR_SCENARIO_UNKNOWN' });
  });
  it('no size means the default size', () => {
    assert.equal(parseSize(getScenario('matrix'), undefined), getScenario('matrix').size.default);
  });
});
