import type { Strategy, StrategyName } from './strategy.ts';

/** Pids of the strategies' workers that are separate processes, by strategy. */
export function childPids(strategies: Iterable<Strategy>): Map<number, StrategyName> {
  const pids = new Map<number, StrategyName>();
  for (const strategy of strategies) {
    for (const { pid } of strategy.workers()) if (pid !== process.pid) pids.set(pid, strategy.name);
  }
  return pids;
}
