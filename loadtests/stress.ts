/**
 * stress.ts: a staircase of arrival rates per strategy, up past the point where the daemon
 * sheds load, to find each strategy's knee: the highest rate it sustains with p99 under a limit.
 *
 *   k6 run loadtests/stress.ts
 *   k6 run -e STRATEGIES=threads -e START_RATE=100 -e STEP_RATE=50 loadtests/stress.ts
 *
 * Environment (k6 -e NAME=value, or the shell's environment; blank = default):
 *   LAB_URL            the daemon                                      http://127.0.0.1:8080
 *   STRATEGIES         strategies, one after another, comma-separated  sequential,async,threads,processes
 *   SCENARIO           the work: thumbnail, matrix, array, http, noop  matrix
 *   SIZE               its size                                        small (matrix 60, see lib/catalog.ts)
 *   START_RATE         jobs/s of the first step                        50
 *   STEP_RATE          jobs/s added at each step                       50
 *   STEPS              number of steps                                 8
 *   STEP_DURATION      how long each step holds its rate               5s
 *   GAP                pause between strategies (and graceful stop)    3s
 *   PRE_ALLOCATED_VUS  VUs ready per strategy                          50
 *   MAX_VUS            VUs at most per strategy                        400
 *   TIMEOUT            per-request timeout                             10s
 *   P99_LIMIT_MS       the knee's latency criterion                    50
 *   MAX_FAILED_RATE    share of failed requests allowed (threshold)    0.01
 *   SUMMARY_JSON       where the JSON summary goes; off for none       loadtests/results/stress-summary.json (git-ignored)
 *
 * A 503 from a full queue is the daemon working as designed, so it is an expected status
 * (counted in the `shed` rate, not in http_req_failed); timeouts and other errors fail the
 * MAX_FAILED_RATE threshold. With the daemon's default LAB_QUEUE_LIMIT (1000) a saturated
 * strategy queues for seconds before it sheds; start it with e.g. LAB_QUEUE_LIMIT=64 to see
 * shedding at once. Run the daemon with LAB_DRIVER=off so that only k6 loads it.
 */
import type { Options } from 'k6/options';
import exec from 'k6/execution';
import http from 'k6/http';
import { checkDaemon } from './lib/check-daemon.ts';
import { SCENARIOS, SMALL_SIZES, STRATEGIES } from './lib/catalog.ts';
import { EnvReader } from './lib/env-reader.ts';
import { postJob } from './lib/post-job.ts';
import { StepLadder } from './lib/step-ladder.ts';
import { strategyScenarios } from './lib/strategy-scenarios.ts';
import { strategyThresholds } from './lib/strategy-thresholds.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './lib/summary-handler.ts';

const env = new EnvReader();
const LAB_URL = env.url('LAB_URL', 'http://127.0.0.1:8080');
const strategies = env.list('STRATEGIES', STRATEGIES, STRATEGIES);
const SCENARIO = env.oneOf('SCENARIO', 'matrix', SCENARIOS);
const SIZE = env.number('SIZE', SMALL_SIZES[SCENARIO], { min: 0, integer: true });
const ladder = new StepLadder({
  startRate: env.number('START_RATE', 50, { min: 1, integer: true }),
  stepRate: env.number('STEP_RATE', 50, { min: 0, integer: true }),
  steps: env.number('STEPS', 8, { min: 1, max: 100, integer: true }),
  stepSeconds: env.durationSeconds('STEP_DURATION', 5),
});
const GAP_SECONDS = env.durationSeconds('GAP', 3);
const PRE_ALLOCATED_VUS = env.number('PRE_ALLOCATED_VUS', 50, { min: 1, integer: true });
const MAX_VUS = env.number('MAX_VUS', 400, { min: 1, integer: true });
const TIMEOUT_SECONDS = env.durationSeconds('TIMEOUT', 10);
const P99_LIMIT_MS = env.number('P99_LIMIT_MS', 50, { min: 0 });
const MAX_FAILED_RATE = env.number('MAX_FAILED_RATE', 0.01, { min: 0, max: 1 });
env.done();

http.setResponseCallback(http.expectedStatuses(200, 503));

export const options: Options = {
  scenarios: strategyScenarios(
    strategies,
    {
      executor: 'ramping-arrival-rate',
      startRate: ladder.rates[0]!,
      timeUnit: '1s',
      stages: ladder.stages(),
      preAllocatedVUs: PRE_ALLOCATED_VUS,
      maxVUs: Math.max(MAX_VUS, PRE_ALLOCATED_VUS),
    },
    { oneAfterAnother: true, durationSeconds: ladder.durationSeconds, gapSeconds: GAP_SECONDS },
  ),
  thresholds: {
    ...strategyThresholds(strategies, { maxFailedRate: MAX_FAILED_RATE }, { scenarioPerStrategy: true }),
    ...ladder.thresholds(strategies),
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): void {
  checkDaemon(LAB_URL, strategies, [{ scenario: SCENARIO, size: SIZE }]);
}

export default function stress(): void {
  postJob(
    { scenario: SCENARIO, strategy: exec.scenario.name, size: SIZE },
    { baseUrl: LAB_URL, timeout: `${TIMEOUT_SECONDS}s`, shedIsExpected: true, tags: { target_rate: ladder.currentRateTag() } },
  );
}

export const handleSummary = summaryHandler({
  script: 'stress',
  strategies,
  activeSeconds: () => ladder.durationSeconds,
  parameters: {
    scenario: SCENARIO,
    size: SIZE,
    'jobs/s steps': ladder.rates.join(','),
    'seconds per step': ladder.stepSeconds,
  },
  extra: (data) => ladder.report(data, strategies, { p99LimitMs: P99_LIMIT_MS, minDoneRatio: 0.95 }),
});
