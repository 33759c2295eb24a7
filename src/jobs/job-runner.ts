import { LabError, toLabError } from '../errors.ts';
import type { ScenarioName } from '../scenarios/catalog.ts';
import { nowMs } from '../strategies/run-task.ts';
import type { Strategy, StrategyName, WorkerIdentity } from '../strategies/strategy.ts';
import type { Task } from '../strategies/task.ts';
import { type JobEnd, type JobObserver, type JobOutcome, NULL_JOB_OBSERVER } from './job-observer.ts';
import { SlotGate } from './slot-gate.ts';

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
 * Admits, queues, times out, cancels and measures jobs on top of the strategies. Each
 * strategy has a slot gate: at most `slots` jobs execute, the rest wait in a queue that is
 * fair across scenarios and bounded by `queueLimit`; past it a job is shed at once with
 * LAB_ERR_QUEUE_FULL instead of queueing without limit.
 */
export class JobRunner {
  readonly #options: JobRunnerOptions;
  readonly #observer: JobObserver;
  readonly #gates = new Map<StrategyName, SlotGate<ScenarioName>>();
  readonly #active = new Set<AbortController>();
  #inFlight = 0;
  #onIdle: (() => void) | undefined;
  #draining = false;

  constructor(options: JobRunnerOptions) {
    this.#options = options;
    this.#observer = options.observer ?? NULL_JOB_OBSERVER;
    for (const [name, strategy] of options.strategies) this.#gates.set(name, new SlotGate(strategy.slots));
  }

  strategy(name: StrategyName): Strategy {
    const strategy = this.#options.strategies.get(name);
    if (strategy === undefined) {
      throw new LabError('LAB_ERR_STRATEGY_UNKNOWN', `strategy "${name}" is not running in this daemon; running: ${[...this.#options.strategies.keys()].join(', ')}`);
    }
    return strategy;
  }

  load(name: StrategyName): StrategyLoad {
    this.strategy(name);
    const gate = this.#gates.get(name)!;
    return { inFlight: gate.running + gate.waiting, busy: gate.running, queued: gate.waiting };
  }

  /** Whether one more job fits: a free slot, or room in the queue (async, which never waits, is bounded by queueLimit in flight). */
  #admits(gate: SlotGate<ScenarioName>): boolean {
    // LAB_QUEUE_LIMIT=0 means no queue: async, which never queues, then has no bound either.
    if (!Number.isFinite(gate.slots)) return this.#options.queueLimit === 0 || gate.running < this.#options.queueLimit;
    return gate.running < gate.slots || gate.waiting < this.#options.queueLimit;
  }

  async run(request: JobRequest): Promise<JobReport> {
    const strategy = this.strategy(request.strategy);
    const submittedAtMs = nowMs();
    const observation = this.#observer.start({ scenario: request.scenario, strategy: request.strategy, size: request.size, submittedAtMs });
    const end: JobEnd = { outcome: 'ok', durationMs: 0, dispatched: false, startedAtMs: undefined, queueMs: undefined, runMs: undefined, pid: undefined, threadId: undefined, error: undefined, result: undefined };

    const gate = this.#gates.get(strategy.name)!;
    if (this.#draining || !this.#admits(gate)) {
      const error = this.#draining
        ? new LabError('LAB_ERR_SHUTTING_DOWN', 'the daemon is shutting down')
        : new LabError('LAB_ERR_QUEUE_FULL', `the ${strategy.name} queue is full (${gate.running} running, ${gate.waiting} waiting); retry later`, { details: { retryAfterSeconds: 1 } });
      end.outcome = 'rejected';
      end.error = error;
      observation.finish(end);
      throw error;
    }

    this.#inFlight++;
    const controller = new AbortController();
    this.#active.add(controller);
    const timer = setTimeout(abortWithTimeout, this.#options.timeoutMs, controller, this.#options.timeoutMs);
    const onClientAbort = (): void => controller.abort(new LabError('LAB_ERR_JOB_CANCELLED', 'the client cancelled the job'));
    request.signal?.addEventListener('abort', onClientAbort, { once: true });
    if (request.signal?.aborted === true) onClientAbort();

    const task: Task = { scenario: request.scenario, size: request.size, upstreamUrl: this.#options.upstreamUrl, traceContext: observation.traceContext };
    let holdsSlot = false;
    try {
      await gate.acquire(request.scenario, controller.signal);
      holdsSlot = true;
      end.dispatched = true;
      const outcome = await strategy.execute(task, controller.signal);
      // Work that cannot be interrupted (pure JS on the main thread) may finish after its deadline.
      if (controller.signal.aborted) throw controller.signal.reason;
      end.startedAtMs = outcome.startedAtMs;
      end.queueMs = Math.max(0, outcome.startedAtMs - submittedAtMs);
      end.runMs = outcome.runMs;
      end.pid = outcome.pid;
      end.threadId = outcome.threadId;
      end.durationMs = nowMs() - submittedAtMs;
      end.result = outcome.result;
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
      if (holdsSlot) gate.release();
      this.#inFlight--;
      if (this.#inFlight === 0) this.#onIdle?.();
    }
  }

  /** Jobs in flight (running or waiting) across every strategy. */
  get inFlight(): number {
    return this.#inFlight;
  }

  #idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle = () => {
        this.#onIdle = undefined;
        resolve();
      };
    });
  }

  /**
   * Stops admitting jobs, cancels those still waiting for a slot, lets running jobs finish
   * for up to `graceMs`, then cancels the rest. Resolves when no job is in flight any more.
   */
  async drain(graceMs: number): Promise<void> {
    this.#draining = true;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    // Jobs still waiting for a slot have not started: they are cancelled at once.
    for (const gate of this.#gates.values()) gate.rejectWaiting(SHUTTING_DOWN);
    await Promise.race([this.#idle(), graceOver]);
    clearTimeout(timer);
    for (const controller of this.#active) controller.abort(SHUTTING_DOWN);
    await this.#idle();
  }
}

const SHUTTING_DOWN = new LabError('LAB_ERR_SHUTTING_DOWN', 'the daemon is shutting down; the job was cancelled');

function abortWithTimeout(controller: AbortController, timeoutMs: number): void {
  controller.abort(new LabError('LAB_ERR_JOB_TIMEOUT', `the job was not done ${timeoutMs} ms after its submission (LAB_JOB_TIMEOUT_MS; waiting for a slot counts)`));
}
