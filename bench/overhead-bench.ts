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
 * Daemons: traced, every span exported over OTLP; recorded, spans made but exported nowhere
 * (OTEL_TRACES_EXPORTER=none), which splits the cost between making spans and exporting them;
 * untraced, OTEL_SDK_DISABLED=true. Both traced ones sample parent-based: a request without a
 * traceparent is traced, as with always_on.
 */
const DAEMONS = ['traced', 'recorded', 'untraced'] as const;
type Daemon = (typeof DAEMONS)[number];

/**
 * Loads, each on a daemon. `unsampled` sends the traced daemon a traceparent whose sampled flag
 * is off, so the same process serves the same jobs without tracing them. Separate daemons
 * differ by more than tracing (each process's V8 compiles the kernels its own way, and one of
 * two busy threads can run slower for a whole run on a shared machine); traced ÷ unsampled
 * compares like with like, at the price of leaving out what merely loading the SDK costs.
 */
const LOADS = [...DAEMONS, 'unsampled'] as const;
type Load = (typeof LOADS)[number];
const LOAD_DAEMON: Record<Load, Daemon> = { traced: 'traced', recorded: 'recorded', untraced: 'untraced', unsampled: 'traced' };
const UNSAMPLED_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';

/** In flight per combination: the daemon driver's defaults (cpu 2 × workers, io 64), but pools' http at 2 × workers so a queue's tail stays short. */
function inFlight({ scenario, strategy }: Combination, workers: number): number {
  return scenario === 'http' && strategy === 'async' ? 64 : 2 * workers;
}

async function startDaemon(variant: Daemon, workers: number, sink: OtlpSink): Promise<LabDaemon> {
  const tracing: Record<Daemon, Record<string, string>> = {
    traced: { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_SAMPLER: 'parentbased_always_on', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
    recorded: { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_SAMPLER: 'parentbased_always_on', OTEL_TRACES_EXPORTER: 'none' },
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
  description: 'overhead: throughput traced (every request sampled, metrics on) ÷ OTEL_SDK_DISABLED=true and ÷ the same daemon not sampling, matrix and http on async and threads (≤ 5% lost on cpu, ≤ 10% on http)',
  async run(context) {
    const workers = context.cores;
    const rounds = context.quick ? 2 : 5;
    const durationMs = context.quick ? 1_000 : 3_000;
    const sink = await startOtlpSink();
    const daemons: Partial<Record<Daemon, LabDaemon>> = {};
    const clients: Partial<Record<Daemon, ApiLoad>> = {};
    try {
      for (const variant of DAEMONS) {
        daemons[variant] = await startDaemon(variant, workers, sink);
        clients[variant] = new ApiLoad(daemons[variant].url, 64);
      }
      const measurements: Measurement[] = [];
      for (const combination of COMBINATIONS) {
        const { scenario, strategy, size, maxLoss } = combination;
        const concurrency = inFlight(combination, workers);
        const labels = { scenario, strategy, outcome: 'ok' };
        const run = (load: Load, durationMs: number): Promise<number> =>
          clients[LOAD_DAEMON[load]]!.run({ scenario, strategy, size, concurrency, durationMs, headers: load === 'unsampled' ? { traceparent: UNSAMPLED_TRACEPARENT } : undefined });
        context.log(`overhead: ${scenario} on ${strategy}, ${concurrency} in flight, ${rounds} rounds × ${LOADS.length} loads on ${DAEMONS.length} daemons × ${durationMs} ms`);
        for (const load of LOADS) await run(load, 300);
        const exportsBefore = sink.received().requests;
        const runs = await interleavedRounds(LOADS, rounds, async (load) => {
          const daemon = daemons[LOAD_DAEMON[load]]!;
          const before = await scrapeMetric(daemon.url, 'lab_jobs_total', labels);
          const startedAt = performance.now();
          const answered = await run(load, durationMs);
          const seconds = (performance.now() - startedAt) / 1000;
          const counted = (await scrapeMetric(daemon.url, 'lab_jobs_total', labels)) - before;
          if (counted < answered) throw new Error(`the ${LOAD_DAEMON[load]} daemon counted ${counted} ok jobs but answered ${answered}`);
          return counted / seconds;
        });
        if (sink.received().requests === exportsBefore) throw new Error(`the traced daemon exported no spans for ${scenario} on ${strategy}: tracing is not on`);
        const ratio = medianRatio(runs.traced, runs.untraced);
        const perSecond = Object.fromEntries(LOADS.map((load) => [load, median(runs[load])]));
        measurements.push(
          {
            name: `${scenario} ${strategy} traced ÷ untraced`,
            value: ratio,
            unit: '×',
            target: atLeast(ratio, 1 - maxLoss, `≤ ${maxLoss * 100}% lost`),
            detail: { concurrency, jobsPerSecond: perSecond, perRound: runs },
          },
          { name: `${scenario} ${strategy} recorded, not exported ÷ untraced`, value: medianRatio(runs.recorded, runs.untraced), unit: '×' },
          { name: `${scenario} ${strategy} traced ÷ same daemon, requests not sampled`, value: medianRatio(runs.traced, runs.unsampled), unit: '×' },
        );
      }
      const { requests, bytes } = sink.received();
      context.log(`overhead: the traced daemon sent ${requests} OTLP exports, ${(bytes / 2 ** 20).toFixed(1)} MiB`);
      return measurements;
    } finally {
      await Promise.allSettled(Object.values(clients).map((client) => client.close()));
      await Promise.allSettled(Object.values(daemons).map((daemon) => daemon.stop()));
      await sink.close();
    }
  },
};
