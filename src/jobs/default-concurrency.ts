import type { ScenarioKind } from '../scenarios/scenario.ts';

/** Jobs in flight for I/O scenarios when nothing else is said (driver and `run`). */
export const IO_CONCURRENCY = 64;

/**
 * Jobs a closed loop keeps in flight by default: for CPU work twice the pool size, so no
 * worker waits for its next job; for I/O a fixed 64 requests.
 */
export function defaultConcurrency(kind: ScenarioKind, workers: number): number {
  return kind === 'io' ? IO_CONCURRENCY : 2 * workers;
}
