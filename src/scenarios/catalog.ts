import { LabError } from '../errors.ts';
import { array } from './array.ts';
import { http } from './http.ts';
import { matrix } from './matrix.ts';
import { noop } from './noop.ts';
import type { Scenario } from './scenario.ts';
import { thumbnail } from './thumbnail.ts';

/** Every built-in scenario by name. Worker entry files import this too, so it stays free of telemetry. */
export const SCENARIOS = { thumbnail, matrix, array, http, noop } as const satisfies Record<string, Scenario>;

export type BuiltInScenarioName = keyof typeof SCENARIOS;

/** A scenario's name: a built-in one, or one a scenario module brought (LAB_SCENARIO_MODULES, --scenario-module). */
export type ScenarioName = string;

export const BUILT_IN_SCENARIO_NAMES = Object.keys(SCENARIOS) as BuiltInScenarioName[];

/**
 * The registry: the built-ins, then the scenarios of the named modules, registered once at
 * start (src/scenarios/scenario-modules.ts) in the main thread and in every worker.
 */
const registry = new Map<ScenarioName, Scenario>(Object.entries(SCENARIOS));
const custom: ScenarioName[] = [];

/** Adds the scenarios of loaded modules; a name already known is a programmer error here (the loader checks first). */
export function registerScenarios(scenarios: readonly Scenario[]): void {
  for (const scenario of scenarios) {
    if (registry.has(scenario.name)) throw new LabError('LAB_ERR_SCENARIO_MODULE_INVALID', `scenario "${scenario.name}" is already registered`);
  }
  for (const scenario of scenarios) {
    registry.set(scenario.name, scenario);
    custom.push(scenario.name);
  }
}

/** Every scenario name, built-ins first, then the custom ones in the order their modules were named. */
export function scenarioNames(): ScenarioName[] {
  return [...registry.keys()];
}

/** The names the scenario modules brought. */
export function customScenarioNames(): readonly ScenarioName[] {
  return custom;
}

export function listScenarios(): Scenario[] {
  return [...registry.values()];
}

export function isScenarioName(value: string): value is ScenarioName {
  return registry.has(value);
}

export function getScenario(name: string): Scenario {
  const scenario = registry.get(name);
  if (scenario === undefined) {
    throw new LabError('LAB_ERR_SCENARIO_UNKNOWN', `unknown scenario "${name}"; known: ${scenarioNames().join(', ')}`);
  }
  return scenario;
}

/** A size from user input (string or number), or the scenario's default; out of bounds → LAB_ERR_PARAM_INVALID. */
export function parseSize(scenario: Scenario, raw: string | number | undefined): number {
  if (raw === undefined || raw === '') return scenario.size.default;
  const size = typeof raw === 'number' ? raw : /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  const { min, max, unit } = scenario.size;
  if (!Number.isSafeInteger(size) || size < min || size > max) {
    throw new LabError('LAB_ERR_PARAM_INVALID', `size for ${scenario.name} must be an integer from ${min} to ${max} (${unit}); got "${raw}"`, {
      details: { parameter: 'size', value: raw, min, max },
    });
  }
  return size;
}
