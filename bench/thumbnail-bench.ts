import type { StrategyName } from '../src/strategies/strategy.ts';
import { BenchEngine } from './bench-engine.ts';
import { atLeast, type Benchmark, type Measurement } from './benchmark.ts';
import { interleavedRounds, median, medianRatio } from './interleaved-rounds.ts';

const STRATEGIES = ['sequential', 'async', 'threads', 'processes'] as const satisfies readonly StrategyName[];
/** Source width: 1600 × 1200 JPEGs (the scenario's size is the width, 4:3). */
const SOURCE_WIDTH = 1600;
/** A plain Python/Pillow thumbnailer with a pool of 2 on this machine class (issue 2). */
const PILLOW_POOL_OF_2_PER_SECOND = 240;

/**
 * Issue 2: thumbnails per second of 1600×1200 JPEGs per strategy. sharp runs its work on
 * libuv's threadpool, so even `async` on the main thread uses several cores.
 */
export const thumbnailBench: Benchmark = {
  name: 'thumbnail',
  description: `thumbnail: best strategy's thumbnails/s on ${SOURCE_WIDTH}×1200 JPEGs and its ratio to sequential (target > Pillow's ${PILLOW_POOL_OF_2_PER_SECOND}/s)`,
  async run(context) {
    const workers = context.cores;
    const rounds = context.quick ? 2 : 5;
    const durationMs = context.quick ? 1_000 : 3_000;
    const concurrency = 2 * workers;
    const engine = await BenchEngine.start({ strategies: STRATEGIES, workers });
    try {
      context.log(`thumbnail: ${rounds} rounds × ${STRATEGIES.length} strategies × ${durationMs} ms, ${concurrency} in flight`);
      await engine.warmUp(STRATEGIES, { scenario: 'thumbnail', size: SOURCE_WIDTH, concurrency });
      const runs = await interleavedRounds(STRATEGIES, rounds, (strategy) => engine.load({ scenario: 'thumbnail', strategy, size: SOURCE_WIDTH, concurrency, durationMs }));
      const perSecond = (strategy: StrategyName): number[] => runs[strategy as (typeof STRATEGIES)[number]].map((run) => run.jobsPerSecond);
      const measurements: Measurement[] = STRATEGIES.map((strategy) => ({
        name: `${strategy} thumbnails/s`,
        value: median(perSecond(strategy)),
        unit: '/s',
        detail: { perRound: perSecond(strategy), coresUsed: median(runs[strategy].map((run) => run.coresUsed)), p99Ms: median(runs[strategy].map((run) => run.latencyMs.p99)) },
      }));
      const best = STRATEGIES.reduce((a, b) => (median(perSecond(b)) > median(perSecond(a)) ? b : a));
      const bestPerSecond = median(perSecond(best));
      measurements.push(
        { name: `best (${best}) thumbnails/s`, value: bestPerSecond, unit: '/s', target: atLeast(bestPerSecond, PILLOW_POOL_OF_2_PER_SECOND, 'Pillow, pool of 2') },
        { name: `best (${best}) ÷ sequential`, value: medianRatio(perSecond(best), perSecond('sequential')), unit: '×' },
      );
      return measurements;
    } finally {
      await engine.close();
    }
  },
};
