import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';

/** Opens a raw connection and writes `text`; resolves with the socket once connected. */
async function rawConnection(url: string, text: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  // A connection past the limit may be reset at once.
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(text);
  return socket;
}

/** Milliseconds until the server closes the socket, and what it sent before. */
async function closedAfter(socket: Socket, startedMs: number): Promise<{ ms: number; received: string }> {
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  // A reset (ECONNRESET) is a close too; events.once would reject on the 'error' before it.
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('close', resolve));
  return { ms: Date.now() - startedMs, received };
}

describe('the API server does not let slow or many clients hold it', () => {
  let daemon: LabDaemon;
  before(async () => {
    daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'async', LAB_MAX_CONNECTIONS: '6' });
  });
  after(async () => {
    await daemon?.stop();
  });

  it('closes a connection whose headers never end within about 5 s (Node: 60 s)', async () => {
    const startedMs = Date.now();
    const socket = await rawConnection(daemon.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const { ms, received } = await closedAfter(socket, startedMs);
    assert.ok(ms >= 4_000 && ms < 9_000, `closed after ${ms} ms`);
    assert.match(received, /^HTTP\/1\.1 408/);
  });

  it('closes a connection whose body never ends within about 10 s (Node: 300 s)', async () => {
    const startedMs = Date.now();
    const socket = await rawConnection(daemon.url, 'PUT /api/v1/faults HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"preset":');
    const { ms, received } = await closedAfter(socket, startedMs);
    assert.ok(ms >= 9_000 && ms < 15_000, `closed after ${ms} ms`);
    // 408 with our error body before it closes.
    assert.match(received, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(received, /"code":"LAB_ERR_REQUEST_TIMEOUT"/);
  });

  it('closes connections past LAB_MAX_CONNECTIONS as they arrive, and serves again once they are gone', async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 6; i++) held.push(await rawConnection(daemon.url, ''));
      // Give the server a moment to count the held connections.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const extra = await rawConnection(daemon.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      const { received } = await closedAfter(extra, Date.now());
      assert.equal(received, '', 'the connection past the limit got no answer');
    } finally {
      for (const socket of held) socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await fetch(`${daemon.url}/healthz`)).status, 200);
  });
});
