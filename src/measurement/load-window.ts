import { createHistogram, type ELDHistogram, type EventLoopUtilization } from 'node:perf_hooks';
import { mainThreadGcMs } from './gc-time.ts';
import type { Strategy, StrategyName, WorkerUsage } from '../strategies/strategy.ts';
import { LOOP_DELAY_RESOLUTION_MS, loopDelayMeanMs, loopDelayMonitor, loopDelayMs } from './loop-delay.ts';
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
  /** Mean time the successful jobs waited for a slot (and dispatch), and ran, in milliseconds (NaN when none reported it). */
  queueMsMean: number;
  runMsMean: number;
  /** Jobs running at once on average: the successful jobs' run time ÷ the wall time (Little's law), to compare with the strategy's slots. */
  busyJobs: number;
  /** Share of the window the main thread's event loop was busy (performance.eventLoopUtilization()). */
  mainThreadUtilization: number;
  /** Share of the window the main thread spent in garbage collection (worker threads and child processes not counted). */
  gcShare: number;
  /**
   * Share of the window the threads that ran the jobs had their event loop busy: the pool
   * workers' mean for threads and processes (from the stats each reply carries), the main
   * thread for sequential and async. Wall-clock based, so a busy machine does not make CPU
   * work look like waiting.
   */
  jobThreadUtilization: number;
}

/** When a successful job waited and ran, as the job runner reports it. */
export interface JobTiming {
  queueMs: number | undefined;
  runMs: number | undefined;
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
  readonly #startElu: EventLoopUtilization = performance.eventLoopUtilization();
  readonly #startGcMs = mainThreadGcMs();
  readonly #strategy: Pick<Strategy, 'workerUsage'> | undefined;
  readonly #startWorkers: WorkerUsage | undefined;
  #jobs = 0;
  #timed = 0;
  #queueMsSum = 0;
  #runMsSum = 0;

  private constructor(start: ResourceSnapshot, strategy: Pick<Strategy, 'workerUsage'> | undefined) {
    this.#start = start;
    this.#strategy = strategy;
    this.#startWorkers = strategy?.workerUsage();
    this.#loopDelay.enable();
  }

  /** @param strategy the strategy whose jobs the window measures: its pool workers' utilization is read (optional) */
  static async open(usage: ResourceUsage, strategy?: Pick<Strategy, 'workerUsage'>): Promise<LoadWindow> {
    return new LoadWindow(await usage.sample(), strategy);
  }

  recordOk(durationMs: number, timing?: JobTiming): void {
    this.#jobs++;
    this.#latency.record(Math.max(1, Math.round(durationMs * NS_PER_MS)));
    if (timing?.queueMs !== undefined && timing.runMs !== undefined) {
      this.#timed++;
      this.#queueMsSum += timing.queueMs;
      this.#runMsSum += timing.runMs;
    }
  }

  recordError(code: string): void {
    this.#jobs++;
    this.#errors[code] = (this.#errors[code] ?? 0) + 1;
  }

  /** Closes the window; `strategy` names whose child processes count towards its memory. */
  async close(usage: ResourceUsage, strategy: StrategyName): Promise<WindowFigures> {
    const end = await usage.sample();
    this.#loopDelay.disable();
    const elu = performance.eventLoopUtilization(this.#startElu);
    const gcMs = mainThreadGcMs() - this.#startGcMs;
    const workers = this.#strategy?.workerUsage();
    const workerActiveMs = workers === undefined || this.#startWorkers === undefined ? 0 : workers.eluActiveMs - this.#startWorkers.eluActiveMs;
    const workerTotalMs = workers === undefined || this.#startWorkers === undefined ? 0 : workerActiveMs + workers.eluIdleMs - this.#startWorkers.eluIdleMs;
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
      // No sample in the whole window: the loop never turned (one job longer than the window on
      // the main thread, seen with a scenario module's job on a busy machine), so its delay was
      // at least the window. NaN here made report.json fail its schema and lost the compare.
      eventLoopDelayP99Ms: this.#loopDelay.count === 0 ? Math.max(0, wallSeconds * 1000 - LOOP_DELAY_RESOLUTION_MS) : loopDelayMs(this.#loopDelay, 99),
      eventLoopDelayMeanMs: loopDelayMeanMs(this.#loopDelay),
      eventLoopDelaySamples: this.#loopDelay.count,
      memoryBytes: end.rssBytes + (end.childRssBytes[strategy] ?? 0),
      queueMsMean: this.#timed === 0 ? Number.NaN : this.#queueMsSum / this.#timed,
      runMsMean: this.#timed === 0 ? Number.NaN : this.#runMsSum / this.#timed,
      busyJobs: wallSeconds > 0 ? this.#runMsSum / 1000 / wallSeconds : 0,
      mainThreadUtilization: elu.utilization,
      gcShare: wallSeconds > 0 ? gcMs / 1000 / wallSeconds : 0,
      jobThreadUtilization: workers === undefined ? elu.utilization : workerTotalMs > 0 ? workerActiveMs / workerTotalMs : 0,
    };
  }
}
