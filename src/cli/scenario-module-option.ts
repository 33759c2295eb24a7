import { InvalidArgumentError } from 'commander';
import { LabError } from '../errors.ts';
import { MAX_SCENARIO_MODULES, registerScenarioModules } from '../scenarios/scenario-modules.ts';

/** `--scenario-module <path>` (run, compare): repeatable; each path is one module exporting a Scenario. */
export const SCENARIO_MODULE_FLAGS = '--scenario-module <path>';
export const SCENARIO_MODULE_DESCRIPTION = `your own scenario module (a .ts or .js file exporting a Scenario); repeatable, at most ${MAX_SCENARIO_MODULES}`;

/** Commander's collector for a repeatable option. */
export function collectPaths(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

/** Loads the named modules (exit 2 with LAB_ERR_SCENARIO_MODULE_INVALID on a bad one); workers get them through the environment. */
export async function loadScenarioModuleOption(paths: readonly string[]): Promise<void> {
  if (paths.length > 0) await registerScenarioModules(paths);
}

/**
 * Parses an argument that names scenarios only once the modules are loaded (commander parses
 * arguments before the action runs), with commander's wording for a bad one: `prefix` is
 * "option '--scenarios <list>' argument" or "command-argument value".
 */
export function parseAfterModules<T>(prefix: string, raw: string, parse: (value: string) => T): T {
  try {
    return parse(raw);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw new LabError('LAB_ERR_ARGS_INVALID', `${prefix} '${raw}' is invalid. ${error.message}`);
  }
}
