import assert from 'node:assert/strict';
import { request as httpRequest, STATUS_CODES } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { isAlive } from '../support/child-pids.ts';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';

/** The API's body limit (src/http/api-server.ts): larger bodies get 413. */
const BODY_LIMIT_BYTES = 64 * 1024;
const STRATEGIES = ['sequential', 'async', 'threads', 'processes'];
const GET_ROUTES = ['/healthz', '/readyz', '/metrics', '/api/v1/status', '/api/v1/scenarios', '/api/v1/strategies'];
const STANDARD_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** Runs per property: four properties of about 200 requests stay well under a minute. */
const NUM_RUNS = 200;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface SizeBounds {
  minimum: number;
  maximum: number;
}

/**
 * One request with node:http, which sends the path, method, headers and body as given (fetch
 * would normalise the path and refuse methods such as CONNECT-like tokens).
 */
function send(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body?: Uint8Array): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers, agent: false, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
    req.on('error', (error) => {
      // The server may answer 413 and close before it has read the whole body: that answer
      // arrives, and the write side then fails with EPIPE/ECONNRESET, which is fine.
      if (!req.writableFinished && ['EPIPE', 'ECONNRESET'].includes((error as NodeJS.ErrnoException).code ?? '')) return;
      reject(error);
    });
    req.end(body === undefined ? undefined : Buffer.from(body));
  });
}

/** Every error answer is JSON {error, code, message}, with `error` the status's reason phrase. */
function assertErrorBody(answer: Answer, context: string): void {
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    assert.fail(`${context}: ${answer.status} with a body that is not JSON: ${answer.body.slice(0, 200)}`);
  }
  const { error, code, message } = body as Record<string, unknown>;
  assert.equal(error, STATUS_CODES[answer.status], `${context}: error phrase in ${answer.body}`);
  assert.match(String(code), /^LAB_ERR_[A-Z_]+$/, `${context}: code in ${answer.body}`);
  assert.equal(typeof message, 'string', `${context}: message in ${answer.body}`);
}

/** The checks every answer passes: never a 5xx, and a well-formed error body for any 4xx. */
function assertSane(answer: Answer, method: string, context: string): void {
  assert.ok(answer.status < 500, `${context}: ${answer.status} ${answer.body.slice(0, 300)}`);
  if (answer.status >= 400 && method !== 'HEAD') assertErrorBody(answer, context);
}

// Characters that may appear raw in a request target, plus '%' to make bad escapes.
const urlChar = fc.constantFrom(...'abcxyzAZ09-._~!$&\'()*+,;=:@/?#[]%'.split(''));
const segment = fc.oneof(
  fc.string({ unit: urlChar, maxLength: 20 }),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.constantFrom('matrix', 'http', 'noop', '__proto__', 'constructor', '..', '%ZZ', '%', '%00', 'x'.repeat(150)),
);
const query = fc.oneof(
  fc.constant(''),
  fc.string({ unit: urlChar, maxLength: 30 }).map((text) => `?${text}`),
  fc
    .array(fc.tuple(fc.constantFrom('strategy', 'size', 'size[]', 'size[a]', 'foo', '__proto__', ''), segment), { maxLength: 4 })
    .map((pairs) => `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`),
);
const path = fc
  .tuple(fc.constantFrom('/', '/api/v1/', '/api/v1/jobs/', ...GET_ROUTES.map((route) => `${route}/`), '//', '/api/v1/jobs/matrix/'), segment, query)
  .map(([prefix, last, search]) => `${prefix}${last}${search}`);
// Header names are HTTP tokens; values printable ASCII (node:http refuses control characters).
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).filter((name) => !['content-length', 'transfer-encoding', 'host', 'connection', 'expect', 'upgrade'].includes(name));
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 });
const headers = fc.record(
  {
    'content-type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '*/*', 'garbage'),
    accept: fc.constantFrom('application/json', 'text/html', '*/*', 'application/openmetrics-text; version=1.0.0'),
    extra: fc.dictionary(headerName, headerValue, { maxKeys: 3 }),
  },
  { requiredKeys: [] },
).map(({ extra, ...named }) => ({ ...extra, ...named }));
const body = fc.option(fc.uint8Array({ maxLength: 2048 }), { nil: undefined });
const method = fc.oneof(fc.constantFrom(...STANDARD_METHODS), fc.constantFrom('PROPFIND', 'TRACE', 'FOO', 'SEARCH'));

describe('the API under bad input', () => {
  let daemon: LabDaemon;
  let sizeBounds: Record<string, SizeBounds>;

  before(async () => {
    daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: STRATEGIES.join(','), LAB_WORKERS: '2' });
    const scenarios = (await (await fetch(`${daemon.url}/api/v1/scenarios`)).json()) as { scenarios: { name: string; parameters: { size: SizeBounds } }[] };
    sizeBounds = Object.fromEntries(scenarios.scenarios.map((scenario) => [scenario.name, scenario.parameters.size]));
  });

  after(async () => {
    await daemon?.stop();
  });

  it('never answers 5xx to random paths, queries, methods, headers and bodies, and errors are JSON {error, code, message}', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, headers, body, async (method, path, headers, body) => {
        assertSane(await send(daemon.url, method, path, headers, body), method, `${method} ${path}`);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('answers job requests as the contract says: 404 unknown scenario, 400 bad strategy, size or query, else 200', async () => {
    const scenarioName = fc.oneof(fc.constantFrom('matrix', 'http', 'noop', 'thumbnail', 'array'), fc.constantFrom('nope', 'Matrix', 'matrix2', ''));
    // Small valid sizes keep the jobs that do run cheap; the rest are out of bounds or malformed.
    const size = fc.oneof(
      fc.integer({ min: -5, max: 100 }).map(String),
      fc.constantFrom('', ' 7 ', '1e3', '0x10', '1.5', '+3', '-0', '99999999999999999999', 'abc', '%ZZ'),
    );
    const strategy = fc.oneof(fc.constantFrom(...STRATEGIES), fc.constantFrom('', 'bogus', 'THREADS', 'thread'));
    const extraKey = fc.option(fc.constantFrom('foo', 'strategy', 'size', 'Size'), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(scenarioName, strategy, fc.option(size, { nil: undefined }), extraKey, async (scenario, strategy, size, extra) => {
        const pairs: [string, string][] = [['strategy', strategy]];
        if (size !== undefined) pairs.push(['size', size]);
        // Large default sizes (array 500000, thumbnail 1600) would only slow the run down.
        if (size === undefined && (scenario === 'array' || scenario === 'thumbnail') && extra !== 'size') pairs.push(['size', String(sizeBounds[scenario]!.minimum)]);
        if (extra !== undefined) pairs.push([extra, '1']);
        const search = pairs.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
        const target = `/api/v1/jobs/${encodeURIComponent(scenario)}?${search}`;
        const answer = await send(daemon.url, 'POST', target);
        assertSane(answer, 'POST', target);

        const bounds = sizeBounds[scenario];
        const sizes = pairs.filter(([key]) => key === 'size').map(([, value]) => value);
        const strategies = pairs.filter(([key]) => key === 'strategy').map(([, value]) => value);
        const sizeValue = sizes[0]?.trim() ?? '';
        const sizeOk = (bounds: SizeBounds): boolean =>
          sizeValue === '' || (/^-?\d+$/.test(sizeValue) && Number(sizeValue) >= bounds.minimum && Number(sizeValue) <= bounds.maximum);
        let expected = 200;
        if (bounds === undefined) expected = 404;
        else if (extra === 'foo' || extra === 'Size' || sizes.length > 1 || strategies.length > 1) expected = 400;
        else if (strategy !== '' && !STRATEGIES.includes(strategy)) expected = 400;
        else if (!sizeOk(bounds)) expected = 400;
        assert.equal(answer.status, expected, `POST ${target}: ${answer.body.slice(0, 300)}`);
        if (expected === 200) {
          const job = JSON.parse(answer.body) as { scenario: string; strategy: string };
          assert.equal(job.scenario, scenario);
          if (strategy !== '') assert.equal(job.strategy, strategy);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('answers 405 with Allow for a standard method a route does not take, 404 for unknown routes', async () => {
    const route = fc.oneof(fc.constantFrom(...GET_ROUTES, '/api/v1/jobs/noop'), fc.constantFrom('/api/v2/status', '/nope', '/api/v1/jobs'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...STANDARD_METHODS), route, async (method, route) => {
        const answer = await send(daemon.url, method, route);
        assertSane(answer, method, `${method} ${route}`);
        const allowed = route === '/api/v1/jobs/noop' ? ['POST'] : GET_ROUTES.includes(route) ? ['GET', 'HEAD'] : [];
        if (allowed.length === 0) assert.equal(answer.status, 404, `${method} ${route}`);
        else if (allowed.includes(method)) assert.equal(answer.status, 200, `${method} ${route}`);
        else {
          assert.equal(answer.status, 405, `${method} ${route}`);
          assert.deepEqual(String(answer.headers.allow).split(', ').sort(), allowed.toSorted(), `${method} ${route}: Allow`);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('answers 413 to a job request with a body over the limit, whatever the content type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: BODY_LIMIT_BYTES + 1, max: 4 * BODY_LIMIT_BYTES }),
        fc.constantFrom('application/json', 'text/plain', 'application/octet-stream'),
        async (length, contentType) => {
          const answer = await send(daemon.url, 'POST', '/api/v1/jobs/noop', { 'content-type': contentType }, new Uint8Array(length).fill(0x7b));
          assertSane(answer, 'POST', `${length} bytes`);
          assert.equal(answer.status, 413);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('answers requests the HTTP parser rejects with 400 and the same JSON body', async () => {
    const { hostname, port } = new URL(daemon.url);
    const raw = [
      'GARBAGE\r\n\r\n',
      'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n',
      'POST /api/v1/jobs/noop HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'POST /api/v1/jobs/noop HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      'GET /he\x01althz HTTP/1.1\r\nHost: x\r\n\r\n',
    ];
    for (const payload of raw) {
      const response = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: hostname, port: Number(port) });
        let text = '';
        socket.setEncoding('utf8');
        socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
        socket.on('data', (chunk: string) => (text += chunk));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
        socket.end(payload);
      });
      const context = JSON.stringify(payload.slice(0, 60));
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
      assert.equal(status, 400, `${context}: ${response.slice(0, 300)}`);
      assertErrorBody({ status, headers: {}, body: response.slice(response.indexOf('\r\n\r\n') + 4) }, context);
    }
  });

  it('is still alive and healthy after all of it', async () => {
    assert.ok(isAlive(daemon.pid), 'the daemon process is alive');
    assert.equal((await fetch(`${daemon.url}/healthz`)).status, 200);
    assert.equal(daemon.child.exitCode, null);
  });
});
