import type { JobRunner } from '../jobs/job-runner.ts';
import type { ScenarioName } from '../scenarios/catalog.ts';
import type { ScenarioKind } from '../scenarios/scenario.ts';
import type { StrategyName } from '../strategies/strategy.ts';
import { LoadWindow, type WindowFigures } from './load-window.ts';
import type { ResourceUsage } from './resource-usage.ts';

export interface ClosedLoopOptions {
  runner: JobRunner;
  usage: ResourceUsage;
  scenario: ScenarioName;
  kind: ScenarioKind;
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

export interface LoadResult extends WindowFigures {
  scenario: ScenarioName;
  strategy: StrategyName;
  size: number;
  concurrency: number;
}

/** A closed-loop run: `concurrency` lanes each start the next job when the previous settles, measured as one window. */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  const { runner, usage, scenario, kind, strategy, size, concurrency } = options;
  const jobLimit = options.jobs ?? Number.POSITIVE_INFINITY;
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + options.durationMs;
  let started = 0;
  let done = 0;
  const window = await LoadWindow.open(usage, runner.strategy(strategy));

  const lane = async (): Promise<void> => {
    while (started < jobLimit && performance.now() < deadline) {
      started++;
      try {
        const report = await runner.run({ scenario, kind, strategy, size });
        window.recordOk(report.durationMs, report);
      } catch (error) {
        window.recordError((error as { code?: string }).code ?? 'unknown');
      }
      done++;
      options.onProgress?.(done);
    }
  };

  await Promise.all(Array.from({ length: concurrency }, lane));
  return { scenario, strategy, size, concurrency, ...(await window.close(usage, strategy)) };
}
