import { type Context, context, isSpanContextValid, propagation, type Span, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { JobEnd, JobObservation, JobObserver, JobStart } from '../jobs/job-observer.ts';
import type { LabMetrics } from './lab-metrics.ts';
import { rememberLocalParent } from './local-parent-context.ts';
import { upstreamRequestLabels } from './upstream-request-labels.ts';

const tracer = trace.getTracer('concurrency-lab');
const MS_PER_SECOND = 1000;
const NO_EXEMPLAR = Object.freeze({});

/** Label children of one scenario × strategy, made once. */
interface SeriesCache {
  labels: { scenario: string; strategy: string };
  inFlight: { inc(): void; dec(): void };
  queue: { observe(value: number): void };
  run: { observe(value: number): void };
  outcomes: Map<string, { inc(): void }>;
}

export interface JobTelemetryOptions {
  /** The active faults as the lab.faults attribute of http job spans (names joined by commas, or none). */
  faults?: (() => string) | undefined;
}

const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;

/**
 * The http scenario's client policies live where the job ran (each pool worker has its own);
 * each job reports its attempts and its breaker's state, in its result or error details.
 */
function recordPolicy(metrics: LabMetrics, end: JobEnd): void {
  const report = ((end.result as { policy?: unknown } | undefined)?.policy ?? end.error?.details) as { attempts?: unknown; circuit?: unknown } | undefined;
  if (report === undefined) return;
  if (typeof report.attempts === 'number' && report.attempts > 1) metrics.upstreamRetries.inc(report.attempts - 1);
  if (typeof report.circuit === 'string') {
    for (const state of CIRCUIT_STATES) metrics.upstreamCircuitState.set({ state }, state === report.circuit ? 1 : 0);
  }
}

class Observation implements JobObservation {
  readonly traceContext: Record<string, string> | undefined;
  readonly #telemetry: JobTelemetry;
  readonly #series: SeriesCache;
  readonly #scenario: string;
  readonly #span: Span;
  readonly #queueSpan: Span | undefined;

  constructor(telemetry: JobTelemetry, series: SeriesCache, job: JobStart, parent: Context) {
    this.#telemetry = telemetry;
    this.#series = series;
    this.#scenario = job.scenario;
    this.#span = tracer.startSpan(`job ${job.scenario}`, { startTime: job.submittedAtMs }, parent);
    const spanContext = this.#span.spanContext();
    if (!isSpanContextValid(spanContext)) {
      this.traceContext = undefined;
      this.#queueSpan = undefined;
      return;
    }
    const jobContext = trace.setSpan(parent, this.#span);
    if (this.#span.isRecording()) {
      this.#span.setAttributes({ 'lab.scenario': job.scenario, 'lab.strategy': job.strategy, 'lab.size': job.size });
      if (job.scenario === 'http' && telemetry.faults !== undefined) this.#span.setAttribute('lab.faults', telemetry.faults());
      this.#queueSpan = tracer.startSpan('queue', { startTime: job.submittedAtMs }, jobContext);
    }
    const carrier: Record<string, string> = {};
    propagation.inject(jobContext, carrier);
    rememberLocalParent(carrier, jobContext);
    this.traceContext = carrier;
  }

  finish(end: JobEnd): void {
    try {
      this.#telemetry.record(this.#series, this.#scenario, end, this.#span.spanContext());
      this.#endSpans(end);
    } catch (error) {
      this.#telemetry.warnOnce(error);
    }
  }

  #endSpans(end: JobEnd): void {
    const span = this.#span;
    if (!span.isRecording()) {
      span.end();
      return;
    }
    this.#queueSpan?.end(end.startedAtMs);
    span.setAttribute('lab.outcome', end.outcome);
    if (end.pid !== undefined) span.setAttributes({ 'process.pid': end.pid, 'thread.id': end.threadId ?? 0 });
    if (end.error !== undefined) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: end.error.message });
      span.setAttribute('error.type', end.error.code);
    }
    span.end();
  }
}

/**
 * The job runner's telemetry: a `job {scenario}` span per job with a `queue` child (the
 * `execute` child is made where the job runs, from the carried context), and the per-job
 * metrics, with the trace id as the latency exemplar of sampled jobs. Never throws into a job.
 */
export class JobTelemetry implements JobObserver {
  readonly #metrics: LabMetrics;
  readonly #series = new Map<string, SeriesCache>();
  readonly faults: (() => string) | undefined;
  #warned = false;

  constructor(metrics: LabMetrics, options: JobTelemetryOptions = {}) {
    this.#metrics = metrics;
    this.faults = options.faults;
  }

  start(job: JobStart): JobObservation {
    const series = this.#seriesOf(job.scenario, job.strategy);
    series.inFlight.inc();
    try {
      return new Observation(this, series, job, context.active());
    } catch (error) {
      this.warnOnce(error);
      return { traceContext: undefined, finish: (end) => this.record(series, job.scenario, end, undefined) };
    }
  }

  /** Per-job metrics; the exemplar links the latency to the job's trace when it was sampled. */
  record(series: SeriesCache, scenario: string, end: JobEnd, spanContext: { traceId: string; traceFlags: number } | undefined): void {
    const metrics = this.#metrics;
    series.inFlight.dec();
    let outcome = series.outcomes.get(end.outcome);
    if (outcome === undefined) {
      outcome = metrics.jobs.labels(series.labels.scenario, series.labels.strategy, end.outcome);
      series.outcomes.set(end.outcome, outcome);
    }
    outcome.inc();
    if (end.outcome === 'rejected') return;
    const sampled = spanContext !== undefined && (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0;
    metrics.jobDuration.observe({
      labels: series.labels,
      value: end.durationMs / MS_PER_SECOND,
      // prom-client types exemplar labels like metric labels; they are free-form.
      exemplarLabels: (sampled ? { trace_id: spanContext.traceId } : NO_EXEMPLAR) as Record<string, string>,
    });
    if (end.queueMs !== undefined) series.queue.observe(end.queueMs / MS_PER_SECOND);
    if (end.runMs !== undefined) series.run.observe(end.runMs / MS_PER_SECOND);
    if (scenario === 'http') {
      const labels = upstreamRequestLabels(end);
      if (labels !== undefined) metrics.upstreamRequests.inc(labels);
      recordPolicy(metrics, end);
    }
  }

  warnOnce(error: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    process.emitWarning(`telemetry failed and is skipped for this job: ${(error as Error).message}`);
  }

  #seriesOf(scenario: string, strategy: string): SeriesCache {
    const key = `${scenario}\u0000${strategy}`;
    let series = this.#series.get(key);
    if (series === undefined) {
      const metrics = this.#metrics;
      series = {
        labels: { scenario, strategy },
        inFlight: metrics.jobsInFlight.labels(scenario, strategy),
        queue: metrics.jobQueue.labels(scenario, strategy),
        run: metrics.jobRun.labels(scenario, strategy),
        outcomes: new Map(),
      };
      this.#series.set(key, series);
    }
    return series;
  }
}
