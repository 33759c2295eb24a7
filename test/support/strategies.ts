import { createStrategy } from '../../src/strategies/create-strategy.ts';
import { STRATEGY_NAMES, type Strategy } from '../../src/strategies/strategy.ts';

/** One warmed-up instance of every strategy with `workers` pool members; close them with closeAll. */
export async function startAllStrategies(workers = 2): Promise<Strategy[]> {
  const strategies = STRATEGY_NAMES.map((name) => createStrategy(name, workers));
  try {
    await Promise.all(strategies.map((strategy) => strategy.ready()));
  } catch (error) {
    await closeAll(strategies);
    throw error;
  }
  return strategies;
}

export async function closeAll(strategies: readonly Strategy[]): Promise<void> {
  await Promise.allSettled(strategies.map((strategy) => strategy.close()));
}
