import { LabError } from '../errors.ts';
import { array } from './array.ts';
import { http } from './http.ts';
import { matrix } from './matrix.ts';
import { noop } from './noop.ts';
import type { Scenario } from './scenario.ts';
import { thumbnail } from './thumbnail.ts';

/** Every scenario by name. Worker entry files import this too, so it stays free of telemetry. */
export const SCENARIOS = { thumbnail, matrix, array, http, noop } as const satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export function isScenarioName(value: string): value is ScenarioName {
  return Object.hasOwn(SCENARIOS, value);
}

export function getScenario(name: string): Scenario {
  if (!isScenarioName(name)) {
    throw new LabError('LAB_ERR_SCENARIO_UNKNOWN', `unknown scenario "${name}"; known: ${SCENARIO_NAMES.join(', ')}`);
  }
  return SCENARIOS[name];
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
