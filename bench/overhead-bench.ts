import { type LabDaemon, startLabDaemon } from '../test/support/lab-daemon.ts';
import { scrapeMetric } from '../test/support/scrape-metric.ts';
import { waitFor } from '../test/support/wait-for.ts';
import { ApiLoad } from './api-load.ts';
import { atLeast, type Benchmark, type Measurement } from './benchmark.ts';
import { interleavedRounds, median, medianRatio } from './interleaved-rounds.ts';
import { type OtlpSink, startOtlpSink } from './otlp-sink.ts';

interface Combination {
  scenario: 'matrix' | 'http';
  strategy: 'async' | 'threads';
  size: number;
  /** Largest share of throughput tracing may cost (issue 3: 5% on CPU work, 10% on http). */
  maxLoss: number;
}

const COMBINATIONS: readonly Combination[] = [
  { scenario: 'matrix', strategy: 'async', size: 200, maxLoss: 0.05 },
  { scenario: 'matrix', strategy: 'threads', size: 200, maxLoss: 0.05 },
  { scenario: 'http', strategy: 'async', size: 1024, maxLoss: 0.1 },
  { scenario: 'http', strategy: 'threads', size: 1024, maxLoss: 0.1 },
];

/**
 * traced: always_on, every span exported over OTLP; recorded: always_on but exported nowhere
 * (OTEL_TRACES_EXPORTER=none), which splits the cost between making spans and exporting them;
 * untraced: OTEL_SDK_DISABLED=true.
 */
const VARIANTS = ['traced', 'recorded', 'untraced'] as const;
type Variant = (typeof VARIANTS)[number];

/** In flight per combination: the daemon driver's defaults (cpu 2 × workers, io 64), but pools' http at 2 × workers so a queue's tail stays short. */
function inFlight({ scenario, strategy }: Combination, workers: number): number {
  return scenario === 'http' && strategy === 'async' ? 64 : 2 * workers;
}

async function startDaemon(variant: Variant, workers: number, sink: OtlpSink): Promise<LabDaemon> {
  const tracing: Record<Variant, Record<string, string>> = {
    traced: { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
    recorded: { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_EXPORTER: 'none' },
    untraced: { OTEL_SDK_DISABLED: 'true' },
  };
  const daemon = await startLabDaemon({
    LAB_DRIVER: 'off',
    LAB_STRATEGIES: 'async,threads',
    LAB_WORKERS: String(workers),
    LAB_UPSTREAM_DELAY_MS: '50',
    LAB_UPSTREAM_JITTER_MS: '0',
    LAB_QUEUE_LIMIT: '1000',
    ...tracing[variant],
  });
  try {
    await waitFor(async () => (await fetch(`${daemon.url}/readyz`)).status === 200, { description: `the ${variant} daemon to be ready`, timeoutMs: 60_000 });
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  return daemon;
}

/**
 * Issue 3: what full tracing (always_on, every span exported over OTLP) costs next to
 * OTEL_SDK_DISABLED=true. Real daemons (one per variant), API only, idle side by side; each
 * round loads one after the other with the same closed loop through the API and reads the
 * daemon's own lab_jobs_total. Metrics are on in all: only tracing differs.
 */
export const overheadBench: Benchmark = {
  name: 'overhead',
  description: 'overhead: throughput traced (always_on + metrics) ÷ OTEL_SDK_DISABLED=true, matrix and http on async and threads (≤ 5% lost on cpu, ≤ 10% on http)',
  async run(context) {
    const workers = context.cores;
    const rounds = context.quick ? 2 : 3;
    const durationMs = context.quick ? 1_000 : 3_000;
    const sink = await startOtlpSink();
    const daemons: Partial<Record<Variant, LabDaemon>> = {};
    const loads: Partial<Record<Variant, ApiLoad>> = {};
    try {
      for (const variant of VARIANTS) {
        daemons[variant] = await startDaemon(variant, workers, sink);
        loads[variant] = new ApiLoad(daemons[variant].url, 64);
      }
      const measurements: Measurement[] = [];
      for (const combination of COMBINATIONS) {
        const { scenario, strategy, size, maxLoss } = combination;
        const concurrency = inFlight(combination, workers);
        const labels = { scenario, strategy, outcome: 'ok' };
        context.log(`overhead: ${scenario} on ${strategy}, ${concurrency} in flight, ${rounds} rounds × ${VARIANTS.length} daemons × ${durationMs} ms`);
        for (const variant of VARIANTS) await loads[variant]!.run({ scenario, strategy, size, concurrency, durationMs: 300 });
        const exportsBefore = sink.received().requests;
        const runs = await interleavedRounds(VARIANTS, rounds, async (variant) => {
          const daemon = daemons[variant]!;
          const before = await scrapeMetric(daemon.url, 'lab_jobs_total', labels);
          const startedAt = performance.now();
          const answered = await loads[variant]!.run({ scenario, strategy, size, concurrency, durationMs });
          const seconds = (performance.now() - startedAt) / 1000;
          const counted = (await scrapeMetric(daemon.url, 'lab_jobs_total', labels)) - before;
          if (counted < answered) throw new Error(`the ${variant} daemon counted ${counted} ok jobs but answered ${answered}`);
          return counted / seconds;
        });
        if (sink.received().requests === exportsBefore) throw new Error(`the traced daemon exported no spans for ${scenario} on ${strategy}: tracing is not on`);
        const ratio = medianRatio(runs.traced, runs.untraced);
        const perSecond = Object.fromEntries(VARIANTS.map((variant) => [variant, median(runs[variant])]));
        measurements.push(
          {
            name: `${scenario} ${strategy} traced ÷ untraced`,
            value: ratio,
            unit: '×',
            target: atLeast(ratio, 1 - maxLoss, `≤ ${maxLoss * 100}% lost`),
            detail: { concurrency, jobsPerSecond: perSecond, perRound: runs },
          },
          { name: `${scenario} ${strategy} recorded, not exported ÷ untraced`, value: medianRatio(runs.recorded, runs.untraced), unit: '×' },
        );
      }
      const { requests, bytes } = sink.received();
      context.log(`overhead: the traced daemon sent ${requests} OTLP exports, ${(bytes / 2 ** 20).toFixed(1)} MiB`);
      return measurements;
    } finally {
      await Promise.allSettled(Object.values(loads).map((load) => load.close()));
      await Promise.allSettled(Object.values(daemons).map((daemon) => daemon.stop()));
      await sink.close();
    }
  },
};
