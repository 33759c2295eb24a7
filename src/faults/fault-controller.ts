import { LabError } from '../errors.ts';
import type { FaultPresetName } from './fault-presets.ts';
import { activeFaults, type FaultName, type FaultSet, NO_NETWORK_FAULTS, NO_UPSTREAM_FAULTS, UPSTREAM_FAULT_NAMES } from './fault-set.ts';

/** Where application faults go: the upstream's admin endpoint. */
export interface UpstreamFaultTarget {
  setFaults(faults: FaultSet['upstream']): Promise<void>;
}

/** Where network faults go: the daemon's Toxiproxy proxy. */
export interface NetworkFaultTarget {
  apply(faults: FaultSet['network']): Promise<void>;
}

export interface FaultControllerOptions {
  /** Undefined when the upstream is not a concurrency-lab upstream: application faults are unavailable. */
  upstream: UpstreamFaultTarget | undefined;
  /** Undefined without LAB_TOXIPROXY_URL: network faults are unavailable. */
  network: NetworkFaultTarget | undefined;
  /** Called with the active faults after every change (metrics). Must not throw. */
  onChange?: ((active: readonly FaultName[]) => void) | undefined;
}

/** What GET /api/v1/faults answers. */
export interface FaultStatus {
  /** The preset the faults were last set from, or null when set field by field. */
  preset: FaultPresetName | null;
  active: FaultName[];
  upstream: FaultSet['upstream'];
  network: FaultSet['network'];
  available: { upstream: boolean; network: boolean };
}

/**
 * The daemon's active faults, one change at a time. A change is checked whole before any
 * part of it is applied; when applying one part fails, the parts already applied are put
 * back, so the faults are always either the old set or the new one.
 */
export class FaultController {
  readonly #options: FaultControllerOptions;
  #faults: FaultSet = { upstream: NO_UPSTREAM_FAULTS, network: NO_NETWORK_FAULTS };
  #preset: FaultPresetName | null = 'none';
  #activeLabel = 'none';
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: FaultControllerOptions) {
    this.#options = options;
    options.onChange?.([]);
  }

  status(): FaultStatus {
    return {
      preset: this.#preset,
      active: activeFaults(this.#faults),
      upstream: this.#faults.upstream,
      network: this.#faults.network,
      available: { upstream: this.#options.upstream !== undefined, network: this.#options.network !== undefined },
    };
  }

  /** The active faults as one span attribute value: names joined by commas, or `none`. */
  activeLabel(): string {
    return this.#activeLabel;
  }

  /** Replaces the active faults with `next`. Rejects with LAB_ERR_FAULT_UNAVAILABLE or LAB_ERR_FAULT_APPLY_FAILED; then nothing changed. */
  set(next: FaultSet, preset: FaultPresetName | null): Promise<FaultStatus> {
    const run = this.#queue.then(() => this.#set(next, preset));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #set(next: FaultSet, preset: FaultPresetName | null): Promise<FaultStatus> {
    const wanted = activeFaults(next);
    const { upstream, network } = this.#options;
    const missingUpstream = upstream === undefined ? wanted.filter((name) => UPSTREAM_FAULT_NAMES.includes(name)) : [];
    const missingNetwork = network === undefined ? wanted.filter((name) => !UPSTREAM_FAULT_NAMES.includes(name)) : [];
    if (missingUpstream.length > 0) {
      throw new LabError('LAB_ERR_FAULT_UNAVAILABLE', `application faults (${missingUpstream.join(', ')}) need a concurrency-lab upstream; the one at LAB_UPSTREAM_URL does not answer GET /admin/faults`, { details: { faults: missingUpstream } });
    }
    if (missingNetwork.length > 0) {
      throw new LabError('LAB_ERR_FAULT_UNAVAILABLE', `network faults (${missingNetwork.join(', ')}) need Toxiproxy; start the daemon with LAB_TOXIPROXY_URL`, { details: { faults: missingNetwork } });
    }
    const previous = this.#faults;
    let upstreamApplied = false;
    try {
      if (upstream !== undefined) {
        await upstream.setFaults(next.upstream);
        upstreamApplied = true;
      }
      await network?.apply(next.network);
    } catch (error) {
      // Put back what was applied; the error that is reported is the first one.
      await Promise.allSettled([upstreamApplied ? upstream?.setFaults(previous.upstream) : undefined, network?.apply(previous.network)]);
      throw error instanceof LabError ? error : new LabError('LAB_ERR_FAULT_APPLY_FAILED', (error as Error).message, { cause: error });
    }
    this.#faults = Object.freeze({ upstream: next.upstream, network: next.network });
    this.#preset = preset;
    this.#activeLabel = wanted.length === 0 ? 'none' : wanted.join(',');
    this.#options.onChange?.(wanted);
    return this.status();
  }
}
