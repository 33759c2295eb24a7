import { type Dashboard, MappingType, type ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import { FAULT_ANNOTATIONS } from './fault-annotations.ts';
import { buildDashboard, type AnnotationSpec, type VariableSpec } from './layout.ts';
import type { PanelSpec, TableColumnSpec } from './panels.ts';
import { CELL, NEEDS_DRIVER_COMMENT, histogramQuantile, overActiveWindows, SCENARIO_AND_STRATEGY, STRATEGY, STRATEGY_OR_MAIN } from './promql.ts';
import { STRATEGIES, STRATEGY_COLORS } from './strategy-colors.ts';

export const STRATEGY_COMPARISON_UID = 'lab-strategy-comparison';

const VARIABLES: readonly VariableSpec[] = [
  { name: 'scenario', label: 'Scenario', metric: 'lab_jobs_total', description: 'Scenarios to show; each gets its own row.' },
  { name: 'strategy', label: 'Strategy', metric: 'lab_jobs_total', description: 'Strategies to compare.' },
];

// Each strategy's cells of the selected scenarios shade every time series panel in its own color.
const ROTATION_ANNOTATIONS: readonly AnnotationSpec[] = STRATEGIES.map((strategy) => ({
  name: `${strategy} running`,
  expr: `max(lab_cell_active{scenario=~"$scenario", strategy="${strategy}"}) == 1`,
  color: STRATEGY_COLORS[strategy],
  title: `${strategy} running`,
}));

const ACTIVE_MAPPING: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: {
      '0': { text: 'idle', color: 'transparent', index: 0 },
      '1': { text: 'active', index: 1 },
    },
  },
];

// "runs in parallel?" is the peak of cores used while the strategy was active: above ~1.25 cores
// more than one core was busy at the same time.
const PARALLEL_MAPPING: ValueMapping[] = [
  { type: MappingType.RangeToText, options: { from: 0, to: 1.25, result: { text: 'no: one core at a time', color: 'orange', index: 0 } } },
  { type: MappingType.RangeToText, options: { from: 1.25, to: null, result: { text: 'yes: several cores', color: 'green', index: 1 } } },
];

// The driver's latest window per cell (lab_cell_*): the comparison stays on screen whatever runs now.
const cellGauge = (metric: string, extra = ''): string => `max by (strategy) (${metric}{${CELL}${extra}})`;

const SCOREBOARD_COLUMNS: readonly TableColumnSpec[] = [
  { name: 'Jobs/s', expr: cellGauge('lab_cell_jobs_per_second'), decimals: 1 },
  { name: 'Latency p50', expr: cellGauge('lab_cell_latency_seconds', ', quantile="0.5"'), unit: 's' },
  { name: 'Latency p99', expr: cellGauge('lab_cell_latency_seconds', ', quantile="0.99"'), unit: 's' },
  { name: 'Cores used', expr: cellGauge('lab_cell_cores_used'), decimals: 2 },
  { name: 'Main loop delay p99', expr: cellGauge('lab_cell_event_loop_delay_seconds', ', quantile="0.99"'), unit: 's' },
  { name: 'Memory (RSS)', expr: cellGauge('lab_cell_memory_bytes'), unit: 'bytes' },
];

// The talk's table from the same gauges: pure JavaScript decides "runs in parallel?", http how many calls fit.
const PURE_JS = 'scenario=~"matrix|array", strategy=~"$strategy"';
const TALK_FROM_CELLS: readonly TableColumnSpec[] = [
  { name: 'Runs in parallel? (pure JS)', expr: `max by (strategy) (lab_cell_cores_used{${PURE_JS}})`, mappings: PARALLEL_MAPPING },
  { name: 'Cores used (pure JS)', expr: `max by (strategy) (lab_cell_cores_used{${PURE_JS}})`, decimals: 2 },
  { name: 'Main loop delay p99 (pure JS)', expr: `max by (strategy) (lab_cell_event_loop_delay_seconds{${PURE_JS}, quantile="0.99"})`, unit: 's' },
  { name: 'Thumbnails/s', expr: `max by (strategy) (lab_cell_jobs_per_second{scenario="thumbnail", strategy=~"$strategy"})`, decimals: 1 },
  { name: 'http calls/s', expr: `max by (strategy) (lab_cell_jobs_per_second{scenario="http", strategy=~"$strategy"})`, decimals: 1 },
  { name: 'Memory (RSS, max)', expr: `max by (strategy) (lab_cell_memory_bytes{strategy=~"$strategy"})`, unit: 'bytes' },
];

const CORES_USED = `sum by (strategy) (rate(lab_cpu_seconds_total{${STRATEGY}}[$__rate_interval]))`;
const JOBS_IN_FLIGHT = `sum by (strategy) (lab_jobs_in_flight{${SCENARIO_AND_STRATEGY}})`;
const RSS = `sum by (strategy) (lab_memory_bytes{kind="rss", ${STRATEGY_OR_MAIN}})`;

// The talk's table, measured: one row per strategy, each column summarised over the strategy's
// active windows within the dashboard's time range.
const TALK_TABLE_COLUMNS: readonly TableColumnSpec[] = [
  { name: 'Runs in parallel?', expr: overActiveWindows('max', CORES_USED), mappings: PARALLEL_MAPPING },
  { name: 'Cores used (avg)', expr: overActiveWindows('avg', CORES_USED), decimals: 2 },
  { name: 'Jobs in flight (avg)', expr: overActiveWindows('avg', JOBS_IN_FLIGHT), decimals: 1 },
  { name: 'Memory, RSS (avg)', expr: overActiveWindows('avg', RSS), unit: 'bytes' },
  // With the driver off the main thread's memory belongs to no strategy, so this column stays empty then.
  { name: 'Memory per job in flight', expr: `${overActiveWindows('avg', `${RSS} / (${JOBS_IN_FLIGHT} > 0)`)}\n${NEEDS_DRIVER_COMMENT}`, unit: 'bytes' },
  {
    name: 'Throughput (jobs/s)',
    expr: overActiveWindows('avg', `sum by (strategy) (rate(lab_jobs_total{outcome="ok", ${SCENARIO_AND_STRATEGY}}[$__rate_interval]))`),
    decimals: 1,
  },
  {
    name: 'Latency p99 (avg)',
    // `> 0` drops the NaN of a stretch with no job in the rate window, which would make the average NaN.
    expr: overActiveWindows('avg', `${histogramQuantile(0.99, 'lab_job_duration_seconds', SCENARIO_AND_STRATEGY, 'strategy')} > 0`),
    unit: 's',
  },
  {
    name: 'Main event-loop delay p99 (max)',
    expr: overActiveWindows('max', `max by (strategy) (lab_event_loop_delay_seconds{thread="main", quantile="0.99", ${STRATEGY_OR_MAIN}})`),
    unit: 's',
  },
];

const OVERVIEW: readonly PanelSpec[] = [
  {
    kind: 'table',
    title: "The talk's table, from each cell's latest window",
    description:
      "Per strategy, from the driver's latest measured window of each cell (lab_cell_* gauges; needs the driver on). Runs in parallel? = cores used on pure-JavaScript work (matrix, array) above 1.25. Every cell runs alone (LAB_MIX=isolated), so a window's cores, loop delay and memory are its own.",
    rowLabel: 'strategy',
    columns: TALK_FROM_CELLS,
    width: 24,
    height: 7,
  },
  {
    kind: 'state-timeline',
    title: 'Running cell',
    description:
      'Which scenario × strategy the driver runs (each cell gets LAB_ROTATE_SECONDS in turn; LAB_MIX=mixed runs every scenario at once). The same windows shade the time series below: toggle them with the annotation switches at the top.',
    queries: [{ expr: `max by (scenario, strategy) (lab_cell_active{${CELL}})`, legend: '{{scenario}} on {{strategy}}' }],
    mappings: ACTIVE_MAPPING,
    width: 24,
    height: 7,
  },
  {
    kind: 'table',
    title: 'What limited each cell (latest window)',
    description:
      "Per cell, the limit its latest window's figures show (lab_cell_verdict = 1): memory-bound, gc-heavy, cpu-main-thread (sequential or async computing on the main thread), loop-blocked, cpu-cores (every core busy), upstream-bound (the jobs wait), pool-saturated (every slot busy, jobs queue) or none. The rules and their thresholds are in src/report/verdict-rules.ts and the README; GET /api/v1/status gives each cell's evidence.",
    rowLabel: 'scenario',
    columns: [{ name: 'Latest window', expr: `max by (scenario, strategy, limit) (lab_cell_verdict{${CELL}}) == 1`, decimals: 0 }],
    width: 24,
    height: 8,
  },
  {
    kind: 'table',
    title: "The talk's table, live over the time range",
    description:
      'Per strategy, over the windows in which it was active within the time range (with the driver off, over the whole range: k6 drives every strategy), for the selected scenarios. Runs in parallel? = peak cores used above 1.25. Memory per job in flight = resident memory (daemon and its children) ÷ jobs in flight: how many fit (driver on only: with it off the daemon’s own memory belongs to no strategy).',
    rowLabel: 'strategy',
    columns: TALK_TABLE_COLUMNS,
    width: 24,
    height: 7,
  },
];

// One row per selected scenario (the row repeats over $scenario).
const PER_SCENARIO: readonly PanelSpec[] = [
  {
    kind: 'table',
    title: 'Scoreboard: $scenario',
    description:
      "The strategies side by side on this scenario, each from its cell's latest measured window (lab_cell_* gauges; needs the driver on): throughput, latency, cores used, the main thread's event-loop delay and memory.",
    rowLabel: 'strategy',
    columns: SCOREBOARD_COLUMNS,
    width: 24,
    height: 6,
  },
  {
    kind: 'timeseries',
    title: 'Throughput: $scenario',
    description: 'Jobs that finished ok per second, by strategy.',
    unit: 'ops',
    min: 0,
    width: 8,
    queries: [
      { expr: `sum by (strategy) (rate(lab_jobs_total{outcome="ok", ${SCENARIO_AND_STRATEGY}}[$__rate_interval]))`, legend: '{{strategy}}' },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Latency p50 / p95 / p99: $scenario',
    description:
      'Job duration (queue + run) by strategy. The dots are exemplars: click one to open that job\'s trace in Tempo.',
    unit: 's',
    width: 8,
    logScale: true,
    queries: [
      { expr: histogramQuantile(0.5, 'lab_job_duration_seconds', SCENARIO_AND_STRATEGY, 'strategy'), legend: '{{strategy}} p50' },
      { expr: histogramQuantile(0.95, 'lab_job_duration_seconds', SCENARIO_AND_STRATEGY, 'strategy'), legend: '{{strategy}} p95' },
      {
        expr: histogramQuantile(0.99, 'lab_job_duration_seconds', SCENARIO_AND_STRATEGY, 'strategy'),
        legend: '{{strategy}} p99',
        exemplar: true,
      },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Waiting vs running (p95): $scenario',
    description: 'Where a job spends its time: waiting for a free slot in the queue, and executing.',
    unit: 's',
    width: 8,
    logScale: true,
    queries: [
      { expr: histogramQuantile(0.95, 'lab_job_queue_seconds', SCENARIO_AND_STRATEGY, 'strategy'), legend: '{{strategy}} waiting' },
      { expr: histogramQuantile(0.95, 'lab_job_run_seconds', SCENARIO_AND_STRATEGY, 'strategy'), legend: '{{strategy}} running' },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Jobs in flight: $scenario',
    description: 'Jobs queued or running at once, by strategy.',
    unit: 'short',
    min: 0,
    width: 12,
    queries: [{ expr: `sum by (strategy) (lab_jobs_in_flight{${SCENARIO_AND_STRATEGY}})`, legend: '{{strategy}}' }],
  },
  {
    kind: 'timeseries',
    title: 'Errors, timeouts and shed jobs: $scenario',
    description: 'Jobs per second that did not finish ok, by strategy and outcome. rejected = shed by a full queue (HTTP 503).',
    unit: 'ops',
    min: 0,
    width: 12,
    queries: [
      {
        expr: `sum by (strategy, outcome) (rate(lab_jobs_total{outcome!="ok", ${SCENARIO_AND_STRATEGY}}[$__rate_interval]))`,
        legend: '{{strategy}} {{outcome}}',
      },
    ],
  },
];

const RESOURCES: readonly PanelSpec[] = [
  {
    kind: 'timeseries',
    title: 'Cores used',
    description:
      'CPU seconds per second by strategy: worker = the pool (worker threads, or child processes), main = the rest of the daemon process, which counts for the active strategy. 1 = one core busy.',
    unit: 'none',
    min: 0,
    stack: true,
    queries: [
      {
        expr: `sum by (strategy, component) (rate(lab_cpu_seconds_total{${STRATEGY_OR_MAIN}}[$__rate_interval]))`,
        legend: '{{strategy}} {{component}}',
      },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Memory (resident)',
    description: 'Resident set size by strategy: main = the daemon process, worker threads included (counted for the active strategy); worker = child processes.',
    unit: 'bytes',
    min: 0,
    stack: true,
    queries: [
      { expr: `sum by (strategy, component) (lab_memory_bytes{kind="rss", ${STRATEGY_OR_MAIN}})`, legend: '{{strategy}} {{component}}' },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Main event-loop delay p99',
    description:
      "How late the daemon's main event loop runs timers and I/O callbacks (the API and /metrics wait as long), under the active strategy. Over 100ms for a minute raises LabEventLoopBlocked.",
    unit: 's',
    min: 0,
    threshold: 0.1,
    queries: [
      {
        expr: `max by (strategy) (lab_event_loop_delay_seconds{thread="main", quantile="0.99", ${STRATEGY_OR_MAIN}})`,
        legend: '{{strategy}}',
      },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Event-loop utilization',
    description: 'Share of time the event loop was busy running JavaScript (1 = never idle), main thread and workers.',
    unit: 'percentunit',
    min: 0,
    max: 1,
    queries: [
      { expr: `max by (strategy, thread) (lab_event_loop_utilization{${STRATEGY_OR_MAIN}})`, legend: '{{strategy}} {{thread}}' },
    ],
  },
  {
    kind: 'timeseries',
    title: 'Queue depth',
    description: 'Jobs waiting for a free slot, by strategy. At LAB_QUEUE_LIMIT further jobs are shed.',
    unit: 'short',
    min: 0,
    width: 8,
    queries: [{ expr: `sum by (strategy) (lab_pool_queue_depth{${STRATEGY}})`, legend: '{{strategy}}' }],
  },
  {
    kind: 'timeseries',
    title: 'Busy pool workers',
    description: 'Worker threads or child processes running a job, by strategy (pools exist for threads and processes).',
    unit: 'short',
    min: 0,
    width: 8,
    queries: [{ expr: `sum by (strategy) (lab_pool_workers{state="busy", ${STRATEGY}})`, legend: '{{strategy}}' }],
  },
  {
    kind: 'timeseries',
    title: 'Upstream calls (http scenario)',
    description: 'Requests per second the http scenario sends to the upstream, by status class and error.',
    unit: 'reqps',
    min: 0,
    width: 8,
    queries: [
      { expr: 'sum by (status_class, error) (rate(lab_upstream_requests_total[$__rate_interval]))', legend: '{{status_class}} {{error}}' },
    ],
  },
];

/** The home dashboard: the strategies side by side, per scenario. */
export function strategyComparisonDashboard(): Dashboard {
  return buildDashboard({
    uid: STRATEGY_COMPARISON_UID,
    title: 'Concurrency lab: strategy comparison',
    description:
      'sequential, async, worker threads and child processes on the same CPU- and I/O-bound scenarios: throughput, latency, cores, memory and event-loop health.',
    variables: VARIABLES,
    annotations: [...ROTATION_ANNOTATIONS, ...FAULT_ANNOTATIONS],
    rows: [
      { title: 'Overview', panels: OVERVIEW },
      { title: 'Scenario: $scenario', repeat: 'scenario', panels: PER_SCENARIO },
      { title: 'Resources per strategy', panels: RESOURCES },
    ],
  });
}
