import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { isAlive } from '../support/child-pids.ts';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { scrapeMetric } from '../support/scrape-metric.ts';
import { waitFor } from '../support/wait-for.ts';

const WORKERS = 2;
const QUEUE_LIMIT = 8;
/** Far past what threads can hold (WORKERS running + QUEUE_LIMIT waiting). */
const FLOOD_REQUESTS = 300;
/** Each admitted job waits this long on the upstream, so the admitted ones outlast the flood. */
const UPSTREAM_DELAY_MS = 1500;
const RSS_GROWTH_LIMIT_BYTES = 200 * 1024 * 1024;

interface FloodAnswer {
  status: number;
  retryAfter: string | undefined;
  code: string | undefined;
  /** When the answer arrived, ms since the flood started. */
  atMs: number;
}

function rssBytes(pid: number): number {
  const kibibytes = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  assert.ok(kibibytes !== undefined, `VmRSS of ${pid}`);
  return Number(kibibytes) * 1024;
}

describe('overload: a flood far past the threads queue', () => {
  let daemon: LabDaemon;
  // One connection per request, all at once: the flood is concurrent, not pipelined.
  const agent = new Agent({ connections: FLOOD_REQUESTS, pipelining: 1 });

  before(async () => {
    daemon = await startLabDaemon({
      LAB_DRIVER: 'off',
      LAB_STRATEGIES: 'sequential,async,threads,processes',
      LAB_WORKERS: String(WORKERS),
      LAB_QUEUE_LIMIT: String(QUEUE_LIMIT),
      LAB_UPSTREAM_DELAY_MS: String(UPSTREAM_DELAY_MS),
      LAB_UPSTREAM_JITTER_MS: '0',
    });
  });

  after(async () => {
    await agent.close();
    await daemon?.stop();
  });

  it('sheds the excess at once with 503 + Retry-After, counts it, stays bounded in memory and recovers', async (t) => {
    const rssBefore = rssBytes(daemon.pid);
    const rejectedBefore = await scrapeMetric(daemon.url, 'lab_jobs_total', { outcome: 'rejected', strategy: 'threads' });

    const startedAt = performance.now();
    const answers = await Promise.all(
      Array.from({ length: FLOOD_REQUESTS }, async (): Promise<FloodAnswer> => {
        const response = await request(`${daemon.url}/api/v1/jobs/http?strategy=threads&size=1024`, { method: 'POST', dispatcher: agent });
        const body = (await response.body.json()) as { code?: string };
        const retryAfter = response.headers['retry-after'];
        return { status: response.statusCode, retryAfter: retryAfter === undefined ? undefined : String(retryAfter), code: body.code, atMs: performance.now() - startedAt };
      }),
    );
    const rssAfter = rssBytes(daemon.pid);

    const ok = answers.filter((answer) => answer.status === 200);
    const shed = answers.filter((answer) => answer.status === 503);
    assert.deepEqual(
      answers.filter((answer) => answer.status !== 200 && answer.status !== 503),
      [],
      'every request either ran (200) or was shed (503)',
    );
    assert.ok(ok.length >= WORKERS + QUEUE_LIMIT, `${ok.length} jobs ran; at least the ${WORKERS + QUEUE_LIMIT} that fit`);
    assert.ok(shed.length >= FLOOD_REQUESTS / 2, `${shed.length} of ${FLOOD_REQUESTS} shed`);
    for (const answer of shed) {
      assert.equal(answer.code, 'LAB_ERR_QUEUE_FULL');
      assert.match(answer.retryAfter ?? '', /^\d+$/, 'a shed answer carries Retry-After in seconds');
    }
    // "At once": the shed answers do not wait for the queue. Every admitted job waits
    // UPSTREAM_DELAY_MS on the upstream, so a shed answer that waited would come after a 200.
    const firstOkMs = Math.min(...ok.map((answer) => answer.atMs));
    const lastShedMs = Math.max(...shed.map((answer) => answer.atMs));
    assert.ok(lastShedMs < firstOkMs, `the last 503 came at ${lastShedMs.toFixed(0)} ms, before the first 200 at ${firstOkMs.toFixed(0)} ms`);

    t.diagnostic(
      `${ok.length} ran, ${shed.length} shed; last 503 at ${lastShedMs.toFixed(0)} ms, first 200 at ${firstOkMs.toFixed(0)} ms; ` +
        `RSS ${(rssBefore / 2 ** 20).toFixed(1)} -> ${(rssAfter / 2 ** 20).toFixed(1)} MiB`,
    );
    assert.ok(
      rssAfter - rssBefore < RSS_GROWTH_LIMIT_BYTES,
      `RSS grew by ${((rssAfter - rssBefore) / 2 ** 20).toFixed(1)} MiB (from ${(rssBefore / 2 ** 20).toFixed(1)} MiB)`,
    );
    const rejected = (await scrapeMetric(daemon.url, 'lab_jobs_total', { outcome: 'rejected', strategy: 'threads' })) - rejectedBefore;
    assert.equal(rejected, shed.length, 'lab_jobs_total{outcome="rejected",strategy="threads"} counts every shed request');

    // The flood is over (every request was answered): a new job runs at once.
    const recovered = await waitFor(
      async () => {
        const response = await fetch(`${daemon.url}/api/v1/jobs/noop?strategy=threads`, { method: 'POST' });
        await response.body?.cancel();
        return response.status === 200;
      },
      { description: 'a 200 from threads after the flood', timeoutMs: 10_000, intervalMs: 100 },
    );
    assert.ok(recovered);
    assert.ok(isAlive(daemon.pid));
    const status = (await (await fetch(`${daemon.url}/api/v1/status`)).json()) as { pools: Record<string, { inFlight: number }> };
    assert.equal(status.pools.threads?.inFlight, 0, 'nothing left in flight');
  });
});
