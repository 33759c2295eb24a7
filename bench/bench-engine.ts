import { JobRunner } from '../src/jobs/job-runner.ts';
import { type LoadResult, runClosedLoop } from '../src/measurement/closed-loop.ts';
import { ResourceUsage } from '../src/measurement/resource-usage.ts';
import { getScenario, type ScenarioName } from '../src/scenarios/catalog.ts';
import { childPids } from '../src/strategies/child-pids.ts';
import { createStrategy } from '../src/strategies/create-strategy.ts';
import type { Strategy, StrategyName } from '../src/strategies/strategy.ts';

export interface BenchEngineOptions {
  strategies: readonly StrategyName[];
  /** Threads and processes per pool. */
  workers: number;
  upstreamUrl?: string | undefined;
}

export interface LoadOptions {
  scenario: ScenarioName;
  strategy: StrategyName;
  size: number;
  concurrency: number;
  durationMs?: number | undefined;
  jobs?: number | undefined;
}

/**
 * The lab's engine in this process, as the `run` command uses it: the strategies (pools
 * warmed up) behind one job runner, so a benchmark can measure them one after another in
 * the same run. No telemetry observer: the engine alone.
 */
export class BenchEngine {
  readonly #strategies: Map<StrategyName, Strategy>;
  readonly #runner: JobRunner;
  readonly #usage: ResourceUsage;

  private constructor(strategies: Map<StrategyName, Strategy>, upstreamUrl: string | undefined) {
    this.#strategies = strategies;
    // Closed loops never exceed their own concurrency, so the queue limit only has to admit them.
    this.#runner = new JobRunner({ strategies, queueLimit: 100_000, timeoutMs: 60_000, upstreamUrl });
    this.#usage = new ResourceUsage(() => childPids(strategies.values()));
  }

  static async start(options: BenchEngineOptions): Promise<BenchEngine> {
    const strategies = new Map(options.strategies.map((name) => [name, createStrategy(name, options.workers)] as const));
    const engine = new BenchEngine(strategies, options.upstreamUrl);
    try {
      await Promise.all([...strategies.values()].map((strategy) => strategy.ready()));
    } catch (error) {
      await engine.close();
      throw error;
    }
    return engine;
  }

  /** One closed-loop run (see runClosedLoop); jobs that fail make the benchmark fail loudly. */
  async load(options: LoadOptions): Promise<LoadResult> {
    const result = await runClosedLoop({ runner: this.#runner, usage: this.#usage, kind: getScenario(options.scenario).kind, ...options });
    if (result.ok < result.jobs) {
      throw new Error(`${options.scenario} on ${options.strategy}: ${result.jobs - result.ok} of ${result.jobs} jobs failed (${JSON.stringify(result.errors)})`);
    }
    return result;
  }

  /** A few jobs per strategy, unmeasured, so the first round does not pay for JIT compilation and first-use caches. */
  async warmUp(strategies: readonly StrategyName[], options: Omit<LoadOptions, 'strategy' | 'jobs' | 'durationMs'>): Promise<void> {
    for (const strategy of strategies) await this.load({ ...options, strategy, jobs: 2 * options.concurrency });
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#strategies.values()].map((strategy) => strategy.close()));
    this.#usage.close();
  }
}
