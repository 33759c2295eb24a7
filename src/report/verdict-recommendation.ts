import type { StrategyName } from '../strategies/strategy.ts';
import type { Verdict } from './verdict-rules.ts';

/** One measured cell of a scenario, as the recommendation weighs it. */
export interface RecommendationRow {
  readonly scenario: string;
  readonly strategy: StrategyName;
  readonly concurrency: number;
  /** Median successful jobs per second. */
  readonly jobsPerSecond: number;
  readonly coresUsed: number;
  readonly eventLoopDelayP99Ms: number;
  readonly verdict: Verdict;
}

export interface Recommendation {
  readonly scenario: string;
  /** The fastest strategy, at its best concurrency. */
  readonly strategy: StrategyName;
  readonly concurrency: number;
  readonly jobsPerSecond: number;
  readonly runnerUp: { readonly strategy: StrategyName; readonly concurrency: number; readonly jobsPerSecond: number } | null;
  /** The recommended strategy's jobs/s ÷ the runner-up's (below 1 when a tie went to the freer event loop); null without a runner-up. */
  readonly margin: number | null;
  /** Why, in one line, with the numbers. */
  readonly why: string;
}

/** A margin below this is called a tie on this machine (the rounds' spread is of that order). */
export const TIE_MARGIN = 1.05;

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/**
 * Per scenario: the strategy with the most jobs per second (each strategy at its best
 * concurrency), why in one line, the runner-up and the margin, and what limited the slowest.
 * Among strategies within TIE_MARGIN of the fastest, the one with the lowest main-thread loop
 * delay p99 is recommended: the same throughput, and the service stays responsive.
 * Pure; rows of the one-worker reference and rows without a successful job are to be left out by the caller.
 */
export function recommendStrategies(rows: readonly RecommendationRow[], cores: number): Recommendation[] {
  const scenarios = [...new Set(rows.map((row) => row.scenario))];
  return scenarios.flatMap((scenario) => {
    const bestPerStrategy = new Map<StrategyName, RecommendationRow>();
    for (const row of rows) {
      if (row.scenario !== scenario || !(row.jobsPerSecond > 0)) continue;
      const known = bestPerStrategy.get(row.strategy);
      if (known === undefined || row.jobsPerSecond > known.jobsPerSecond) bestPerStrategy.set(row.strategy, row);
    }
    const ranked = [...bestPerStrategy.values()].sort((a, b) => b.jobsPerSecond - a.jobsPerSecond);
    const fastest = ranked[0];
    if (fastest === undefined) return [];
    const tied = ranked.filter((row) => row.jobsPerSecond * TIE_MARGIN >= fastest.jobsPerSecond);
    const best = tied.reduce((freest, row) => (row.eventLoopDelayP99Ms < freest.eventLoopDelayP99Ms ? row : freest));
    const runnerUp = best === fastest ? ranked[1] : fastest;
    const slowest = ranked.length > 2 && ranked.at(-1) !== best && ranked.at(-1) !== runnerUp ? ranked.at(-1) : undefined;
    const margin = runnerUp === undefined ? null : best.jobsPerSecond / runnerUp.jobsPerSecond;
    const at = (row: RecommendationRow): string => (row.concurrency > 0 ? ` at ${row.concurrency} in flight` : '');
    const why =
      `${best.strategy}: ${fixed(best.jobsPerSecond)} jobs/s${at(best)}, ${fixed(best.coresUsed, 2)} of ${cores} cores, loop p99 ${fixed(best.eventLoopDelayP99Ms)} ms (${best.verdict.limit})` +
      (runnerUp === undefined
        ? ''
        : `; runner-up ${runnerUp.strategy} ${fixed(runnerUp.jobsPerSecond)} jobs/s, ${fixed(margin!, 2)}×` +
          (best !== fastest
            ? ` (a tie within 5 %: ${best.strategy} keeps the event loop freer, p99 ${fixed(best.eventLoopDelayP99Ms)} ms against ${fixed(runnerUp.eventLoopDelayP99Ms)} ms)`
            : margin! < TIE_MARGIN
              ? ' (a tie within 5 %)'
              : '')) +
      (slowest === undefined ? '' : `; slowest ${slowest.strategy} ${fixed(slowest.jobsPerSecond)} jobs/s, ${slowest.verdict.limit}: ${slowest.verdict.evidence}`);
    return [
      {
        scenario,
        strategy: best.strategy,
        concurrency: best.concurrency,
        jobsPerSecond: best.jobsPerSecond,
        runnerUp: runnerUp === undefined ? null : { strategy: runnerUp.strategy, concurrency: runnerUp.concurrency, jobsPerSecond: runnerUp.jobsPerSecond },
        margin,
        why,
      },
    ];
  });
}
