import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeSoak } from '../../bench/soak-bench.ts';
import { runSoak, type SoakResult } from '../../bench/soak.ts';

/**
 * The soak's short form: 40 s of vegeta load (30/s) on the API beside the daemon's driver, with
 * a worker killed every 3 s and the flaky preset on. 40 s is inside the daemon's own warm-up:
 * V8 and the allocator grow the RSS for minutes (clean runs here rose 66–377 MB/min after 15 s,
 * depending on how busy the machine was), so no RSS slope can tell a leak from it this early.
 * The RSS bound is a ceiling that only runaway growth crosses (clean short runs peaked at
 * 424–623 MB, the 20 min soak at 592 MB); handles and fds are exact counts, so their bounds are
 * tight: a clean run ends with 11 handles and about 130 fds, a handle or socket kept per request
 * would add over 1000. The full soak (`npm run bench -- soak`) measures the slopes (README, Soak).
 */
const BOUNDS = {
  /** Daemon RSS at any sample, MB. */
  rssMb: 1024,
  /** Active handles of the daemon at the end. */
  handlesAtEnd: 120,
  /** Open fds of the daemon at the end, above its first sample. */
  fdsAboveStart: 120,
};

describe('soak, short form (40 s, chaos every 3 s, flaky upstream)', () => {
  let result: SoakResult;

  it('runs the daemon under load to its end', async () => {
    result = await runSoak({
      durationMs: 40_000,
      warmupMs: 15_000,
      ratePerSecond: 30,
      sampleIntervalMs: 1_000,
      chaosIntervalMs: 3_000,
      faults: 'flaky',
      env: { LAB_SCENARIOS: 'http,matrix', LAB_STRATEGIES: 'threads,processes', LAB_ROTATE_SECONDS: '5', LAB_WORKERS: '2' },
      paths: ['/api/v1/jobs/noop?strategy=threads', '/api/v1/jobs/http?strategy=threads', '/api/v1/jobs/http?strategy=processes', '/api/v1/jobs/matrix?strategy=threads&size=60'],
    });
    process.stderr.write(`${describeSoak(result).join('\n')}\n`);
  });

  it('answers every request; the only errors are the jobs the chaos kills hit and the flaky upstream\'s, each exactly as the daemon counted them', () => {
    assert.ok(result.requests >= 900, `${result.requests} requests sent`);
    // Every request: the API keeps idle keep-alive connections longer than vegeta's Go client
    // (src/http/api-server.ts); with 5 s, a few POSTs ended in EOF as vegeta reused a connection
    // the daemon was closing.
    assert.equal(result.unanswered, 0, `${result.unanswered} of ${result.requests} requests unanswered: ${JSON.stringify(result.unansweredErrors)}`);
    assert.ok(result.kills >= 3, `${result.kills} chaos kills`);
    const codes = Object.keys(result.errorCodes).sort();
    assert.ok(codes.every((code) => code === 'LAB_ERR_WORKER_CRASHED' || code === 'LAB_ERR_UPSTREAM_FAILED'), `error codes ${JSON.stringify(result.errorCodes)}`);
    // Each count exactly what the daemon itself answered (lab_http_requests_total of the jobs
    // route): 500 = LAB_ERR_WORKER_CRASHED, the API jobs that were on a killed worker (with I/O
    // jobs sharing a worker one kill can fail several, and a kill while the driver alone used the
    // pool fails none of the API's); 502 = LAB_ERR_UPSTREAM_FAILED, the flaky preset's answers.
    const daemon = result.daemonJobAnswers;
    assert.equal(result.errorCodes.LAB_ERR_WORKER_CRASHED ?? 0, daemon['500'] ?? 0, `crashed jobs seen by vegeta vs counted by the daemon: ${JSON.stringify(daemon)}`);
    assert.ok((daemon['500'] ?? 0) > 0, 'the kills hit some API jobs');
    assert.equal(result.errorCodes.LAB_ERR_UPSTREAM_FAILED ?? 0, daemon['502'] ?? 0, `upstream failures seen by vegeta vs counted by the daemon: ${JSON.stringify(daemon)}`);
    assert.ok((daemon['502'] ?? 0) > 0, 'the flaky preset failed some http calls');
    assert.equal(result.statusCodes[200] ?? 0, daemon['200'] ?? 0, 'answers 200');
    assert.equal(Object.values(daemon).reduce((sum, count) => sum + count, 0), result.requests, `every request answered once: ${JSON.stringify(daemon)}`);
    assert.ok(result.errorShare < 0.2, `error share ${result.errorShare}`);
  });

  it(`keeps the daemon's RSS under ${BOUNDS.rssMb} MB, and ends with at most ${BOUNDS.handlesAtEnd} handles and ${BOUNDS.fdsAboveStart} fds more than at start`, () => {
    const { daemonRssMb, daemonHandles } = result.slopes;
    assert.ok(result.samples.length >= 30, `${result.samples.length} samples`);
    assert.ok(daemonRssMb.max <= BOUNDS.rssMb, `daemon RSS peaked at ${daemonRssMb.max.toFixed(0)} MB`);
    assert.ok(daemonHandles.last <= BOUNDS.handlesAtEnd, `handles at the end: ${daemonHandles.last}`);
    const fds = result.samples.map((sample) => sample.daemonFds);
    assert.ok(fds.at(-1)! - fds[0]! <= BOUNDS.fdsAboveStart, `fds ${fds[0]} -> ${fds.at(-1)}`);
  });

  it('ends with every pool at full size', () => {
    for (const [name, pool] of Object.entries(result.poolsAtEnd)) assert.equal(pool.workers, pool.size, `${name}: ${pool.workers} of ${pool.size} workers`);
    assert.ok(Object.keys(result.poolsAtEnd).length >= 2, JSON.stringify(result.poolsAtEnd));
  });

  it('ends cleanly on SIGTERM: exit 0 and no process left', () => {
    assert.deepEqual(result.exit.signal, null);
    assert.equal(result.exit.code, 0);
    assert.ok(result.pidsSeen >= 4, `${result.pidsSeen} processes seen (daemon, upstream, child workers and their replacements)`);
    assert.deepEqual(result.leftOver, [], 'nothing left running');
  });
});
