// End-of-test summary data shaped as k6 documents it for handleSummary(data)
// (https://grafana.com/docs/k6/latest/results-output/end-of-test/custom-summary/): `metrics`
// by name (a submetric's name carries its tag filter, `http_reqs{strategy:threads}`), each with
// type, contains, values and, where a threshold is set, thresholds {expression: {ok}}; plus
// `state`, `options` and `root_group`. Built by hand here, since k6 is not run in this project.

interface Metric {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  contains: 'default' | 'time' | 'data';
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6SummaryData {
  root_group: { name: string; path: string; id: string; groups: unknown[]; checks: unknown[] };
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, Metric>;
}

export function summaryData(testRunDurationMs: number, metrics: Record<string, Metric>): K6SummaryData {
  return {
    root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [] },
    options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'], summaryTimeUnit: '', noColor: false },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs },
    metrics,
  };
}

export function counter(count: number, seconds: number, thresholds?: Record<string, { ok: boolean }>): Metric {
  return { type: 'counter', contains: 'default', values: { count, rate: count / seconds }, ...(thresholds && { thresholds }) };
}

export function rate(passes: number, fails: number, thresholds?: Record<string, { ok: boolean }>): Metric {
  const total = passes + fails;
  return { type: 'rate', contains: 'default', values: { rate: total === 0 ? 0 : passes / total, passes, fails }, ...(thresholds && { thresholds }) };
}

export function trend(ms: { avg: number; min: number; med: number; max: number; p90: number; p95: number; p99: number }, thresholds?: Record<string, { ok: boolean }>): Metric {
  return {
    type: 'trend',
    contains: 'time',
    values: { avg: ms.avg, min: ms.min, med: ms.med, max: ms.max, 'p(90)': ms.p90, 'p(95)': ms.p95, 'p(99)': ms.p99 },
    ...(thresholds && { thresholds }),
  };
}
