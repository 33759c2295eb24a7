import type { CellRecord, Recommendation } from './report-schema.ts';
import { recommendStrategies } from './verdict-recommendation.ts';

/** compare's recommendation per scenario, from its cells' medians (the one-worker reference and cells without a successful job left out). */
export function compareRecommendations(cells: readonly CellRecord[], cores: number): Recommendation[] {
  const rows = cells
    .filter((cell) => !cell.reference && (cell.jobsPerSecond.median ?? 0) > 0)
    .map((cell) => ({
      scenario: cell.scenario,
      strategy: cell.strategy,
      concurrency: cell.concurrency,
      jobsPerSecond: cell.jobsPerSecond.median ?? 0,
      coresUsed: cell.coresUsed.median ?? Number.NaN,
      eventLoopDelayP99Ms: cell.eventLoopDelayP99Ms.median ?? Number.NaN,
      verdict: cell.verdict,
    }));
  return recommendStrategies(rows, cores);
}
