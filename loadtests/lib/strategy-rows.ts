import type { SummaryData, SummaryMetric } from './summary-data.ts';

/** One strategy's numbers from k6's summary data, as written to the JSON file. */
export interface StrategyRow {
  readonly strategy: string;
  readonly requests: number;
  /** Requests per second over the time the strategy was driven. */
  readonly throughputPerSecond: number;
  /** Share of requests k6 counted as failed (http_req_failed), 0..1. */
  readonly failedRate: number;
  /** Share of requests the daemon shed with 503, 0..1. */
  readonly shedRate: number;
  /** Share of passed checks, 0..1. */
  readonly checksRate: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Iterations k6 could not start for lack of VUs; null without a k6 scenario per strategy. */
  readonly droppedIterations: number | null;
  /** Whether every threshold on this strategy's submetrics passed. */
  readonly thresholdsOk: boolean;
}

/**
 * The per-strategy rows, read from the submetrics that strategyThresholds() makes k6 track.
 * `activeSeconds` gives each strategy's own driving time (strategies run one after another in
 * compare.ts and stress.ts), so that req/s is not diluted by the whole test's length.
 */
export function strategyRows(data: SummaryData, strategies: readonly string[], activeSeconds: (strategy: string) => number): StrategyRow[] {
  return strategies.map((strategy) => {
    const tag = `{strategy:${strategy}}`;
    const value = (metric: string, stat: string): number => data.metrics[`${metric}${tag}`]?.values[stat] ?? 0;
    const dropped = data.metrics[`dropped_iterations{scenario:${strategy}}`];
    const own: (SummaryMetric | undefined)[] = Object.keys(data.metrics)
      .filter((name) => name.endsWith(tag) || name === `dropped_iterations{scenario:${strategy}}`)
      .map((name) => data.metrics[name]);
    const requests = value('http_reqs', 'count');
    return {
      strategy,
      requests,
      throughputPerSecond: requests / activeSeconds(strategy),
      failedRate: value('http_req_failed', 'rate'),
      shedRate: value('shed', 'rate'),
      checksRate: value('checks', 'rate'),
      p50Ms: value('http_req_duration', 'med'),
      p95Ms: value('http_req_duration', 'p(95)'),
      p99Ms: value('http_req_duration', 'p(99)'),
      maxMs: value('http_req_duration', 'max'),
      droppedIterations: dropped === undefined ? null : (dropped.values['count'] ?? 0),
      thresholdsOk: own.every((metric) => Object.values(metric?.thresholds ?? {}).every((result) => result.ok)),
    };
  });
}
