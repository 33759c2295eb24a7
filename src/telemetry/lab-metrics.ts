import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type RegistryContentType } from 'prom-client';
import { LoopDelaySummary } from './loop-delay-summary.ts';
import { WindowSummary } from './window-summary.ts';
/** prom-client's gauges named like counters: each is also published per type (nodejs_active_handles{type}), and promtool rejects the name. */
const MISNAMED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Job latency buckets in seconds: 0.5 ms to 30 s (the default job timeout). */
export const JOB_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** API request latency buckets in seconds. */
const HTTP_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function openMetricsRegistry(): Registry<RegistryContentType> {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

/**
 * Every metric the daemon exports (names and labels in the README's metrics table), in one
 * OpenMetrics registry so that histograms can carry trace_id exemplars. Created once per
 * daemon; label sets are bounded by the strategy, scenario and outcome names.
 */
export class LabMetrics {
  readonly registry = openMetricsRegistry();

  readonly jobs = new Counter({ name: 'lab_jobs_total', help: 'Jobs finished, by outcome (ok, error, timeout, cancelled, rejected = shed).', labelNames: ['scenario', 'strategy', 'outcome'] as const, registers: [this.registry] });
  readonly jobDuration = new Histogram({ name: 'lab_job_duration_seconds', help: 'Job latency from submission to result (queue + run), with trace_id exemplars.', labelNames: ['scenario', 'strategy'] as const, buckets: JOB_BUCKETS_SECONDS, enableExemplars: true, registers: [this.registry] });
  readonly jobQueue = new Histogram({ name: 'lab_job_queue_seconds', help: 'Time a job waited before a worker started it (includes dispatch to the worker).', labelNames: ['scenario', 'strategy'] as const, buckets: JOB_BUCKETS_SECONDS, registers: [this.registry] });
  readonly jobRun = new Histogram({ name: 'lab_job_run_seconds', help: 'Time a job ran, measured where it ran.', labelNames: ['scenario', 'strategy'] as const, buckets: JOB_BUCKETS_SECONDS, registers: [this.registry] });
  readonly jobsInFlight = new Gauge({ name: 'lab_jobs_in_flight', help: 'Jobs admitted and not finished (queued or running).', labelNames: ['scenario', 'strategy'] as const, registers: [this.registry] });

  readonly cpu = new Counter({ name: 'lab_cpu_seconds_total', help: 'CPU seconds used, children included: component=worker for pool threads or child processes, component=main for the rest of the daemon (attributed to the active strategy).', labelNames: ['strategy', 'component'] as const, registers: [this.registry] });
  readonly memory = new Gauge({ name: 'lab_memory_bytes', help: 'Memory by strategy and component, children included: kind=rss (resident set) or heap (V8 heap used).', labelNames: ['strategy', 'component', 'kind'] as const, registers: [this.registry] });
  readonly poolWorkers = new Gauge({ name: 'lab_pool_workers', help: 'Execution slots by state: busy (running a job) or idle. async has no idle slots (it has no limit).', labelNames: ['strategy', 'state'] as const, registers: [this.registry] });
  readonly poolQueueDepth = new Gauge({ name: 'lab_pool_queue_depth', help: 'Jobs waiting for a free slot.', labelNames: ['strategy'] as const, registers: [this.registry] });
  readonly poolRestarts = new Counter({ name: 'lab_pool_worker_restarts_total', help: 'Workers replaced by the pool, by reason: crash (died) or cancel (ended to stop a cancelled or timed-out job).', labelNames: ['strategy', 'reason'] as const, registers: [this.registry] });

  readonly eventLoopDelay = new LoopDelaySummary(this.registry);
  readonly eventLoopUtilization = new Gauge({ name: 'lab_event_loop_utilization', help: 'Event-loop utilization (0..1) over the last sampling period: the main thread, or the mean of the pool workers.', labelNames: ['thread', 'strategy'] as const, registers: [this.registry] });

  readonly upstreamRequests = new Counter({ name: 'lab_upstream_requests_total', help: 'Requests of the http scenario to the upstream, by status class and error kind.', labelNames: ['status_class', 'error'] as const, registers: [this.registry] });
  readonly strategyActive = new Gauge({ name: 'lab_strategy_active', help: "1 for the strategy of the driver's running cell, 0 for the others (all 0 with the driver off).", labelNames: ['strategy'] as const, registers: [this.registry] });

  readonly cellActive = new Gauge({ name: 'lab_cell_active', help: '1 for the cell (scenario × strategy) the driver runs now, 0 for the other cells of its cycle.', labelNames: ['scenario', 'strategy', 'mix'] as const, registers: [this.registry] });
  readonly cellJobsPerSecond = new Gauge({ name: 'lab_cell_jobs_per_second', help: "Successful jobs per second in the cell's latest window.", labelNames: ['scenario', 'strategy', 'mix'] as const, registers: [this.registry] });
  readonly cellLatency = new WindowSummary(this.registry, 'lab_cell_latency_seconds', "Latency of the successful jobs in the cell's latest window: quantiles 0.5 and 0.99, their sum and count.");
  readonly cellCoresUsed = new Gauge({ name: 'lab_cell_cores_used', help: "CPU seconds per second of the daemon, its threads and the strategy's child processes in the cell's latest window.", labelNames: ['scenario', 'strategy', 'mix'] as const, registers: [this.registry] });
  readonly cellEventLoopDelay = new WindowSummary(this.registry, 'lab_cell_event_loop_delay_seconds', "Main thread's event-loop delay (beyond the 10 ms sampling interval) in the cell's latest window: quantile 0.99, sum and count of the samples.");
  readonly cellVerdict = new Gauge({ name: 'lab_cell_verdict', help: "1 for what limited the cell in its latest window (src/report/verdict-rules.ts), 0 for the other limits.", labelNames: ['scenario', 'strategy', 'limit'] as const, registers: [this.registry] });
  readonly cellMemory = new Gauge({ name: 'lab_cell_memory_bytes', help: "RSS of the daemon plus the strategy's child processes at the end of the cell's latest window.", labelNames: ['scenario', 'strategy', 'mix'] as const, registers: [this.registry] });

  readonly upstreamRetries = new Counter({ name: 'lab_upstream_retries_total', help: 'Retries of http-scenario calls made by the client policy (LAB_UPSTREAM_RETRIES), as the jobs report them.', registers: [this.registry] });
  readonly upstreamCircuitState = new Gauge({ name: 'lab_upstream_circuit_state', help: "1 for the state the http scenario's circuit breaker reported with the latest job (closed, open, half_open), 0 for the others.", labelNames: ['state'] as const, registers: [this.registry] });
  readonly faultActive = new Gauge({ name: 'lab_fault_active', help: 'Injected faults on the http scenario path: 1 while the fault is on (GET /api/v1/faults), 0 otherwise.', labelNames: ['fault'] as const, registers: [this.registry] });

  readonly httpRequests = new Counter({ name: 'lab_http_requests_total', help: 'API requests served.', labelNames: ['method', 'route', 'status_code'] as const, registers: [this.registry] });
  readonly httpDuration = new Histogram({ name: 'lab_http_request_duration_seconds', help: 'API request latency.', labelNames: ['method', 'route', 'status_code'] as const, buckets: HTTP_BUCKETS_SECONDS, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const name of MISNAMED_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
  }
}
