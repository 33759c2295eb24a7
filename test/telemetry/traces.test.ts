import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type ExportedSpan, type RunningCollector, startCollector } from '../support/start-collector.ts';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { waitFor } from '../support/wait-for.ts';

const SERVER = 2;
const CLIENT = 3;

/** Sends one job with a traceparent of our own; returns its trace id and our (remote) parent span id. */
async function tracedJob(url: string, strategy: string): Promise<{ traceId: string; parentSpanId: string; pid: number; threadId: number }> {
  const traceId = randomBytes(16).toString('hex');
  const parentSpanId = randomBytes(8).toString('hex');
  const response = await fetch(`${url}/api/v1/jobs/http?strategy=${strategy}&size=64`, { method: 'POST', headers: { traceparent: `00-${traceId}-${parentSpanId}-01` } });
  const body = (await response.json()) as { worker: { pid: number; threadId: number } };
  assert.equal(response.status, 200, JSON.stringify(body));
  return { traceId, parentSpanId, ...body.worker };
}

function only(spans: ExportedSpan[], description: string, match: (span: ExportedSpan) => boolean): ExportedSpan {
  const found = spans.filter(match);
  assert.equal(found.length, 1, `exactly one ${description} in ${JSON.stringify(spans.map(({ name, service, kind }) => ({ name, service, kind })))}`);
  return found[0]!;
}

describe('traces through a real OpenTelemetry Collector', () => {
  let collector: RunningCollector;
  let daemon: LabDaemon;
  const jobs: Record<string, Awaited<ReturnType<typeof tracedJob>>> = {};

  before(async () => {
    collector = await startCollector();
    daemon = await startLabDaemon({
      LAB_DRIVER: 'off',
      LAB_STRATEGIES: 'async,threads,processes',
      LAB_WORKERS: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'always_on',
    });
    await waitFor(async () => (await fetch(`${daemon.url}/readyz`)).ok, { description: 'the daemon to be ready' });
    for (const strategy of ['async', 'threads', 'processes']) jobs[strategy] = await tracedJob(daemon.url, strategy);
    // Spans still buffered in the daemon are flushed on shutdown.
    const exit = await daemon.stop();
    assert.equal(exit.code, 0, daemon.output());
  });
  after(async () => {
    await daemon?.stop();
    await collector?.stop();
  });

  it('says at startup where traces go', () => {
    assert.match(daemon.output(), new RegExp(`traces go to ${collector.otlpHttpUrl.replace(/[.]/g, '\\.')} \\(OTLP http/protobuf\\)`));
  });

  for (const strategy of ['async', 'threads', 'processes']) {
    it(`${strategy}: one trace holds the API span, the job with queue and execute (made where the job ran), the undici call and the upstream's server span`, async () => {
      const job = jobs[strategy]!;
      const spans = await waitFor(
        async () => {
          const trace = (await collector.spans()).filter((span) => span.traceId === job.traceId);
          return trace.some((span) => span.service === 'concurrency-lab-upstream') && trace.some((span) => span.name === 'execute') && trace.some((span) => span.name === 'job http') ? trace : undefined;
        },
        { description: `the ${strategy} trace to arrive`, timeoutMs: 15_000 },
      );

      const api = only(spans, 'API server span', (span) => span.service === 'concurrency-lab' && span.kind === SERVER);
      assert.equal(api.parentSpanId, job.parentSpanId, 'the API span continues the caller’s traceparent');
      const jobSpan = only(spans, 'job span', (span) => span.name === 'job http');
      assert.equal(jobSpan.parentSpanId, api.spanId);
      assert.deepEqual([jobSpan.attributes['lab.scenario'], jobSpan.attributes['lab.strategy'], jobSpan.attributes['lab.size'], jobSpan.attributes['lab.outcome']], ['http', strategy, 64, 'ok']);
      const queue = only(spans, 'queue span', (span) => span.name === 'queue');
      assert.equal(queue.parentSpanId, jobSpan.spanId);
      const execute = only(spans, 'execute span', (span) => span.name === 'execute');
      assert.equal(execute.parentSpanId, jobSpan.spanId);
      assert.equal(execute.attributes['process.pid'], job.pid);
      assert.equal(execute.attributes['thread.id'], job.threadId);
      if (strategy === 'async') assert.deepEqual([job.pid, job.threadId], [daemon.pid, 0], 'executed on the main thread (its parent taken in-process, not parsed back)');
      else if (strategy === 'threads') assert.ok(job.threadId > 0, 'executed on a worker thread');
      else assert.notEqual(job.pid, daemon.pid, 'executed in a child process');
      const client = only(spans, 'undici client span', (span) => span.kind === CLIENT);
      assert.equal(client.parentSpanId, execute.spanId);
      const upstream = only(spans, 'upstream server span', (span) => span.service === 'concurrency-lab-upstream');
      assert.equal(upstream.kind, SERVER);
      assert.equal(upstream.parentSpanId, client.spanId);
    });
  }
});
