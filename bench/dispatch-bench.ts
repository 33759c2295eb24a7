import { STRATEGY_NAMES } from '../src/strategies/strategy.ts';
import { BenchEngine } from './bench-engine.ts';
import type { Benchmark, Measurement } from './benchmark.ts';
import { interleavedRounds, median } from './interleaved-rounds.ts';

const US_PER_MS = 1000;

/**
 * Issue 2: the round trip of a job that does nothing (noop), one at a time, per strategy:
 * what the job runner, the slot gate and (for pools) the message to the worker and back cost.
 */
export const dispatchBench: Benchmark = {
  name: 'dispatch',
  description: 'dispatch: round trip of a noop job per strategy, one at a time, p50 and p99',
  async run(context) {
    const rounds = context.quick ? 3 : 5;
    const jobs = context.quick ? 300 : 2_000;
    const engine = await BenchEngine.start({ strategies: STRATEGY_NAMES, workers: context.cores });
    try {
      const options = { scenario: 'noop', size: 0, concurrency: 1 } as const;
      context.log(`dispatch: ${rounds} rounds × ${STRATEGY_NAMES.length} strategies × ${jobs} jobs`);
      await engine.warmUp(STRATEGY_NAMES, { ...options, concurrency: 100 });
      const runs = await interleavedRounds(STRATEGY_NAMES, rounds, (strategy) => engine.load({ ...options, strategy, jobs }));
      return STRATEGY_NAMES.flatMap((strategy): Measurement[] =>
        (['p50', 'p99'] as const).map((quantile) => ({
          name: `${strategy} noop round trip ${quantile}`,
          value: median(runs[strategy].map((run) => run.latencyMs[quantile] * US_PER_MS)),
          unit: 'µs',
          detail: { perRoundUs: runs[strategy].map((run) => run.latencyMs[quantile] * US_PER_MS), jobsPerSecond: median(runs[strategy].map((run) => run.jobsPerSecond)) },
        })),
      );
    } finally {
      await engine.close();
    }
  },
};
