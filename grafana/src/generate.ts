// Writes the dashboards as JSON into grafana/dashboards/, where Grafana's file provider loads
// them. Run after changing anything in grafana/src/:
//
//   npm run dashboards        (node grafana/src/generate.ts)
//
// The JSON is committed; test/bundle/dashboards.test.ts fails when it differs from what this
// generates.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { k6Dashboard } from './k6.ts';
import { runtimeDashboard } from './runtime.ts';
import { strategyComparisonDashboard } from './strategy-comparison.ts';

export const DASHBOARDS_DIR = fileURLToPath(new URL('../dashboards/', import.meta.url));

/** Each dashboard's file name in grafana/dashboards/ (the home dashboard's is in docker-compose.yml). */
export const DASHBOARDS: ReadonlyArray<{ file: string; build: () => Dashboard }> = [
  { file: 'strategy-comparison.json', build: strategyComparisonDashboard },
  { file: 'runtime.json', build: runtimeDashboard },
  { file: 'k6.json', build: k6Dashboard },
];

/** File name -> the exact text the generator writes. */
export function generateDashboards(): Map<string, string> {
  return new Map(DASHBOARDS.map(({ file, build }) => [file, `${JSON.stringify(build(), null, 2)}\n`]));
}

if (import.meta.main) {
  await mkdir(DASHBOARDS_DIR, { recursive: true });
  for (const [file, text] of generateDashboards()) {
    await writeFile(join(DASHBOARDS_DIR, file), text);
    process.stdout.write(`wrote grafana/dashboards/${file}\n`);
  }
}
