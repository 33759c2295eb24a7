import { type Dashboard, MappingType } from '@grafana/grafana-foundation-sdk/dashboard';
import { FAULT_ANNOTATIONS } from './fault-annotations.ts';
import { buildDashboard, type VariableSpec } from './layout.ts';
import type { PanelSpec } from './panels.ts';
import { histogramQuantile, STRATEGY, STRATEGY_OR_MAIN } from './promql.ts';

export const RUNTIME_UID = 'lab-runtime';

const VARIABLES: readonly VariableSpec[] = [
  {
    name: 'job',
    label: 'Process',
    metric: 'process_cpu_seconds_total{job=~"lab|upstream"}',
    description: 'The daemon (lab) and the upstream, as Prometheus scrapes them.',
  },
  { name: 'strategy', label: 'Strategy', metric: 'lab_strategy_active', description: 'Strategies whose pools to show.' },
];

const JOB = 'job=~"$job"';

// prom-client's default metrics of each Node process.
const PROCESSES: readonly PanelSpec[] = [
  {
    kind: 'timeseries',
    title: 'CPU',
    description: 'CPU seconds per second of each process itself (child processes not included).',
    unit: 'none',
    min: 0,
    width: 8,
    queries: [{ expr: `rate(process_cpu_seconds_total{${JOB}}[$__rate_interval])`, legend: '{{job}}' }],
  },
  {
    kind: 'timeseries',
    title: 'Resident memory',
    description: 'Resident set size of each process.',
    unit: 'bytes',
    min: 0,
    width: 8,
    queries: [{ expr: `process_resident_memory_bytes{${JOB}}`, legend: '{{job}}' }],
  },
  {
    kind: 'timeseries',
    title: 'JS heap',
    description: 'V8 heap used and allocated, main thread of each process.',
    unit: 'bytes',
    min: 0,
    width: 8,
    queries: [
      { expr: `nodejs_heap_size_used_bytes{${JOB}}`, legend: '{{job}} used' },
      { expr: `nodejs_heap_size_total_bytes{${JOB}}`, legend: '{{job}} total' },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Event-loop lag',
    description: "prom-client's event-loop delay percentiles of each process's main thread.",
    unit: 's',
    min: 0,
    width: 8,
    queries: [
      { expr: `nodejs_eventloop_lag_p50_seconds{${JOB}}`, legend: '{{job}} p50' },
      { expr: `nodejs_eventloop_lag_p99_seconds{${JOB}}`, legend: '{{job}} p99' },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Garbage collection time',
    description: 'Seconds per second spent in GC pauses, by kind (minor = scavenge, major = mark-sweep-compact).',
    unit: 'percentunit',
    min: 0,
    width: 8,
    queries: [
      { expr: `sum by (job, kind) (rate(nodejs_gc_duration_seconds_sum{${JOB}}[$__rate_interval]))`, legend: '{{job}} {{kind}}' },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Garbage collections',
    description: 'GC runs per second, by kind.',
    unit: 'ops',
    min: 0,
    width: 8,
    queries: [
      { expr: `sum by (job, kind) (rate(nodejs_gc_duration_seconds_count{${JOB}}[$__rate_interval]))`, legend: '{{job}} {{kind}}' },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Heap spaces',
    description: 'V8 heap space sizes in use (new space churn vs old space growth).',
    unit: 'bytes',
    min: 0,
    stack: true,
    queries: [{ expr: `sum by (job, space) (nodejs_heap_space_size_used_bytes{${JOB}})`, legend: '{{job}} {{space}}' }],
  },
  {
    kind: 'timeseries',
    title: 'Handles and open files',
    description: 'Active libuv handles (sockets, timers, child processes) and open file descriptors.',
    unit: 'short',
    min: 0,
    queries: [
      // Per handle type: the daemon drops prom-client's nodejs_active_handles_total (promtool rejects a gauge named _total).
      { expr: `sum by (job) (nodejs_active_handles{${JOB}})`, legend: '{{job}} handles' },
      { expr: `process_open_fds{${JOB}}`, legend: '{{job}} fds' },
    ],
  },
];

// The lab's own per-pool measurements: threads and child processes the daemon runs jobs in.
const WORKERS: readonly PanelSpec[] = [
  {
    kind: 'timeseries',
    title: 'Pool workers, busy and idle',
    description: 'Worker threads (threads) or child processes (processes) by state.',
    unit: 'short',
    min: 0,
    stack: true,
    queries: [{ expr: `sum by (strategy, state) (lab_pool_workers{${STRATEGY}})`, legend: '{{strategy}} {{state}}' }],
  },
  {
    kind: 'timeseries',
    title: 'Worker restarts',
    description: 'Pool members replaced per interval: crash = died unexpectedly, cancel = recycled to stop a timed-out or cancelled job.',
    unit: 'short',
    min: 0,
    queries: [
      {
        expr: `sum by (strategy, reason) (increase(lab_pool_worker_restarts_total{${STRATEGY}}[$__rate_interval]))`,
        legend: '{{strategy}} {{reason}}',
      },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Memory by component',
    description:
      'Resident memory and JS heap: main = the daemon process (worker threads share its RSS), worker = child processes (RSS and heap) or worker threads (heap).',
    unit: 'bytes',
    min: 0,
    queries: [
      { expr: `sum by (strategy, component, kind) (lab_memory_bytes{${STRATEGY_OR_MAIN}})`, legend: '{{strategy}} {{component}} {{kind}}' },
    ],
  },
  {
    kind: 'timeseries',
    title: 'CPU by component',
    description: 'Cores used: worker = the pool (worker threads, or child processes), main = the rest of the daemon process.',
    unit: 'none',
    min: 0,
    queries: [
      {
        expr: `sum by (strategy, component) (rate(lab_cpu_seconds_total{${STRATEGY_OR_MAIN}}[$__rate_interval]))`,
        legend: '{{strategy}} {{component}}',
      },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Main-thread event-loop delay',
    description:
      "The daemon's main event loop: p50, p99 and the maximum (quantile 1), under the strategy that was active. Workers have no delay series of their own: their share of busy time is below.",
    unit: 's',
    min: 0,
    queries: [
      {
        expr: `max by (strategy, quantile) (lab_event_loop_delay_seconds{thread="main", ${STRATEGY_OR_MAIN}})`,
        legend: '{{strategy}} q{{quantile}}',
      },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Event-loop utilization, main vs workers',
    description: 'Share of time each event loop ran JavaScript.',
    unit: 'percentunit',
    min: 0,
    max: 1,
    queries: [
      { expr: `max by (strategy, thread) (lab_event_loop_utilization{${STRATEGY_OR_MAIN}})`, legend: '{{strategy}} {{thread}}' },
    ],
  },
];

const API: readonly PanelSpec[] = [
  {
    kind: 'timeseries',
    title: 'API requests',
    description: 'Requests per second to the daemon, by route and status code.',
    unit: 'reqps',
    min: 0,
    queries: [
      {
        expr: 'sum by (route, status_code) (rate(lab_http_requests_total[$__rate_interval]))',
        legend: '{{route}} {{status_code}}',
      },
    ],
  },
  {
    kind: 'timeseries',
    title: 'API latency p99',
    description: 'Server-side request duration by route.',
    unit: 's',
    min: 0,
    queries: [{ expr: histogramQuantile(0.99, 'lab_http_request_duration_seconds', '', 'route'), legend: '{{route}}' }],
  },
  {
    kind: 'stat',
    title: 'Scrape targets',
    description: 'Whether Prometheus reaches each part of the stack.',
    width: 16,
    height: 4,
    queries: [{ expr: 'up', legend: '{{job}}' }],
    mappings: [
      {
        type: MappingType.ValueToText,
        options: { '0': { text: 'down', color: 'red', index: 0 }, '1': { text: 'up', color: 'green', index: 1 } },
      },
    ],
  },
  {
    kind: 'stat',
    title: 'Node.js',
    description: 'Node.js version of each process.',
    width: 8,
    height: 4,
    queries: [{ expr: `max by (job, version) (nodejs_version_info{${JOB}})`, legend: '{{job}} {{version}}' }],
    mappings: [{ type: MappingType.ValueToText, options: { '1': { text: 'running', index: 0 } } }],
  },
];

/** The Node processes, their worker threads and child processes, and the daemon's API. */
export function runtimeDashboard(): Dashboard {
  return buildDashboard({
    uid: RUNTIME_UID,
    title: 'Concurrency lab: runtime',
    description: "The daemon's and the upstream's Node.js runtime, the worker pools, and the HTTP API.",
    variables: VARIABLES,
    annotations: FAULT_ANNOTATIONS,
    rows: [
      { title: 'Node processes', panels: PROCESSES },
      { title: 'Worker threads and child processes', panels: WORKERS },
      { title: 'API and scrape health', panels: API },
    ],
  });
}
