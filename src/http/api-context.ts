import type { ResolvedConfig } from '../config/load-config.ts';
import type { Driver } from '../driver/driver.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { StrategyName } from '../strategies/strategy.ts';

/** What the routes need from the running daemon. */
export interface ApiContext {
  readonly config: ResolvedConfig;
  readonly runner: JobRunner;
  /** Undefined when LAB_DRIVER=off. */
  readonly driver: Driver | undefined;
  readonly startedAtMs: number;
  /** The strategy used when a job request names none. */
  defaultStrategy(): StrategyName;
  /** Why the daemon is not ready yet, or undefined when it is. */
  notReadyReason(): string | undefined;
  /** Upstream the http scenario calls. */
  upstreamUrl(): string | undefined;
}
