import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startLabDaemon } from '../support/lab-daemon.ts';
import { scrapeMetric } from '../support/scrape-metric.ts';
import { waitFor } from '../support/wait-for.ts';

describe('lab_upstream_requests_total counts only calls really made', () => {
  it('a job cancelled while it waited for a slot made no call and is not counted', async () => {
    // sequential has one slot; the upstream stalls, so the first job holds it until its timeout.
    const daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'sequential', LAB_UPSTREAM_STALL: 'on', LAB_JOB_TIMEOUT_MS: '4000' });
    try {
      const job = (signal?: AbortSignal) => fetch(`${daemon.url}/api/v1/jobs/http?strategy=sequential&size=10`, { method: 'POST', signal });
      const inFlight = () => scrapeMetric(daemon.url, 'lab_jobs_in_flight', { scenario: 'http' });
      const running = job().then(async (response) => ((await response.json()) as { code: string }).code);
      await waitFor(async () => (await inFlight()) === 1, { description: 'the first job to run', intervalMs: 20 });
      const client = new AbortController();
      const queued = job(client.signal).catch(() => 'client gone');
      await waitFor(async () => (await inFlight()) === 2, { description: 'the second job to wait', intervalMs: 20 });
      client.abort();
      assert.equal(await queued, 'client gone');
      assert.equal(await running, 'LAB_ERR_JOB_TIMEOUT');
      await waitFor(async () => (await scrapeMetric(daemon.url, 'lab_jobs_total', { scenario: 'http', outcome: 'cancelled' })) === 1, { description: 'the queued job to be cancelled' });
      // One call: the running job's, timed out; the queued job never called.
      assert.equal(await scrapeMetric(daemon.url, 'lab_upstream_requests_total'), 1);
      assert.equal(await scrapeMetric(daemon.url, 'lab_upstream_requests_total', { error: 'timeout' }), 1);
    } finally {
      await daemon.stop();
    }
  });
});
