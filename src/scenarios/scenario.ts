/** What every scenario is: a pure function of its size that runs unchanged on every strategy. */

export type ScenarioKind = 'cpu' | 'io';

export interface SizeBounds {
  readonly min: number;
  readonly max: number;
  readonly default: number;
  /** What the size counts, for humans: "pixels (width)", "elements", ... */
  readonly unit: string;
}

/** What a scenario may use besides its size; the same in every thread and process. */
export interface ScenarioContext {
  readonly signal: AbortSignal;
  /** Base URL of the upstream the `http` scenario calls. */
  readonly upstreamUrl: string | undefined;
}

export interface Scenario<Result = unknown> {
  readonly name: string;
  readonly kind: ScenarioKind;
  readonly description: string;
  readonly size: SizeBounds;
  run(size: number, context: ScenarioContext): Promise<Result>;
}
