import { AsyncStrategy } from './async.ts';
import { ChildProcessesStrategy } from './child-processes.ts';
import { SequentialStrategy } from './sequential.ts';
import type { Strategy, StrategyName } from './strategy.ts';
import { WorkerThreadsStrategy } from './worker-threads.ts';

/** A strategy by name; `workers` sizes the thread and process pools. */
export function createStrategy(name: StrategyName, workers: number): Strategy {
  switch (name) {
    case 'sequential':
      return new SequentialStrategy();
    case 'async':
      return new AsyncStrategy();
    case 'threads':
      return new WorkerThreadsStrategy(workers);
    case 'processes':
      return new ChildProcessesStrategy(workers);
  }
}
