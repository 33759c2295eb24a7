/**
 * The parts of k6's end-of-test summary data (the argument of handleSummary) that the scripts
 * read. @types/k6 does not describe it; see
 * https://grafana.com/docs/k6/latest/results-output/end-of-test/custom-summary/
 */
export interface SummaryMetric {
  readonly type: 'counter' | 'gauge' | 'rate' | 'trend';
  readonly contains: 'default' | 'time' | 'data';
  /** counter: count, rate; rate: rate, passes, fails; trend: avg, min, med, max, p(N). */
  readonly values: Readonly<Record<string, number>>;
  /** Threshold expression -> whether it passed. */
  readonly thresholds?: Readonly<Record<string, { readonly ok: boolean }>>;
}

export interface SummaryData {
  /** By metric name; a submetric's name carries its tag filter, e.g. `http_reqs{strategy:async}`. */
  readonly metrics: Readonly<Record<string, SummaryMetric>>;
  readonly state: { readonly testRunDurationMs: number; readonly isStdOutTTY: boolean };
}
