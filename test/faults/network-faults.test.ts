import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { scrapeMetric } from '../support/scrape-metric.ts';
import { type RunningToxiproxy, startToxiproxy } from '../support/start-toxiproxy.ts';

interface JobAnswer {
  status: number;
  code: string | undefined;
  durationMs: number;
}

async function httpJob(daemon: LabDaemon, size = 16): Promise<JobAnswer> {
  const startedMs = performance.now();
  const response = await fetch(`${daemon.url}/api/v1/jobs/http?strategy=async&size=${size}`, { method: 'POST' });
  const body = (await response.json()) as { code?: string };
  return { status: response.status, code: body.code, durationMs: performance.now() - startedMs };
}

async function putFaults(daemon: LabDaemon, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${daemon.url}/api/v1/faults`, { method: 'PUT', body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function toxicNames(toxiproxy: RunningToxiproxy): Promise<Record<string, string[]>> {
  const proxies = (await (await fetch(`${toxiproxy.apiUrl}/proxies`)).json()) as Record<string, { toxics: Array<{ name: string }>; enabled: boolean }>;
  return Object.fromEntries(Object.entries(proxies).map(([name, proxy]) => [name, [proxy.enabled ? 'enabled' : 'disabled', ...proxy.toxics.map((toxic) => toxic.name).sort()]]));
}

describe('network faults through a real Toxiproxy', () => {
  let toxiproxy: RunningToxiproxy;
  let daemon: LabDaemon;
  before(async () => {
    toxiproxy = await startToxiproxy();
    daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'async', LAB_TOXIPROXY_URL: toxiproxy.apiUrl, LAB_UPSTREAM_DELAY_MS: '5', LAB_UPSTREAM_JITTER_MS: '0' });
  });
  after(async () => {
    await daemon?.stop();
    await toxiproxy?.stop();
  });

  it('routes the http scenario through a proxy of its own, with both kinds of faults available', async () => {
    const proxies = await toxicNames(toxiproxy);
    assert.deepEqual(Object.values(proxies), [['enabled']]);
    const status = (await (await fetch(`${daemon.url}/api/v1/faults`)).json()) as { available: unknown };
    assert.deepEqual(status.available, { upstream: true, network: true });
    assert.equal((await httpJob(daemon)).status, 200);
  });

  it('latency slows every call', async () => {
    assert.equal((await putFaults(daemon, { network: { latency: { latencyMs: 400 } } })).status, 200);
    const answer = await httpJob(daemon);
    assert.equal(answer.status, 200);
    assert.ok(answer.durationMs >= 400, `took ${answer.durationMs} ms`);
    assert.equal(await scrapeMetric(daemon.url, 'lab_fault_active', { fault: 'latency' }), 1);
  });

  it('bandwidth caps a large body', async () => {
    // 200 KB at 100 KB/s: about 2 s.
    assert.equal((await putFaults(daemon, { network: { bandwidth: { rateKBps: 100 } } })).status, 200);
    const answer = await httpJob(daemon, 200_000);
    assert.equal(answer.status, 200);
    assert.ok(answer.durationMs >= 1_500, `took ${answer.durationMs} ms`);
  });

  it('down refuses connections until it is switched off', async () => {
    assert.equal((await putFaults(daemon, { preset: 'upstream-down' })).status, 200);
    assert.deepEqual(Object.values(await toxicNames(toxiproxy)), [['disabled']]);
    const answer = await httpJob(daemon);
    assert.equal(answer.status, 502);
    assert.equal(answer.code, 'LAB_ERR_UPSTREAM_FAILED');
    assert.equal((await fetch(`${daemon.url}/api/v1/faults`, { method: 'DELETE' })).status, 200);
    assert.equal((await httpJob(daemon)).status, 200);
  });

  it('resets: a share of the connections is reset under its first answer', async () => {
    assert.equal((await putFaults(daemon, { preset: 'resets' })).status, 200);
    // 48 calls at once open new connections (the agent has fewer idle ones): each is reset
    // with a chance of 1/4, so that none or all fail has a chance below 1e-5.
    const answers = await Promise.all(Array.from({ length: 48 }, () => httpJob(daemon)));
    const failed = answers.filter((answer) => answer.status === 502);
    assert.ok(failed.length > 0 && failed.length < answers.length, `${failed.length} of ${answers.length} failed`);
    assert.ok(failed.every((answer) => answer.code === 'LAB_ERR_UPSTREAM_FAILED'));
  });

  it('timeout (a black hole) fails calls after it closes the connection', async () => {
    assert.equal((await putFaults(daemon, { network: { timeout: { timeoutMs: 300 } } })).status, 200);
    const answer = await httpJob(daemon);
    assert.equal(answer.status, 502);
    assert.ok(answer.durationMs >= 300, `took ${answer.durationMs} ms`);
  });

  it('every toxic at once, with an application fault; the toxics are exactly the active faults', async () => {
    const body = {
      upstream: { errorRate: 0.5 },
      network: { latency: { latencyMs: 1, jitterMs: 1 }, bandwidth: { rateKBps: 10_000 }, resetPeer: { timeoutMs: 60_000 }, slowClose: { delayMs: 10 } },
    };
    const put = await putFaults(daemon, body);
    assert.equal(put.status, 200);
    assert.deepEqual(put.body.active, ['upstream_error', 'latency', 'bandwidth', 'reset_peer', 'slow_close']);
    assert.deepEqual(Object.values(await toxicNames(toxiproxy)), [['enabled', 'lab_bandwidth', 'lab_latency', 'lab_reset_peer', 'lab_slow_close']]);
    // A bad part leaves every toxic as it is.
    assert.equal((await putFaults(daemon, { network: { slowClose: { delayMs: -5 } } })).status, 400);
    assert.deepEqual(Object.values(await toxicNames(toxiproxy)), [['enabled', 'lab_bandwidth', 'lab_latency', 'lab_reset_peer', 'lab_slow_close']]);
    assert.equal((await fetch(`${daemon.url}/api/v1/faults`, { method: 'DELETE' })).status, 200);
    assert.deepEqual(Object.values(await toxicNames(toxiproxy)), [['enabled']]);
  });

  it('removes its proxy when it stops', async () => {
    const exit = await daemon.stop();
    assert.equal(exit.code, 0);
    assert.deepEqual(await toxicNames(toxiproxy), {});
  });
});
