import type { LabError } from '../errors.ts';
import type { ScenarioName } from '../scenarios/catalog.ts';
import type { StrategyName } from '../strategies/strategy.ts';

/** The phases a job ends in. */
export type JobOutcome = 'ok' | 'error' | 'timeout' | 'cancelled' | 'rejected';

export interface JobStart {
  scenario: ScenarioName;
  strategy: StrategyName;
  size: number;
  /** Epoch milliseconds when the job was submitted. */
  submittedAtMs: number;
}

export interface JobEnd {
  outcome: JobOutcome;
  durationMs: number;
  /** True once the job held a slot and was handed to its strategy (a queued job that was cancelled or timed out never was). */
  dispatched: boolean;
  /** Known when the job reached a worker. */
  startedAtMs: number | undefined;
  queueMs: number | undefined;
  runMs: number | undefined;
  pid: number | undefined;
  threadId: number | undefined;
  error: LabError | undefined;
  /** The scenario's result, when the job succeeded. */
  result: unknown;
}

/** One job as telemetry sees it. */
export interface JobObservation {
  /** W3C trace context to carry to whoever runs the job, or undefined when not tracing. */
  readonly traceContext: Record<string, string> | undefined;
  finish(end: JobEnd): void;
}

/** Telemetry's view of the job runner. Implementations never throw. */
export interface JobObserver {
  start(job: JobStart): JobObservation;
}

const NOTHING: JobObservation = { traceContext: undefined, finish() {} };

/** An observer that records nothing (tests, and `run` without telemetry). */
export const NULL_JOB_OBSERVER: JobObserver = { start: () => NOTHING };
