import { createHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { ScenarioName } from '../scenarios/catalog.ts';
import type { StrategyName } from '../strategies/strategy.ts';
import { ResourceUsage } from '../telemetry/resource-usage.ts';
import type { JobRunner } from './job-runner.ts';

export interface LoadRunOptions {
  runner: JobRunner;
  usage: ResourceUsage;
  scenario: ScenarioName;
  strategy: StrategyName;
  size: number;
  /** Jobs kept in flight. */
  concurrency: number;
  /** Stop after this many jobs have started… */
  jobs?: number | undefined;
  /** …or after this much time, whichever comes first. */
  durationMs?: number | undefined;
  /** Called after each job settles with the jobs done so far. */
  onProgress?: ((done: number) => void) | undefined;
}

export interface LoadResult {
  scenario: ScenarioName;
  strategy: StrategyName;
  size: number;
  concurrency: number;
  jobs: number;
  ok: number;
  errors: Record<string, number>;
  wallSeconds: number;
  jobsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  coresUsed: number;
  eventLoopDelayP99Ms: number;
}

const NS_PER_MS = 1e6;

/** A closed-loop run: `concurrency` lanes each start the next job when the previous settles. */
export async function runLoad(options: LoadRunOptions): Promise<LoadResult> {
  const { runner, usage, scenario, strategy, size, concurrency } = options;
  const jobLimit = options.jobs ?? Number.POSITIVE_INFINITY;
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + options.durationMs;
  const latency = createHistogram();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const errors: Record<string, number> = {};
  let started = 0;
  let done = 0;
  let ok = 0;

  const lane = async (): Promise<void> => {
    while (started < jobLimit && performance.now() < deadline) {
      started++;
      try {
        const report = await runner.run({ scenario, strategy, size });
        latency.record(Math.max(1, Math.round(report.durationMs * NS_PER_MS)));
        ok++;
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'unknown';
        errors[code] = (errors[code] ?? 0) + 1;
      }
      done++;
      options.onProgress?.(done);
    }
  };

  const before = await usage.sample();
  loopDelay.enable();
  await Promise.all(Array.from({ length: concurrency }, lane));
  loopDelay.disable();
  const after = await usage.sample();
  const wallSeconds = (after.atMs - before.atMs) / 1000;
  const percentile = (p: number): number => (latency.count === 0 ? Number.NaN : latency.percentile(p) / NS_PER_MS);
  return {
    scenario,
    strategy,
    size,
    concurrency,
    jobs: done,
    ok,
    errors,
    wallSeconds,
    jobsPerSecond: ok / wallSeconds,
    latencyMs: { p50: percentile(50), p90: percentile(90), p99: percentile(99), max: percentile(100), mean: latency.count === 0 ? Number.NaN : latency.mean / NS_PER_MS },
    coresUsed: ResourceUsage.coresUsed(before, after),
    eventLoopDelayP99Ms: loopDelay.percentile(99) / NS_PER_MS,
  };
}
