// The bundle's trace sampling on k6's path, for real: the daemon runs with docker-compose.yml's
// OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG defaults, exports to a real collector, and gets
// requests the way k6 sends them (loadtests/lib/traceparent.ts: a fresh traceparent, flagged
// sampled). The daemon must decide, keeping about its ratio of those traces, and keep them whole
// (the worker's execute span decided the same way as the daemon's job span).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { type RunningCollector, startCollector } from '../support/start-collector.ts';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { waitFor } from '../support/wait-for.ts';

/** Jobs sent: with a ratio of 0.1, the kept count is 20 ± 4.2 (binomial), far from all 200. */
const JOBS = 200;

const compose = parse(await readFile(fileURLToPath(new URL('../../docker-compose.yml', import.meta.url)), 'utf8')) as {
  services: { lab: { environment: Record<string, string> } };
};
const composeDefault = (value: string | undefined): string => /^\$\{\w+:?-(.*)\}$/.exec(value ?? '')?.[1] ?? value ?? '';
const SAMPLER = composeDefault(compose.services.lab.environment.OTEL_TRACES_SAMPLER);
const RATIO = Number(composeDefault(compose.services.lab.environment.OTEL_TRACES_SAMPLER_ARG));

describe("the bundle's sampler on k6's path (every request flagged sampled)", () => {
  let collector: RunningCollector;
  let daemon: LabDaemon;
  const traceIds: string[] = [];

  before(async () => {
    collector = await startCollector();
    daemon = await startLabDaemon({
      LAB_DRIVER: 'off',
      LAB_STRATEGIES: 'threads',
      LAB_WORKERS: '1',
      // noop jobs only: no embedded upstream to start (its readiness is not this test's subject).
      LAB_UPSTREAM_URL: 'http://127.0.0.1:9',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: SAMPLER,
      OTEL_TRACES_SAMPLER_ARG: String(RATIO),
    });
    for (let i = 0; i < JOBS; i++) {
      const traceId = randomBytes(16).toString('hex');
      const response = await fetch(`${daemon.url}/api/v1/jobs/noop?strategy=threads`, {
        method: 'POST',
        headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      });
      assert.equal(response.status, 200, await response.text());
      await response.arrayBuffer().catch(() => undefined);
      traceIds.push(traceId);
    }
    // Spans still buffered in the daemon and its worker are flushed on shutdown.
    assert.equal((await daemon.stop()).code, 0, daemon.output());
  });
  after(async () => {
    await daemon?.stop();
    await collector?.stop();
  });

  it('keeps about OTEL_TRACES_SAMPLER_ARG of them, whole: job and execute spans together', async (t) => {
    assert.ok(RATIO > 0 && RATIO < 1, `a ratio below 1: ${RATIO}`);
    const sent = new Set(traceIds);
    const spans = (await collector.spans()).filter((span) => sent.has(span.traceId));
    const byTrace = Map.groupBy(spans, (span) => span.traceId);
    t.diagnostic(`${SAMPLER} ${RATIO}: ${byTrace.size} of ${JOBS} traces kept`);
    const expected = RATIO * JOBS;
    const spread = 5 * Math.sqrt(JOBS * RATIO * (1 - RATIO));
    assert.ok(Math.abs(byTrace.size - expected) <= spread, `kept ${byTrace.size} traces, expected ${expected} ± ${spread.toFixed(0)} (not the caller's 100%)`);
    for (const [traceId, trace] of byTrace) {
      const names = trace.map((span) => span.name);
      assert.ok(names.includes('job noop') && names.includes('execute'), `trace ${traceId} is whole: ${names.join(', ')}`);
    }
  });
});
