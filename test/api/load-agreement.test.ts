// The client and the daemon agree on the same load. vegeta sends matrix jobs at a constant rate
// to one strategy at a time, each request with a fresh traceparent; then what vegeta counted and
// measured is held against what the daemon exported for that strategy: every request counted
// once in lab_jobs_total and in lab_job_duration_seconds, the client's p99 in the histogram
// bucket of the daemon's p99 (or the next one up: the client also times HTTP and the accept
// queue), and the histogram's exemplars pointing at traces the client started.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JOB_BUCKETS_SECONDS } from '../../src/telemetry/lab-metrics.ts';
import { CLI, type LabDaemon, NODE, startLabDaemon } from '../support/lab-daemon.ts';
import { type StartedProcess, startProcess } from '../support/started-process.ts';
import { attack } from '../support/vegeta.ts';
import { waitFor } from '../support/wait-for.ts';

const STRATEGIES = ['sequential', 'async', 'threads', 'processes'] as const;
const SCENARIO = 'matrix';
/** A job of a few ms: the rate below stays far under what even sequential sustains. */
const SIZE = 60;
const RATE_PER_SECOND = 25;
const DURATION_MS = 3_000;
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0';

interface JobHistogram {
  /** Cumulative count by upper bound (seconds), +Inf last. */
  readonly buckets: ReadonlyMap<number, number>;
  readonly count: number;
  readonly exemplarTraceIds: readonly string[];
}

interface DaemonView {
  /** lab_jobs_total by outcome. */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly histogram: JobHistogram;
}

/** One OpenMetrics scrape, read for one strategy's matrix jobs. */
async function daemonView(baseUrl: string, strategy: string): Promise<DaemonView> {
  const response = await fetch(`${baseUrl}/metrics`, { headers: { accept: OPENMETRICS } });
  assert.equal(response.status, 200);
  const outcomes: Record<string, number> = {};
  const buckets = new Map<number, number>();
  const exemplarTraceIds: string[] = [];
  let count = 0;
  const own = (labels: string): boolean => labels.includes(`scenario="${SCENARIO}"`) && labels.includes(`strategy="${strategy}"`);
  for (const line of (await response.text()).split('\n')) {
    const sample = /^(\w+)\{([^}]*)\} (\S+)(?: # \{trace_id="([0-9a-f]{32})"\})?/.exec(line);
    if (sample === null || !own(sample[2]!)) continue;
    const [, name, labels, value, traceId] = sample;
    // OpenMetrics names the counter's sample lab_jobs_total (family lab_jobs).
    if (name === 'lab_jobs_total') outcomes[/outcome="(\w+)"/.exec(labels!)![1]!] = Number(value);
    if (name === 'lab_job_duration_seconds_count') count = Number(value);
    if (name === 'lab_job_duration_seconds_bucket') {
      const le = /le="([^"]+)"/.exec(labels!)![1]!;
      buckets.set(le === '+Inf' ? Infinity : Number(le), Number(value));
      if (traceId !== undefined) exemplarTraceIds.push(traceId);
    }
  }
  return { outcomes, histogram: { buckets, count, exemplarTraceIds } };
}

function minus(after: JobHistogram, before: JobHistogram): Map<number, number> {
  return new Map([...after.buckets].map(([le, cumulative]) => [le, cumulative - (before.buckets.get(le) ?? 0)]));
}

/** Index in JOB_BUCKETS_SECONDS (+Inf = its length) of the bucket holding the q-quantile rank. */
function quantileBucket(cumulative: ReadonlyMap<number, number>, total: number, q: number): number {
  const rank = Math.ceil(q * total);
  const bounds = [...JOB_BUCKETS_SECONDS, Infinity];
  return bounds.findIndex((le) => (cumulative.get(le) ?? 0) >= rank);
}

/** Index of the bucket (le is inclusive) that holds `seconds`. */
function bucketOf(seconds: number): number {
  const index = JOB_BUCKETS_SECONDS.findIndex((le) => seconds <= le);
  return index === -1 ? JOB_BUCKETS_SECONDS.length : index;
}

function describeBucket(index: number): string {
  const lower = index === 0 ? 0 : JOB_BUCKETS_SECONDS[index - 1]! * 1000;
  const upper = index === JOB_BUCKETS_SECONDS.length ? '+Inf' : `${JOB_BUCKETS_SECONDS[index]! * 1000}`;
  return `(${lower}, ${upper}] ms`;
}

describe('vegeta load against the daemon: client and server agree, per strategy', () => {
  let upstream: StartedProcess | undefined;
  let daemon: LabDaemon;

  before(async () => {
    // The http scenario is not used; its upstream is started here rather than by the daemon, whose
    // own start-up limit for it is short for a busy machine.
    upstream = await startProcess(NODE, [CLI, 'upstream', '--port', '0'], { readyLine: /upstream listening on http:\/\/(\S+)/ });
    daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: STRATEGIES.join(','), LAB_WORKERS: '2', LAB_UPSTREAM_URL: `http://${upstream.ready![1]!}` });
    const url = daemon.url;
    // Every pool member compiles the multiply once before anything is measured.
    for (const strategy of STRATEGIES) {
      const warm = await attack({ targets: [{ method: 'POST', url: `${url}/api/v1/jobs/${SCENARIO}?strategy=${strategy}&size=${SIZE}` }], ratePerSecond: 20, durationMs: 500 });
      assert.equal(warm.statusCodes[200], warm.requests, `warm-up of ${strategy}: ${JSON.stringify(warm.statusCodes)} ${warm.errors.join('; ')}`);
    }
  });

  after(async () => {
    await daemon?.stop();
    await upstream?.stop();
  });

  for (const strategy of STRATEGIES) {
    it(`${strategy}: request counts equal lab_jobs_total and the histogram's count; p99 within one bucket; exemplars are the client's traces`, async (t) => {
      const before = await daemonView(daemon.url, strategy);
      const result = await attack({
        targets: [{ method: 'POST', url: `${daemon.url}/api/v1/jobs/${SCENARIO}?strategy=${strategy}&size=${SIZE}` }],
        ratePerSecond: RATE_PER_SECOND,
        durationMs: DURATION_MS,
        timeoutMs: 10_000,
        // The job report in each answer: the daemon's own duration of that job.
        maxBodyBytes: 4096,
      });
      const planned = (RATE_PER_SECOND * DURATION_MS) / 1000;
      // What is compared is what was sent; on a starved machine vegeta sends somewhat fewer.
      assert.ok(result.requests >= 0.5 * planned, `vegeta sent ${result.requests} of ${planned} requests`);
      assert.deepEqual(result.statusCodes, { 200: result.requests }, `every job ran: ${result.errors.join('; ')}`);

      // The daemon records a job as it answers: wait until the last of them is in.
      const afterView = await waitFor(
        async () => {
          const view = await daemonView(daemon.url, strategy);
          return view.histogram.count - before.histogram.count >= result.requests ? view : undefined;
        },
        { description: `${result.requests} ${strategy} jobs in lab_job_duration_seconds_count`, timeoutMs: 10_000 },
      );
      const outcomes = Object.fromEntries(Object.entries(afterView.outcomes).map(([outcome, value]) => [outcome, value - (before.outcomes[outcome] ?? 0)]).filter(([, value]) => value !== 0));
      assert.deepEqual(outcomes, { ok: result.requests }, 'lab_jobs_total counted every request once, as ok');
      assert.equal(afterView.histogram.count - before.histogram.count, result.requests, 'lab_job_duration_seconds_count');
      const cumulative = minus(afterView.histogram, before.histogram);
      assert.equal(cumulative.get(Infinity), result.requests, 'the +Inf bucket');

      // The client times more than the daemon does (connect, HTTP parsing, the answer's way
      // back), never less: per bucket the daemon has at least as many jobs at or below it.
      const clientLatency = result.latency();
      const sortedClientSeconds = result.hits.map((hit) => hit.latencyMs / 1000).sort((a, b) => a - b);
      for (const le of JOB_BUCKETS_SECONDS) {
        const clientAtOrBelow = sortedClientSeconds.filter((seconds) => seconds <= le).length;
        assert.ok((cumulative.get(le) ?? 0) >= clientAtOrBelow, `le=${le}: daemon ${cumulative.get(le)} jobs, client ${clientAtOrBelow} requests at or below`);
      }
      const serverBucket = quantileBucket(cumulative, result.requests, 0.99);
      const clientBucket = bucketOf(clientLatency.p99Ms / 1000);
      // The histogram's p99 is the p99 of the durations the client was told job by job (each
      // answer's durationMs), to the bucket. The client's own p99 adds the HTTP round trip on
      // top: with 75 requests one slow answer decides it, so it is bounded from below only.
      const reported = result.hits.map((hit) => (JSON.parse(hit.body) as { durationMs: number }).durationMs).sort((a, b) => a - b);
      const reportedP99Ms = reported[Math.ceil(0.99 * reported.length) - 1]!;
      const reportedBucket = bucketOf(reportedP99Ms / 1000);
      t.diagnostic(
        `${strategy}: ${result.requests} requests; client p50 ${clientLatency.p50Ms.toFixed(2)} ms, p99 ${clientLatency.p99Ms.toFixed(2)} ms in ${describeBucket(clientBucket)}; ` +
          `reported job p99 ${reportedP99Ms.toFixed(2)} ms in ${describeBucket(reportedBucket)}; daemon histogram p99 in ${describeBucket(serverBucket)}`,
      );
      assert.equal(reportedBucket, serverBucket, `the job durations the client was told have their p99 in ${describeBucket(reportedBucket)}, the histogram in ${describeBucket(serverBucket)}`);
      assert.ok(clientBucket >= serverBucket, `client p99 ${clientLatency.p99Ms.toFixed(2)} ms (${describeBucket(clientBucket)}) is not below the daemon's (${describeBucket(serverBucket)})`);

      // Exemplars carry the trace id of a job they sampled: the daemon continued our traceparents.
      const fresh = afterView.histogram.exemplarTraceIds.filter((id) => !before.histogram.exemplarTraceIds.includes(id));
      assert.ok(fresh.length > 0, 'new exemplars after the attack');
      assert.deepEqual(
        fresh.filter((id) => !result.traceIds.has(id)),
        [],
        'every new exemplar names a trace the client started',
      );
    });
  }
});
