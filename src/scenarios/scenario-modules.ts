import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { LabError } from '../errors.ts';
import { isScenarioName, registerScenarios, SCENARIOS } from './catalog.ts';
import type { Scenario } from './scenario.ts';

/** At most this many scenario modules, so the `scenario` label of every metric stays bounded (5 built-ins + 8). */
export const MAX_SCENARIO_MODULES = 8;
/** A module whose import has not settled after this long fails the start (a top-level await that never resolves). */
export const SCENARIO_MODULE_IMPORT_TIMEOUT_MS = 10_000;
/**
 * The variable that carries the modules to every worker thread and child process: the main
 * thread sets it to the absolute paths it loaded, and the workers inherit the environment.
 */
export const SCENARIO_MODULES_VARIABLE = 'LAB_SCENARIO_MODULES';

/** A scenario name: short, lower case, usable as a Prometheus label value and in LAB_SIZES. */
export const SCENARIO_NAME_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

const integer = z.number().refine(Number.isSafeInteger, 'must be a safe integer');

const ScenarioExportSchema = z.looseObject({
  name: z.string().regex(SCENARIO_NAME_PATTERN, `must match ${SCENARIO_NAME_PATTERN} (lower case letters, digits, _; at most 32)`),
  kind: z.enum(['cpu', 'io']),
  description: z.string().trim().min(1, 'must say what the scenario does'),
  size: z
    .object({ min: integer, max: integer, default: integer, unit: z.string().trim().min(1, 'must name what the size counts') })
    .refine((size) => size.min <= size.max, { message: 'min must not be above max', path: ['min'] })
    .refine((size) => size.default >= size.min && size.default <= size.max, { message: 'default must lie within min..max', path: ['default'] }),
  run: z.custom<Scenario['run']>((value) => typeof value === 'function', 'must be a function run(size, context) that returns a promise'),
});

/** Splits LAB_SCENARIO_MODULES (a comma-separated list of paths); blank is none. */
export function scenarioModulePaths(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function invalid(path: string, problem: string): LabError {
  return new LabError('LAB_ERR_SCENARIO_MODULE_INVALID', `scenario module ${path}: ${problem}`, { details: { module: path, problem } });
}

async function importWithTimeout(path: string, url: string, timeoutMs: number): Promise<Record<string, unknown>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(invalid(path, `its import did not finish within ${timeoutMs} ms (a top-level await that never settles?)`)), timeoutMs);
  });
  try {
    return (await Promise.race([import(url), timeout])) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof LabError && error.code === 'LAB_ERR_SCENARIO_MODULE_INVALID') throw error;
    throw invalid(path, `importing it threw: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

function scenarioOf(path: string, namespace: Record<string, unknown>): Scenario {
  const exported = namespace.default ?? namespace.scenario;
  if (exported === undefined) throw invalid(path, 'exports no scenario: `export default` (or `export const scenario =`) an object with name, kind, description, size and run');
  const parsed = ScenarioExportSchema.safeParse(exported);
  if (!parsed.success) {
    throw invalid(path, `its export is not a scenario: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'export'}: ${issue.message}`).join('; ')}`);
  }
  return exported as Scenario;
}

/** Modules already registered in this thread or process, by absolute path. */
const loaded = new Set<string>();

/**
 * Imports each named module once (a path already loaded in this thread is skipped), checks
 * its export, and registers its scenario. Everything is checked before anything is
 * registered: a bad module, a name a built-in or another module has, too many modules, a
 * module that throws or whose import does not settle within the timeout fail with
 * LAB_ERR_SCENARIO_MODULE_INVALID naming the module and the problem. Afterwards
 * LAB_SCENARIO_MODULES holds every loaded absolute path, for the workers started later.
 * Nothing is imported that is not named here.
 */
export async function registerScenarioModules(paths: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<readonly string[]> {
  const cwd = options.cwd ?? process.cwd();
  const timeoutMs = options.timeoutMs ?? SCENARIO_MODULE_IMPORT_TIMEOUT_MS;
  const absolute = paths.map((path) => resolve(cwd, path));
  const fresh = [...new Set(absolute)].filter((path) => !loaded.has(path));
  if (loaded.size + fresh.length > MAX_SCENARIO_MODULES) {
    throw new LabError('LAB_ERR_SCENARIO_MODULE_INVALID', `at most ${MAX_SCENARIO_MODULES} scenario modules (the scenario label of the metrics stays bounded); got ${loaded.size + fresh.length}`, {
      details: { problem: 'too many modules', max: MAX_SCENARIO_MODULES },
    });
  }
  const scenarios: Scenario[] = [];
  const owners = new Map<string, string>();
  for (const path of fresh) {
    if (!existsSync(path) || !statSync(path).isFile()) throw invalid(path, 'no such file');
    const scenario = scenarioOf(path, await importWithTimeout(path, pathToFileURL(path).href, timeoutMs));
    if (Object.hasOwn(SCENARIOS, scenario.name)) throw invalid(path, `its scenario is named "${scenario.name}", the name of a built-in scenario; pick another name`);
    if (isScenarioName(scenario.name) || owners.has(scenario.name)) throw invalid(path, `its scenario is named "${scenario.name}", as is the scenario of ${owners.get(scenario.name) ?? 'a module loaded before'}`);
    owners.set(scenario.name, path);
    scenarios.push(scenario);
  }
  registerScenarios(scenarios);
  for (const path of fresh) loaded.add(path);
  if (loaded.size > 0) process.env[SCENARIO_MODULES_VARIABLE] = [...loaded].join(',');
  return [...loaded];
}

/** In a worker thread or child process: registers the modules the main thread loaded (LAB_SCENARIO_MODULES, absolute paths). */
export function registerScenarioModulesFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<readonly string[]> {
  return registerScenarioModules(scenarioModulePaths(env[SCENARIO_MODULES_VARIABLE]));
}
