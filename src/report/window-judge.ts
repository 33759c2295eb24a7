import { availableParallelism, totalmem } from 'node:os';
import type { Cell } from '../driver/cell.ts';
import type { WindowFigures } from '../measurement/load-window.ts';
import { getScenario } from '../scenarios/catalog.ts';
import type { Strategy, StrategyName } from '../strategies/strategy.ts';
import { cellVerdict, memoryBudgetBytes, type Verdict } from './verdict-rules.ts';

/** The daemon's judge of a driver window: the verdict rules with this machine's cores, memory and the strategies' slots. */
export function windowJudge(strategies: ReadonlyMap<StrategyName, Pick<Strategy, 'slots'>>): (cell: Cell, figures: WindowFigures) => Verdict {
  const cores = availableParallelism();
  const budget = memoryBudgetBytes(totalmem(), process.constrainedMemory());
  return (cell, figures) => {
    const kind = getScenario(cell.scenario).kind;
    const slots = strategies.get(cell.strategy)?.slots[kind] ?? Number.POSITIVE_INFINITY;
    return cellVerdict({ strategy: cell.strategy, kind, slots, cores, memoryBudgetBytes: budget, figures });
  };
}
