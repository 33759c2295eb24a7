import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type UpstreamFaults, UpstreamFaultsSchema } from '../faults/fault-set.ts';
import { UpstreamFaultState } from './upstream-faults.ts';
import { UpstreamMetrics } from './upstream-metrics.ts';

export interface UpstreamOptions {
  host: string;
  port: number;
  /** Mean response delay. */
  delayMs: number;
  /** Each response's delay is delayMs ± a uniform jitter of up to this much. */
  jitterMs: number;
  /** Application faults at start (default none); {@link RunningUpstream.setFaults} changes them. */
  faults?: UpstreamFaults | undefined;
}

const MAX_BODY_BYTES = 1_048_576;
/**
 * Why a request's signal aborts: one shared reason, because abort() without one builds a new
 * DOMException (a stack capture) for every response, 8 % of this process's CPU in a profile at
 * 700 req/s.
 */
const RESPONSE_CLOSED = new Error('the response closed');
const FILL = Buffer.alloc(MAX_BODY_BYTES, 'x');

export interface RunningUpstream {
  readonly server: Server;
  readonly url: string;
  /** The active application faults. */
  faults(): UpstreamFaults;
  setFaults(faults: UpstreamFaults): void;
  close(): Promise<void>;
}

/** Where the upstream shows (GET) and takes (PUT, the whole set as JSON) its application faults. */
export const UPSTREAM_FAULTS_PATH = '/admin/faults';
const MAX_FAULTS_BODY_BYTES = 4096;

async function handleFaults(request: IncomingMessage, response: ServerResponse, faults: UpstreamFaultState): Promise<void> {
  const json = (status: number, body: unknown): void => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  if (request.method === 'GET') return json(200, faults.get());
  if (request.method !== 'PUT') {
    response.setHeader('allow', 'GET, PUT');
    return json(405, { error: `${request.method} is not allowed; allowed: GET, PUT` });
  }
  let body = '';
  for await (const chunk of request) {
    body += chunk;
    if (body.length > MAX_FAULTS_BODY_BYTES) return json(413, { error: `the body is larger than ${MAX_FAULTS_BODY_BYTES} bytes` });
  }
  let parsed;
  try {
    parsed = UpstreamFaultsSchema.safeParse(JSON.parse(body));
  } catch (error) {
    return json(400, { error: `not JSON: ${(error as Error).message}` });
  }
  if (!parsed.success) return json(400, { error: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ') });
  faults.set(parsed.data);
  json(200, faults.get());
}

async function handle(request: IncomingMessage, response: ServerResponse, options: UpstreamOptions, metrics: UpstreamMetrics, faults: UpstreamFaultState): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://upstream');
  response.once('finish', () => metrics.responses.inc({ status_code: String(response.statusCode) }));
  if (url.pathname === '/metrics') {
    response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
    return;
  }
  if (url.pathname === UPSTREAM_FAULTS_PATH) {
    await handleFaults(request, response, faults);
    return;
  }
  if (url.pathname === '/healthz') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  if (url.pathname !== '/work' || request.method !== 'GET') {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  const bytes = Number(url.searchParams.get('bytes') ?? 0);
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > MAX_BODY_BYTES) {
    response.writeHead(400, { 'content-type': 'text/plain' }).end(`bytes must be an integer from 0 to ${MAX_BODY_BYTES}\n`);
    return;
  }
  const gone = new AbortController();
  response.once('close', () => gone.abort(RESPONSE_CLOSED));
  await faults.passStall(gone.signal);
  if (gone.signal.aborted) return;
  const decision = faults.decide();
  if (decision.kind === 'error') {
    response.writeHead(500, { 'content-type': 'text/plain' }).end('injected fault: upstream_error\n');
    return;
  }
  const delayMs = Math.max(0, options.delayMs + (Math.random() * 2 - 1) * options.jitterMs) * decision.delayFactor;
  // Unreferenced: a pending delay must not keep a closed upstream's process alive.
  await sleep(delayMs, undefined, { ref: false });
  if (gone.signal.aborted) return;
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes }).end(FILL.subarray(0, bytes));
}

/**
 * The slow upstream: GET /work?bytes=N answers N bytes after delayMs ± jitterMs, unless an
 * application fault says otherwise (a 500, a slow-tail delay, a stall); GET /metrics, GET /healthz.
 */
export async function startUpstream(options: UpstreamOptions): Promise<RunningUpstream> {
  const metrics = new UpstreamMetrics();
  const faults = new UpstreamFaultState(options.faults);
  const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
    handle(request, response, options, metrics, faults).catch((error: unknown) => {
      response.destroy(error as Error);
    });
  });
  // Many concurrent keep-alive clients are the point of the http scenario.
  server.maxConnections = 100_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    server,
    url: `http://${host}:${port}`,
    faults: () => faults.get(),
    setFaults: (next) => faults.set(next),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
