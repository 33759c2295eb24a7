// Unit tests of the k6 scripts' own logic in loadtests/lib: environment parsing, the scenario
// and threshold builders per strategy and the step ladder. They run under Node with the k6
// modules replaced by the test doubles in ./doubles (k6 is not run in this project's tests).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerK6Doubles, setK6Env } from './doubles/register.ts';
import { counter, rate, summaryData, trend } from './k6-summary-data.ts';

registerK6Doubles();
const { EnvReader } = await import('../../loadtests/lib/env-reader.ts');
const { strategyScenarios } = await import('../../loadtests/lib/strategy-scenarios.ts');
const { strategyThresholds, TRACK_ONLY } = await import('../../loadtests/lib/strategy-thresholds.ts');
const { StepLadder } = await import('../../loadtests/lib/step-ladder.ts');
const { default: exec } = await import('./doubles/k6-execution.ts');

const STRATEGIES = ['sequential', 'async', 'threads', 'processes'] as const;

describe('EnvReader (k6 -e variables)', () => {
  it('reads every kind of value, blank as unset', () => {
    setK6Env({ URL: 'http://127.0.0.1:9000///', N: '12', F: '0.5', B: 'yes', D: '1m30s', MS: '250ms', ONE: 'http', LIST: 'threads, async', MAP: 'threads=80,processes=120', ALL: '70', BLANK: '   ' });
    const env = new EnvReader();
    assert.equal(env.url('URL', 'http://x'), 'http://127.0.0.1:9000');
    assert.equal(env.number('N', 1, { min: 1, integer: true }), 12);
    assert.equal(env.number('F', 1, { min: 0, max: 1 }), 0.5);
    assert.equal(env.boolean('B', false), true);
    assert.equal(env.durationSeconds('D', 1), 90);
    assert.equal(env.durationSeconds('MS', 1), 0.25);
    assert.equal(env.oneOf('ONE', 'matrix', ['matrix', 'http']), 'http');
    assert.deepEqual(env.list('LIST', STRATEGIES, STRATEGIES), ['threads', 'async']);
    assert.deepEqual(env.integerMap('MAP', { threads: 1, processes: 2, async: 3 }), { threads: 80, processes: 120, async: 3 });
    assert.deepEqual(env.integerMap('ALL', { threads: 1, processes: 2 }), { threads: 70, processes: 70 });
    assert.equal(env.string('BLANK', 'fallback'), 'fallback', 'a blank value counts as unset');
    assert.equal(env.number('UNSET', 7), 7);
    env.done();
  });

  it('collects every bad variable into one error naming the variable, the value and what is allowed', () => {
    setK6Env({ URL: 'ftp://x', N: '1.5', B: 'maybe', D: '10 s', ONE: 'gpu', LIST: 'threads,threads', MAP: 'gpu=1', LOW: '0' });
    const env = new EnvReader();
    assert.equal(env.url('URL', 'http://127.0.0.1:8080'), 'http://127.0.0.1:8080', 'a bad value falls back to the default');
    env.number('N', 1, { integer: true });
    env.boolean('B', false);
    env.durationSeconds('D', 1);
    env.oneOf('ONE', 'matrix', ['matrix', 'http']);
    env.list('LIST', STRATEGIES, STRATEGIES);
    env.integerMap('MAP', { threads: 1 });
    env.number('LOW', 5, { min: 1, max: 10 });
    assert.throws(
      () => env.done(),
      (error: Error) => {
        const lines = error.message.split('\n').slice(1).map((line) => line.trim());
        assert.deepEqual(lines, [
          'URL="ftp://x": expected an http:// or https:// URL such as http://127.0.0.1:8080',
          'N="1.5": expected an integer',
          'B="maybe": expected true or false',
          'D="10 s": expected a positive duration such as 500ms, 15s, 2m or 1m30s',
          'ONE="gpu": expected one of matrix, http',
          'LIST="threads,threads": expected a comma-separated list of distinct values from sequential, async, threads, processes',
          'MAP="gpu=1": expected an integer, or comma-separated key=integer pairs with keys from threads',
          'LOW="0": expected a number from 1 to 10',
        ]);
        return true;
      },
    );
  });
});

describe('strategyScenarios', () => {
  const executor = { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '30s', preAllocatedVUs: 10, maxVUs: 100, tags: { run: 'x' } } as const;

  it('one k6 scenario per strategy, named and tagged after it, one after another with the gap', () => {
    const scenarios = strategyScenarios(STRATEGIES, executor, { oneAfterAnother: true, durationSeconds: 30, gapSeconds: 2 });
    assert.deepEqual(Object.keys(scenarios), [...STRATEGIES]);
    assert.deepEqual(
      STRATEGIES.map((strategy) => scenarios[strategy]!.startTime),
      ['0s', '32s', '64s', '96s'],
    );
    for (const strategy of STRATEGIES) {
      const scenario = scenarios[strategy] as unknown as Record<string, unknown>;
      assert.deepEqual(scenario.tags, { run: 'x', strategy });
      assert.equal(scenario.gracefulStop, '2s');
      assert.equal(scenario.rate, 20);
    }
  });

  it('all at once: every scenario starts at 0s', () => {
    const scenarios = strategyScenarios(['threads', 'processes'], executor, { oneAfterAnother: false, durationSeconds: 30, gapSeconds: 2 });
    assert.deepEqual(Object.values(scenarios).map((scenario) => scenario.startTime), ['0s', '0s']);
  });
});

describe('strategyThresholds', () => {
  it('limits per strategy where set, track-only thresholds elsewhere, dropped iterations by scenario name', () => {
    const thresholds = strategyThresholds(['threads', 'processes'], (strategy) => (strategy === 'threads' ? { p95Ms: 80, p99Ms: 200, maxFailedRate: 0.01, minChecksRate: 0.99, maxDroppedIterations: 0 } : {}), {
      scenarioPerStrategy: true,
    });
    assert.deepEqual(thresholds, {
      'http_req_duration{strategy:threads}': ['p(95)<80', 'p(99)<200'],
      'http_reqs{strategy:threads}': ['count>=0'],
      'http_req_failed{strategy:threads}': ['rate<=0.01'],
      'checks{strategy:threads}': ['rate>=0.99'],
      'shed{strategy:threads}': ['rate>=0'],
      'dropped_iterations{scenario:threads}': ['count<=0'],
      'http_req_duration{strategy:processes}': ['max>=0'],
      'http_reqs{strategy:processes}': ['count>=0'],
      'http_req_failed{strategy:processes}': ['rate>=0'],
      'checks{strategy:processes}': ['rate>=0'],
      'shed{strategy:processes}': ['rate>=0'],
      'dropped_iterations{scenario:processes}': ['count>=0'],
    });
    for (const expression of ['max>=0', 'rate>=0', 'count>=0']) assert.ok(TRACK_ONLY.has(expression));
  });

  it('without a scenario per strategy there is no dropped_iterations threshold', () => {
    const thresholds = strategyThresholds(['async'], { maxFailedRate: 0 }, { scenarioPerStrategy: false });
    assert.deepEqual(Object.keys(thresholds).sort(), ['checks{strategy:async}', 'http_req_duration{strategy:async}', 'http_req_failed{strategy:async}', 'http_reqs{strategy:async}', 'shed{strategy:async}']);
  });
});

describe('StepLadder', () => {
  const ladder = new StepLadder({ startRate: 100, stepRate: 150, steps: 3, stepSeconds: 4 });

  it('a staircase of rates: jump, then hold, for ramping-arrival-rate', () => {
    assert.deepEqual(ladder.rates, [100, 250, 400]);
    assert.equal(ladder.durationSeconds, 12);
    assert.deepEqual(ladder.stages(), [
      { duration: '0s', target: 100 },
      { duration: '4s', target: 100 },
      { duration: '0s', target: 250 },
      { duration: '4s', target: 250 },
      { duration: '0s', target: 400 },
      { duration: '4s', target: 400 },
    ]);
  });

  it('tags a request with the step running now in the current scenario', () => {
    const now = Date.now();
    exec.scenario.startTime = now - 5_000;
    assert.equal(ladder.currentRateTag(), '250');
    exec.scenario.startTime = now + 1_000;
    assert.equal(ladder.currentRateTag(), '100', 'before the start: the first step');
    exec.scenario.startTime = now - 60_000;
    assert.equal(ladder.currentRateTag(), '400', 'past the end: the last step');
  });

  it('tracks each strategy x step x status', () => {
    const thresholds = ladder.thresholds(['threads']);
    assert.equal(Object.keys(thresholds).length, 3 * 5);
    assert.deepEqual(thresholds['http_req_duration{strategy:threads,target_rate:250,status:200}'], ['max>=0']);
    assert.deepEqual(thresholds['http_reqs{strategy:threads,target_rate:400,status:503}'], ['count>=0']);
  });

  it("finds each strategy's knee in k6's summary data: the last step sustained before the first that was not", () => {
    const latency = (p99: number) => trend({ avg: p99 / 3, min: 1, med: p99 / 4, max: p99 * 1.2, p90: p99 / 2, p95: p99 / 1.5, p99 });
    const metrics: Record<string, ReturnType<typeof counter>> = {};
    const step = (strategy: string, target: number, done: number, shed: number, failed: number, p99: number): void => {
      const tags = `strategy:${strategy},target_rate:${target}`;
      metrics[`http_reqs{${tags}}`] = counter(done + shed + failed, 4);
      metrics[`http_reqs{${tags},status:200}`] = counter(done, 4);
      metrics[`http_reqs{${tags},status:503}`] = counter(shed, 4);
      metrics[`http_req_failed{${tags}}`] = rate(failed, done + shed);
      metrics[`http_req_duration{${tags},status:200}`] = latency(p99);
    };
    // threads: fine at 100 and 250, sheds at 400.
    step('threads', 100, 400, 0, 0, 12);
    step('threads', 250, 1000, 0, 0, 30);
    step('threads', 400, 1100, 500, 0, 45);
    // sequential: too slow already at 100.
    step('sequential', 100, 400, 0, 0, 80);
    step('sequential', 250, 500, 500, 0, 90);
    step('sequential', 400, 500, 1100, 0, 95);
    // processes: holds every step.
    for (const [target, p99] of [[100, 10], [250, 20], [400, 30]] as const) step('processes', target, target * 4, 0, 0, p99);
    const report = ladder.report(summaryData(40_000, metrics) as never, ['threads', 'sequential', 'processes'], { p99LimitMs: 50, minDoneRatio: 0.95 });
    const knees = report.json.knees as Array<{ strategy: string; sustainedRate: number | null; brokeAtRate: number | null; brokeBecause: string[]; p99MsAtSustainedRate: number | null }>;
    assert.deepEqual(
      knees.map(({ strategy, sustainedRate, brokeAtRate, brokeBecause, p99MsAtSustainedRate }) => ({ strategy, sustainedRate, brokeAtRate, brokeBecause, p99MsAtSustainedRate })),
      [
        { strategy: 'threads', sustainedRate: 250, brokeAtRate: 400, brokeBecause: ['done 275.0/s', '500 shed'], p99MsAtSustainedRate: 30 },
        { strategy: 'sequential', sustainedRate: null, brokeAtRate: 100, brokeBecause: ['p99 80.0 ms'], p99MsAtSustainedRate: null },
        { strategy: 'processes', sustainedRate: 400, brokeAtRate: null, brokeBecause: [], p99MsAtSustainedRate: 30 },
      ],
    );
    assert.match(report.text, /^knee \(p99 < 50 ms, nothing shed or failed, >= 95% of the target done\):$/m);
    assert.match(report.text, /^threads\s+250\s+30\.0\s+400\s+done 275\.0\/s; 500 shed$/m);
    assert.match(report.text, /^sequential\s+< 100\s+-\s+100\s+p99 80\.0 ms$/m);
    assert.match(report.text, /^processes\s+400\s+30\.0\s+not within 400$/m);
    assert.match(report.text, /^threads\s+400\s+275\.0\s+1600\s+31\.3%\s+0\.0%\s+11\.3\s+45\.0\s+no$/m, 'the per-step table');
  });
});
