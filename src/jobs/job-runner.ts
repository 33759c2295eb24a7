import { nowMs } from '../clock.ts';
import { LabError, toLabError } from '../errors.ts';
import type { ScenarioName } from '../scenarios/catalog.ts';
import type { ScenarioKind } from '../scenarios/scenario.ts';
import type { Strategy, StrategyName, WorkerIdentity } from '../strategies/strategy.ts';
import type { Task } from '../strategies/task.ts';
import { type JobEnd, type JobObserver, type JobOutcome, NULL_JOB_OBSERVER } from './job-observer.ts';
import { SlotGate } from './slot-gate.ts';

export interface JobRequest {
  scenario: ScenarioName;
  /** The scenario's kind: cpu jobs and io jobs have their own slots on a pool. */
  kind: ScenarioKind;
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
  /** Jobs executing now. */
  running: number;
  queued: number;
  /** Workers with at least one job: the pools hand a job to an idle worker first, so min(workers, running). */
  busyWorkers: number;
}

/** The gates of one strategy: one per kind, or the same one for both (sequential). */
interface KindGates {
  cpu: SlotGate<ScenarioName>;
  io: SlotGate<ScenarioName>;
}

/** Task ids are unique in this process: cancel messages name the task by it. */
let lastTaskId = 0;

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
  readonly #gates = new Map<StrategyName, KindGates>();
  readonly #active = new Set<AbortController>();
  #inFlight = 0;
  #onIdle: (() => void) | undefined;
  #draining = false;

  constructor(options: JobRunnerOptions) {
    this.#options = options;
    this.#observer = options.observer ?? NULL_JOB_OBSERVER;
    for (const [name, strategy] of options.strategies) {
      const { cpu, io, shared } = strategy.slots;
      const cpuGate = new SlotGate<ScenarioName>(cpu);
      this.#gates.set(name, { cpu: cpuGate, io: shared ? cpuGate : new SlotGate<ScenarioName>(io) });
    }
  }

  strategy(name: StrategyName): Strategy {
    const strategy = this.#options.strategies.get(name);
    if (strategy === undefined) {
      throw new LabError('LAB_ERR_STRATEGY_UNKNOWN', `strategy "${name}" is not running in this daemon; running: ${[...this.#options.strategies.keys()].join(', ')}`);
    }
    return strategy;
  }

  load(name: StrategyName): StrategyLoad {
    const strategy = this.strategy(name);
    const { cpu, io } = this.#gates.get(name)!;
    const gates = cpu === io ? [cpu] : [cpu, io];
    const running = gates.reduce((sum, gate) => sum + gate.running, 0);
    const queued = gates.reduce((sum, gate) => sum + gate.waiting, 0);
    return { inFlight: running + queued, running, queued, busyWorkers: Math.min(strategy.workerCount, running) };
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

    const gate = this.#gates.get(strategy.name)![request.kind];
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

    const task: Task = { id: ++lastTaskId, kind: request.kind, scenario: request.scenario, size: request.size, upstreamUrl: this.#options.upstreamUrl, traceContext: observation.traceContext };
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
    for (const { cpu, io } of this.#gates.values()) {
      cpu.rejectWaiting(SHUTTING_DOWN);
      io.rejectWaiting(SHUTTING_DOWN);
    }
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
