import pidusage from 'pidusage';
import type { StrategyName } from '../src/strategies/strategy.ts';
import { startEmbeddedUpstream } from '../src/upstream/embedded-upstream.ts';
import { BenchEngine } from './bench-engine.ts';
import { atLeast, type Benchmark, type Measurement } from './benchmark.ts';
import { interleavedRounds, median } from './interleaved-rounds.ts';

const DELAY_MS = 50;
/** Requests in flight for async and the pools (issue 10: C=256). */
const CONCURRENT_IN_FLIGHT = 256;
/** Share of Little's-law bound async, threads and processes must each reach (issue 10). */
const TARGET_SHARE = 0.85;
/**
 * Sequential has one slot, so more in flight only queues; a few keep it busy without a
 * closed loop's tail of queued requests at the deadline (each one another DELAY_MS).
 */
const SEQUENTIAL_IN_FLIGHT = 4;

const STRATEGIES = ['sequential', 'async', 'threads', 'processes'] as const satisfies readonly StrategyName[];

/** CPU seconds the process `pid` has used so far. */
async function cpuSecondsOf(pid: number): Promise<number> {
  return (await pidusage(pid)).ctime / 1000;
}

/**
 * Issues 2 and 10: I/O-bound work against the embedded upstream (its own process) with a fixed
 * 50 ms delay. Little's law bounds throughput by requests in flight ÷ latency: async and the
 * pools (whose workers each hold many requests) with C=256 can reach 256 ÷ 0.05 s; sequential,
 * one request at a time, 1 ÷ 0.05 s. The machine bounds it too: every request costs CPU in the
 * lab (client, and for the pools the messages to and from a worker) and in the upstream, which
 * share the same cores, so every strategy also gets the CPU bound, cores ÷ (lab + upstream CPU
 * per request), both measured in the same round (for async at most one core ÷ the lab's CPU per
 * request: its lab work is one thread's), as a share of the same Little's bound.
 */
export const httpBench: Benchmark = {
  name: 'http',
  description: `http, upstream delay ${DELAY_MS} ms: async, threads, processes (C=${CONCURRENT_IN_FLIGHT}) ÷ C/delay (target ≥ ${TARGET_SHARE}), sequential ÷ 1/delay (≈ 1)`,
  async run(context) {
    const rounds = context.quick ? 2 : 5;
    const durationMs = context.quick ? 1_500 : 3_000;
    // No jitter: the bound is exact.
    const upstream = await startEmbeddedUpstream({ delayMs: DELAY_MS, jitterMs: 0 });
    let engine: BenchEngine | undefined;
    try {
      engine = await BenchEngine.start({ strategies: STRATEGIES, workers: context.cores, upstreamUrl: upstream.url });
      const inFlight = { sequential: SEQUENTIAL_IN_FLIGHT, async: CONCURRENT_IN_FLIGHT, threads: CONCURRENT_IN_FLIGHT, processes: CONCURRENT_IN_FLIGHT };
      const run = (strategy: (typeof STRATEGIES)[number]) => engine!.load({ scenario: 'http', strategy, size: 1024, concurrency: inFlight[strategy], durationMs });
      context.log(`http: ${rounds} rounds × ${STRATEGIES.length} strategies × ${durationMs} ms`);
      // Opens the keep-alive connections and compiles the hot paths before anything counts: a
      // round's worth each, since with only 512 jobs each the first round of every strategy
      // still ran 20-30 % below its others (V8 had not optimised the hot paths yet).
      for (const strategy of ['async', 'threads', 'processes'] as const) await run(strategy);
      const runs = await interleavedRounds(STRATEGIES, rounds, async (strategy) => {
        const before = await cpuSecondsOf(upstream.pid);
        const result = await run(strategy);
        return { ...result, upstreamCpuSeconds: (await cpuSecondsOf(upstream.pid)) - before };
      });
      const measurements: Measurement[] = [];
      for (const strategy of STRATEGIES) {
        const bound = 1000 / DELAY_MS;
        const perSecond = runs[strategy].map((result) => result.jobsPerSecond);
        // Sequential's one slot makes its bound 1 ÷ delay whatever is in flight.
        const slots = strategy === 'sequential' ? 1 : CONCURRENT_IN_FLIGHT;
        const share = median(perSecond) / (slots * bound);
        const labCpuMs = median(runs[strategy].map((result) => (1000 * result.coresUsed) / result.jobsPerSecond));
        const upstreamCpuMs = median(runs[strategy].map((result) => (1000 * result.upstreamCpuSeconds) / result.jobs));
        // async runs the lab on one thread, so one core bounds it too; the pools' work is spread over threads.
        const cpuBoundPerSecond = Math.min((1000 * context.cores) / (labCpuMs + upstreamCpuMs), strategy === 'async' ? 1000 / labCpuMs : Number.POSITIVE_INFINITY);
        measurements.push({
          name: `${strategy} (C=${inFlight[strategy]}) ÷ ${slots === 1 ? '1' : slots}/delay`,
          value: share,
          unit: '×',
          target: strategy === 'sequential' ? { description: '≈ 1 (0.9 – 1.0)', met: share >= 0.9 && share <= 1.0 } : atLeast(share, TARGET_SHARE, "Little's law"),
          detail: {
            requestsPerSecond: median(perSecond),
            boundPerSecond: slots * bound,
            labCpuMsPerRequest: labCpuMs,
            upstreamCpuMsPerRequest: upstreamCpuMs,
            cpuBoundPerSecond,
            shareOfAttainable: median(perSecond) / Math.min(slots * bound, cpuBoundPerSecond),
            p50Ms: median(runs[strategy].map((result) => result.latencyMs.p50)),
            p99Ms: median(runs[strategy].map((result) => result.latencyMs.p99)),
            eventLoopDelayP99Ms: median(runs[strategy].map((result) => result.eventLoopDelayP99Ms)),
            perRound: perSecond,
          },
        });
        if (slots === 1) continue;
        // What the cores allow, against the same Little's bound: below TARGET_SHARE, the target
        // cannot be met on this machine at this CPU per request, however well the lab schedules.
        measurements.push({
          name: `${strategy}: CPU bound ÷ ${slots}/delay`,
          value: cpuBoundPerSecond / (slots * bound),
          unit: '×',
          detail: { cpuBoundPerSecond, labCpuMsPerRequest: labCpuMs, upstreamCpuMsPerRequest: upstreamCpuMs, cores: context.cores },
        });
      }
      return measurements;
    } finally {
      await engine?.close();
      await upstream.stop();
    }
  },
};
