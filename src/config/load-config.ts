import type { Mix } from '../driver/cell.ts';
import { LabError } from '../errors.ts';
import { defaultConcurrency } from '../jobs/default-concurrency.ts';
import { customScenarioNames, getScenario, parseSize, scenarioNames, type ScenarioName } from '../scenarios/catalog.ts';
import type { StrategyName } from '../strategies/strategy.ts';
import { FAULT_PRESETS, type FaultPresetName } from '../faults/fault-presets.ts';
import { activeFaults, type FaultSet, UPSTREAM_FAULT_NAMES } from '../faults/fault-set.ts';
import { ENV_SCHEMA, type EnvName, type EnvSchema } from './env-schema.ts';

type Parsed = { -readonly [Name in EnvName]: EnvSchema[Name]['default'] };

/** The daemon's configuration after defaults and validation; frozen. */
export interface ResolvedConfig {
  readonly strategies: readonly StrategyName[];
  readonly scenarios: readonly ScenarioName[];
  /** LAB_SCENARIO_MODULES as given (the loader registered them before the config was read). */
  readonly scenarioModules: readonly string[];
  readonly rotateSeconds: number;
  readonly mix: Mix;
  /** Jobs in flight per scenario for the driver. */
  readonly concurrency: Readonly<Record<ScenarioName, number>>;
  readonly sizes: Readonly<Record<ScenarioName, number>>;
  readonly workers: number;
  /** I/O jobs one pool worker holds at once. */
  readonly ioTasksPerWorker: number;
  readonly queueLimit: number;
  readonly jobTimeoutMs: number;
  readonly driver: boolean;
  readonly host: string;
  readonly port: number;
  readonly maxConnections: number;
  readonly upstreamUrl: string | undefined;
  /** Grafana, for the live page's links; undefined when not configured. */
  readonly grafanaUrl: string | undefined;
  readonly upstreamDelayMs: number;
  readonly upstreamJitterMs: number;
  readonly shutdownGraceMs: number;
  /** LAB_FAULTS' preset, or undefined when LAB_UPSTREAM_* fault variables changed it. */
  readonly faultPreset: FaultPresetName | undefined;
  /** The faults active at start: LAB_FAULTS, with LAB_UPSTREAM_* fault variables over it. */
  readonly faults: FaultSet;
  readonly toxiproxyUrl: string | undefined;
  readonly toxiproxyListen: string;
  /** Worker chaos interval; 0 is off. */
  readonly chaosKillIntervalMs: number;
}

function describe(name: EnvName, raw: string): string {
  return `  ${name}=${JSON.stringify(raw)}: must be ${ENV_SCHEMA[name].allowed}`;
}

/**
 * Reads every LAB_* variable at once. A blank variable counts as unset. All problems are
 * reported together in one LAB_ERR_CONFIG_INVALID whose message names each variable, its
 * value and what is allowed.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const problems: string[] = [];
  const parsed = {} as Record<EnvName, unknown>;
  for (const name of Object.keys(ENV_SCHEMA) as EnvName[]) {
    const raw = env[name];
    const definition = ENV_SCHEMA[name];
    if (raw === undefined || raw.trim() === '') {
      parsed[name] = definition.default;
      continue;
    }
    const result = definition.schema.safeParse(raw);
    if (result.success) parsed[name] = result.data;
    else problems.push(describe(name, raw));
  }
  const values = parsed as Parsed;

  const sizes = {} as Record<ScenarioName, number>;
  const concurrency = {} as Record<ScenarioName, number>;
  if (!problems.some((line) => line.startsWith('  LAB_SIZES='))) {
    for (const name of scenarioNames()) {
      const scenario = getScenario(name);
      try {
        sizes[name] = parseSize(scenario, values.LAB_SIZES[name]);
      } catch (error) {
        problems.push(`  LAB_SIZES=${JSON.stringify(env.LAB_SIZES)}: ${(error as Error).message}`);
      }
      concurrency[name] = values.LAB_CONCURRENCY ?? defaultConcurrency(scenario.kind, values.LAB_WORKERS);
    }
  }

  // A bad LAB_FAULTS is already a problem; check the rest as if it were none.
  const preset = FAULT_PRESETS[values.LAB_FAULTS ?? 'none'];
  const overrides = {
    ...(values.LAB_UPSTREAM_ERROR_RATE === undefined ? {} : { errorRate: values.LAB_UPSTREAM_ERROR_RATE }),
    ...(values.LAB_UPSTREAM_SLOW_RATE === undefined ? {} : { slowRate: values.LAB_UPSTREAM_SLOW_RATE }),
    ...(values.LAB_UPSTREAM_SLOW_FACTOR === undefined ? {} : { slowFactor: values.LAB_UPSTREAM_SLOW_FACTOR }),
    ...(values.LAB_UPSTREAM_STALL === undefined ? {} : { stall: values.LAB_UPSTREAM_STALL }),
  };
  const faults: FaultSet = { upstream: Object.freeze({ ...preset.upstream, ...overrides }), network: preset.network };
  const active = activeFaults(faults);
  if (values.LAB_TOXIPROXY_URL === undefined && active.some((name) => !UPSTREAM_FAULT_NAMES.includes(name))) {
    problems.push(`  LAB_FAULTS=${JSON.stringify(values.LAB_FAULTS)}: network faults (${active.filter((name) => !UPSTREAM_FAULT_NAMES.includes(name)).join(', ')}) need Toxiproxy; set LAB_TOXIPROXY_URL`);
  }

  if (problems.length > 0) {
    throw new LabError('LAB_ERR_CONFIG_INVALID', `invalid configuration:\n${problems.join('\n')}`, { details: { problems } });
  }
  return Object.freeze({
    strategies: Object.freeze(values.LAB_STRATEGIES),
    // Unset: the default scenarios and every scenario a module brought.
    scenarios: Object.freeze(env.LAB_SCENARIOS === undefined || env.LAB_SCENARIOS.trim() === '' ? [...values.LAB_SCENARIOS, ...customScenarioNames()] : values.LAB_SCENARIOS),
    scenarioModules: Object.freeze(values.LAB_SCENARIO_MODULES),
    rotateSeconds: values.LAB_ROTATE_SECONDS,
    mix: values.LAB_MIX,
    concurrency: Object.freeze(concurrency),
    sizes: Object.freeze(sizes),
    workers: values.LAB_WORKERS,
    ioTasksPerWorker: values.LAB_IO_TASKS_PER_WORKER,
    queueLimit: values.LAB_QUEUE_LIMIT,
    jobTimeoutMs: values.LAB_JOB_TIMEOUT_MS,
    driver: values.LAB_DRIVER,
    host: values.LAB_HOST,
    port: values.LAB_PORT,
    maxConnections: values.LAB_MAX_CONNECTIONS,
    upstreamUrl: values.LAB_UPSTREAM_URL,
    grafanaUrl: values.LAB_GRAFANA_URL,
    upstreamDelayMs: values.LAB_UPSTREAM_DELAY_MS,
    upstreamJitterMs: values.LAB_UPSTREAM_JITTER_MS,
    shutdownGraceMs: values.LAB_SHUTDOWN_GRACE_MS,
    faultPreset: Object.keys(overrides).length === 0 ? values.LAB_FAULTS : undefined,
    faults: Object.freeze(faults),
    toxiproxyUrl: values.LAB_TOXIPROXY_URL,
    toxiproxyListen: values.LAB_TOXIPROXY_LISTEN,
    chaosKillIntervalMs: values.LAB_CHAOS_KILL_INTERVAL_MS,
  });
}
