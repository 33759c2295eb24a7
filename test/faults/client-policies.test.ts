import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { scrapeMetric } from '../support/scrape-metric.ts';

interface JobAnswer {
  status: number;
  code: string | undefined;
  attempts: number | undefined;
}

async function httpJob(daemon: LabDaemon, strategy: string): Promise<JobAnswer> {
  const response = await fetch(`${daemon.url}/api/v1/jobs/http?strategy=${strategy}&size=16`, { method: 'POST' });
  const body = (await response.json()) as { code?: string; result?: { policy?: { attempts: number } } };
  return { status: response.status, code: body.code, attempts: body.result?.policy?.attempts };
}

async function putFaults(daemon: LabDaemon, body: unknown): Promise<void> {
  const response = await fetch(`${daemon.url}/api/v1/faults`, { method: 'PUT', body: JSON.stringify(body) });
  assert.equal(response.status, 200, await response.text());
}

describe('client policies of the http scenario (cockatiel)', () => {
  let daemon: LabDaemon;
  before(async () => {
    daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'async,threads,processes', LAB_WORKERS: '1', LAB_UPSTREAM_DELAY_MS: '5', LAB_UPSTREAM_JITTER_MS: '0', LAB_UPSTREAM_RETRIES: '4', LAB_UPSTREAM_TIMEOUT_MS: '300' });
  });
  after(async () => {
    await daemon?.stop();
  });

  for (const strategy of ['async', 'threads', 'processes']) {
    it(`retries hide most of a 50 % error rate on ${strategy}, and are counted on the main side`, async () => {
      await putFaults(daemon, { upstream: { errorRate: 0.5 } });
      const retriesBefore = await scrapeMetric(daemon.url, 'lab_upstream_retries_total');
      const answers: JobAnswer[] = [];
      for (let i = 0; i < 30; i++) answers.push(await httpJob(daemon, strategy));
      // A job fails only when all 5 calls fail: 1/32 each.
      const ok = answers.filter((answer) => answer.status === 200);
      assert.ok(ok.length >= 25, `${ok.length} of 30 ok`);
      const retriedInResults = ok.reduce((sum, answer) => sum + answer.attempts! - 1, 0);
      const retries = (await scrapeMetric(daemon.url, 'lab_upstream_retries_total')) - retriesBefore;
      assert.ok(retries >= retriedInResults && retries >= 10, `${retries} retries counted, ${retriedInResults} in the results`);
    });
  }

  it('a call slower than LAB_UPSTREAM_TIMEOUT_MS is abandoned (and retried)', async () => {
    // 5 ms × 100 = 500 ms > 300 ms, on every call.
    await putFaults(daemon, { upstream: { slowRate: 1, slowFactor: 100 } });
    const startedMs = Date.now();
    const answer = await httpJob(daemon, 'async');
    assert.equal(answer.status, 502);
    assert.equal(answer.code, 'LAB_ERR_UPSTREAM_FAILED');
    // Five attempts of 300 ms, with backoff between them, well under the 10 s undici timeout.
    assert.ok(Date.now() - startedMs >= 1_500 && Date.now() - startedMs < 9_000, `${Date.now() - startedMs} ms`);
    assert.ok((await scrapeMetric(daemon.url, 'lab_upstream_requests_total', { error: 'timeout' })) >= 1);
  });
});

describe('the circuit breaker', () => {
  it('opens after LAB_UPSTREAM_BREAKER consecutive failures: jobs then fail at once, and lab_upstream_circuit_state says so', async () => {
    const daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'async', LAB_UPSTREAM_BREAKER: '3', LAB_UPSTREAM_BREAKER_HALF_OPEN_MS: '600000', LAB_FAULTS: 'flaky', LAB_UPSTREAM_ERROR_RATE: '1' });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await httpJob(daemon, 'async')).code, 'LAB_ERR_UPSTREAM_FAILED');
      const requestsBefore = await scrapeMetric(daemon.url, 'lab_upstream_requests_total');
      const open = await httpJob(daemon, 'async');
      assert.equal(open.status, 503);
      assert.equal(open.code, 'LAB_ERR_UPSTREAM_CIRCUIT_OPEN');
      assert.equal(await scrapeMetric(daemon.url, 'lab_upstream_circuit_state', { state: 'open' }), 1);
      assert.equal(await scrapeMetric(daemon.url, 'lab_upstream_circuit_state', { state: 'closed' }), 0);
      // No call was made, so none is counted.
      assert.equal(await scrapeMetric(daemon.url, 'lab_upstream_requests_total'), requestsBefore);
    } finally {
      await daemon.stop();
    }
  });
});
