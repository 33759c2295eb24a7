import {
  CircuitState,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  isBrokenCircuitError,
  isTaskCancelledError,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { z } from 'zod';
import { LabError } from '../errors.ts';

/**
 * Client policies of the http scenario (cockatiel): a per-call timeout, retries with
 * exponential backoff and jitter, a circuit breaker. Off by default, so the plain comparison
 * stays plain. They live per thread or process (each pool worker has its own breaker, as a
 * real client per process would), and are read from the environment the daemon validated
 * at start (worker threads and child processes inherit it).
 */
export interface HttpPolicyOptions {
  /** Retries after the first call (0: none). */
  readonly retries: number;
  /** Consecutive failures that open the circuit, or undefined for no breaker. */
  readonly breakerFailures: number | undefined;
  /** How long an open circuit waits before it lets one call through (half-open). */
  readonly breakerHalfOpenMs: number;
  /** A call (one attempt) that takes longer is abandoned; undefined: undici's 10 s headers/body timeouts only. */
  readonly callTimeoutMs: number | undefined;
}

const integerText = (min: number, max: number) => z.string().trim().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));

/** The LAB_UPSTREAM_* policy variables: their rules live here, env-schema.ts documents them. */
export const HTTP_POLICY_SCHEMAS = {
  retries: integerText(0, 10),
  breaker: z.union([z.literal('off').transform(() => undefined), integerText(1, 1000)]),
  halfOpenMs: integerText(1, 600_000),
  callTimeoutMs: integerText(1, 600_000),
} as const;

/** What the scenario reports about its policies with each result (and in each error's details). */
export interface PolicyReport {
  /** Calls made for this job: 1 + its retries. */
  attempts: number;
  /** The breaker's state after the job, when there is a breaker. */
  circuit?: CircuitName | undefined;
}

export type CircuitName = 'closed' | 'open' | 'half_open';
const CIRCUIT_NAMES: Record<CircuitState, CircuitName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'open',
};

const blank = (value: string | undefined): value is undefined => value === undefined || value.trim() === '';

/** The options in `env`; invalid values count as unset (the daemon refused them at start already). */
export function httpPolicyOptions(env: NodeJS.ProcessEnv): HttpPolicyOptions {
  const read = <T>(name: string, schema: z.ZodType<T>, fallback: T): T => {
    const raw = env[name];
    if (blank(raw)) return fallback;
    const parsed = schema.safeParse(raw);
    return parsed.success ? parsed.data : fallback;
  };
  return {
    retries: read('LAB_UPSTREAM_RETRIES', HTTP_POLICY_SCHEMAS.retries, 0),
    breakerFailures: read('LAB_UPSTREAM_BREAKER', HTTP_POLICY_SCHEMAS.breaker, undefined),
    breakerHalfOpenMs: read('LAB_UPSTREAM_BREAKER_HALF_OPEN_MS', HTTP_POLICY_SCHEMAS.halfOpenMs, 5_000),
    callTimeoutMs: read('LAB_UPSTREAM_TIMEOUT_MS', HTTP_POLICY_SCHEMAS.callTimeoutMs, undefined),
  };
}

/** Upstream failures worth another try: 5xx and connection failures, never 4xx or our own abort. */
function retryable(error: unknown): boolean {
  if (isTaskCancelledError(error)) return true;
  if (!(error instanceof LabError) || error.code !== 'LAB_ERR_UPSTREAM_FAILED') return false;
  const status = error.details?.status;
  return typeof status !== 'number' || status >= 500;
}

/** One thread's or process's policies around the call; `run` reports how it went. */
export class HttpPolicy {
  readonly #policy: IPolicy;
  readonly #breaker: ReturnType<typeof circuitBreaker> | undefined;

  constructor(options: HttpPolicyOptions) {
    const policies: IPolicy[] = [];
    if (options.retries > 0) policies.push(retry(handleWhen(retryable), { maxAttempts: options.retries, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 2_000 }) }));
    if (options.breakerFailures !== undefined) {
      this.#breaker = circuitBreaker(handleWhen(retryable), { halfOpenAfter: options.breakerHalfOpenMs, breaker: new ConsecutiveBreaker(options.breakerFailures) });
      policies.push(this.#breaker);
    }
    if (options.callTimeoutMs !== undefined) policies.push(timeout(options.callTimeoutMs, TimeoutStrategy.Aggressive));
    this.#policy = wrap(...policies);
  }

  /** True when no policy is configured: call directly. */
  static isOff(options: HttpPolicyOptions): boolean {
    return options.retries === 0 && options.breakerFailures === undefined && options.callTimeoutMs === undefined;
  }

  /**
   * Runs `call` under the policies. Resolves with the call's value and the report; rejects
   * with a LabError whose details carry the report too (or with the job's abort reason).
   */
  async run<T>(call: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<{ value: T; report: PolicyReport }> {
    let attempts = 0;
    try {
      const value = await this.#policy.execute(({ signal: attemptSignal }) => {
        attempts++;
        return call(attemptSignal);
      }, signal);
      return { value: value as T, report: this.#report(attempts) };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const report = this.#report(attempts);
      if (isBrokenCircuitError(error)) throw new LabError('LAB_ERR_UPSTREAM_CIRCUIT_OPEN', 'the circuit breaker is open: the upstream failed too often; no call was made', { details: { ...report } });
      if (isTaskCancelledError(error)) throw new LabError('LAB_ERR_UPSTREAM_FAILED', 'the upstream call took longer than LAB_UPSTREAM_TIMEOUT_MS', { cause: error, details: { errorCode: 'ETIMEDOUT', ...report } });
      if (error instanceof LabError) throw new LabError(error.code, error.message, { cause: error.cause, details: { ...error.details, ...report } });
      throw error;
    }
  }

  #report(attempts: number): PolicyReport {
    return this.#breaker === undefined ? { attempts } : { attempts, circuit: CIRCUIT_NAMES[this.#breaker.state] };
  }
}
