import type { ScenarioName } from '../scenarios/catalog.ts';
import type { StrategyName } from '../strategies/strategy.ts';

/** How the driver runs its scenarios: one cell at a time, or every scenario at once under one strategy. */
export const MIXES = ['isolated', 'mixed'] as const;
export type Mix = (typeof MIXES)[number];

/** One scenario under one strategy: the driver's unit of rotation and of every window's figures. */
export interface Cell {
  readonly scenario: ScenarioName;
  readonly strategy: StrategyName;
  readonly mix: Mix;
}

/** What runs at once: one cell (isolated), or every scenario under one strategy (mixed). */
export interface Stage {
  readonly strategy: StrategyName;
  readonly mix: Mix;
  readonly cells: readonly Cell[];
}

/**
 * The driver's cycle. Isolated: every scenario × strategy, scenario by scenario, so the
 * strategies of one scenario are compared within a few windows of each other. Mixed: one stage
 * per strategy, running every scenario.
 */
export function planCycle(scenarios: readonly ScenarioName[], strategies: readonly StrategyName[], mix: Mix): Stage[] {
  if (mix === 'mixed') return strategies.map((strategy) => ({ strategy, mix, cells: scenarios.map((scenario) => ({ scenario, strategy, mix })) }));
  return scenarios.flatMap((scenario) => strategies.map((strategy) => ({ strategy, mix, cells: [{ scenario, strategy, mix }] })));
}

export function cellKey(cell: Cell): string {
  return `${cell.scenario}/${cell.strategy}/${cell.mix}`;
}
