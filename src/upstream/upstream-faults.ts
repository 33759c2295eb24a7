import { NO_UPSTREAM_FAULTS, type UpstreamFaults } from '../faults/fault-set.ts';

/** What the upstream does with one GET /work, drawn from the active faults. */
export type FaultDecision = { kind: 'error' } | { kind: 'answer'; delayFactor: number };

const ERROR: FaultDecision = Object.freeze({ kind: 'error' });
const NORMAL: FaultDecision = Object.freeze({ kind: 'answer', delayFactor: 1 });

/**
 * The embedded upstream's application faults, changed at runtime. A stall holds every
 * request until it ends; requests whose client left meanwhile are let go at once.
 */
export class UpstreamFaultState {
  #faults: UpstreamFaults;
  #stallEnded: (() => void) | undefined;
  #stallOver: Promise<void> | undefined;

  constructor(faults: UpstreamFaults = NO_UPSTREAM_FAULTS) {
    this.#faults = NO_UPSTREAM_FAULTS;
    this.set(faults);
  }

  get(): UpstreamFaults {
    return this.#faults;
  }

  set(faults: UpstreamFaults): void {
    this.#faults = Object.freeze({ ...faults });
    if (faults.stall && this.#stallOver === undefined) {
      this.#stallOver = new Promise<void>((resolve) => {
        this.#stallEnded = resolve;
      });
    } else if (!faults.stall && this.#stallEnded !== undefined) {
      this.#stallEnded();
      this.#stallEnded = undefined;
      this.#stallOver = undefined;
    }
  }

  /** Resolves when no stall is active, or when `signal` aborts (the client left). */
  async passStall(signal: AbortSignal): Promise<void> {
    while (this.#stallOver !== undefined && !signal.aborted) {
      const { promise, resolve } = Promise.withResolvers<void>();
      signal.addEventListener('abort', () => resolve(), { once: true });
      await Promise.race([this.#stallOver, promise]);
    }
  }

  /** Error first, then the slow tail: a request drawn for both answers 500. */
  decide(random: () => number = Math.random): FaultDecision {
    const faults = this.#faults;
    if (faults.errorRate > 0 && random() < faults.errorRate) return ERROR;
    if (faults.slowRate > 0 && random() < faults.slowRate) return { kind: 'answer', delayFactor: faults.slowFactor };
    return NORMAL;
  }
}
