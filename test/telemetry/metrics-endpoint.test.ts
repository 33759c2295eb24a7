import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { resolveTool } from '../support/tools.ts';
import { waitFor } from '../support/wait-for.ts';

const OPENMETRICS = 'application/openmetrics-text; version=1.0.0';

async function scrape(url: string, accept?: string): Promise<{ contentType: string; body: string }> {
  const response = await fetch(`${url}/metrics`, { headers: accept === undefined ? {} : { accept } });
  assert.equal(response.status, 200);
  return { contentType: response.headers.get('content-type') ?? '', body: await response.text() };
}

describe('GET /metrics', () => {
  let daemon: LabDaemon;

  before(async () => {
    daemon = await startLabDaemon({ LAB_STRATEGIES: 'threads,processes', LAB_ROTATE_SECONDS: '2', LAB_SCENARIOS: 'matrix,http', LAB_SIZES: 'matrix=60', LAB_WORKERS: '2' });
    // A full cycle: every cell (matrix and http on both pools) has had a window.
    await waitFor(async () => ((await (await fetch(`${daemon.url}/api/v1/status`)).json()) as { rotation: { cycle: { completed: number } } }).rotation.cycle.completed >= 1, {
      description: 'a full cycle of cells',
      timeoutMs: 90_000,
      intervalMs: 250,
    });
  });
  after(() => daemon?.stop());

  it('passes `promtool check metrics` with nothing reported', async () => {
    const { contentType, body } = await scrape(daemon.url);
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    const check = spawnSync(resolveTool('promtool'), ['check', 'metrics'], { input: body, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.equal(check.stdout + check.stderr, '');
    for (const name of ['lab_jobs_total', 'lab_job_duration_seconds_bucket', 'lab_cpu_seconds_total', 'lab_memory_bytes', 'lab_pool_workers', 'lab_event_loop_delay_seconds', 'lab_event_loop_utilization', 'lab_upstream_requests_total', 'lab_strategy_active', 'lab_http_requests_total', 'process_cpu_seconds_total', 'lab_cell_active', 'lab_cell_jobs_per_second', 'lab_cell_latency_seconds', 'lab_cell_cores_used', 'lab_cell_event_loop_delay_seconds', 'lab_cell_memory_bytes']) {
      assert.match(body, new RegExp(`^${name}[{ ]`, 'm'), `${name} is exported`);
    }
  });

  it('answers OpenMetrics with trace_id exemplars when asked, and the text format stays intact afterwards', async () => {
    const { contentType, body } = await scrape(daemon.url, OPENMETRICS);
    assert.match(contentType, /^application\/openmetrics-text/);
    assert.match(body, /# EOF\n$/);
    assert.match(body, /^lab_job_duration_seconds_bucket\{[^}]*\} \d+ # \{trace_id="[0-9a-f]{32}"\} [\d.e-]+ [\d.]+$/m);
    // prom-client renames counters in place for OpenMetrics; the next text scrape must not see that.
    const text = await scrape(daemon.url);
    assert.match(text.body, /^# TYPE lab_jobs_total counter$/m);
    assert.match(text.body, /^lab_jobs_total\{/m);
    assert.doesNotMatch(text.body, /trace_id=/);
  });

  it('measures the pools and the main thread with sane values', async () => {
    const { body } = await scrape(daemon.url);
    const value = (series: string): number => {
      const line = body.split('\n').find((candidate) => candidate.startsWith(`${series} `));
      assert.ok(line !== undefined, `${series} is exported`);
      return Number(line.split(' ').at(-1));
    };
    assert.ok(value('lab_memory_bytes{strategy="processes",component="worker",kind="rss"}') > 20e6, 'two child processes use more than 20 MB');
    assert.ok(value('lab_memory_bytes{strategy="threads",component="worker",kind="heap"}') > 1e6);
    assert.ok(value('lab_cpu_seconds_total{strategy="processes",component="worker"}') > 0);
    assert.ok(value('lab_cpu_seconds_total{strategy="threads",component="worker"}') > 0);
    assert.equal(value('lab_pool_workers{strategy="processes",state="busy"}') + value('lab_pool_workers{strategy="processes",state="idle"}'), 2);
    const utilization = value('lab_event_loop_utilization{thread="worker",strategy="threads"}');
    assert.ok(utilization > 0 && utilization <= 1, `worker utilization ${utilization}`);
    // The main thread's delay is published under the strategy running now.
    const delayLine = body.split('\n').find((line) => /^lab_event_loop_delay_seconds\{thread="main",strategy="(threads|processes)",quantile="0\.99"\} /.test(line));
    assert.ok(delayLine !== undefined, 'the main loop delay is exported under the active strategy');
    const delayP99 = Number(delayLine.split(' ').at(-1));
    assert.ok(delayP99 >= 0 && delayP99 < 1, `main loop delay p99 ${delayP99}`);
    assert.ok(value('lab_upstream_requests_total{status_class="2xx",error="none"}') > 0);
  });
});

describe('GET /metrics with the driver off', () => {
  let daemon: LabDaemon;

  before(async () => {
    daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'sequential,threads', LAB_WORKERS: '2' });
    await waitFor(async () => (await fetch(`${daemon.url}/readyz`)).ok, { description: 'ready', timeoutMs: 60_000 });
    // Some work through the API, as k6 would send it.
    for (const strategy of ['sequential', 'threads']) await (await fetch(`${daemon.url}/api/v1/jobs/matrix?strategy=${strategy}&size=60`, { method: 'POST' })).arrayBuffer();
  });
  after(() => daemon?.stop());

  it('no strategy is active and the main thread is charged to none of them; no cell gauges', async () => {
    const { body } = await waitFor(
      async () => {
        const scraped = await scrape(daemon.url);
        return /^lab_cpu_seconds_total\{strategy="none",component="main"\} /m.test(scraped.body) ? scraped : undefined;
      },
      { description: 'a sample of the main thread under strategy="none"', timeoutMs: 10_000 },
    );
    assert.match(body, /^lab_strategy_active\{strategy="sequential"\} 0$/m);
    assert.match(body, /^lab_strategy_active\{strategy="threads"\} 0$/m);
    assert.doesNotMatch(body, /^lab_strategy_active\{[^}]*\} 1$/m);
    assert.doesNotMatch(body, /^lab_cpu_seconds_total\{strategy="(sequential|threads)",component="main"\}/m, 'main-thread CPU is not charged to a strategy');
    assert.match(body, /^lab_memory_bytes\{strategy="none",component="main",kind="rss"\} /m);
    assert.doesNotMatch(body, /^lab_cell_active\{/m);
    const status = (await (await fetch(`${daemon.url}/api/v1/status`)).json()) as { rotation: { active: unknown } };
    assert.equal(status.rotation.active, null);
  });
});
