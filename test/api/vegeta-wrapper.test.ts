// test/support/vegeta.ts, the load generator's wrapper, against a plain loopback HTTP server
// that records what it received: every request carries its own fresh traceparent and the
// target's headers, the counts and latencies come back per request, and anything but a
// loopback URL is refused before vegeta starts.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { attack, percentile } from '../support/vegeta.ts';

describe('the vegeta wrapper', () => {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    received.push(request.headers);
    // Every third request fails, slowly, so that status codes and latency can be told apart.
    const slow = received.length % 3 === 0;
    setTimeout(() => {
      response.writeHead(slow ? 503 : 200, { 'content-type': 'application/json', 'retry-after': '1' });
      response.end(JSON.stringify({ n: received.length }));
    }, slow ? 40 : 0);
  });
  let url = '';

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends rate × duration requests, each with a fresh sampled traceparent and the target headers; returns every hit', async () => {
    const result = await attack({ targets: [{ method: 'POST', url: `${url}/jobs/noop?strategy=threads`, headers: { 'x-lab': 'yes' } }], ratePerSecond: 30, durationMs: 1_000, maxBodyBytes: 100 });
    assert.equal(result.requests, received.length, 'one hit per request the server saw');
    assert.ok(result.requests >= 24 && result.requests <= 32, `about 30 requests (fewer on a starved machine): ${result.requests}`);
    const traceparents = received.map((headers) => String(headers.traceparent));
    assert.ok(traceparents.every((value) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/.test(value)), 'W3C traceparent, sampled');
    assert.equal(new Set(traceparents).size, traceparents.length, 'no traceparent sent twice');
    assert.ok(traceparents.every((value) => result.traceIds.has(value.slice(3, 35))), 'traceIds lists the trace ids sent');
    assert.ok(received.every((headers) => headers['x-lab'] === 'yes'));

    const slow = result.hits.filter((hit) => hit.code === 503);
    assert.equal((result.statusCodes[200] ?? 0) + (result.statusCodes[503] ?? 0), result.requests);
    assert.equal(slow.length, Math.floor(result.requests / 3));
    assert.ok(slow.every((hit) => hit.headers['Retry-After']?.[0] === '1' && /^\{"n":\d+\}$/.test(hit.body)), 'headers and body of each answer');
    assert.ok(result.latency((hit) => hit.code === 503).minMs >= 40, 'the slow answers took their 40 ms');
    assert.ok(result.latency((hit) => hit.code === 200).p50Ms < 40);
    const sent = result.hits.map((hit) => hit.sentAtMs);
    assert.ok(Math.max(...sent) - Math.min(...sent) <= 1_000 && Math.max(...sent) - Math.min(...sent) >= 800, 'sent over the second, at a constant rate');
  });

  it('refuses targets off the loopback and rates it cannot pace', async () => {
    await assert.rejects(attack({ targets: [{ method: 'GET', url: 'http://10.0.0.1/' }], ratePerSecond: 1, durationMs: 100 }), /only http:\/\/ loopback targets/);
    await assert.rejects(attack({ targets: [{ method: 'GET', url: 'http://example.com/' }], ratePerSecond: 1, durationMs: 100 }), /only http:\/\/ loopback targets/);
    await assert.rejects(attack({ targets: [{ method: 'GET', url: `${url}/` }], ratePerSecond: 0.5, durationMs: 100 }), /ratePerSecond must be an integer/);
    await assert.rejects(attack({ targets: [{ method: 'GET', url: `${url}/` }], ratePerSecond: 1, durationMs: 3_600_000 }), /durationMs must be an integer from 1 to 600000/);
  });

  it('percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    assert.equal(percentile(values, 0.5), 50);
    assert.equal(percentile(values, 0.99), 99);
    assert.equal(percentile(values, 1), 100);
    assert.equal(percentile([7], 0.99), 7);
    assert.equal(percentile([], 0.99), 0);
  });
});
