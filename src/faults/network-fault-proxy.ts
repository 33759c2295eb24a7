import type { NetworkFaults } from './fault-set.ts';
import { type Toxic, ToxiproxyClient } from './toxiproxy-client.ts';

/** Toxics this proxy owns are named with this prefix; others on the same proxy are left alone. */
const PREFIX = 'lab_';

/** The toxics that make up a set of network faults, all on the downstream (upstream → client) stream. */
export function toxicsOf(faults: NetworkFaults): Toxic[] {
  const toxics: Toxic[] = [];
  const add = (type: Toxic['type'], toxicity: number, attributes: Record<string, number>): void => {
    toxics.push({ name: `${PREFIX}${type}`, type, stream: 'downstream', toxicity, attributes });
  };
  if (faults.latency) add('latency', faults.latency.toxicity, { latency: faults.latency.latencyMs, jitter: faults.latency.jitterMs });
  if (faults.bandwidth) add('bandwidth', faults.bandwidth.toxicity, { rate: faults.bandwidth.rateKBps });
  if (faults.timeout) add('timeout', faults.timeout.toxicity, { timeout: faults.timeout.timeoutMs });
  if (faults.resetPeer) add('reset_peer', faults.resetPeer.toxicity, { timeout: faults.resetPeer.timeoutMs });
  if (faults.slowClose) add('slow_close', faults.slowClose.toxicity, { delay: faults.slowClose.delayMs });
  return toxics;
}

/**
 * The daemon's Toxiproxy proxy in front of the upstream: the http scenario calls `url`, and
 * network faults become toxics on it (or the proxy disabled, for `down`).
 */
export class NetworkFaultProxy {
  /** Base URL the http scenario calls instead of the upstream. */
  readonly url: string;
  readonly name: string;
  readonly #client: ToxiproxyClient;

  private constructor(client: ToxiproxyClient, name: string, url: string) {
    this.#client = client;
    this.name = name;
    this.url = url;
  }

  /**
   * Creates the proxy (replacing one of the same name) from `listen` (host:port inside
   * Toxiproxy, port 0 for any) to the upstream URL's host and port.
   */
  static async create(options: { apiUrl: string; listen: string; upstreamUrl: string; name: string }): Promise<NetworkFaultProxy> {
    const client = new ToxiproxyClient(options.apiUrl);
    const upstream = new URL(options.upstreamUrl);
    const port = upstream.port || (upstream.protocol === 'https:' ? '443' : '80');
    const proxy = await client.createProxy({ name: options.name, listen: options.listen, upstream: `${upstream.hostname}:${port}` });
    const listenPort = proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1);
    const url = new URL(options.upstreamUrl);
    // Toxiproxy listens on its own host: reach it by the API's host name, on the port it bound.
    url.hostname = new URL(options.apiUrl).hostname;
    url.port = listenPort;
    return new NetworkFaultProxy(client, options.name, url.origin);
  }

  /** Makes the proxy's toxics and state exactly `faults`. */
  async apply(faults: NetworkFaults): Promise<void> {
    const current = await this.#client.toxics(this.name);
    for (const toxic of current) {
      if (toxic.name.startsWith(PREFIX)) await this.#client.removeToxic(this.name, toxic.name);
    }
    for (const toxic of toxicsOf(faults)) await this.#client.addToxic(this.name, toxic);
    await this.#client.setEnabled(this.name, !faults.down);
  }

  async close(): Promise<void> {
    await this.#client.deleteProxy(this.name);
  }
}
