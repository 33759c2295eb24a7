/**
 * smoke.ts: a few jobs per scenario x strategy; every one must succeed.
 *
 *   k6 run loadtests/smoke.ts
 *
 * Environment (k6 -e NAME=value, or the shell's environment; blank = default):
 *   LAB_URL       the daemon                                   http://127.0.0.1:8080
 *   STRATEGIES    strategies to try, comma-separated           sequential,async,threads,processes
 *   SCENARIOS     scenarios to try, comma-separated            thumbnail,matrix,array,http,noop
 *   SIZES         size overrides, e.g. matrix=80,array=200000  small sizes (see lib/catalog.ts)
 *   ITERATIONS    jobs per scenario and strategy              3
 *   TIMEOUT       per-request timeout                          30s
 *   SUMMARY_JSON  where the JSON summary goes; off for none    loadtests/results/smoke-summary.json (git-ignored)
 *
 * One k6 scenario per strategy (named after it), all at once, one VU each: the VU walks through
 * the scenarios ITERATIONS times. Thresholds, per strategy: no failed request, every check passed.
 */
import type { Options } from 'k6/options';
import exec from 'k6/execution';
import { checkDaemon } from './lib/check-daemon.ts';
import { SCENARIOS, SMALL_SIZES, STRATEGIES, type Strategy } from './lib/catalog.ts';
import { EnvReader } from './lib/env-reader.ts';
import { postJob } from './lib/post-job.ts';
import { strategyThresholds } from './lib/strategy-thresholds.ts';
import { SUMMARY_TREND_STATS, summaryHandler } from './lib/summary-handler.ts';

const env = new EnvReader();
const LAB_URL = env.url('LAB_URL', 'http://127.0.0.1:8080');
const strategies = env.list('STRATEGIES', STRATEGIES, STRATEGIES);
const scenarios = env.list('SCENARIOS', SCENARIOS, SCENARIOS);
const sizes = env.integerMap('SIZES', SMALL_SIZES);
const ITERATIONS = env.number('ITERATIONS', 3, { min: 1, max: 1000, integer: true });
const TIMEOUT_SECONDS = env.durationSeconds('TIMEOUT', 30);
env.done();

const jobs = scenarios.map((scenario) => ({ scenario, size: sizes[scenario] }));

export const options: Options = {
  scenarios: Object.fromEntries(
    strategies.map((strategy) => [
      strategy,
      { executor: 'per-vu-iterations', vus: 1, iterations: jobs.length * ITERATIONS, maxDuration: '5m', tags: { strategy } },
    ]),
  ),
  thresholds: strategyThresholds(strategies, { maxFailedRate: 0, minChecksRate: 1 }, { scenarioPerStrategy: false }),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup(): void {
  checkDaemon(LAB_URL, strategies, jobs);
}

export default function smoke(): void {
  const strategy = exec.scenario.name as Strategy;
  const job = jobs[exec.scenario.iterationInInstance % jobs.length]!;
  postJob({ ...job, strategy }, { baseUrl: LAB_URL, timeout: `${TIMEOUT_SECONDS}s` });
}

export const handleSummary = summaryHandler({
  script: 'smoke',
  strategies,
  parameters: { scenarios, iterations: ITERATIONS },
});
