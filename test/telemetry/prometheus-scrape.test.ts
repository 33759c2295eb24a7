import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/free-port.ts';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { type RunningPrometheus, startPrometheus } from '../support/start-prometheus.ts';
import { waitFor } from '../support/wait-for.ts';

/** Long enough for rate() over a few 1 s scrapes, short enough for a test. */
const PHASE_SECONDS = 9;
const RATE_WINDOW = '4s';

/**
 * A real Prometheus scrapes real daemons, one strategy at a time on the same port (so CPU use
 * is not shared between them), and answers for the series each strategy must have.
 */
describe('a real Prometheus scraping the daemon', () => {
  let prometheus: RunningPrometheus;
  let port: number;
  const cores: Record<string, number> = {};
  /** CPU seconds the pool's workers used over the phase (component="worker"). */
  const workerCpuSeconds: Record<string, number> = {};
  const running: LabDaemon[] = [];

  async function phase(strategy: string, env: Record<string, string>): Promise<void> {
    const daemon = await startLabDaemon({ LAB_PORT: String(port), LAB_STRATEGIES: strategy, LAB_WORKERS: '2', ...env });
    running.push(daemon);
    try {
      // The busiest stretch of the phase: on a shared machine, other work may take a core for a while.
      const expr = `max_over_time(sum(rate(lab_cpu_seconds_total{strategy="${strategy}"}[${RATE_WINDOW}]))[${PHASE_SECONDS}s:1s])`;
      await waitFor(async () => (await prometheus.client.query(`count_over_time(lab_strategy_active{strategy="${strategy}"}[${PHASE_SECONDS}s])`))[0]?.values[0]?.[1] === PHASE_SECONDS, {
        description: `${PHASE_SECONDS} scrapes of the ${strategy} daemon`,
        timeoutMs: 40_000,
        intervalMs: 500,
      });
      cores[strategy] = (await prometheus.client.query(expr))[0]?.values[0]?.[1] ?? Number.NaN;
      const workerCpu = `max(increase(lab_cpu_seconds_total{strategy="${strategy}",component="worker"}[${PHASE_SECONDS}s]))`;
      workerCpuSeconds[strategy] = (await prometheus.client.query(workerCpu))[0]?.values[0]?.[1] ?? 0;
    } finally {
      await daemon.stop();
    }
  }

  before(async () => {
    port = await freePort();
    prometheus = await startPrometheus({
      config: { global: { scrape_interval: '1s', scrape_timeout: '900ms' }, scrape_configs: [{ job_name: 'lab', static_configs: [{ targets: [`127.0.0.1:${port}`] }] }] },
    });
    await phase('sequential', { LAB_SCENARIOS: 'matrix', LAB_SIZES: 'matrix=120' });
    await phase('threads', { LAB_SCENARIOS: 'matrix', LAB_SIZES: 'matrix=120' });
    // matrix keeps both child processes busy: their CPU (read per pid) must show.
    await phase('processes', { LAB_SCENARIOS: 'http,array,matrix', LAB_SIZES: 'array=100000,matrix=120' });
  });
  after(async () => {
    for (const daemon of running) await daemon.stop();
    await prometheus?.stop();
  });

  it('measures cores per strategy, children included: sequential about one, threads with 2 workers more than 1.5', (t) => {
    t.diagnostic(`cores used: ${JSON.stringify(cores)}`);
    t.diagnostic(`worker CPU seconds over the phase: ${JSON.stringify(workerCpuSeconds)}`);
    assert.ok(cores.sequential! > 0.7 && cores.sequential! < 1.3, `sequential used ${cores.sequential} cores`);
    assert.ok(cores.threads! > 1.5, `threads used ${cores.threads} cores`);
    assert.ok(cores.processes! > 0.1, `processes used ${cores.processes} cores`);
    // The children's own CPU is counted: over a busy 9 s stretch, well over one core-second.
    assert.ok(workerCpuSeconds.processes! > 1, `the child processes used ${workerCpuSeconds.processes} CPU seconds`);
  });

  it('has every per-strategy series the dashboards use', async () => {
    const expectations: Record<string, string[]> = {
      sequential: ['lab_jobs_total{outcome="ok"}', 'lab_job_duration_seconds_bucket', 'lab_job_queue_seconds_bucket', 'lab_job_run_seconds_bucket', 'lab_jobs_in_flight', 'lab_pool_workers{state="busy"}', 'lab_pool_queue_depth', 'lab_event_loop_delay_seconds{quantile="0.99"}', 'lab_event_loop_utilization{thread="main"}', 'lab_memory_bytes{component="main",kind="rss"}', 'lab_strategy_active'],
      threads: ['lab_cpu_seconds_total{component="worker"}', 'lab_memory_bytes{component="worker",kind="heap"}', 'lab_event_loop_utilization{thread="worker"}', 'lab_pool_worker_restarts_total', 'lab_pool_workers{state="idle"}'],
      processes: ['lab_cpu_seconds_total{component="worker"}', 'lab_memory_bytes{component="worker",kind="rss"}', 'lab_event_loop_utilization{thread="worker"}'],
    };
    for (const [strategy, selectors] of Object.entries(expectations)) {
      for (const selector of selectors) {
        const [name, labels = '}'] = selector.split('{');
        const expr = `${name}{strategy="${strategy}"${labels === '}' ? '}' : `,${labels}`}`;
        const series = await prometheus.client.series(expr);
        assert.ok(series.length > 0, `${expr} was scraped`);
      }
    }
    const upstream = await prometheus.client.query('max(max_over_time(lab_upstream_requests_total{status_class="2xx",error="none"}[2m]))');
    assert.ok((upstream[0]?.values[0]?.[1] ?? 0) > 0, 'upstream requests by status class');
    const api = await prometheus.client.series('lab_http_requests_total{route="/metrics",status_code="200"}');
    assert.ok(api.length > 0, 'API requests by route');
  });

  it('stores trace_id exemplars on the job latency histogram', async () => {
    const nowSeconds = Date.now() / 1000;
    const exemplars = await prometheus.client.exemplars('lab_job_duration_seconds_bucket', nowSeconds - 120, nowSeconds);
    const traceIds = exemplars.flatMap((entry) => entry.exemplars.map((exemplar) => exemplar.labels.trace_id));
    assert.ok(traceIds.length > 0 && traceIds.every((id) => /^[0-9a-f]{32}$/.test(id ?? '')), JSON.stringify(exemplars).slice(0, 500));
  });
});
