import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, type VariableSpec } from './layout.ts';
import type { PanelSpec } from './panels.ts';
import { histogramQuantile, SCENARIO_AND_STRATEGY, STRATEGY } from './promql.ts';

export const K6_UID = 'lab-k6';

// k6 writes with `-o experimental-prometheus-rw` and K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM:
// counters k6_*_total, rates k6_*_rate, trends as native histograms k6_*_seconds. Every job
// request of the lab's scripts (loadtests/lib/post-job.ts) and its checks carry the tags strategy
// and lab_scenario (k6's own `scenario` tag names the k6 scenario), which become labels.
// A distributed run (the k6-operator's TestRun, deploy/k8s/k6) has one k6 per runner pod, its
// series tagged instance_id and testrun_name: every panel adds the runners up (counters and
// native histograms sum), so it shows the whole test, not one runner's share.
const VARIABLES: readonly VariableSpec[] = [
  { name: 'scenario', label: 'Scenario', metric: 'k6_http_reqs_total', labelName: 'lab_scenario', description: 'The lab scenario of the k6 job requests (tag lab_scenario).' },
  { name: 'strategy', label: 'Strategy', metric: 'k6_http_reqs_total', description: 'The strategy tag of the k6 job requests.' },
];

/** k6 series of the selected lab scenarios and strategies. */
const K6_FILTER = `lab_scenario=~"$scenario", ${STRATEGY}`;

/**
 * Share of the job requests whose status matches `status`, over every runner: counted from
 * k6_http_reqs_total, because k6's Rate gauges (http_req_failed, shed) are each runner's own
 * ratio and do not add up. 0, not absent, while none match.
 */
function k6RequestShare(status: string): string {
  const all = `sum by (strategy) (rate(k6_http_reqs_total{${K6_FILTER}}[$__rate_interval]))`;
  return `(sum by (strategy) (rate(k6_http_reqs_total{${K6_FILTER}, ${status}}[$__rate_interval])) or 0 * ${all}) / ${all}`;
}

/** `histogram_quantile` over a k6 native histogram (no _bucket series, no le label). */
function k6Quantile(quantile: number, metric: string, by: string): string {
  return `histogram_quantile(${quantile}, sum by (${by}) (rate(${metric}{${K6_FILTER}}[$__rate_interval])))`;
}

const CLIENT: readonly PanelSpec[] = [
  {
    kind: 'timeseries',
    title: 'Request rate',
    description: 'HTTP requests per second k6 sent, by strategy tag.',
    unit: 'reqps',
    min: 0,
    width: 8,
    queries: [{ expr: `sum by (strategy) (rate(k6_http_reqs_total{${K6_FILTER}}[$__rate_interval]))`, legend: '{{strategy}}' }],
  },
  {
    kind: 'timeseries',
    title: 'Latency p50 / p95 / p99 (client)',
    description: 'http_req_duration as k6 measured it (sending + waiting + receiving), by strategy tag.',
    unit: 's',
    width: 8,
    logScale: true,
    queries: [
      { expr: k6Quantile(0.5, 'k6_http_req_duration_seconds', 'strategy'), legend: '{{strategy}} p50' },
      { expr: k6Quantile(0.95, 'k6_http_req_duration_seconds', 'strategy'), legend: '{{strategy}} p95' },
      { expr: k6Quantile(0.99, 'k6_http_req_duration_seconds', 'strategy'), legend: '{{strategy}} p99' },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Failed and shed requests',
    description:
      "Share of job requests that failed (a status outside 200-399, or no answer: k6's default http_req_failed), and share the daemon shed with 503 because the strategy's queue was full, over all k6 runners.",
    unit: 'percentunit',
    min: 0,
    max: 1,
    width: 8,
    queries: [
      { expr: k6RequestShare('status!~"[23].."'), legend: '{{strategy}} failed' },
      { expr: k6RequestShare('status="503"'), legend: '{{strategy}} shed' },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Dropped iterations',
    description:
      'Iterations an arrival-rate executor could not start because all VUs were busy: the target could not keep up with the offered rate.',
    unit: 'ops',
    min: 0,
    width: 8,
    queries: [{ expr: 'sum by (scenario) (rate(k6_dropped_iterations_total[$__rate_interval]))', legend: '{{scenario}}' }],
  },
  {
    kind: 'timeseries',
    title: 'Checks passing',
    description: 'Share of check() calls that passed, by check and strategy.',
    unit: 'percentunit',
    min: 0,
    max: 1,
    width: 8,
    queries: [{ expr: `avg by (check, strategy) (k6_checks_rate{${K6_FILTER}})`, legend: '{{check}} {{strategy}}' }],
  },
  {
    kind: 'timeseries',
    title: 'Virtual users and runners',
    description: 'Active VUs and the maximum allocated, over all runners; and how many k6 runners report (a TestRun has parallelism of them, each tagged instance_id).',
    unit: 'short',
    min: 0,
    width: 8,
    queries: [
      { expr: 'sum(k6_vus)', legend: 'active' },
      { expr: 'sum(k6_vus_max)', legend: 'allocated' },
      { expr: 'count by (testrun_name) (count by (testrun_name, instance_id) (k6_vus))', legend: 'runners {{testrun_name}}' },
    ],
  },
];

const SERVER: readonly PanelSpec[] = [
  {
    kind: 'timeseries',
    title: 'p95: k6 (client) vs daemon (server)',
    description:
      'The same jobs seen from both ends: the gap is HTTP, connection handling and the API on the main event loop.',
    unit: 's',
    width: 12,
    logScale: true,
    queries: [
      { expr: k6Quantile(0.95, 'k6_http_req_duration_seconds', 'strategy'), legend: '{{strategy}} k6' },
      {
        expr: histogramQuantile(0.95, 'lab_job_duration_seconds', SCENARIO_AND_STRATEGY, 'strategy'),
        legend: '{{strategy}} daemon',
        exemplar: true,
      },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Daemon jobs by outcome',
    description: 'Jobs per second the daemon finished, by strategy and outcome (the driver\'s too, unless LAB_DRIVER=off).',
    unit: 'ops',
    min: 0,
    width: 12,
    queries: [
      { expr: `sum by (strategy, outcome) (rate(lab_jobs_total{${SCENARIO_AND_STRATEGY}}[$__rate_interval]))`, legend: '{{strategy}} {{outcome}}' },
    ],
  },
  {
    kind: 'timeseries',
    title: 'API latency p99, jobs route',
    description: 'Server-side duration of POST /api/v1/jobs/{scenario}, by status code.',
    unit: 's',
    min: 0,
    width: 12,
    queries: [
      {
        expr: histogramQuantile(0.99, 'lab_http_request_duration_seconds', 'route=~".*jobs.*"', 'status_code'),
        legend: '{{status_code}}',
      },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Daemon queue depth and jobs in flight',
    description: 'Back pressure inside the daemon while k6 pushes: queued jobs and jobs in flight, by strategy.',
    unit: 'short',
    min: 0,
    width: 12,
    queries: [
      { expr: `sum by (strategy) (lab_pool_queue_depth{${STRATEGY}})`, legend: '{{strategy}} queued' },
      { expr: `sum by (strategy) (lab_jobs_in_flight{${SCENARIO_AND_STRATEGY}})`, legend: '{{strategy}} in flight' },
    ],
  },
];

/** A k6 run (client side) beside the daemon's own view of the same window. */
export function k6Dashboard(): Dashboard {
  return buildDashboard({
    uid: K6_UID,
    title: 'Concurrency lab: k6',
    description:
      'k6 load against POST /api/v1/jobs/{scenario}?strategy=S: request rate, latency, failures, dropped iterations and checks per strategy tag, beside the daemon\'s server-side view.',
    variables: VARIABLES,
    rows: [
      { title: 'k6 (client side)', panels: CLIENT },
      { title: 'Daemon (server side), same window', panels: SERVER },
    ],
  });
}
