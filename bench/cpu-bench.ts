import { SCENARIOS } from '../src/scenarios/catalog.ts';
import type { StrategyName } from '../src/strategies/strategy.ts';
import { BenchEngine } from './bench-engine.ts';
import { atLeast, type Benchmark, type Measurement } from './benchmark.ts';
import { interleavedRounds, median, medianRatio } from './interleaved-rounds.ts';

const STRATEGIES = ['sequential', 'threads', 'processes'] as const satisfies readonly StrategyName[];
const SCENARIOS_MEASURED = ['matrix', 'array'] as const;
/** Share of the ideal speed-up (one per core) a pool must reach. */
const EFFICIENCY_TARGET = 0.85;

/**
 * Issue 2: pure-JavaScript work (matrix, array) on worker threads and child processes versus
 * one job at a time on the main thread. The physical limit of the speed-up is the core count.
 */
export const cpuBench: Benchmark = {
  name: 'cpu',
  description: 'matrix and array: throughput of threads and of processes ÷ sequential (target ≥ 0.85 × cores)',
  async run(context) {
    const workers = context.cores;
    const rounds = context.quick ? 3 : 5;
    const durationMs = context.quick ? 800 : 3_000;
    const engine = await BenchEngine.start({ strategies: STRATEGIES, workers });
    const measurements: Measurement[] = [];
    try {
      for (const scenario of SCENARIOS_MEASURED) {
        const size = SCENARIOS[scenario].size.default;
        context.log(`cpu: ${scenario} (size ${size}), ${rounds} rounds × ${STRATEGIES.length} strategies × ${durationMs} ms`);
        await engine.warmUp(STRATEGIES, { scenario, size, concurrency: 2 * workers });
        // Enough in flight to keep every worker busy; the job runner queues the rest.
        const runs = await interleavedRounds(STRATEGIES, rounds, (strategy) => engine.load({ scenario, strategy, size, concurrency: 2 * workers, durationMs }));
        const perSecond = (strategy: StrategyName): number[] => runs[strategy as (typeof STRATEGIES)[number]].map((run) => run.jobsPerSecond);
        for (const strategy of ['threads', 'processes'] as const) {
          const ratio = medianRatio(perSecond(strategy), perSecond('sequential'));
          measurements.push({
            name: `${scenario} ${strategy} ÷ sequential`,
            value: ratio,
            unit: '×',
            target: atLeast(ratio, EFFICIENCY_TARGET * context.cores, `${EFFICIENCY_TARGET} × ${context.cores} cores`),
            detail: {
              size,
              jobsPerSecond: median(perSecond(strategy)),
              sequentialJobsPerSecond: median(perSecond('sequential')),
              coresUsed: median(runs[strategy].map((run) => run.coresUsed)),
              perRound: perSecond(strategy),
              sequentialPerRound: perSecond('sequential'),
            },
          });
          // Below the core count, the pool did not get every core: another process was busy.
          const coresUsed = median(runs[strategy].map((run) => run.coresUsed));
          measurements.push({ name: `${scenario} ${strategy} cores used`, value: coresUsed, unit: 'cores' });
        }
      }
    } finally {
      await engine.close();
    }
    return measurements;
  },
};
