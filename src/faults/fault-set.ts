import { z } from 'zod';

/**
 * The faults the lab can inject on the http scenario's path, as plain data: application
 * faults the embedded upstream produces itself, and network faults Toxiproxy adds between
 * the scenario and the upstream. The same schemas validate LAB_* variables, the fault API's
 * body and the upstream's IPC message.
 */

const share = z.number().min(0).max(1);
const ms = (max: number) => z.number().int().min(0).max(max);

/** Faults the embedded upstream answers with (`concurrency-lab upstream` options). */
export const UpstreamFaultsSchema = z.strictObject({
  /** Share (0..1) of GET /work answered 500 instead of the body. */
  errorRate: share.default(0),
  /** Share (0..1) of responses that wait slowFactor × their delay: the slow tail. */
  slowRate: share.default(0),
  /** How much slower a slow-tail response is (10..100 ×). */
  slowFactor: z.number().min(10).max(100).default(20),
  /** A hard stall: GET /work is held unanswered until the stall ends (the client's timeout fires first). */
  stall: z.boolean().default(false),
});
export type UpstreamFaults = z.output<typeof UpstreamFaultsSchema>;

const toxicity = share.default(1);

/**
 * Toxiproxy toxics on the downstream stream (upstream → scenario), and the proxy's state.
 * `toxicity` (0..1, default 1) is the share of connections a toxic applies to.
 */
export const NetworkFaultsSchema = z.strictObject({
  /** Each chunk is delayed latencyMs ± jitterMs. */
  latency: z.strictObject({ latencyMs: ms(60_000), jitterMs: ms(60_000).default(0), toxicity }).optional(),
  /** Throughput capped at rateKBps kilobytes per second. */
  bandwidth: z.strictObject({ rateKBps: z.number().int().min(1).max(10_000_000), toxicity }).optional(),
  /** A black hole: no data passes; the connection closes after timeoutMs (0: never). */
  timeout: z.strictObject({ timeoutMs: ms(3_600_000), toxicity }).optional(),
  /** A connection is reset (TCP RST, the data dropped) timeoutMs after its first answer bytes arrive. */
  resetPeer: z.strictObject({ timeoutMs: ms(3_600_000).default(0), toxicity }).optional(),
  /** Closing a connection is delayed by delayMs. */
  slowClose: z.strictObject({ delayMs: ms(3_600_000), toxicity }).optional(),
  /** The proxy is disabled: connections are refused. */
  down: z.boolean().default(false),
});
export type NetworkFaults = z.output<typeof NetworkFaultsSchema>;

export interface FaultSet {
  readonly upstream: UpstreamFaults;
  readonly network: NetworkFaults;
}

export const NO_UPSTREAM_FAULTS: UpstreamFaults = Object.freeze(UpstreamFaultsSchema.parse({}));
export const NO_NETWORK_FAULTS: NetworkFaults = Object.freeze(NetworkFaultsSchema.parse({}));
export const NO_FAULTS: FaultSet = Object.freeze({ upstream: NO_UPSTREAM_FAULTS, network: NO_NETWORK_FAULTS });

/** The values of lab_fault_active's `fault` label, and of the lab.faults span attribute. */
export const FAULT_NAMES = ['upstream_error', 'upstream_slow', 'upstream_stall', 'latency', 'bandwidth', 'timeout', 'reset_peer', 'slow_close', 'down'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export const UPSTREAM_FAULT_NAMES: readonly FaultName[] = ['upstream_error', 'upstream_slow', 'upstream_stall'];

/** The faults a set switches on, in FAULT_NAMES order. */
export function activeFaults(faults: FaultSet): FaultName[] {
  const { upstream, network } = faults;
  const on: Record<FaultName, boolean> = {
    upstream_error: upstream.errorRate > 0,
    upstream_slow: upstream.slowRate > 0,
    upstream_stall: upstream.stall,
    latency: network.latency !== undefined,
    bandwidth: network.bandwidth !== undefined,
    timeout: network.timeout !== undefined,
    reset_peer: network.resetPeer !== undefined,
    slow_close: network.slowClose !== undefined,
    down: network.down,
  };
  return FAULT_NAMES.filter((name) => on[name]);
}
