import { setTimeout as sleep } from 'node:timers/promises';
import { JobRunner } from '../jobs/job-runner.ts';
import { closeHttpAgent } from '../scenarios/http.ts';
import { createStrategy } from '../strategies/create-strategy.ts';
import { startEmbeddedUpstream } from '../upstream/embedded-upstream.ts';
import { forceGc } from './force-gc.ts';

export interface AsyncRequestMemory {
  /** Requests that were connected and waiting when memory was read. */
  started: number;
  rssBytesPerRequest: number;
  heapBytesPerRequest: number;
}

/** The upstream holds every request this long: far longer than connecting takes, they are aborted once measured. */
const HOLD_MS = 60_000;
const CONNECT_TIMEOUT_MS = 30_000;
const PRIMING_REQUESTS = 16;

function openSockets(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
}

/** Resolves once `count` sockets are open (each request in flight holds one: undici does not pipeline here), or the deadline passed; returns how many are. */
async function untilConnected(count: number): Promise<number> {
  const deadline = performance.now() + CONNECT_TIMEOUT_MS;
  while (openSockets() < count && performance.now() < deadline) await sleep(20);
  return Math.min(count, openSockets());
}

/** Starts `count` http jobs on the async strategy, waits until each holds a socket, and returns the way to end them. */
async function holdRequests(runner: JobRunner, count: number): Promise<{ connected: number; release: () => Promise<void> }> {
  const controller = new AbortController();
  const settled = Promise.allSettled(Array.from({ length: count }, () => runner.run({ scenario: 'http', kind: 'io', strategy: 'async', size: 0, signal: controller.signal })));
  const connected = await untilConnected(count);
  return {
    connected,
    release: async () => {
      controller.abort();
      await settled;
    },
  };
}

/**
 * Holds `count` http jobs in flight at once on the async strategy against an upstream that
 * does not answer, and measures how much this process grew once all of them are connected and
 * waiting: the job, its promise chain and timer, undici's request and one socket each. A first
 * small batch loads the code every request needs, so it is not counted per request. Nothing else
 * in this process may hold sockets meanwhile: they are how it tells that every request connected.
 */
export async function measureAsyncRequestMemory(count: number): Promise<AsyncRequestMemory> {
  const upstream = await startEmbeddedUpstream({ delayMs: HOLD_MS, jitterMs: 0 });
  const strategy = createStrategy('async', 1);
  const runner = new JobRunner({ strategies: new Map([[strategy.name, strategy]]), queueLimit: count, timeoutMs: HOLD_MS + CONNECT_TIMEOUT_MS, upstreamUrl: upstream.url });
  try {
    await (await holdRequests(runner, PRIMING_REQUESTS)).release();
    // Aborted requests leave their sockets open for reuse: close them, so that every socket counted next belongs to a measured request.
    await closeHttpAgent();
    forceGc();
    const before = process.memoryUsage();
    const held = await holdRequests(runner, count);
    forceGc();
    const during = process.memoryUsage();
    await held.release();
    if (held.connected <= 0) return { started: 0, rssBytesPerRequest: 0, heapBytesPerRequest: 0 };
    return {
      started: held.connected,
      rssBytesPerRequest: Math.max(0, during.rss - before.rss) / held.connected,
      heapBytesPerRequest: Math.max(0, during.heapUsed - before.heapUsed) / held.connected,
    };
  } finally {
    await strategy.close();
    await upstream.stop();
  }
}
