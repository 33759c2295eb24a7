/**
 * What the package exports for users: the types a scenario module is written against
 * (`import type { Scenario } from 'concurrency-lab'`). The lab itself is run through its CLI.
 */
export type { Scenario, ScenarioContext, ScenarioKind, SizeBounds } from './scenarios/scenario.ts';
