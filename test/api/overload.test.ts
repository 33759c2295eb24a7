import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { isAlive } from '../support/child-pids.ts';
import { CLI, type LabDaemon, NODE, startLabDaemon } from '../support/lab-daemon.ts';
import { scrapeMetric } from '../support/scrape-metric.ts';
import { type StartedProcess, startProcess } from '../support/started-process.ts';
import { attack } from '../support/vegeta.ts';
import { waitFor } from '../support/wait-for.ts';

const WORKERS = 2;
const QUEUE_LIMIT = 8;
/**
 * Far past what threads can hold (WORKERS running + QUEUE_LIMIT waiting): vegeta sends 300 jobs
 * in half a second, open loop (each on time, whatever the answers before it did).
 */
const FLOOD_RATE_PER_SECOND = 600;
const FLOOD_DURATION_MS = 500;
const FLOOD_REQUESTS = (FLOOD_RATE_PER_SECOND * FLOOD_DURATION_MS) / 1000;
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

function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

function rssBytes(pid: number): number {
  const kibibytes = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  assert.ok(kibibytes !== undefined, `VmRSS of ${pid}`);
  return Number(kibibytes) * 1024;
}

describe('overload: a flood far past the threads queue', () => {
  let upstream: StartedProcess | undefined;
  let daemon: LabDaemon;

  before(async () => {
    // The upstream runs as its own process (the daemon's embedded one has a short start-up limit
    // for a busy machine), with the delay that keeps admitted jobs busy past the flood.
    upstream = await startProcess(NODE, [CLI, 'upstream', '--port', '0', '--delay-ms', String(UPSTREAM_DELAY_MS), '--jitter-ms', '0'], {
      readyLine: /upstream listening on http:\/\/(\S+)/,
    });
    daemon = await startLabDaemon({
      LAB_UPSTREAM_URL: `http://${upstream.ready![1]!}`,
      LAB_DRIVER: 'off',
      LAB_STRATEGIES: 'sequential,async,threads,processes',
      LAB_WORKERS: String(WORKERS),
      // One http job per worker, so the threads pool holds WORKERS jobs and the queue the rest.
      LAB_IO_TASKS_PER_WORKER: '1',
      LAB_QUEUE_LIMIT: String(QUEUE_LIMIT),
    });
  });

  after(async () => {
    await daemon?.stop();
    await upstream?.stop();
  });

  it('sheds the excess at once with 503 + Retry-After, counts it, stays bounded in memory and recovers', async (t) => {
    const rssBefore = rssBytes(daemon.pid);
    const rejectedBefore = await scrapeMetric(daemon.url, 'lab_jobs_total', { outcome: 'rejected', strategy: 'threads' });

    const flood = await attack({
      targets: [{ method: 'POST', url: `${daemon.url}/api/v1/jobs/http?strategy=threads&size=1024` }],
      ratePerSecond: FLOOD_RATE_PER_SECOND,
      durationMs: FLOOD_DURATION_MS,
      timeoutMs: 30_000,
      maxBodyBytes: 1024,
    });
    // On a starved machine vegeta fits fewer into the half second (169 of 300 once, at load
    // average ~21); what matters is that the flood is still far past what threads can hold.
    assert.ok(flood.requests >= 3 * (WORKERS + QUEUE_LIMIT), `vegeta sent ${flood.requests} of the ${FLOOD_REQUESTS} flood requests`);
    const startedAt = Math.min(...flood.hits.map((hit) => hit.sentAtMs));
    const answers = flood.hits.map(
      (hit): FloodAnswer => ({ status: hit.code, retryAfter: hit.headers['Retry-After']?.[0], code: errorCode(hit.body), atMs: hit.sentAtMs + hit.latencyMs - startedAt }),
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
    assert.ok(shed.length >= flood.requests / 2, `${shed.length} of ${flood.requests} shed`);
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
