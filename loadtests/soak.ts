/**
 * soak.ts: a steady, moderate load on every strategy at once for a long time, to see whether
 * latency, memory or failures drift (watch the Grafana dashboards while it runs).
 *
 *   k6 run loadtests/soak.ts
 *   k6 run -e DURATION=1h -e RATE=10 -e SCENARIOS=http,matrix loadtests/soak.ts
 *
 * Environment (k6 -e NAME=value, or the shell's environment; blank = default):
 *   LAB_URL            the daemon                                      http://127.0.0.1:8080
 *   STRATEGIES         strategies, all at once, comma-separated        sequential,async,threads,processes
 *   SCENARIOS          the work, taken in turn by each strategy        matrix,array,http
 *   SIZES              size overrides, e.g. matrix=80,array=200000     small sizes (see lib/catalog.ts)
 *   RATE               jobs per second, per strategy                   5
 *   DURATION           how long the load holds                         10m
 *   PRE_ALLOCATED_VUS  VUs ready per strategy                          5
 *   MAX_VUS            VUs at most per strategy                        50
 *   TIMEOUT            per-request timeout                             10s
 *   P99_MS             p99 limit: one number, or strategy=ms pairs     500
 *   MAX_FAILED_RATE    share of failed requests allowed per strategy   0.001
 *   MAX_DROPPED        dropped iterations allowed per strategy         0
 *   SUMMARY_JSON       where the JSON summary goes; off for none       loadtests/results/soak-summary.json (git-ignored)
 *
 * One constant-arrival-rate k6 scenario per strategy, named after it, all running at the same
 * time: a soak asks whether the daemon holds a realistic mixed load for long, not which strategy
 * is fastest (compare.ts does that). Each strategy's requests walk through SCENARIOS in turn.
 * A 503 (shed) counts as failed: at a steady, sustainable rate nothing should be shed.
 */
import type { Options } from 'k6/options';
import exec from 'k6/execution';
import { checkDaemon } from './lib/check-daemon.ts';
import { SCENARIOS, SMALL_SIZES, STRATEGIES, type Scenario, type Strategy } from './lib/catalog.ts';
import { EnvReader } from './lib/env-reader.ts';
import { postJob } from './lib/post-job.ts';
import { strategyScenarios } from './lib/strategy-scenarios.ts';
import { strategyThresholds } from './lib/strategy-thresholds.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './lib/summary-handler.ts';

const DEFAULT_SCENARIOS: readonly Scenario[] = ['matrix', 'array', 'http'];

const env = new EnvReader();
const LAB_URL = env.url('LAB_URL', 'http://127.0.0.1:8080');
const strategies = env.list('STRATEGIES', STRATEGIES, STRATEGIES);
const scenarios = env.list('SCENARIOS', DEFAULT_SCENARIOS, SCENARIOS);
const sizes = env.integerMap('SIZES', SMALL_SIZES);
const RATE = env.number('RATE', 5, { min: 1, integer: true });
const DURATION_SECONDS = env.durationSeconds('DURATION', 600);
const PRE_ALLOCATED_VUS = env.number('PRE_ALLOCATED_VUS', 5, { min: 1, integer: true });
const MAX_VUS = env.number('MAX_VUS', 50, { min: 1, integer: true });
const TIMEOUT_SECONDS = env.durationSeconds('TIMEOUT', 10);
const p99Ms = env.integerMap('P99_MS', { sequential: 500, async: 500, threads: 500, processes: 500 } satisfies Record<Strategy, number>);
const MAX_FAILED_RATE = env.number('MAX_FAILED_RATE', 0.001, { min: 0, max: 1 });
const MAX_DROPPED = env.number('MAX_DROPPED', 0, { min: 0, integer: true });
env.done();

const jobs = scenarios.map((scenario) => ({ scenario, size: sizes[scenario] }));

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
    { oneAfterAnother: false, durationSeconds: DURATION_SECONDS, gapSeconds: TIMEOUT_SECONDS },
  ),
  thresholds: strategyThresholds(
    strategies,
    (strategy) => ({
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
  checkDaemon(LAB_URL, strategies, jobs);
}

export default function soak(): void {
  const job = jobs[exec.scenario.iterationInInstance % jobs.length]!;
  postJob({ ...job, strategy: exec.scenario.name }, { baseUrl: LAB_URL, timeout: `${TIMEOUT_SECONDS}s` });
}

export const handleSummary = summaryHandler({
  script: 'soak',
  strategies,
  activeSeconds: () => DURATION_SECONDS,
  parameters: { scenarios, 'jobs/s per strategy': RATE, seconds: DURATION_SECONDS },
});
