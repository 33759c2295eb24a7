import { registerScenarioModules } from '../scenarios/scenario-modules.ts';
import { ENV_SCHEMA } from './env-schema.ts';

/**
 * The daemon's first step, before loadConfig: imports, checks and registers the modules of
 * LAB_SCENARIO_MODULES, so LAB_SCENARIOS and LAB_SIZES can name their scenarios. A malformed
 * value is left to loadConfig, which reports it with every other bad variable.
 */
export async function loadScenarioModules(env: NodeJS.ProcessEnv = process.env): Promise<readonly string[]> {
  const raw = env.LAB_SCENARIO_MODULES;
  if (raw === undefined || raw.trim() === '') return [];
  const parsed = ENV_SCHEMA.LAB_SCENARIO_MODULES.schema.safeParse(raw);
  return parsed.success ? registerScenarioModules(parsed.data) : [];
}
