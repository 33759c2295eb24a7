import type { Threshold } from 'k6/options';

/** Pass/fail limits for one strategy; a limit left out is not enforced. */
export interface StrategyLimits {
  /** Upper bound for the 95th percentile of http_req_duration, in milliseconds. */
  readonly p95Ms?: number;
  /** Upper bound for the 99th percentile of http_req_duration, in milliseconds. */
  readonly p99Ms?: number;
  /** Upper bound for the share of failed requests (http_req_failed), 0..1. */
  readonly maxFailedRate?: number;
  /** Lower bound for the share of passed checks, 0..1. */
  readonly minChecksRate?: number;
  /**
   * Upper bound for dropped_iterations of the k6 scenario named after the strategy. Needs one
   * k6 scenario per strategy: k6 tags dropped_iterations with the scenario name only.
   */
  readonly maxDroppedIterations?: number;
}

/**
 * Thresholds always true. A threshold on a tag-filtered metric such as
 * `http_req_duration{strategy:threads}` is what makes k6 track that submetric and put it in the
 * end-of-test summary data; these keep a submetric in the summary when no limit is set.
 * summaryHandler() leaves them out of the report.
 */
export const TRACK_ONLY: ReadonlySet<string> = new Set(['max>=0', 'rate>=0', 'count>=0']);

/**
 * Thresholds per strategy tag, for every metric the per-strategy summary shows:
 * http_req_duration, http_reqs, http_req_failed, checks, shed and (with one k6 scenario per
 * strategy) dropped_iterations. `limits` may differ by strategy.
 */
export function strategyThresholds(
  strategies: readonly string[],
  limits: StrategyLimits | ((strategy: string) => StrategyLimits),
  options: { readonly scenarioPerStrategy: boolean },
): Record<string, Threshold[]> {
  const thresholds: Record<string, Threshold[]> = {};
  for (const strategy of strategies) {
    const limit = typeof limits === 'function' ? limits(strategy) : limits;
    const tag = `{strategy:${strategy}}`;
    const duration: string[] = [];
    if (limit.p95Ms !== undefined) duration.push(`p(95)<${limit.p95Ms}`);
    if (limit.p99Ms !== undefined) duration.push(`p(99)<${limit.p99Ms}`);
    thresholds[`http_req_duration${tag}`] = duration.length > 0 ? duration : ['max>=0'];
    thresholds[`http_reqs${tag}`] = ['count>=0'];
    thresholds[`http_req_failed${tag}`] = [limit.maxFailedRate === undefined ? 'rate>=0' : `rate<=${limit.maxFailedRate}`];
    thresholds[`checks${tag}`] = [limit.minChecksRate === undefined ? 'rate>=0' : `rate>=${limit.minChecksRate}`];
    thresholds[`shed${tag}`] = ['rate>=0'];
    if (options.scenarioPerStrategy) {
      thresholds[`dropped_iterations{scenario:${strategy}}`] = [
        limit.maxDroppedIterations === undefined ? 'count>=0' : `count<=${limit.maxDroppedIterations}`,
      ];
    }
  }
  return thresholds;
}
