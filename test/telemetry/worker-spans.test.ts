import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { scrapeMetric } from '../support/scrape-metric.ts';
import { type ExportedSpan, type RunningCollector, startCollector } from '../support/start-collector.ts';
import { waitFor } from '../support/wait-for.ts';

const STRATEGIES = ['threads', 'processes'] as const;
/** A matrix job of about a second here: the kill lands while it runs. */
const LONG_MATRIX = 700;
const SPAN_STATUS_ERROR = 2;

interface Answer {
  traceId: string;
  status: number;
  body: { code?: string; worker?: { pid: number; threadId: number } };
}

/** One job with a fresh sampled traceparent of our own, so its spans are found by trace id. */
async function tracedJob(url: string, path: string): Promise<Answer> {
  const traceId = randomBytes(16).toString('hex');
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
  return { traceId, status: response.status, body: (await response.json()) as Answer['body'] };
}

async function killWorker(url: string, strategy: string): Promise<{ pid: number; threadId: number }> {
  const response = await fetch(`${url}/api/v1/chaos/kill-worker?strategy=${strategy}`, { method: 'POST' });
  const body = (await response.json()) as { killed: { pid: number; threadId: number } };
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.killed;
}

/**
 * Issue 18: a pool worker's spans travel back with its task replies and the main thread
 * exports them, so a worker that dies loses no span of a job it finished; a job on a worker
 * that dies under it still has its job span (made on the main thread), with the crash.
 */
describe('worker spans survive the worker (a real Collector)', () => {
  let collector: RunningCollector;
  let daemon: LabDaemon;
  const finishedThenKilled: Partial<Record<(typeof STRATEGIES)[number], Answer & { victim: { pid: number; threadId: number } }>> = {};
  const killedMidJob: Partial<Record<(typeof STRATEGIES)[number], Answer>> = {};

  before(async () => {
    collector = await startCollector();
    daemon = await startLabDaemon({
      LAB_DRIVER: 'off',
      LAB_STRATEGIES: STRATEGIES.join(','),
      LAB_WORKERS: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'always_on',
    });
    await waitFor(async () => (await fetch(`${daemon.url}/readyz`)).status === 200, { description: 'the daemon to be ready' });
    for (const strategy of STRATEGIES) {
      // The one worker answers, and is killed at once: well inside any export batch's delay.
      const answer = await tracedJob(daemon.url, `/api/v1/jobs/http?strategy=${strategy}&size=64`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const victim = await killWorker(daemon.url, strategy);
      assert.deepEqual(victim, answer.body.worker, 'the worker that ran the job was killed');
      finishedThenKilled[strategy] = { ...answer, victim };

      // A worker killed while idle is replaced when the pool next needs one: a job brings the
      // replacement up first, so the long job runs on a started worker.
      assert.equal((await tracedJob(daemon.url, `/api/v1/jobs/http?strategy=${strategy}&size=64`)).status, 200);
      const pending = tracedJob(daemon.url, `/api/v1/jobs/matrix?strategy=${strategy}&size=${LONG_MATRIX}`);
      await waitFor(async () => (await scrapeMetric(daemon.url, 'lab_jobs_in_flight', { scenario: 'matrix', strategy })) === 1 || undefined, { description: 'the matrix job in flight', intervalMs: 20 });
      // A moment for it to reach its worker (about a second of work).
      await new Promise((resolve) => setTimeout(resolve, 150));
      await killWorker(daemon.url, strategy);
      killedMidJob[strategy] = await pending;
    }
    const exit = await daemon.stop();
    assert.equal(exit.code, 0, daemon.output());
  });
  after(async () => {
    await daemon?.stop();
    await collector?.stop();
  });

  const traceOf = (traceId: string, complete: (spans: ExportedSpan[]) => boolean): Promise<ExportedSpan[]> =>
    waitFor(
      async () => {
        const spans = (await collector.spans()).filter((span) => span.traceId === traceId);
        return complete(spans) ? spans : undefined;
      },
      { description: `trace ${traceId} to arrive`, timeoutMs: 15_000 },
    );

  for (const strategy of STRATEGIES) {
    it(`${strategy}: a worker killed right after it answered: that job's execute and client spans still arrive, under the job span`, async () => {
      const job = finishedThenKilled[strategy]!;
      const spans = await traceOf(job.traceId, (trace) => trace.some((span) => span.name === 'job http') && trace.some((span) => span.name === 'execute') && trace.some((span) => span.kind === 3));
      const jobSpan = spans.find((span) => span.name === 'job http')!;
      const execute = spans.filter((span) => span.name === 'execute');
      assert.equal(execute.length, 1);
      assert.equal(execute[0]!.parentSpanId, jobSpan.spanId);
      assert.equal(execute[0]!.service, 'concurrency-lab');
      assert.equal(execute[0]!.attributes['process.pid'], job.victim.pid);
      assert.equal(execute[0]!.attributes['thread.id'], job.victim.threadId);
      const client = spans.filter((span) => span.kind === 3);
      assert.equal(client.length, 1);
      assert.equal(client[0]!.parentSpanId, execute[0]!.spanId);
    });

    it(`${strategy}: a job on a worker killed mid-job: its job span arrives with the crash`, async () => {
      const job = killedMidJob[strategy]!;
      assert.equal(job.status, 500, JSON.stringify(job.body));
      assert.equal(job.body.code, 'LAB_ERR_WORKER_CRASHED');
      const spans = await traceOf(job.traceId, (trace) => trace.some((span) => span.name === 'job matrix'));
      const jobSpan = spans.find((span) => span.name === 'job matrix')!;
      assert.equal(jobSpan.attributes['lab.outcome'], 'error');
      assert.equal(jobSpan.attributes['error.type'], 'LAB_ERR_WORKER_CRASHED');
      assert.equal(jobSpan.status?.code, SPAN_STATUS_ERROR);
      assert.ok(spans.some((span) => span.name === 'queue' && span.parentSpanId === jobSpan.spanId), 'the queue span too');
    });
  }
});
