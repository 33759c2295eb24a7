import { createHistogram, type ELDHistogram } from 'node:perf_hooks';
import type { StrategyName } from '../strategies/strategy.ts';
import { loopDelayMeanMs, loopDelayMonitor, loopDelayMs } from './loop-delay.ts';
import { type ResourceSnapshot, ResourceUsage } from './resource-usage.ts';

const NS_PER_MS = 1e6;

/** Latency percentiles of the successful jobs, in milliseconds (NaN when none succeeded). */
export interface LatencyFigures {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** What one measured stretch of a closed loop did: the figures `run`, `compare` and the driver's windows all report. */
export interface WindowFigures {
  /** Jobs that settled in the window. */
  jobs: number;
  ok: number;
  /** Failed jobs by error code. */
  errors: Record<string, number>;
  wallSeconds: number;
  /** Successful jobs per wall-clock second. */
  jobsPerSecond: number;
  latencyMs: LatencyFigures;
  /** CPU seconds of the daemon, its threads and the strategy's child processes per wall second. */
  coresUsed: number;
  /** p99 of the main thread's event-loop delay beyond the monitor's sampling interval. */
  eventLoopDelayP99Ms: number;
  /** Mean of the same delay, and how many samples the monitor took. */
  eventLoopDelayMeanMs: number;
  eventLoopDelaySamples: number;
  /** The daemon's RSS plus the RSS of the strategy's child processes, at the end of the window. */
  memoryBytes: number;
}

/**
 * One measurement of a closed loop: job latencies, errors, CPU of the whole process tree,
 * the main thread's loop delay and memory between open() and close(). The only one: the
 * daemon's windows, `run` and `compare` all measure through it.
 */
export class LoadWindow {
  readonly #latency = createHistogram();
  readonly #loopDelay: ELDHistogram = loopDelayMonitor();
  readonly #errors: Record<string, number> = {};
  readonly #start: ResourceSnapshot;
  #jobs = 0;

  private constructor(start: ResourceSnapshot) {
    this.#start = start;
    this.#loopDelay.enable();
  }

  static async open(usage: ResourceUsage): Promise<LoadWindow> {
    return new LoadWindow(await usage.sample());
  }

  recordOk(durationMs: number): void {
    this.#jobs++;
    this.#latency.record(Math.max(1, Math.round(durationMs * NS_PER_MS)));
  }

  recordError(code: string): void {
    this.#jobs++;
    this.#errors[code] = (this.#errors[code] ?? 0) + 1;
  }

  /** Closes the window; `strategy` names whose child processes count towards its memory. */
  async close(usage: ResourceUsage, strategy: StrategyName): Promise<WindowFigures> {
    const end = await usage.sample();
    this.#loopDelay.disable();
    const wallSeconds = (end.atMs - this.#start.atMs) / 1000;
    const latency = this.#latency;
    const percentile = (p: number): number => (latency.count === 0 ? Number.NaN : latency.percentile(p) / NS_PER_MS);
    return {
      jobs: this.#jobs,
      ok: latency.count,
      errors: { ...this.#errors },
      wallSeconds,
      jobsPerSecond: wallSeconds > 0 ? latency.count / wallSeconds : 0,
      latencyMs: { p50: percentile(50), p90: percentile(90), p99: percentile(99), max: percentile(100), mean: latency.count === 0 ? Number.NaN : latency.mean / NS_PER_MS },
      coresUsed: ResourceUsage.coresUsed(this.#start, end),
      eventLoopDelayP99Ms: loopDelayMs(this.#loopDelay, 99),
      eventLoopDelayMeanMs: loopDelayMeanMs(this.#loopDelay),
      eventLoopDelaySamples: this.#loopDelay.count,
      memoryBytes: end.rssBytes + (end.childRssBytes[strategy] ?? 0),
    };
  }
}
