import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { MIXES, type Mix } from '../driver/cell.ts';
import { FAULT_PRESET_NAMES, type FaultPresetName } from '../faults/fault-presets.ts';
import { HTTP_POLICY_SCHEMAS } from '../scenarios/http-policy.ts';
import { BUILT_IN_SCENARIO_NAMES, isScenarioName, type ScenarioName } from '../scenarios/catalog.ts';
import { MAX_SCENARIO_MODULES, scenarioModulePaths } from '../scenarios/scenario-modules.ts';
import { STRATEGY_NAMES, type StrategyName } from '../strategies/strategy.ts';
import { DEFAULT_IO_TASKS_PER_WORKER } from '../strategies/strategy-slots.ts';

/** One environment variable: how it parses, its default, and what a user reads about it. */
export interface EnvOption<T> {
  /** Parses a non-blank value; fails when the value is not allowed. */
  readonly schema: z.ZodType<T>;
  /** Used when the variable is unset or blank. */
  readonly default: T;
  /** The rule, as the error message and the README state it. */
  readonly allowed: string;
  readonly description: string;
}

function option<T>(definition: EnvOption<T>): EnvOption<T> {
  return definition;
}

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const share = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/)
  .transform(Number)
  .pipe(z.number().min(0).max(1));

const positiveNumber = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/)
  .transform(Number)
  .pipe(z.number().positive());

function nameList<const Names extends readonly string[]>(names: Names) {
  return z
    .string()
    .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''))
    .pipe(
      z
        .array(z.enum(names as unknown as [Names[number], ...Names[number][]]))
        .min(1)
        .refine((items) => new Set(items).size === items.length),
    );
}

const DEFAULT_WORKERS = availableParallelism();

/** Every variable the daemon reads (OTEL_* are the OpenTelemetry SDK's own). */
export const ENV_SCHEMA = {
  LAB_STRATEGIES: option<StrategyName[]>({
    schema: nameList(STRATEGY_NAMES),
    default: [...STRATEGY_NAMES],
    allowed: `a comma-separated list of distinct strategies from ${STRATEGY_NAMES.join(', ')}`,
    description: 'Strategies the driver runs; with several, each cell (scenario × strategy) gets LAB_ROTATE_SECONDS in turn.',
  }),
  LAB_SCENARIOS: option<ScenarioName[]>({
    // Checked against the registry when parsed: the scenario modules are loaded before the config.
    schema: z
      .string()
      .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''))
      .pipe(z.array(z.string().refine(isScenarioName)).min(1).refine((items) => new Set(items).size === items.length)),
    default: ['thumbnail', 'matrix', 'array', 'http'],
    allowed: `a comma-separated list of distinct scenarios from ${BUILT_IN_SCENARIO_NAMES.join(', ')} and those of LAB_SCENARIO_MODULES`,
    description: 'Scenarios the driver runs (each on its own in isolated mode, all at once in mixed mode). Default: thumbnail, matrix, array, http and every scenario of LAB_SCENARIO_MODULES.',
  }),
  LAB_SCENARIO_MODULES: option<string[]>({
    schema: z
      .string()
      .transform(scenarioModulePaths)
      .pipe(z.array(z.string()).max(MAX_SCENARIO_MODULES).refine((items) => new Set(items).size === items.length)),
    default: [],
    allowed: `a comma-separated list of at most ${MAX_SCENARIO_MODULES} distinct paths of scenario modules (.ts or .js, relative to the working directory)`,
    description: 'Your own scenarios: each module exports a Scenario (name, kind, description, size, run); loaded and checked at start in the main thread and in every worker. Unset: none is loaded.',
  }),
  LAB_ROTATE_SECONDS: option<number>({
    schema: positiveNumber,
    default: 10,
    allowed: 'a positive number of seconds',
    description: 'Measured window of each cell (isolated) or strategy (mixed); the 16 default cells take about 3 minutes a cycle.',
  }),
  LAB_MIX: option<Mix>({
    schema: z.enum(MIXES),
    default: 'isolated',
    allowed: `one of ${MIXES.join(', ')}`,
    description: 'isolated: one cell (scenario × strategy) at a time; mixed: every scenario at once under the active strategy (the interference experiment).',
  }),
  LAB_CONCURRENCY: option<number | undefined>({
    schema: integer(1, 100_000),
    default: undefined,
    allowed: 'an integer from 1 to 100000',
    description: 'Jobs the driver keeps in flight per scenario. Default: 2 × LAB_WORKERS for cpu scenarios, 64 for io.',
  }),
  LAB_WORKERS: option<number>({
    schema: integer(1, 256),
    default: DEFAULT_WORKERS,
    allowed: 'an integer from 1 to 256',
    description: `Size of the worker-thread and child-process pools (default: os.availableParallelism(), ${DEFAULT_WORKERS} here).`,
  }),
  LAB_IO_TASKS_PER_WORKER: option<number>({
    schema: integer(1, 10_000),
    default: DEFAULT_IO_TASKS_PER_WORKER,
    allowed: 'an integer from 1 to 10000',
    description: 'I/O jobs one worker thread or child process holds at once (each has its own event loop); CPU jobs run one per worker.',
  }),
  LAB_QUEUE_LIMIT: option<number>({
    schema: integer(0, 1_000_000),
    default: 1_000,
    allowed: 'an integer from 0 to 1000000',
    description: 'Jobs that may wait for a free slot per strategy; beyond it jobs are shed (503). Async never waits, so for async it bounds jobs in flight. 0: no queue (a job starts at once or is shed; async unbounded).',
  }),
  LAB_JOB_TIMEOUT_MS: option<number>({
    schema: integer(1, 3_600_000),
    default: 30_000,
    allowed: 'an integer number of milliseconds from 1 to 3600000',
    description: 'A job not done this long after its submission (the timer starts at submission: queueing counts) is stopped with outcome timeout.',
  }),
  LAB_DRIVER: option<boolean>({
    schema: z.enum(['on', 'off']).transform((value) => value === 'on'),
    default: true,
    allowed: 'on or off',
    description: 'off runs the API only (for clean k6 experiments).',
  }),
  LAB_HOST: option<string>({
    schema: z.string().trim().min(1),
    default: '127.0.0.1',
    allowed: 'a host name or IP address to listen on',
    description: 'Address of the API and /metrics (compose sets 0.0.0.0).',
  }),
  LAB_PORT: option<number>({
    schema: integer(0, 65_535),
    default: 8080,
    allowed: 'an integer from 0 to 65535 (0 picks a free port)',
    description: 'Port of the API and /metrics.',
  }),
  LAB_MAX_CONNECTIONS: option<number>({
    schema: integer(1, 1_000_000),
    default: 4096,
    allowed: 'an integer from 1 to 1000000',
    description: 'Open connections the API accepts at once; more are closed as they arrive.',
  }),
  LAB_UPSTREAM_URL: option<string | undefined>({
    schema: z.url({ protocol: /^https?$/ }),
    default: undefined,
    allowed: 'an http:// or https:// URL',
    description: 'Upstream of the http scenario. Unset: the daemon starts the embedded upstream as a separate process.',
  }),
  LAB_GRAFANA_URL: option<string | undefined>({
    schema: z.url({ protocol: /^https?$/ }),
    default: undefined,
    allowed: 'an http:// or https:// URL',
    description: "Grafana's address (e.g. http://127.0.0.1:3000): when set, the live page at / links to its dashboards.",
  }),
  LAB_UPSTREAM_DELAY_MS: option<number>({
    schema: integer(0, 60_000),
    default: 50,
    allowed: 'an integer number of milliseconds from 0 to 60000',
    description: 'Mean response delay of the embedded upstream.',
  }),
  LAB_UPSTREAM_JITTER_MS: option<number>({
    schema: integer(0, 60_000),
    default: 10,
    allowed: 'an integer number of milliseconds from 0 to 60000',
    description: 'Each embedded-upstream response waits delay ± up to this much.',
  }),
  LAB_SHUTDOWN_GRACE_MS: option<number>({
    schema: integer(0, 600_000),
    default: 10_000,
    allowed: 'an integer number of milliseconds from 0 to 600000',
    description: 'On SIGTERM/SIGINT, time in-flight jobs get to finish before they are cancelled.',
  }),
  LAB_SIZES: option<Partial<Record<ScenarioName, number>>>({
    schema: z
      .string()
      .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''))
      .pipe(z.array(z.string().regex(/^[a-z][a-z0-9_]*=\d+$/)))
      .transform((items) => Object.fromEntries(items.map((item) => item.split('=')).map(([name, size]) => [name, Number(size)])))
      .pipe(z.record(z.string().refine(isScenarioName), z.number())),
    default: {},
    allowed: 'comma-separated scenario=size pairs within each scenario\'s bounds, e.g. matrix=120,thumbnail=800',
    description: "Job size per scenario for the driver (default: each scenario's default size; see GET /api/v1/scenarios).",
  }),
  LAB_FAULTS: option<FaultPresetName>({
    schema: z.enum(FAULT_PRESET_NAMES as [FaultPresetName, ...FaultPresetName[]]),
    default: 'none',
    allowed: `one of ${FAULT_PRESET_NAMES.join(', ')} (resets and upstream-down need LAB_TOXIPROXY_URL; slow-tail and flaky the embedded upstream)`,
    description: 'Fault preset active at start; GET/PUT/DELETE /api/v1/faults shows and changes the faults at runtime.',
  }),
  LAB_UPSTREAM_ERROR_RATE: option<number | undefined>({
    schema: share,
    default: undefined,
    allowed: 'a number from 0 to 1',
    description: "Fault at start: share of the embedded upstream's responses answered 500 (default: LAB_FAULTS' value, 0 for none).",
  }),
  LAB_UPSTREAM_SLOW_RATE: option<number | undefined>({
    schema: share,
    default: undefined,
    allowed: 'a number from 0 to 1',
    description: "Fault at start: share of the embedded upstream's responses LAB_UPSTREAM_SLOW_FACTOR times slower, the slow tail (default: LAB_FAULTS' value).",
  }),
  LAB_UPSTREAM_SLOW_FACTOR: option<number | undefined>({
    schema: z.string().trim().regex(/^\d+(\.\d+)?$/).transform(Number).pipe(z.number().min(10).max(100)),
    default: undefined,
    allowed: 'a number from 10 to 100',
    description: "How much slower a slow-tail response is (default: LAB_FAULTS' value, 20).",
  }),
  LAB_UPSTREAM_STALL: option<boolean | undefined>({
    schema: z.enum(['on', 'off']).transform((value) => value === 'on'),
    default: undefined,
    allowed: 'on or off',
    description: 'Fault at start: on holds every embedded-upstream response (a hard stall) until switched off through the fault API.',
  }),
  LAB_TOXIPROXY_URL: option<string | undefined>({
    schema: z.url({ protocol: /^https?$/ }),
    default: undefined,
    allowed: 'an http:// or https:// URL of the Toxiproxy API, e.g. http://127.0.0.1:8474',
    description: 'When set, the daemon creates a Toxiproxy proxy in front of the upstream, the http scenario goes through it, and network faults are available.',
  }),
  LAB_TOXIPROXY_LISTEN: option<string>({
    schema: z.string().trim().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/),
    default: '127.0.0.1:0',
    allowed: 'host:port where the Toxiproxy server listens for the proxy (port 0: Toxiproxy picks one)',
    description: "Listen address of the daemon's proxy inside Toxiproxy; the http scenario connects to the API URL's host on the port Toxiproxy reports.",
  }),
  LAB_UPSTREAM_RETRIES: option<number>({
    schema: HTTP_POLICY_SCHEMAS.retries,
    default: 0,
    allowed: 'an integer from 0 to 10',
    description: 'Client policy of the http scenario: retries of a failed call (5xx, connection failure, per-call timeout), exponential backoff from 50 ms with jitter, at most 2 s. 0: none.',
  }),
  LAB_UPSTREAM_BREAKER: option<number | undefined>({
    schema: HTTP_POLICY_SCHEMAS.breaker,
    default: undefined,
    allowed: 'off or an integer from 1 to 1000 (consecutive failures that open the circuit)',
    description: 'Client policy of the http scenario: a circuit breaker per thread or process; while open, jobs fail at once with LAB_ERR_UPSTREAM_CIRCUIT_OPEN.',
  }),
  LAB_UPSTREAM_BREAKER_HALF_OPEN_MS: option<number>({
    schema: HTTP_POLICY_SCHEMAS.halfOpenMs,
    default: 5_000,
    allowed: 'an integer number of milliseconds from 1 to 600000',
    description: 'How long an open circuit waits before it lets one trial call through.',
  }),
  LAB_UPSTREAM_TIMEOUT_MS: option<number | undefined>({
    schema: HTTP_POLICY_SCHEMAS.callTimeoutMs,
    default: undefined,
    allowed: 'an integer number of milliseconds from 1 to 600000',
    description: "Client policy of the http scenario: one call (attempt) taking longer is abandoned. Unset: only undici's 10 s headers and body timeouts.",
  }),
  LAB_CHAOS_KILL_INTERVAL_MS: option<number>({
    schema: integer(0, 86_400_000).refine((value) => value === 0 || value >= 100),
    default: 0,
    allowed: 'an integer number of milliseconds: 0 (off) or from 100 to 86400000',
    description: 'Worker chaos: kill one worker of the active pool this often (SIGKILL for a child process, terminate() for a thread). 0: off.',
  }),
} as const;

export type EnvSchema = typeof ENV_SCHEMA;
export type EnvName = keyof EnvSchema;
