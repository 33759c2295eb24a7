// The k6 scripts themselves (loadtests/*.ts), loaded under Node with the k6 modules replaced by
// the test doubles in ./doubles: the options each builds from its environment, what setup()
// asks the daemon, and what one iteration sends. k6 is not run in this project's tests.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { registerK6Doubles, setK6Env } from './doubles/register.ts';

registerK6Doubles();
const http = await import('./doubles/k6-http.ts');
const { recordedChecks } = await import('./doubles/k6.ts');
const { rates } = await import('./doubles/k6-metrics.ts');
const { default: exec, AbortedTest } = await import('./doubles/k6-execution.ts');

const STRATEGIES = ['sequential', 'async', 'threads', 'processes'];
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

/** A daemon that is ready and runs everything, as GET /readyz, /api/v1/strategies and /api/v1/scenarios answer. */
function answerLikeADaemon(jobStatus = 200): void {
  http.respondWith(({ method, url }) => {
    const path = new URL(url).pathname;
    if (path === '/readyz') return { status: 200, body: '{}' };
    if (path === '/api/v1/strategies') return { status: 200, body: JSON.stringify({ strategies: STRATEGIES.map((name) => ({ name, running: name !== 'processes' })) }) };
    if (path === '/api/v1/scenarios') return { status: 200, body: JSON.stringify({ scenarios: ['thumbnail', 'matrix', 'array', 'http', 'noop'].map((name) => ({ name, parameters: { size: { minimum: 0, maximum: 100_000 } } })) }) };
    if (method === 'POST' && jobStatus === 503) return { status: 503, body: '{"code":"LAB_ERR_QUEUE_FULL"}', headers: { 'Retry-After': '1' } };
    const query = new URL(url).searchParams;
    return { status: 200, body: JSON.stringify({ scenario: path.split('/').at(-1), strategy: query.get('strategy'), size: Number(query.get('size')) }) };
  });
}

beforeEach(() => {
  http.recordedRequests.length = 0;
  recordedChecks.length = 0;
});

describe('the k6 scripts under test doubles', () => {
  it('smoke.ts: one per-vu-iterations scenario per strategy, zero-failure thresholds, a checked job with a fresh traceparent per request', async () => {
    setK6Env({ LAB_URL: 'http://127.0.0.1:9999', STRATEGIES: 'threads,async', ITERATIONS: '2', SUMMARY_JSON: 'off' });
    const smoke = await import('../../loadtests/smoke.ts');
    assert.deepEqual(Object.keys(smoke.options.scenarios!), ['threads', 'async']);
    assert.deepEqual(smoke.options.scenarios!.threads, { executor: 'per-vu-iterations', vus: 1, iterations: 10, maxDuration: '5m', tags: { strategy: 'threads' } });
    assert.deepEqual(smoke.options.thresholds!['http_req_failed{strategy:async}'], ['rate<=0']);
    assert.deepEqual(smoke.options.thresholds!['checks{strategy:async}'], ['rate>=1']);

    answerLikeADaemon();
    smoke.setup();
    assert.deepEqual(http.recordedRequests.map((request) => new URL(request.url).pathname), ['/readyz', '/api/v1/strategies', '/api/v1/scenarios']);
    assert.ok(http.recordedRequests.every((request) => request.params.tags?.name === 'setup'), 'setup requests stay out of the per-strategy numbers');

    http.recordedRequests.length = 0;
    exec.scenario.name = 'threads';
    for (const iteration of [0, 1]) {
      exec.scenario.iterationInInstance = iteration;
      smoke.default();
    }
    const [first, second] = http.recordedRequests;
    assert.equal(first!.url, 'http://127.0.0.1:9999/api/v1/jobs/thumbnail?strategy=threads&size=320');
    assert.equal(second!.url, 'http://127.0.0.1:9999/api/v1/jobs/matrix?strategy=threads&size=60');
    assert.match(first!.params.headers!.traceparent!, TRACEPARENT);
    assert.notEqual(first!.params.headers!.traceparent, second!.params.headers!.traceparent, 'a fresh traceparent per request');
    assert.deepEqual(first!.params.tags, { strategy: 'threads', lab_scenario: 'thumbnail', name: 'http://127.0.0.1:9999/api/v1/jobs/thumbnail' });
    assert.deepEqual(recordedChecks.map((check) => check.outcomes), [
      { 'status is 200': true, 'job ran the requested scenario and strategy': true },
      { 'status is 200': true, 'job ran the requested scenario and strategy': true },
    ]);
    assert.deepEqual(rates.get('shed')!.samples.slice(-2).map((sample) => sample.value), [false, false]);
  });

  it('compare.ts: constant arrival rate per strategy, one after another, per-strategy latency limits; setup() aborts naming every problem', async () => {
    setK6Env({ STRATEGIES: 'threads,processes', RATE: '50', DURATION: '20s', GAP: '1s', P99_MS: 'threads=80', SUMMARY_JSON: 'off' });
    const compare = await import('../../loadtests/compare.ts');
    const threads = compare.options.scenarios!.threads as unknown as Record<string, unknown>;
    assert.equal(threads.executor, 'constant-arrival-rate');
    assert.equal(threads.rate, 50);
    assert.equal(threads.duration, '20s');
    assert.deepEqual([threads.startTime, compare.options.scenarios!.processes!.startTime], ['0s', '21s']);
    assert.deepEqual(compare.options.thresholds!['http_req_duration{strategy:threads}'], ['p(95)<100', 'p(99)<80']);
    assert.deepEqual(compare.options.thresholds!['http_req_duration{strategy:processes}'], ['p(95)<150', 'p(99)<300']);
    assert.deepEqual(compare.options.thresholds!['dropped_iterations{scenario:processes}'], ['count<=0']);
    answerLikeADaemon();
    assert.throws(() => compare.setup(), (error: Error) => error instanceof AbortedTest && /strategy processes is not running/.test(error.message));
  });

  it("stress.ts: a ramping staircase per strategy, 503 an expected status, every request tagged with its step; a shed answer is checked for Retry-After", async () => {
    setK6Env({ STRATEGIES: 'async', START_RATE: '10', STEP_RATE: '10', STEPS: '3', STEP_DURATION: '2s', SUMMARY_JSON: 'off' });
    const stress = await import('../../loadtests/stress.ts');
    assert.deepEqual(http.responseCallback, { expectedStatuses: [200, 503] });
    const scenario = stress.options.scenarios!.async as unknown as { executor: string; startRate: number; stages: unknown[] };
    assert.equal(scenario.executor, 'ramping-arrival-rate');
    assert.equal(scenario.startRate, 10);
    assert.equal(scenario.stages.length, 6);
    answerLikeADaemon(503);
    exec.scenario.name = 'async';
    exec.scenario.startTime = Date.now() - 2_500;
    stress.default();
    assert.equal(http.recordedRequests[0]!.params.tags!.target_rate, '20');
    assert.deepEqual(recordedChecks.at(-1)!.outcomes, { 'shed (503) carries Retry-After': true });
    assert.deepEqual(rates.get('shed')!.samples.at(-1), { value: true, tags: http.recordedRequests[0]!.params.tags });
  });

  it('soak.ts: a steady rate on every strategy at once', async () => {
    setK6Env({ DURATION: '1m', RATE: '3', SUMMARY_JSON: 'off' });
    const soak = await import('../../loadtests/soak.ts');
    assert.deepEqual(Object.keys(soak.options.scenarios!), STRATEGIES);
    for (const scenario of Object.values(soak.options.scenarios!)) assert.equal((scenario as unknown as { rate: number }).rate, 3);
    assert.equal(typeof soak.handleSummary, 'function');
  });
});
