import { type FaultSet, NO_FAULTS, NO_NETWORK_FAULTS, NO_UPSTREAM_FAULTS } from './fault-set.ts';

/**
 * Named fault sets for LAB_FAULTS and the fault API. slow-tail and flaky are application
 * faults of the embedded upstream (no other tool needed); resets and upstream-down are
 * network faults and need Toxiproxy (LAB_TOXIPROXY_URL).
 */
export const FAULT_PRESETS = {
  none: NO_FAULTS,
  /** 5 % of responses 20 × slower (1 s instead of 50 ms by default). */
  'slow-tail': { upstream: { ...NO_UPSTREAM_FAULTS, slowRate: 0.05, slowFactor: 20 }, network: NO_NETWORK_FAULTS },
  /** 10 % of responses are 500s. */
  flaky: { upstream: { ...NO_UPSTREAM_FAULTS, errorRate: 0.1 }, network: NO_NETWORK_FAULTS },
  /**
   * A quarter of the connections are reset (TCP RST) when the first answer comes back, and
   * that call fails. Toxiproxy draws toxicity per connection: with keep-alive, the errors
   * come where connections are opened (at start, and for each replaced one).
   */
  resets: { upstream: NO_UPSTREAM_FAULTS, network: { ...NO_NETWORK_FAULTS, resetPeer: { timeoutMs: 0, toxicity: 0.25 } } },
  /** The proxy refuses connections, as a dead upstream would. */
  'upstream-down': { upstream: NO_UPSTREAM_FAULTS, network: { ...NO_NETWORK_FAULTS, down: true } },
} as const satisfies Record<string, FaultSet>;

export type FaultPresetName = keyof typeof FAULT_PRESETS;
export const FAULT_PRESET_NAMES = Object.keys(FAULT_PRESETS) as FaultPresetName[];

/** What each preset does, in a sentence, for the live page's fault switch (GET /api/v1/faults/presets). */
export const FAULT_PRESET_DESCRIPTIONS: Readonly<Record<FaultPresetName, string>> = {
  none: 'nothing: every fault off',
  'slow-tail': '5 % of responses 20 × slower',
  flaky: '10 % of responses are 500s',
  resets: 'a quarter of the connections reset (TCP RST) at their first answer',
  'upstream-down': 'the proxy refuses connections, as a dead upstream would',
};
