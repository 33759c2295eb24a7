import { createHistogram, monitorEventLoopDelay, type RecordableHistogram } from 'node:perf_hooks';
import type { ScenarioName } from '../scenarios/catalog.ts';
import type { StrategyName } from '../strategies/strategy.ts';
import { ResourceUsage, type ResourceSnapshot } from '../telemetry/resource-usage.ts';

/** One row of the driver's table: how a scenario did during one strategy's window. */
export interface WindowRow {
  strategy: StrategyName;
  scenario: ScenarioName;
  jobsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  coresUsed: number;
  eventLoopDelayP99Ms: number;
  seconds: number;
}

const NS_PER_MS = 1e6;

/** Durations, errors, CPU and main-loop delay for the jobs of one strategy during one window. */
export class WindowStats {
  readonly strategy: StrategyName;
  readonly #durations = new Map<ScenarioName, RecordableHistogram>();
  readonly #errors = new Map<ScenarioName, number>();
  readonly #loopDelay = monitorEventLoopDelay({ resolution: 10 });
  readonly #start: ResourceSnapshot;

  private constructor(strategy: StrategyName, scenarios: readonly ScenarioName[], start: ResourceSnapshot) {
    this.strategy = strategy;
    this.#start = start;
    for (const scenario of scenarios) {
      this.#durations.set(scenario, createHistogram());
      this.#errors.set(scenario, 0);
    }
    this.#loopDelay.enable();
  }

  static async open(strategy: StrategyName, scenarios: readonly ScenarioName[], usage: ResourceUsage): Promise<WindowStats> {
    return new WindowStats(strategy, scenarios, await usage.sample());
  }

  recordSuccess(scenario: ScenarioName, durationMs: number): void {
    this.#durations.get(scenario)?.record(Math.max(1, Math.round(durationMs * NS_PER_MS)));
  }

  recordError(scenario: ScenarioName): void {
    this.#errors.set(scenario, (this.#errors.get(scenario) ?? 0) + 1);
  }

  /** Closes the window and returns a row per scenario. */
  async close(usage: ResourceUsage): Promise<WindowRow[]> {
    const end = await usage.sample();
    this.#loopDelay.disable();
    const seconds = (end.atMs - this.#start.atMs) / 1000;
    const coresUsed = ResourceUsage.coresUsed(this.#start, end);
    const eventLoopDelayP99Ms = this.#loopDelay.percentile(99) / NS_PER_MS;
    return [...this.#durations].map(([scenario, histogram]) => ({
      strategy: this.strategy,
      scenario,
      jobsPerSecond: histogram.count / seconds,
      p50Ms: histogram.count === 0 ? Number.NaN : histogram.percentile(50) / NS_PER_MS,
      p99Ms: histogram.count === 0 ? Number.NaN : histogram.percentile(99) / NS_PER_MS,
      errors: this.#errors.get(scenario) ?? 0,
      coresUsed,
      eventLoopDelayP99Ms,
      seconds,
    }));
  }
}
