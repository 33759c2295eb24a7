import { ChildProcessesStrategy } from './child-processes.ts';
import { MainThreadStrategy } from './main-thread.ts';
import type { Strategy, StrategyName } from './strategy.ts';
import { DEFAULT_IO_TASKS_PER_WORKER } from './strategy-slots.ts';
import { WorkerThreadsStrategy } from './worker-threads.ts';

/** A strategy by name; `workers` sizes the thread and process pools, each worker holding up to `ioTasksPerWorker` I/O jobs. */
export function createStrategy(name: StrategyName, workers: number, ioTasksPerWorker = DEFAULT_IO_TASKS_PER_WORKER): Strategy {
  switch (name) {
    case 'sequential':
    case 'async':
      return new MainThreadStrategy(name);
    case 'threads':
      return new WorkerThreadsStrategy({ workers, ioTasksPerWorker });
    case 'processes':
      return new ChildProcessesStrategy({ workers, ioTasksPerWorker });
  }
}
