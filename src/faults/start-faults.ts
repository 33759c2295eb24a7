import type { ResolvedConfig } from '../config/load-config.ts';
import type { EmbeddedUpstream } from '../upstream/embedded-upstream.ts';
import { FaultController } from './fault-controller.ts';
import type { FaultName } from './fault-set.ts';
import { NetworkFaultProxy } from './network-fault-proxy.ts';

export interface RunningFaults {
  readonly controller: FaultController;
  /** What the http scenario calls: the Toxiproxy proxy when there is one, else the upstream. */
  readonly upstreamUrl: string | undefined;
  /** Removes the Toxiproxy proxy. */
  close(): Promise<void>;
}

/**
 * Sets up fault injection for the daemon: the Toxiproxy proxy in front of the upstream
 * (when LAB_TOXIPROXY_URL is set) and the controller, with LAB_FAULTS' faults applied.
 * The embedded upstream already started with the application faults of LAB_FAULTS.
 */
export async function startFaults(options: {
  config: ResolvedConfig;
  upstream: EmbeddedUpstream | undefined;
  upstreamUrl: string | undefined;
  onChange: (active: readonly FaultName[]) => void;
}): Promise<RunningFaults> {
  const { config, upstream, upstreamUrl } = options;
  const proxy =
    config.toxiproxyUrl !== undefined && upstreamUrl !== undefined
      ? await NetworkFaultProxy.create({ apiUrl: config.toxiproxyUrl, listen: config.toxiproxyListen, upstreamUrl, name: `concurrency-lab-${process.pid}` })
      : undefined;
  try {
    const controller = new FaultController({ upstream, network: proxy, onChange: options.onChange });
    await controller.set(config.faults, config.faultPreset ?? null);
    return { controller, upstreamUrl: proxy?.url ?? upstreamUrl, close: async () => proxy?.close() };
  } catch (error) {
    await proxy?.close().catch(() => {});
    throw error;
  }
}
