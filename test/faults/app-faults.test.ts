import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { scrapeMetric } from '../support/scrape-metric.ts';
import { CLI, NODE } from '../support/lab-daemon.ts';
import { startProcess } from '../support/started-process.ts';

interface JobAnswer {
  status: number;
  code: string | undefined;
  durationMs: number;
}

async function httpJob(daemon: LabDaemon): Promise<JobAnswer> {
  const response = await fetch(`${daemon.url}/api/v1/jobs/http?strategy=async&size=16`, { method: 'POST' });
  const body = (await response.json()) as { code?: string; durationMs?: number };
  return { status: response.status, code: body.code, durationMs: body.durationMs ?? Number.NaN };
}

async function jobs(daemon: LabDaemon, count: number): Promise<JobAnswer[]> {
  return Promise.all(Array.from({ length: count }, () => httpJob(daemon)));
}

async function putFaults(daemon: LabDaemon, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${daemon.url}/api/v1/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function getFaults(daemon: LabDaemon): Promise<Record<string, unknown>> {
  return (await (await fetch(`${daemon.url}/api/v1/faults`)).json()) as Record<string, unknown>;
}

describe('application faults of the embedded upstream, through /api/v1/faults', () => {
  let daemon: LabDaemon;
  before(async () => {
    daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'async', LAB_FAULTS: 'flaky', LAB_UPSTREAM_DELAY_MS: '10', LAB_UPSTREAM_JITTER_MS: '0' });
  });
  after(async () => {
    await daemon?.stop();
  });

  it('starts with LAB_FAULTS=flaky: some 500s, shown by the API, the metric and in the answers', async () => {
    const status = await getFaults(daemon);
    assert.equal(status.preset, 'flaky');
    assert.deepEqual(status.active, ['upstream_error']);
    assert.deepEqual(status.available, { upstream: true, network: false });
    assert.equal(await scrapeMetric(daemon.url, 'lab_fault_active', { fault: 'upstream_error' }), 1);
    assert.equal(await scrapeMetric(daemon.url, 'lab_fault_active', { fault: 'upstream_slow' }), 0);
    const answers = await jobs(daemon, 200);
    const failed = answers.filter((answer) => answer.status === 502);
    // 10 % of 200: the chance of fewer than 5 or more than 45 is negligible.
    assert.ok(failed.length >= 5 && failed.length <= 45, `${failed.length} of 200 failed`);
    assert.ok(failed.every((answer) => answer.code === 'LAB_ERR_UPSTREAM_FAILED'));
    assert.equal(answers.filter((answer) => answer.status === 200).length, 200 - failed.length);
    // Client policies are off by default: no retry hid a failure.
    assert.equal(await scrapeMetric(daemon.url, 'lab_upstream_retries_total'), 0);
  });

  it('changes at runtime: every answer a 500, then none after DELETE', async () => {
    const put = await putFaults(daemon, { upstream: { errorRate: 1 } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.preset, null);
    assert.ok((await jobs(daemon, 20)).every((answer) => answer.status === 502));
    const deleted = await fetch(`${daemon.url}/api/v1/faults`, { method: 'DELETE' });
    assert.equal(deleted.status, 200);
    assert.deepEqual(((await deleted.json()) as { active: unknown }).active, []);
    assert.equal(await scrapeMetric(daemon.url, 'lab_fault_active', { fault: 'upstream_error' }), 0);
    assert.ok((await jobs(daemon, 20)).every((answer) => answer.status === 200));
  });

  it('slows a share of responses by the factor (the slow tail)', async () => {
    assert.equal((await putFaults(daemon, { upstream: { slowRate: 1, slowFactor: 30 } })).status, 200);
    // 10 ms × 30 = 300 ms per call.
    for (const answer of await jobs(daemon, 5)) {
      assert.equal(answer.status, 200);
      assert.ok(answer.durationMs >= 290, `took ${answer.durationMs} ms`);
    }
    assert.equal((await putFaults(daemon, { preset: 'none' })).status, 200);
    for (const answer of await jobs(daemon, 5)) assert.ok(answer.durationMs < 250, `took ${answer.durationMs} ms`);
  });

  it('holds every call during a stall and lets them go when it ends', async () => {
    assert.equal((await putFaults(daemon, { upstream: { stall: true } })).status, 200);
    let settled = false;
    const held = httpJob(daemon).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(settled, false, 'a call answered during the stall');
    const startedMs = Date.now();
    assert.equal((await fetch(`${daemon.url}/api/v1/faults`, { method: 'DELETE' })).status, 200);
    const answer = await held;
    assert.equal(answer.status, 200);
    assert.ok(Date.now() - startedMs < 2_000);
    assert.ok(answer.durationMs >= 1_500, `took ${answer.durationMs} ms`);
  });

  it('refuses a bad fault with 400 naming the field, and changes nothing', async () => {
    assert.equal((await putFaults(daemon, { preset: 'slow-tail' })).status, 200);
    const before = await getFaults(daemon);
    const cases: Array<[unknown, string]> = [
      [{ upstream: { errorRate: 2 } }, 'upstream.errorRate'],
      [{ upstream: { slowRate: 0.5, slowFactor: 5 } }, 'upstream.slowFactor'],
      [{ upstream: { bogus: 1 } }, 'upstream'],
      [{ network: { latency: { latencyMs: -1 } } }, 'network.latency.latencyMs'],
      [{ preset: 'tornado' }, 'preset'],
      [{ colour: 'red' }, 'body'],
      ['{not json', 'body'],
      [[], 'body'],
    ];
    for (const [body, field] of cases) {
      const answer = await putFaults(daemon, body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.code, 'LAB_ERR_FAULT_INVALID');
      assert.equal(answer.body.error, 'Bad Request');
      assert.ok(String(answer.body.message).startsWith(`${field}`), `${JSON.stringify(body)}: ${answer.body.message}`);
    }
    // Valid upstream part, unavailable network part: 409, and the upstream part is not applied either.
    const partial = await putFaults(daemon, { upstream: { errorRate: 1 }, network: { down: true } });
    assert.equal(partial.status, 409);
    assert.equal(partial.body.code, 'LAB_ERR_FAULT_UNAVAILABLE');
    assert.deepEqual(await getFaults(daemon), before);
    assert.ok((await jobs(daemon, 10)).every((answer) => answer.status === 200));
  });
});

describe('concurrency-lab upstream with faults', () => {
  it('answers 500 with --error-rate 1, and takes new faults on PUT /admin/faults', async () => {
    const upstream = await startProcess(NODE, [CLI, 'upstream', '--port', '0', '--error-rate', '1', '--delay-ms', '0'], { readyLine: /listening on (http:\/\/\S+)/ });
    try {
      const url = upstream.ready![1]!;
      const response = await fetch(`${url}/work?bytes=10`);
      assert.equal(response.status, 500);
      await response.text();
      assert.deepEqual(await (await fetch(`${url}/admin/faults`)).json(), { errorRate: 1, slowRate: 0, slowFactor: 20, stall: false });
      const bad = await fetch(`${url}/admin/faults`, { method: 'PUT', body: JSON.stringify({ errorRate: 0, slowRate: 0, slowFactor: 1, stall: false }) });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /slowFactor/);
      const put = await fetch(`${url}/admin/faults`, { method: 'PUT', body: JSON.stringify({ errorRate: 0 }) });
      assert.equal(put.status, 200, await put.text());
      const ok = await fetch(`${url}/work?bytes=10`);
      assert.equal(ok.status, 200);
      assert.equal((await ok.text()).length, 10);
    } finally {
      await upstream.stop();
    }
  });

  it('lets a daemon with LAB_UPSTREAM_URL drive it; another upstream has no application faults', async () => {
    const upstream = await startProcess(NODE, [CLI, 'upstream', '--port', '0', '--delay-ms', '0'], { readyLine: /listening on (http:\/\/\S+)/ });
    const daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'async', LAB_UPSTREAM_URL: upstream.ready![1]!, LAB_FAULTS: 'flaky', LAB_UPSTREAM_ERROR_RATE: '1' });
    // The daemon's own /healthz is an upstream that is no concurrency-lab upstream.
    let other: LabDaemon | undefined;
    try {
      assert.ok((await jobs(daemon, 5)).every((answer) => answer.status === 502));
      assert.equal((await fetch(`${daemon.url}/api/v1/faults`, { method: 'DELETE' })).status, 200);
      assert.ok((await jobs(daemon, 5)).every((answer) => answer.status === 200));
      other = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'async', LAB_UPSTREAM_URL: daemon.url });
      assert.deepEqual((await getFaults(other)).available, { upstream: false, network: false });
      const refused = await putFaults(other, { preset: 'flaky' });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'LAB_ERR_FAULT_UNAVAILABLE');
    } finally {
      await other?.stop();
      await daemon.stop();
      await upstream.stop();
    }
  });

  it('refuses a share out of bounds with exit code 2', async () => {
    const upstream = await startProcess(NODE, [CLI, 'upstream', '--port', '0', '--slow-rate', '1.5']);
    const { code } = await upstream.exited;
    assert.equal(code, 2);
    assert.match(upstream.output(), /--slow-rate.*must be a number from 0 to 1/);
  });
});
