import { ENV_SCHEMA } from '../config/env-schema.ts';
import { LabError } from '../errors.ts';
import { FaultController } from '../faults/fault-controller.ts';
import { FAULT_PRESETS, type FaultPresetName } from '../faults/fault-presets.ts';
import { activeFaults, type FaultName, type FaultSet, UPSTREAM_FAULT_NAMES } from '../faults/fault-set.ts';
import { NetworkFaultProxy } from '../faults/network-fault-proxy.ts';
import { UpstreamFaultClient } from '../faults/upstream-fault-client.ts';

/** `compare --faults PRESET`, checked before anything is measured. */
export interface ResolvedCompareFaults {
  readonly preset: FaultPresetName;
  readonly faults: FaultSet;
  readonly active: readonly FaultName[];
  /** The Toxiproxy API and listen address, only when the preset has network faults. */
  readonly toxiproxy: { readonly url: string; readonly listen: string } | undefined;
}

/** What the http cells call while the faults are on, and how to take them off. */
export interface AppliedCompareFaults {
  readonly upstreamUrl: string;
  close(): Promise<void>;
}

/**
 * Checks a preset for compare: network faults need Toxiproxy, found as the daemon finds it
 * (LAB_TOXIPROXY_URL, LAB_TOXIPROXY_LISTEN, the same schema); without it the compare is refused
 * (LAB_ERR_ARGS_INVALID: exit 2) before it measures anything.
 */
export function resolveCompareFaults(preset: FaultPresetName, env: NodeJS.ProcessEnv = process.env): ResolvedCompareFaults {
  const faults = FAULT_PRESETS[preset];
  const active = activeFaults(faults);
  const network = active.filter((name) => !UPSTREAM_FAULT_NAMES.includes(name));
  if (network.length === 0) return Object.freeze({ preset, faults, active, toxiproxy: undefined });
  const blank = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value);
  const rawUrl = blank(env.LAB_TOXIPROXY_URL);
  if (rawUrl === undefined) {
    throw new LabError('LAB_ERR_ARGS_INVALID', `option '--faults ${preset}': network faults (${network.join(', ')}) need Toxiproxy; start toxiproxy-server and set LAB_TOXIPROXY_URL (e.g. http://127.0.0.1:8474), or pick an application preset (slow-tail, flaky)`);
  }
  const url = ENV_SCHEMA.LAB_TOXIPROXY_URL.schema.safeParse(rawUrl);
  const rawListen = blank(env.LAB_TOXIPROXY_LISTEN);
  const listen = rawListen === undefined ? { success: true as const, data: ENV_SCHEMA.LAB_TOXIPROXY_LISTEN.default } : ENV_SCHEMA.LAB_TOXIPROXY_LISTEN.schema.safeParse(rawListen);
  if (!url.success || url.data === undefined) throw new LabError('LAB_ERR_ARGS_INVALID', `LAB_TOXIPROXY_URL=${JSON.stringify(rawUrl)}: must be ${ENV_SCHEMA.LAB_TOXIPROXY_URL.allowed}`);
  if (!listen.success) throw new LabError('LAB_ERR_ARGS_INVALID', `LAB_TOXIPROXY_LISTEN=${JSON.stringify(rawListen)}: must be ${ENV_SCHEMA.LAB_TOXIPROXY_LISTEN.allowed}`);
  return Object.freeze({ preset, faults, active, toxiproxy: { url: url.data, listen: listen.data } });
}

/**
 * Switches the faults on for the compare's http cells, through the daemon's own fault
 * controller: application faults over the embedded upstream's /admin/faults, network faults as
 * toxics of a Toxiproxy proxy in front of it. The proxy is made only for a network preset, so an
 * application preset measures the same path as a compare without faults.
 */
export async function applyCompareFaults(resolved: ResolvedCompareFaults, upstreamUrl: string): Promise<AppliedCompareFaults> {
  const proxy =
    resolved.toxiproxy === undefined
      ? undefined
      : await NetworkFaultProxy.create({ apiUrl: resolved.toxiproxy.url, listen: resolved.toxiproxy.listen, upstreamUrl, name: `concurrency-lab-compare-${process.pid}` });
  try {
    const controller = new FaultController({ upstream: new UpstreamFaultClient(upstreamUrl), network: proxy });
    await controller.set(resolved.faults, resolved.preset);
  } catch (error) {
    await proxy?.close().catch(() => {});
    throw error;
  }
  return { upstreamUrl: proxy?.url ?? upstreamUrl, close: async () => proxy?.close() };
}
