import { ChildProcessesStrategy } from './child-processes.ts';
import { MainThreadStrategy } from './main-thread.ts';
import type { Strategy, StrategyName } from './strategy.ts';
import { WorkerThreadsStrategy } from './worker-threads.ts';

/** A strategy by name; `workers` sizes the thread and process pools. */
export function createStrategy(name: StrategyName, workers: number): Strategy {
  switch (name) {
    case 'sequential':
    case 'async':
      return new MainThreadStrategy(name);
    case 'threads':
      return new WorkerThreadsStrategy(workers);
    case 'processes':
      return new ChildProcessesStrategy(workers);
  }
}
