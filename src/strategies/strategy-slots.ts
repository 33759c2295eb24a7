import type { StrategyName } from './strategy.ts';

/** Jobs of each kind a strategy runs at the same moment. */
export interface StrategySlots {
  /** CPU-kind jobs: one per worker, so CPU jobs never queue behind each other inside a worker. */
  readonly cpu: number;
  /** I/O-kind jobs: many per worker, since each worker has its own event loop (Infinity for async). */
  readonly io: number;
  /** Whether cpu and io jobs count against one limit (sequential: one job at a time, whatever its kind). */
  readonly shared: boolean;
}

/** I/O jobs one worker holds at once unless told otherwise (LAB_IO_TASKS_PER_WORKER, --io-tasks-per-worker). */
export const DEFAULT_IO_TASKS_PER_WORKER = 128;

export interface PoolSize {
  /** Worker threads or child processes per pool. */
  readonly workers: number;
  /** I/O jobs one worker holds at once. */
  readonly ioTasksPerWorker: number;
}

/** The one place that says how many jobs each strategy runs at once. */
export function strategySlots(strategy: StrategyName, size: PoolSize): StrategySlots {
  switch (strategy) {
    case 'sequential':
      return { cpu: 1, io: 1, shared: true };
    case 'async':
      return { cpu: Number.POSITIVE_INFINITY, io: Number.POSITIVE_INFINITY, shared: true };
    case 'threads':
    case 'processes':
      return { cpu: size.workers, io: size.workers * size.ioTasksPerWorker, shared: false };
  }
}
