import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { type RunningCollector, startCollector } from '../support/start-collector.ts';
import { type RunningPrometheus, startPrometheus } from '../support/start-prometheus.ts';
import { startProcess } from '../support/started-process.ts';
import { resolveTool } from '../support/tools.ts';
import { waitFor } from '../support/wait-for.ts';

const LOADTESTS = fileURLToPath(new URL('../../loadtests/', import.meta.url));
const STRATEGIES = ['sequential', 'async', 'threads', 'processes'];
/** Longer than any k6 run here should take, so a hung k6 fails the test instead of blocking it. */
const K6_DEADLINE_MS = 120_000;

interface SummaryJson {
  script: string;
  strategies: { strategy: string; requests: number; failedRate: number; checksRate: number; p99Ms: number; thresholdsOk: boolean }[];
  thresholds: { metric: string; ok: boolean }[];
}

interface K6Run {
  code: number | null;
  output: string;
  summary: SummaryJson;
}

/**
 * Runs the real k6 on a script against the daemon, with `env` as k6 variables; returns its
 * exit code (0: every threshold passed, 99: one crossed), its output and the JSON summary.
 */
async function runK6(daemon: LabDaemon, dir: string, script: string, env: Record<string, string>, k6Env: Record<string, string> = {}): Promise<K6Run> {
  const summaryPath = join(dir, `${script}-summary.json`);
  const variables = Object.entries({ ...env, LAB_URL: daemon.url, SUMMARY_JSON: summaryPath }).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  const k6 = await startProcess(resolveTool('k6'), ['run', '--quiet', '--no-color', ...variables, join(LOADTESTS, `${script}.ts`)], {
    // No usage report: the machines here have no internet, and tests should not phone home.
    env: { ...process.env, K6_NO_USAGE_REPORT: 'true', ...k6Env },
  });
  const timer = setTimeout(() => void k6.stop('SIGKILL'), K6_DEADLINE_MS);
  try {
    const { code } = await k6.exited;
    const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as SummaryJson;
    return { code, output: k6.output(), summary };
  } finally {
    clearTimeout(timer);
    await k6.stop();
  }
}

function assertPerStrategyRows(run: K6Run, script: string): void {
  assert.equal(run.code, 0, `k6 ${script} exit code (0 = thresholds passed):\n${run.output}`);
  assert.equal(run.summary.script, script);
  assert.deepEqual(run.summary.strategies.map((row) => row.strategy).toSorted(), STRATEGIES.toSorted(), 'one row per strategy');
  for (const row of run.summary.strategies) {
    assert.ok(row.requests > 0, `${row.strategy}: requests`);
    assert.equal(row.failedRate, 0, `${row.strategy}: failed requests`);
    assert.equal(row.checksRate, 1, `${row.strategy}: checks`);
    assert.ok(row.p99Ms > 0, `${row.strategy}: p99`);
    assert.ok(row.thresholdsOk, `${row.strategy}: thresholds`);
  }
  assert.ok(run.summary.thresholds.length > 0 && run.summary.thresholds.every((threshold) => threshold.ok), 'every threshold passed');
  assert.match(run.output, /strategy\s+requests\s+req\/s\s+failed\s+shed/, 'the per-strategy table on stdout');
}

describe('the k6 scripts, run by a real k6 against a real daemon', () => {
  let collector: RunningCollector;
  let prometheus: RunningPrometheus;
  let daemon: LabDaemon;
  let dir: string;
  const runs: Record<string, K6Run> = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-k6-'));
    collector = await startCollector();
    // Only receives k6's remote writes; it scrapes nothing.
    prometheus = await startPrometheus({ config: { global: { scrape_interval: '1m' } } });
    daemon = await startLabDaemon({
      LAB_DRIVER: 'off',
      LAB_STRATEGIES: STRATEGIES.join(','),
      LAB_WORKERS: '2',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      // The SDK's default sampler (parentbased_always_on) follows k6's sampled flag.
    });
    runs.smoke = await runK6(daemon, dir, 'smoke', { ITERATIONS: '1' });
    // About 20 s: four strategies one after another, 4 s each plus a 1 s gap, at a rate and
    // size that a busy 2-core machine holds easily. The latency limits are loose on purpose:
    // this checks that the script and its thresholds work, not how fast the machine is.
    runs.compare = await runK6(
      daemon,
      dir,
      'compare',
      { SCENARIO: 'matrix', SIZE: '40', RATE: '5', DURATION: '4s', GAP: '1s', P95_MS: '2000', P99_MS: '4000', MAX_FAILED_RATE: '0' },
      {
        // k6's Prometheus remote-write output, set up as the compose k6 service does.
        K6_OUT: 'experimental-prometheus-rw',
        K6_PROMETHEUS_RW_SERVER_URL: prometheus.remoteWriteUrl,
        K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true',
        K6_PROMETHEUS_RW_PUSH_INTERVAL: '2s',
      },
    );
    // Spans still buffered in the daemon are flushed on shutdown.
    const exit = await daemon.stop();
    assert.equal(exit.code, 0, daemon.output());
  });

  after(async () => {
    await daemon?.stop();
    await collector?.stop();
    await prometheus?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('smoke.ts passes its thresholds with a row per strategy', () => {
    assertPerStrategyRows(runs.smoke!, 'smoke');
    // Every scenario once per strategy (thumbnail, matrix, array, http, noop).
    for (const row of runs.smoke!.summary.strategies) assert.equal(row.requests, 5, `${row.strategy}: smoke requests`);
  });

  it('compare.ts (about 20 s) passes its per-strategy thresholds with a row per strategy', () => {
    assertPerStrategyRows(runs.compare!, 'compare');
  });

  it("compare.ts's numbers reach Prometheus through k6's remote-write output, by strategy", async () => {
    const requests = await prometheus.client.query('sum by (strategy) (k6_http_reqs_total{strategy!=""})');
    const byStrategy = Object.fromEntries(requests.map((series) => [series.metric.strategy, series.values[0]![1]]));
    for (const row of runs.compare!.summary.strategies) {
      assert.equal(byStrategy[row.strategy], row.requests, `k6_http_reqs_total{strategy="${row.strategy}"} against the summary`);
    }
    const latency = await prometheus.client.query('histogram_quantile(0.99, sum by (strategy) (k6_http_req_duration_seconds{strategy!=""}))');
    assert.deepEqual(latency.map((series) => series.metric.strategy).toSorted(), STRATEGIES.toSorted(), 'p99 per strategy from the native histogram');
  });

  it("k6's traceparent starts the daemon's traces: job requests continue k6's trace, untraced setup requests start their own", async () => {
    const jobRequests = runs.smoke!.summary.strategies.reduce((sum, row) => sum + row.requests, 0) + runs.compare!.summary.strategies.reduce((sum, row) => sum + row.requests, 0);
    // The daemon's HTTP server spans are named after the method: every POST is a job request,
    // every GET one of setup()'s (GET /readyz, /api/v1/strategies, /api/v1/scenarios).
    const serverSpans = await waitFor(
      async () => {
        const spans = (await collector.spans()).filter((span) => span.service === 'concurrency-lab' && span.kind === 2);
        return spans.filter((span) => span.name === 'POST').length >= jobRequests ? spans : undefined;
      },
      { description: `${jobRequests} job request server spans in the collector`, timeoutMs: 15_000 },
    );
    const jobSpans = serverSpans.filter((span) => span.name === 'POST');
    assert.deepEqual(
      jobSpans.filter((span) => span.parentSpanId === ''),
      [],
      'every job request span has a remote parent: the span id k6 sent in traceparent',
    );
    assert.equal(new Set(jobSpans.map((span) => span.traceId)).size, jobSpans.length, 'a fresh trace per k6 request');
    const setupSpans = serverSpans.filter((span) => span.name === 'GET');
    assert.ok(setupSpans.length > 0, 'setup() requests were traced');
    assert.ok(setupSpans.every((span) => span.parentSpanId === ''), 'setup() requests carry no traceparent: there the daemon starts the trace');
  });
});
