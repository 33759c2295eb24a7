/**
 * compare.ts: the same work at the same arrival rate on every strategy, side by side.
 *
 *   k6 run loadtests/compare.ts
 *   k6 run -e SCENARIO=http -e RATE=100 -e DURATION=20s loadtests/compare.ts
 *
 * Environment (k6 -e NAME=value, or the shell's environment; blank = default):
 *   LAB_URL            the daemon                                      http://127.0.0.1:8080
 *   STRATEGIES         strategies to compare, comma-separated          sequential,async,threads,processes
 *   SCENARIO           the work: thumbnail, matrix, array, http, noop  matrix
 *   SIZE               its size                                        small (matrix 60, see lib/catalog.ts)
 *   RATE               jobs per second, per strategy                   20
 *   DURATION           how long each strategy is driven                30s
 *   PARALLEL           drive all strategies at once (true) or one      false
 *                      after another (false, each alone on the machine)
 *   GAP                pause between strategies (and graceful stop)    2s
 *   PRE_ALLOCATED_VUS  VUs ready per strategy                          10
 *   MAX_VUS            VUs at most per strategy                        100
 *   TIMEOUT            per-request timeout                             10s
 *   P95_MS             p95 limit: one number, or per strategy as       sequential=100,async=100,threads=100,processes=150
 *                      strategy=ms pairs over the defaults
 *   P99_MS             p99 limit, the same way                         sequential=250,async=250,threads=250,processes=300
 *   MAX_FAILED_RATE    share of failed requests allowed per strategy   0.01
 *   MAX_DROPPED        dropped iterations allowed per strategy         0
 *   SUMMARY_JSON       where the JSON summary goes; off for none       loadtests/results/compare-summary.json (git-ignored)
 *
 * One constant-arrival-rate k6 scenario per strategy, named after it; every request is tagged
 * `strategy`, and the thresholds are per strategy, so the summary table shows p50/p95/p99,
 * failures, shed requests and dropped iterations per strategy. A 503 (shed) counts as failed:
 * at a rate the strategy sustains, nothing should be shed.
 */
import type { Options } from 'k6/options';
import exec from 'k6/execution';
import { checkDaemon } from './lib/check-daemon.ts';
import { SCENARIOS, SMALL_SIZES, STRATEGIES, type Strategy } from './lib/catalog.ts';
import { EnvReader } from './lib/env-reader.ts';
import { postJob } from './lib/post-job.ts';
import { strategyScenarios } from './lib/strategy-scenarios.ts';
import { strategyThresholds } from './lib/strategy-thresholds.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './lib/summary-handler.ts';

/**
 * Default latency limits, generous enough for a busy 2-core machine at the default rate.
 * processes pays an IPC round trip (serialise, pipe, deserialise) on top of the work.
 */
const DEFAULT_P95_MS: Record<Strategy, number> = { sequential: 100, async: 100, threads: 100, processes: 150 };
const DEFAULT_P99_MS: Record<Strategy, number> = { sequential: 250, async: 250, threads: 250, processes: 300 };

const env = new EnvReader();
const LAB_URL = env.url('LAB_URL', 'http://127.0.0.1:8080');
const strategies = env.list('STRATEGIES', STRATEGIES, STRATEGIES);
const SCENARIO = env.oneOf('SCENARIO', 'matrix', SCENARIOS);
const SIZE = env.number('SIZE', SMALL_SIZES[SCENARIO], { min: 0, integer: true });
const RATE = env.number('RATE', 20, { min: 1, integer: true });
const DURATION_SECONDS = env.durationSeconds('DURATION', 30);
const PARALLEL = env.boolean('PARALLEL', false);
const GAP_SECONDS = env.durationSeconds('GAP', 2);
const PRE_ALLOCATED_VUS = env.number('PRE_ALLOCATED_VUS', 10, { min: 1, integer: true });
const MAX_VUS = env.number('MAX_VUS', 100, { min: 1, integer: true });
const TIMEOUT_SECONDS = env.durationSeconds('TIMEOUT', 10);
const p95Ms = env.integerMap('P95_MS', DEFAULT_P95_MS);
const p99Ms = env.integerMap('P99_MS', DEFAULT_P99_MS);
const MAX_FAILED_RATE = env.number('MAX_FAILED_RATE', 0.01, { min: 0, max: 1 });
const MAX_DROPPED = env.number('MAX_DROPPED', 0, { min: 0, integer: true });
env.done();

export const options: Options = {
  scenarios: strategyScenarios(
    strategies,
    {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: `${DURATION_SECONDS}s`,
      preAllocatedVUs: PRE_ALLOCATED_VUS,
      maxVUs: Math.max(MAX_VUS, PRE_ALLOCATED_VUS),
    },
    { oneAfterAnother: !PARALLEL, durationSeconds: DURATION_SECONDS, gapSeconds: GAP_SECONDS },
  ),
  thresholds: strategyThresholds(
    strategies,
    (strategy) => ({
      p95Ms: p95Ms[strategy as Strategy],
      p99Ms: p99Ms[strategy as Strategy],
      maxFailedRate: MAX_FAILED_RATE,
      minChecksRate: 1 - MAX_FAILED_RATE,
      maxDroppedIterations: MAX_DROPPED,
    }),
    { scenarioPerStrategy: true },
  ),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): void {
  checkDaemon(LAB_URL, strategies, [{ scenario: SCENARIO, size: SIZE }]);
}

export default function compare(): void {
  const strategy = exec.scenario.name;
  postJob({ scenario: SCENARIO, strategy, size: SIZE }, { baseUrl: LAB_URL, timeout: `${TIMEOUT_SECONDS}s` });
}

export const handleSummary = summaryHandler({
  script: 'compare',
  strategies,
  activeSeconds: () => DURATION_SECONDS,
  parameters: {
    scenario: SCENARIO,
    size: SIZE,
    'jobs/s per strategy': RATE,
    'seconds per strategy': DURATION_SECONDS,
    strategies: PARALLEL ? 'all at once' : 'one after another',
  },
});
