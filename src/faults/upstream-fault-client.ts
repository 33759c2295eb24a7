import { request } from 'undici';
import { LabError } from '../errors.ts';
import type { UpstreamFaults } from './fault-set.ts';

/** The upstream's fault endpoint (src/upstream/upstream-server.ts UPSTREAM_FAULTS_PATH). */
const PATH = '/admin/faults';
const TIMEOUT_MS = 5_000;

/**
 * Changes the application faults of a concurrency-lab upstream over its HTTP admin endpoint:
 * the embedded one, or one at LAB_UPSTREAM_URL (the compose bundle's upstream service).
 */
export class UpstreamFaultClient {
  readonly #url: URL;

  constructor(upstreamUrl: string) {
    this.#url = new URL(PATH, upstreamUrl);
  }

  /** True when the upstream answers GET /admin/faults: it is a concurrency-lab upstream. */
  async available(): Promise<boolean> {
    try {
      const response = await request(this.#url, { headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
      const body = (await response.body.json().catch(() => undefined)) as { errorRate?: unknown } | undefined;
      return response.statusCode === 200 && typeof body?.errorRate === 'number';
    } catch {
      return false;
    }
  }

  async setFaults(faults: UpstreamFaults): Promise<void> {
    let response;
    try {
      response = await request(this.#url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults), headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
    } catch (error) {
      throw new LabError('LAB_ERR_FAULT_APPLY_FAILED', `the upstream at ${this.#url.origin} did not answer PUT ${PATH}: ${(error as Error).message}`, { cause: error });
    }
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new LabError('LAB_ERR_FAULT_APPLY_FAILED', `the upstream answered PUT ${PATH} with ${response.statusCode}: ${text.slice(0, 300)}`);
  }
}
