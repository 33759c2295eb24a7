import type { ResolvedConfig } from '../config/load-config.ts';
import { LabError } from '../errors.ts';
import { FaultController } from './fault-controller.ts';
import { activeFaults, type FaultName, UPSTREAM_FAULT_NAMES } from './fault-set.ts';
import { NetworkFaultProxy } from './network-fault-proxy.ts';
import { UpstreamFaultClient } from './upstream-fault-client.ts';

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
 * Application faults are available when the upstream is a concurrency-lab upstream (the
 * embedded one, or one at LAB_UPSTREAM_URL that answers GET /admin/faults).
 */
export async function startFaults(options: {
  config: ResolvedConfig;
  upstreamUrl: string | undefined;
  onChange: (active: readonly FaultName[]) => void;
}): Promise<RunningFaults> {
  const { config, upstreamUrl } = options;
  const client = upstreamUrl === undefined ? undefined : new UpstreamFaultClient(upstreamUrl);
  const upstream = client !== undefined && (await client.available()) ? client : undefined;
  const wantsUpstream = activeFaults(config.faults).filter((name) => UPSTREAM_FAULT_NAMES.includes(name));
  if (upstream === undefined && wantsUpstream.length > 0) {
    throw new LabError('LAB_ERR_FAULT_UNAVAILABLE', `LAB_FAULTS: application faults (${wantsUpstream.join(', ')}) need a concurrency-lab upstream; ${upstreamUrl} does not answer GET /admin/faults`);
  }
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
