import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';

const MIB = 1_048_576;

describe("the http scenario caps the upstream's response body", () => {
  let upstream: Server;
  let daemon: LabDaemon;
  before(async () => {
    // An upstream that ignores ?bytes and streams 8 MiB without a Content-Length.
    upstream = createServer((request, response) => {
      const huge = new URL(request.url ?? '/', 'http://x').searchParams.get('bytes') === '1000';
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      if (!huge) return void response.end('small');
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const write = (): void => {
        while (sent < 8 * MIB) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', write);
        }
        response.end();
      };
      response.on('error', () => {});
      write();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'async', LAB_UPSTREAM_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
  });
  after(async () => {
    await daemon?.stop();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('a body past 1 MiB fails the job with LAB_ERR_UPSTREAM_FAILED instead of being read whole', async () => {
    const response = await fetch(`${daemon.url}/api/v1/jobs/http?strategy=async&size=1000`, { method: 'POST' });
    const body = (await response.json()) as { code: string; message: string };
    assert.equal(response.status, 502);
    assert.equal(body.code, 'LAB_ERR_UPSTREAM_FAILED');
    assert.match(body.message, /size|exceeded/i);
    const small = await fetch(`${daemon.url}/api/v1/jobs/http?strategy=async&size=5`, { method: 'POST' });
    assert.equal(small.status, 200);
    assert.equal(((await small.json()) as { result: { bytes: number } }).result.bytes, 5);
  });
});
