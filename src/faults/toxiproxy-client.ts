import { request } from 'undici';
import { LabError } from '../errors.ts';

/** A toxic as Toxiproxy's HTTP API takes it. */
export interface Toxic {
  name: string;
  type: 'latency' | 'bandwidth' | 'timeout' | 'reset_peer' | 'slow_close';
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
}

export interface ToxiproxyProxy {
  name: string;
  /** Where the proxy listens, host:port as Toxiproxy bound it (port 0 resolved). */
  listen: string;
  upstream: string;
  enabled: boolean;
}

const TIMEOUT_MS = 5_000;

/**
 * The few calls of Toxiproxy's HTTP API the lab needs (create and delete a proxy, enable or
 * disable it, add and remove toxics), with undici, which the lab already uses: the API is
 * small JSON over HTTP, so a client library would add dependencies and no safety.
 */
export class ToxiproxyClient {
  readonly #baseUrl: string;

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl;
  }

  async createProxy(proxy: { name: string; listen: string; upstream: string }): Promise<ToxiproxyProxy> {
    // A proxy of that name left by an earlier run of this daemon is replaced.
    await this.#call('DELETE', `/proxies/${encodeURIComponent(proxy.name)}`, undefined, [204, 404]);
    return (await this.#call('POST', '/proxies', { ...proxy, enabled: true }, [201])) as ToxiproxyProxy;
  }

  async deleteProxy(name: string): Promise<void> {
    await this.#call('DELETE', `/proxies/${encodeURIComponent(name)}`, undefined, [204, 404]);
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    await this.#call('PATCH', `/proxies/${encodeURIComponent(name)}`, { enabled }, [200]);
  }

  async toxics(proxy: string): Promise<Toxic[]> {
    return (await this.#call('GET', `/proxies/${encodeURIComponent(proxy)}/toxics`, undefined, [200])) as Toxic[];
  }

  async addToxic(proxy: string, toxic: Toxic): Promise<void> {
    await this.#call('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, toxic, [200]);
  }

  async removeToxic(proxy: string, toxic: string): Promise<void> {
    await this.#call('DELETE', `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(toxic)}`, undefined, [204, 404]);
  }

  async #call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown, expected: readonly number[]): Promise<unknown> {
    const url = new URL(path, this.#baseUrl);
    let response;
    try {
      response = await request(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
      });
    } catch (error) {
      throw new LabError('LAB_ERR_FAULT_APPLY_FAILED', `Toxiproxy at ${url.origin} did not answer ${method} ${path}: ${(error as Error).message}`, { cause: error });
    }
    const text = await response.body.text();
    if (!expected.includes(response.statusCode)) {
      throw new LabError('LAB_ERR_FAULT_APPLY_FAILED', `Toxiproxy answered ${method} ${path} with ${response.statusCode}: ${text.trim().slice(0, 300)}`, { details: { status: response.statusCode } });
    }
    return text === '' ? undefined : JSON.parse(text);
  }
}
