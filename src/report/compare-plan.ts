import { SCENARIOS, type ScenarioName } from '../scenarios/catalog.ts';
import type { ScenarioKind } from '../scenarios/scenario.ts';
import { defaultConcurrency } from '../jobs/default-concurrency.ts';
import type { StrategyName } from '../strategies/strategy.ts';
import { strategySlots } from '../strategies/strategy-slots.ts';
import type { ResolvedCompareOptions } from './compare-options.ts';
import { howManyFitExpectedSeconds } from './how-many-fit.ts';

/** One combination to measure: a scenario on a strategy at a concurrency. */
export interface PlannedRun {
  readonly kind: ScenarioKind;
  readonly scenario: ScenarioName;
  readonly strategy: StrategyName;
  readonly size: number;
  /** Jobs kept in flight. */
  readonly concurrency: number;
  /** Estimate for the progress display: pool start, warm-up, measured run and the closed loop's tail. */
  readonly expectedSeconds: number;
}

/** A combination left out, and why. */
export interface SkippedRun {
  readonly scenario: ScenarioName;
  readonly strategy: StrategyName;
  readonly concurrency: number;
  readonly reason: string;
}

export interface ComparePlan {
  readonly runs: readonly PlannedRun[];
  readonly skipped: readonly SkippedRun[];
  readonly estimatedSeconds: number;
}

/** Jobs in flight for CPU scenarios: twice the slots of a pool, so no worker waits for its next job. */
export function cpuConcurrency(workers: number): number {
  return defaultConcurrency('cpu', workers);
}

/** Slots a job of `kind` gets on `strategy`, known without starting a pool. */
function slotsOf(strategy: StrategyName, kind: ScenarioKind, options: ResolvedCompareOptions): number {
  return strategySlots(strategy, { workers: options.workers, ioTasksPerWorker: options.ioTasksPerWorker })[kind];
}

/** Rough start-up cost of a fresh strategy: loading the scenarios in every worker. */
function startSeconds(strategy: StrategyName, workers: number): number {
  if (strategy === 'processes') return 1 + 0.4 * workers;
  if (strategy === 'threads') return 0.3 + 0.1 * workers;
  return 0;
}

/**
 * Time for the jobs still in flight at the deadline to finish: a closed loop stops starting
 * jobs at the deadline but waits for those it started. For http with few slots the queue
 * drains at `slots` requests per upstream delay.
 */
function tailSeconds(kind: ScenarioKind, concurrency: number, slots: number, delayMs: number): number {
  if (kind === 'cpu') return 0.3;
  return (Math.ceil(concurrency / Math.min(slots, concurrency)) * delayMs) / 1000;
}

/**
 * Why an http level is left out for a strategy, or undefined when it runs. Sequential runs one
 * request at a time by definition, so it is measured at the lowest level only: more in flight
 * would only queue. A pool is skipped where the requests in flight could not even pass through
 * its slots once within the run: its throughput would stay at slots ÷ delay and only the
 * latency would grow (threads with 2 workers at 4096 would take over a minute to say so).
 */
function ioSkipReason(strategy: StrategyName, concurrency: number, options: ResolvedCompareOptions): string | undefined {
  const slots = slotsOf(strategy, 'io', options);
  const rate = ((slots / options.upstreamDelayMs) * 1000).toFixed(0);
  const lowest = options.ioConcurrency[0];
  if (strategy === 'sequential' && concurrency !== lowest) {
    return `sequential runs one request at a time, so ${concurrency} in flight only queue: throughput stays at 1 ÷ ${options.upstreamDelayMs} ms = ${rate} req/s (measured at ${lowest}) and latency grows with the queue`;
  }
  const passMs = Math.ceil(concurrency / slots) * options.upstreamDelayMs;
  if (passMs <= options.durationMs) return undefined;
  return (
    `${strategy} runs ${slots} request${slots === 1 ? '' : 's'} at a time, so ${concurrency} in flight need ${(passMs / 1000).toFixed(1)} s to pass through once, ` +
    `longer than the ${options.durationMs / 1000} s run; throughput would stay at ${slots} ÷ ${options.upstreamDelayMs} ms = ${rate} req/s and only the latency would grow`
  );
}

/** Every combination in the order it runs: CPU scenarios at 2 × workers in flight (enough to keep every slot busy), then http at each concurrency level. */
export function planCompare(options: ResolvedCompareOptions): ComparePlan {
  const runs: PlannedRun[] = [];
  const skipped: SkippedRun[] = [];
  const cpuScenarios = options.scenarios.filter((name) => SCENARIOS[name].kind === 'cpu');
  const ioScenarios = options.scenarios.filter((name) => SCENARIOS[name].kind === 'io');
  const seconds = (ms: number): number => ms / 1000;

  const add = (kind: ScenarioKind, scenario: ScenarioName, strategy: StrategyName, concurrency: number): void => {
    const slots = slotsOf(strategy, kind, options);
    const tail = tailSeconds(kind, concurrency, slots, options.upstreamDelayMs);
    const measuredSeconds = seconds(options.durationMs) + tail + (options.warmupMs > 0 ? seconds(options.warmupMs) + tail : 0);
    runs.push({ kind, scenario, strategy, size: options.sizes[scenario], concurrency, expectedSeconds: startSeconds(strategy, options.workers) + measuredSeconds });
  };

  for (const scenario of cpuScenarios) {
    for (const strategy of options.strategies) add('cpu', scenario, strategy, cpuConcurrency(options.workers));
  }
  for (const scenario of ioScenarios) {
    for (const strategy of options.strategies) {
      for (const concurrency of options.ioConcurrency) {
        const reason = ioSkipReason(strategy, concurrency, options);
        if (reason === undefined) add('io', scenario, strategy, concurrency);
        else skipped.push({ scenario, strategy, concurrency, reason });
      }
    }
  }
  const upstreamSeconds = ioScenarios.length > 0 ? 1 : 0;
  const estimatedSeconds = upstreamSeconds + howManyFitExpectedSeconds(options.strategies, options.fitSample) + runs.reduce((sum, run) => sum + run.expectedSeconds, 0);
  return { runs, skipped, estimatedSeconds };
}
