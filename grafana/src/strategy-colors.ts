import { STRATEGY_NAMES, type StrategyName } from '../../src/strategies/strategy.ts';

/**
 * One color per strategy on every dashboard, so "threads" looks the same in each panel. Typed by
 * the daemon's strategy names: adding a strategy without a color fails the typecheck.
 */
export const STRATEGY_COLORS: Readonly<Record<StrategyName, string>> = {
  sequential: 'red',
  async: 'yellow',
  threads: 'green',
  processes: 'blue',
};

export const STRATEGIES: readonly StrategyName[] = STRATEGY_NAMES;
