import type { JobObserver } from '../jobs/job-observer.ts';
import { JobRunner } from '../jobs/job-runner.ts';
import { type LoadResult, runClosedLoop } from '../measurement/closed-loop.ts';
import { ResourceUsage } from '../measurement/resource-usage.ts';
import { childPids } from '../strategies/child-pids.ts';
import { createStrategy } from '../strategies/create-strategy.ts';
import type { PoolSize } from '../strategies/strategy-slots.ts';
import type { PlannedRun } from './compare-plan.ts';

export interface MeasureCombinationOptions {
  size: PoolSize;
  warmupMs: number;
  durationMs: number;
  upstreamUrl: string | undefined;
  observer?: JobObserver | undefined;
}

/** Far above any job's normal duration: a timeout here means the machine is overloaded, and it is counted as an error. */
const JOB_TIMEOUT_MS = 60_000;

/**
 * Measures one combination in isolation: a fresh strategy (so no pool carries state from the
 * previous combination), an unmeasured warm-up on it (JIT, connections, caches), then the
 * measured closed-loop run. The queue holds every job in flight, so none is shed.
 */
export async function measureCombination(run: PlannedRun, options: MeasureCombinationOptions): Promise<LoadResult> {
  const strategy = createStrategy(run.strategy, options.size.workers, options.size.ioTasksPerWorker);
  const usage = new ResourceUsage(() => childPids([strategy]));
  try {
    await strategy.ready();
    const runner = new JobRunner({ strategies: new Map([[strategy.name, strategy]]), queueLimit: run.concurrency, timeoutMs: JOB_TIMEOUT_MS, upstreamUrl: options.upstreamUrl, observer: options.observer });
    const load = { runner, usage, scenario: run.scenario, kind: run.kind, strategy: run.strategy, size: run.size, concurrency: run.concurrency };
    if (options.warmupMs > 0) await runClosedLoop({ ...load, durationMs: options.warmupMs });
    return await runClosedLoop({ ...load, durationMs: options.durationMs });
  } finally {
    await strategy.close();
    usage.close();
  }
}
