import { createHistogram, type ELDHistogram, monitorEventLoopDelay, performance, type RecordableHistogram } from 'node:perf_hooks';
import type { JobEnd, JobObservation, JobObserver, JobStart } from '../jobs/job-observer.ts';
import type { ScenarioName } from '../scenarios/catalog.ts';
import type { StrategyName } from '../strategies/strategy.ts';

/** One cell's figures over one sampling interval. */
export interface LiveCellPoint {
  readonly scenario: ScenarioName;
  readonly strategy: StrategyName;
  /** Successful jobs that ended in the interval, per second. */
  readonly jobsPerSecond: number;
  /** p99 of those jobs' durations (queue + run), in milliseconds; null when none succeeded. */
  readonly p99Ms: number | null;
  /** Jobs that ended in the interval with another outcome. */
  readonly errors: number;
}

/** One sampling interval: the main thread's loop delay and every cell that had jobs end in it. */
export interface LiveSample {
  /** Increases by one per sample, so a poller asks only for what it has not seen. */
  readonly seq: number;
  /** Epoch milliseconds at the end of the interval. */
  readonly t: number;
  /** p99 of the main thread's event-loop delay in the interval, in milliseconds. */
  readonly loopDelayP99Ms: number;
  readonly cells: readonly LiveCellPoint[];
}

export interface LiveFeedOptions {
  /** The observer that records metrics and traces; the feed only adds its counting in front of it. */
  readonly inner: JobObserver;
  /** Sampling interval (default 1000 ms, the live page's resolution). */
  readonly intervalMs?: number | undefined;
  /** Samples kept (default 300: five minutes at 1 s). */
  readonly capacity?: number | undefined;
}

const DEFAULT_INTERVAL_MS = 1_000;
const DEFAULT_CAPACITY = 300;
/** Loop-delay sampling resolution: fine enough for a p99 in milliseconds, cheap (one timer). */
const LOOP_RESOLUTION_MS = 10;

/** One cell's running totals within the current interval. */
class CellAccumulator {
  readonly scenario: ScenarioName;
  readonly strategy: StrategyName;
  ok = 0;
  errors = 0;
  /** Durations of successful jobs in microseconds (perf_hooks' native HDR histogram: constant memory, no per-job allocation). */
  readonly durationsUs: RecordableHistogram = createHistogram();

  constructor(scenario: ScenarioName, strategy: StrategyName) {
    this.scenario = scenario;
    this.strategy = strategy;
  }
}

class LiveObservation implements JobObservation {
  readonly #inner: JobObservation;
  readonly #cell: CellAccumulator;

  constructor(inner: JobObservation, cell: CellAccumulator) {
    this.#inner = inner;
    this.#cell = cell;
  }

  get traceContext(): Record<string, string> | undefined {
    return this.#inner.traceContext;
  }

  finish(end: JobEnd): void {
    this.#inner.finish(end);
    const cell = this.#cell;
    if (end.outcome === 'ok') {
      cell.ok++;
      cell.durationsUs.record(Math.max(1, Math.round(end.durationMs * 1000)));
    } else {
      cell.errors++;
    }
  }
}

/**
 * The live page's data: a JobObserver in front of the telemetry one that counts each cell's
 * jobs, and a sampler that once per interval turns the counts (and the main thread's
 * loop delay) into one sample in a ring buffer. A poller reads the buffer; nothing is
 * computed per request, so an open page costs one small JSON answer per second.
 */
export class LiveFeed implements JobObserver {
  readonly intervalMs: number;
  readonly capacity: number;
  readonly #inner: JobObserver;
  readonly #cells = new Map<ScenarioName, Map<StrategyName, CellAccumulator>>();
  readonly #ring: (LiveSample | undefined)[];
  #seq = 0;
  #loop: ELDHistogram | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastTickMs = 0;

  constructor(options: LiveFeedOptions) {
    this.#inner = options.inner;
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.#ring = new Array<LiveSample | undefined>(this.capacity);
  }

  start(job: JobStart): JobObservation {
    return new LiveObservation(this.#inner.start(job), this.#cell(job.scenario, job.strategy));
  }

  /** Starts sampling (idempotent). The timer is unref'd: it never keeps the process alive. */
  startSampling(): void {
    if (this.#timer !== undefined) return;
    this.#loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.#loop.enable();
    this.#lastTickMs = performance.now();
    this.#timer = setInterval(() => this.#sample(), this.intervalMs);
    this.#timer.unref();
  }

  stopSampling(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#loop?.disable();
    this.#loop = undefined;
  }

  /** The latest sample's seq (0 before the first). */
  get seq(): number {
    return this.#seq;
  }

  /** Samples with seq greater than `afterSeq`, oldest first (at most `capacity`). */
  samplesAfter(afterSeq: number): LiveSample[] {
    const first = Math.max(afterSeq + 1, this.#seq - this.capacity + 1, 1);
    const samples: LiveSample[] = [];
    for (let seq = first; seq <= this.#seq; seq++) samples.push(this.#ring[seq % this.capacity]!);
    return samples;
  }

  #cell(scenario: ScenarioName, strategy: StrategyName): CellAccumulator {
    let byStrategy = this.#cells.get(scenario);
    if (byStrategy === undefined) this.#cells.set(scenario, (byStrategy = new Map()));
    let cell = byStrategy.get(strategy);
    if (cell === undefined) byStrategy.set(strategy, (cell = new CellAccumulator(scenario, strategy)));
    return cell;
  }

  #sample(): void {
    const nowMs = performance.now();
    const seconds = Math.max(1e-3, (nowMs - this.#lastTickMs) / 1000);
    this.#lastTickMs = nowMs;
    const cells: LiveCellPoint[] = [];
    for (const byStrategy of this.#cells.values()) {
      for (const cell of byStrategy.values()) {
        if (cell.ok === 0 && cell.errors === 0) continue;
        cells.push({
          scenario: cell.scenario,
          strategy: cell.strategy,
          jobsPerSecond: cell.ok / seconds,
          p99Ms: cell.ok === 0 ? null : cell.durationsUs.percentile(99) / 1000,
          errors: cell.errors,
        });
        cell.ok = 0;
        cell.errors = 0;
        cell.durationsUs.reset();
      }
    }
    const loop = this.#loop;
    // The histogram holds nanoseconds; with no sample yet its percentile is 0.
    const loopDelayP99Ms = loop === undefined ? 0 : loop.percentile(99) / 1e6;
    loop?.reset();
    this.#seq++;
    this.#ring[this.#seq % this.capacity] = { seq: this.#seq, t: Date.now(), loopDelayP99Ms, cells };
  }
}
