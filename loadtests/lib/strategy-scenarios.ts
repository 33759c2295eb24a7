import type { Scenario } from 'k6/options';

export interface StrategyScenariosOptions {
  /**
   * Run the strategies one after another (default) rather than all at once. Alone, each gets
   * the machine to itself: `sequential` and `async` run jobs on the daemon's main thread, which
   * also serves every HTTP request, so at the same time they slow the other strategies down too.
   */
  readonly oneAfterAnother: boolean;
  /** How long one strategy's scenario drives load, in seconds (for the startTime offsets). */
  readonly durationSeconds: number;
  /**
   * Pause between strategies, in seconds; also the scenario's gracefulStop, so that requests
   * still in flight at the end finish (or are cut) before the next strategy starts.
   */
  readonly gapSeconds: number;
}

/**
 * One k6 scenario per strategy, named after it and tagged `strategy`, all built from the same
 * executor settings. The scenario name matters: k6 tags dropped_iterations with the scenario
 * name only, so that is how dropped iterations are told apart by strategy.
 */
export function strategyScenarios(
  strategies: readonly string[],
  scenario: Scenario,
  options: StrategyScenariosOptions,
): Record<string, Scenario> {
  const slotSeconds = options.durationSeconds + options.gapSeconds;
  return Object.fromEntries(
    strategies.map((strategy, index) => [
      strategy,
      {
        ...scenario,
        startTime: `${options.oneAfterAnother ? index * slotSeconds : 0}s`,
        gracefulStop: `${options.gapSeconds}s`,
        tags: { ...scenario.tags, strategy },
      } as Scenario,
    ]),
  );
}
