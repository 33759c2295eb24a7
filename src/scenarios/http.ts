import { Agent, request } from 'undici';
import { LabError } from '../errors.ts';
import { HttpPolicy, httpPolicyOptions, type PolicyReport } from './http-policy.ts';
import type { Scenario } from './scenario.ts';

export interface HttpResult {
  status: number;
  bytes: number;
  /** With client policies on (LAB_UPSTREAM_RETRIES, _BREAKER, _TIMEOUT_MS): how they went. */
  policy?: PolicyReport | undefined;
}

const TIMEOUT_MS = 10_000;
/** The largest body the scenario asks for; an upstream that sends more is cut off (UND_ERR_RES_EXCEEDED_MAX_SIZE). */
export const MAX_RESPONSE_BYTES = 1_048_576;

/** One keep-alive agent per thread or process, created on first use. */
let agent: Agent | undefined;

function sharedAgent(): Agent {
  agent ??= new Agent({ keepAliveTimeout: 30_000, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS, connections: null, maxResponseSize: MAX_RESPONSE_BYTES });
  return agent;
}

/** This thread's or process's client policies, from the environment, made on first use; null when off. */
let policy: HttpPolicy | null | undefined;

function sharedPolicy(): HttpPolicy | null {
  if (policy === undefined) {
    const options = httpPolicyOptions(process.env);
    policy = HttpPolicy.isOff(options) ? null : new HttpPolicy(options);
  }
  return policy;
}

/** Closes this thread's or process's keep-alive connections (at shutdown). */
export async function closeHttpAgent(): Promise<void> {
  const closing = agent;
  agent = undefined;
  await closing?.close();
}

/** What a failed call becomes: the abort reason when the job was aborted, else LAB_ERR_UPSTREAM_FAILED with undici's code. */
function failure(error: unknown, signal: AbortSignal, url: URL): unknown {
  if (signal.aborted) return signal.reason;
  return new LabError('LAB_ERR_UPSTREAM_FAILED', `GET ${url.origin} failed: ${(error as Error).message}`, {
    cause: error,
    details: { errorCode: (error as { code?: unknown }).code },
  });
}

export const http: Scenario<HttpResult> = {
  name: 'http',
  kind: 'io',
  description: 'GET the slow upstream with undici (keep-alive agent) and read the whole body.',
  size: { min: 0, max: MAX_RESPONSE_BYTES, default: 1024, unit: 'response body bytes' },
  async run(bytes, { signal, upstreamUrl }) {
    if (upstreamUrl === undefined) throw new LabError('LAB_ERR_UPSTREAM_FAILED', 'no upstream URL is configured for the http scenario');
    const url = new URL('/work', upstreamUrl);
    url.searchParams.set('bytes', String(bytes));
    const policies = sharedPolicy();
    if (policies === null) return callOnce(url, signal);
    const { value, report } = await policies.run((attemptSignal) => callOnce(url, attemptSignal), signal);
    return { ...value, policy: report };
  },
};

/** One GET of the upstream, its whole body read. */
async function callOnce(url: URL, signal: AbortSignal): Promise<HttpResult> {
  let response;
  let body: ArrayBuffer;
  try {
    response = await request(url, { dispatcher: sharedAgent(), signal });
    // Reading the body fails too: reset mid-body, body timeout, more than MAX_RESPONSE_BYTES.
    body = await response.body.arrayBuffer();
  } catch (error) {
    throw failure(error, signal, url);
  }
  if (response.statusCode >= 400) {
    throw new LabError('LAB_ERR_UPSTREAM_FAILED', `upstream answered ${response.statusCode}`, { details: { status: response.statusCode } });
  }
  return { status: response.statusCode, bytes: body.byteLength };
}
