import type { StrategySlots } from './strategy-slots.ts';
import type { Task, TaskOutcome } from './task.ts';

export const STRATEGY_NAMES = ['sequential', 'async', 'threads', 'processes'] as const;

export type StrategyName = (typeof STRATEGY_NAMES)[number];

export function isStrategyName(value: string): value is StrategyName {
  return (STRATEGY_NAMES as readonly string[]).includes(value);
}

/** Who ran a job: the process, and the thread inside it (0 for a process's main thread). */
export interface WorkerIdentity {
  pid: number;
  threadId: number;
}

/** What a pool's workers used, from the counters they send with every reply. */
export interface WorkerUsage {
  /** CPU seconds of every worker the pool ever had (replaced ones keep counting). */
  cpuSeconds: number;
  /** Event-loop active and idle time, summed the same way. */
  eluActiveMs: number;
  eluIdleMs: number;
  /** V8 heap in use by the live workers. */
  heapUsedBytes: number;
}

/** Why a pool replaced a worker. */
export type RestartReason = 'crash' | 'cancel';

/** How jobs are executed. The job runner never hands a strategy more tasks of a kind than its slots for that kind. */
export interface Strategy {
  readonly name: StrategyName;
  /** Jobs of each kind that can execute at the same moment (Infinity for async). */
  readonly slots: StrategySlots;
  /** Threads or processes that run jobs: the pool size, or 1 for the main thread. */
  readonly workerCount: number;
  /**
   * Runs a task. Rejects with a LabError; when `signal` aborts, at once with `signal.reason`.
   * A cancelled I/O task is stopped inside its worker (its siblings go on); a cancelled CPU task
   * in a pool ends the worker that runs it, the only way to stop running JavaScript.
   */
  execute(task: Task, signal: AbortSignal): Promise<TaskOutcome>;
  /** Resolves once every worker has started and loaded the scenarios. */
  ready(): Promise<void>;
  /** The threads or processes that run jobs now. */
  workers(): WorkerIdentity[];
  /** Of workers(), those that have answered a task: started and loaded, not still booting. */
  readyWorkers(): WorkerIdentity[];
  /**
   * Ends one worker abruptly, as a crash would (SIGKILL for a child process, terminate() for a
   * thread); its job fails with LAB_ERR_WORKER_CRASHED and the pool replaces it. False when
   * there is no such worker or the strategy runs on the main thread.
   */
  terminateWorker(worker: WorkerIdentity): boolean;
  /** Resource use of the pool's workers; undefined for strategies on the main thread. */
  workerUsage(): WorkerUsage | undefined;
  /** Workers replaced so far, by reason. */
  restarts(): Readonly<Record<RestartReason, number>>;
  /** Stops accepting work and ends every worker; in-flight tasks reject. */
  close(): Promise<void>;
}

