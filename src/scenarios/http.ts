import { Agent, request } from 'undici';
import { LabError } from '../errors.ts';
import type { Scenario } from './scenario.ts';

export interface HttpResult {
  status: number;
  bytes: number;
}

const TIMEOUT_MS = 10_000;

/** One keep-alive agent per thread or process, created on first use. */
let agent: Agent | undefined;

function sharedAgent(): Agent {
  agent ??= new Agent({ keepAliveTimeout: 30_000, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS, connections: null });
  return agent;
}

/** Closes this thread's or process's keep-alive connections (at shutdown). */
export async function closeHttpAgent(): Promise<void> {
  const closing = agent;
  agent = undefined;
  await closing?.close();
}

export const http: Scenario<HttpResult> = {
  name: 'http',
  kind: 'io',
  description: 'GET the slow upstream with undici (keep-alive agent) and read the whole body.',
  size: { min: 0, max: 1_048_576, default: 1024, unit: 'response body bytes' },
  async run(bytes, { signal, upstreamUrl }) {
    if (upstreamUrl === undefined) throw new LabError('LAB_ERR_UPSTREAM_FAILED', 'no upstream URL is configured for the http scenario');
    const url = new URL('/work', upstreamUrl);
    url.searchParams.set('bytes', String(bytes));
    let response;
    try {
      response = await request(url, { dispatcher: sharedAgent(), signal });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new LabError('LAB_ERR_UPSTREAM_FAILED', `GET ${url.origin} failed: ${(error as Error).message}`, {
        cause: error,
        details: { errorCode: (error as { code?: unknown }).code },
      });
    }
    const body = await response.body.arrayBuffer();
    if (response.statusCode >= 400) {
      throw new LabError('LAB_ERR_UPSTREAM_FAILED', `upstream answered ${response.statusCode}`, { details: { status: response.statusCode } });
    }
    return { status: response.statusCode, bytes: body.byteLength };
  },
};
