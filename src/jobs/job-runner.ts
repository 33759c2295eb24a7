import { LabError, toLabError } from '../errors.ts';
import type { ScenarioName } from '../scenarios/catalog.ts';
import { nowMs } from '../strategies/run-task.ts';
import type { Strategy, StrategyName, WorkerIdentity } from '../strategies/strategy.ts';
import type { Task } from '../strategies/task.ts';
import { type JobEnd, type JobObserver, type JobOutcome, NULL_JOB_OBSERVER } from './job-observer.ts';

export interface JobRequest {
  scenario: ScenarioName;
  strategy: StrategyName;
  size: number;
  /** Aborts the job (for example when the API client disconnects): outcome `cancelled`. */
  signal?: AbortSignal | undefined;
}

/** The API's answer for a finished job. */
export interface JobReport {
  scenario: ScenarioName;
  strategy: StrategyName;
  size: number;
  durationMs: number;
  queueMs: number;
  runMs: number;
  worker: WorkerIdentity;
  result: unknown;
}

export interface JobRunnerOptions {
  strategies: ReadonlyMap<StrategyName, Strategy>;
  /** Jobs that may wait for a free slot per strategy; async never waits, so for async it bounds jobs in flight. */
  queueLimit: number;
  timeoutMs: number;
  upstreamUrl: string | undefined;
  observer?: JobObserver | undefined;
}

/** Live load of one strategy, derived from the jobs the runner admitted. */
export interface StrategyLoad {
  inFlight: number;
  busy: number;
  queued: number;
}

function outcomeOf(error: LabError): JobOutcome {
  switch (error.code) {
    case 'LAB_ERR_JOB_TIMEOUT':
      return 'timeout';
    case 'LAB_ERR_JOB_CANCELLED':
    case 'LAB_ERR_SHUTTING_DOWN':
      return 'cancelled';
    case 'LAB_ERR_QUEUE_FULL':
      return 'rejected';
    default:
      return 'error';
  }
}

/**
 * Admits, times out, cancels and measures jobs on top of the strategies. Admission is
 * bounded per strategy: past `slots + queueLimit` jobs a new one is shed at once with
 * LAB_ERR_QUEUE_FULL instead of queueing without limit.
 */
export class JobRunner {
  readonly #options: JobRunnerOptions;
  readonly #observer: JobObserver;
  readonly #inFlight = new Map<StrategyName, number>();
  readonly #active = new Set<AbortController>();
  #draining = false;

  constructor(options: JobRunnerOptions) {
    this.#options = options;
    this.#observer = options.observer ?? NULL_JOB_OBSERVER;
    for (const name of options.strategies.keys()) this.#inFlight.set(name, 0);
  }

  strategy(name: StrategyName): Strategy {
    const strategy = this.#options.strategies.get(name);
    if (strategy === undefined) {
      throw new LabError('LAB_ERR_STRATEGY_UNKNOWN', `strategy "${name}" is not running in this daemon; running: ${[...this.#options.strategies.keys()].join(', ')}`);
    }
    return strategy;
  }

  load(name: StrategyName): StrategyLoad {
    const inFlight = this.#inFlight.get(name) ?? 0;
    const busy = Math.min(inFlight, this.strategy(name).slots);
    return { inFlight, busy, queued: inFlight - busy };
  }

  #admissionLimit(strategy: Strategy): number {
    return Number.isFinite(strategy.slots) ? strategy.slots + this.#options.queueLimit : this.#options.queueLimit;
  }

  async run(request: JobRequest): Promise<JobReport> {
    const strategy = this.strategy(request.strategy);
    const submittedAtMs = nowMs();
    const observation = this.#observer.start({ scenario: request.scenario, strategy: request.strategy, size: request.size, submittedAtMs });
    const end: JobEnd = { outcome: 'ok', durationMs: 0, startedAtMs: undefined, queueMs: undefined, runMs: undefined, pid: undefined, threadId: undefined, error: undefined };

    const inFlight = this.#inFlight.get(strategy.name)!;
    if (this.#draining || inFlight >= this.#admissionLimit(strategy)) {
      const error = this.#draining
        ? new LabError('LAB_ERR_SHUTTING_DOWN', 'the daemon is shutting down')
        : new LabError('LAB_ERR_QUEUE_FULL', `the ${strategy.name} queue is full (${inFlight} jobs in flight); retry later`, { details: { retryAfterSeconds: 1 } });
      end.outcome = 'rejected';
      end.error = error;
      observation.finish(end);
      throw error;
    }

    this.#inFlight.set(strategy.name, inFlight + 1);
    const controller = new AbortController();
    this.#active.add(controller);
    const timer = setTimeout(abortWithTimeout, this.#options.timeoutMs, controller, this.#options.timeoutMs);
    const onClientAbort = (): void => controller.abort(new LabError('LAB_ERR_JOB_CANCELLED', 'the client cancelled the job'));
    request.signal?.addEventListener('abort', onClientAbort, { once: true });
    if (request.signal?.aborted === true) onClientAbort();

    const task: Task = { scenario: request.scenario, size: request.size, upstreamUrl: this.#options.upstreamUrl, traceContext: observation.traceContext };
    try {
      const outcome = await strategy.execute(task, controller.signal);
      // Work that cannot be interrupted (pure JS on the main thread) may finish after its deadline.
      if (controller.signal.aborted) throw controller.signal.reason;
      end.startedAtMs = outcome.startedAtMs;
      end.queueMs = Math.max(0, outcome.startedAtMs - submittedAtMs);
      end.runMs = outcome.runMs;
      end.pid = outcome.pid;
      end.threadId = outcome.threadId;
      end.durationMs = nowMs() - submittedAtMs;
      observation.finish(end);
      return {
        scenario: request.scenario,
        strategy: strategy.name,
        size: request.size,
        durationMs: end.durationMs,
        queueMs: end.queueMs,
        runMs: end.runMs,
        worker: { pid: outcome.pid, threadId: outcome.threadId },
        result: outcome.result,
      };
    } catch (thrown) {
      const error = toLabError(thrown);
      end.outcome = outcomeOf(error);
      end.error = error;
      end.durationMs = nowMs() - submittedAtMs;
      observation.finish(end);
      throw error;
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onClientAbort);
      this.#active.delete(controller);
      this.#inFlight.set(strategy.name, this.#inFlight.get(strategy.name)! - 1);
    }
  }

  /** Jobs in flight across every strategy. */
  get inFlight(): number {
    let total = 0;
    for (const count of this.#inFlight.values()) total += count;
    return total;
  }

  /**
   * Stops admitting jobs, lets in-flight jobs finish for up to `graceMs`, then cancels the
   * rest. Resolves when no job is in flight any more.
   */
  async drain(graceMs: number): Promise<void> {
    this.#draining = true;
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const controller of this.#active) controller.abort(new LabError('LAB_ERR_SHUTTING_DOWN', 'the daemon is shutting down; the job was cancelled'));
    while (this.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function abortWithTimeout(controller: AbortController, timeoutMs: number): void {
  controller.abort(new LabError('LAB_ERR_JOB_TIMEOUT', `the job ran longer than ${timeoutMs} ms`));
}
