/**
 * One error class and one table of stable codes. Callers match on `code`, never on
 * `instanceof`: errors cross thread and process boundaries as plain `{code, message}` objects
 * (structured cloning drops a custom class) and are rebuilt with {@link fromWire}.
 */

/** Every code the lab can produce, with the HTTP status it maps to and what it means. */
export const ERROR_CODES = {
  LAB_ERR_CONFIG_INVALID: { statusCode: 500, description: 'An environment variable has a value that is not allowed; the daemon does not start (exit code 2).' },
  LAB_ERR_ARGS_INVALID: { statusCode: 400, description: 'A command-line argument is not allowed (exit code 2).' },
  LAB_ERR_SCENARIO_UNKNOWN: { statusCode: 404, description: 'No scenario has that name.' },
  LAB_ERR_SCENARIO_MODULE_INVALID: { statusCode: 500, description: 'A scenario module (LAB_SCENARIO_MODULES, --scenario-module) is missing, throws or hangs on import, exports no valid scenario, or clashes with another name; nothing starts (exit code 2).' },
  LAB_ERR_STRATEGY_UNKNOWN: { statusCode: 400, description: 'No strategy has that name.' },
  LAB_ERR_PARAM_INVALID: { statusCode: 400, description: 'A job parameter (such as size) is missing, malformed or out of bounds.' },
  LAB_ERR_ROUTE_NOT_FOUND: { statusCode: 404, description: 'No API route at that path.' },
  LAB_ERR_METHOD_NOT_ALLOWED: { statusCode: 405, description: 'The route exists but not for that HTTP method.' },
  LAB_ERR_BODY_TOO_LARGE: { statusCode: 413, description: 'The request body is larger than the API accepts.' },
  LAB_ERR_BAD_REQUEST: { statusCode: 400, description: 'The request is malformed (bad URL, headers or body).' },
  LAB_ERR_REQUEST_TIMEOUT: { statusCode: 408, description: 'The client did not send its request in time (headers within 5 s, the whole request within 10 s); the connection is closed.' },
  LAB_ERR_QUEUE_FULL: { statusCode: 503, description: "The strategy's bounded queue is full; the job was shed (retry after a moment)." },
  LAB_ERR_SHUTTING_DOWN: { statusCode: 503, description: 'The daemon is shutting down and starts no new jobs.' },
  LAB_ERR_JOB_TIMEOUT: { statusCode: 504, description: 'The job was not done LAB_JOB_TIMEOUT_MS after its submission (the timer starts at submission: waiting for a slot counts) and was stopped.' },
  LAB_ERR_JOB_CANCELLED: { statusCode: 499, description: 'The job was cancelled (its client went away, or shutdown cancelled it).' },
  LAB_ERR_WORKER_CRASHED: { statusCode: 500, description: 'The worker thread or child process running the job died; the pool replaces it.' },
  LAB_ERR_UPSTREAM_FAILED: { statusCode: 502, description: 'The upstream answered with an error status or the connection failed.' },
  LAB_ERR_FAULT_INVALID: { statusCode: 400, description: 'A fault in the request is malformed or out of bounds; the message names the field. No fault changed.' },
  LAB_ERR_FAULT_UNAVAILABLE: { statusCode: 409, description: 'That fault needs what this daemon lacks: application faults need a concurrency-lab upstream (the embedded one, or one at LAB_UPSTREAM_URL that answers GET /admin/faults), network faults need Toxiproxy (LAB_TOXIPROXY_URL). No fault changed.' },
  LAB_ERR_FAULT_APPLY_FAILED: { statusCode: 502, description: 'The embedded upstream or Toxiproxy did not apply the faults; the previous faults were restored where possible.' },
  LAB_ERR_CHAOS_NO_WORKER: { statusCode: 409, description: 'The strategy has no ready pool worker to kill: sequential and async run on the main thread, and a pool\'s workers count only once they have answered a task.' },
  LAB_ERR_UPSTREAM_CIRCUIT_OPEN: { statusCode: 503, description: "The http scenario's circuit breaker (LAB_UPSTREAM_BREAKER) is open after repeated upstream failures; the job made no call." },
  LAB_ERR_SCENARIO_FAILED: { statusCode: 500, description: 'The scenario threw an unexpected error.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The form an error takes on the wire between threads and processes. */
export interface WireError {
  code: ErrorCode;
  message: string;
  stack?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

export interface LabErrorOptions {
  details?: Record<string, unknown> | undefined;
  cause?: unknown;
}

export class LabError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: LabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LabError';
    this.code = code;
    this.statusCode = ERROR_CODES[code].statusCode;
    this.details = options.details;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** Any thrown value as a LabError; unknown errors become LAB_ERR_SCENARIO_FAILED with the cause kept. */
export function toLabError(error: unknown): LabError {
  if (error instanceof LabError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (isErrorCode(code)) return new LabError(code, String((error as Error).message), { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new LabError('LAB_ERR_SCENARIO_FAILED', message, { cause: error });
}

export function toWire(error: unknown): WireError {
  const labError = toLabError(error);
  return { code: labError.code, message: labError.message, stack: labError.stack, details: labError.details };
}

export function fromWire(wire: WireError): LabError {
  const error = new LabError(isErrorCode(wire.code) ? wire.code : 'LAB_ERR_SCENARIO_FAILED', wire.message, { details: wire.details });
  // Keep the remote stack: it names the frame inside the worker that threw.
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}
