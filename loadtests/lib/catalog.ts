/**
 * What the daemon offers (see GET /api/v1/strategies and /api/v1/scenarios). The scripts
 * validate their parameters against these names; setup() then asks the daemon which of them it
 * actually runs and which sizes it accepts.
 */
export const STRATEGIES = ['sequential', 'async', 'threads', 'processes'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const SCENARIOS = ['thumbnail', 'matrix', 'array', 'http', 'noop'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/**
 * Sizes that keep one job in the low milliseconds, so that the HTTP path, the queue and the
 * strategy's dispatch cost show up rather than the work alone. The daemon's own defaults
 * (e.g. matrix 200, thumbnail 1600) are much heavier.
 */
export const SMALL_SIZES: Readonly<Record<Scenario, number>> = {
  thumbnail: 320,
  matrix: 60,
  array: 100_000,
  http: 1024,
  noop: 0,
};
