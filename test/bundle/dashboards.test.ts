// The dashboards are code (grafana/src/) and their JSON is committed (grafana/dashboards/), for
// Grafana's file provider. This fails when the two differ, and when a dashboard refers to a
// datasource that grafana/provisioning/ does not provision.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { DASHBOARDS_DIR, generateDashboards } from '../../grafana/src/generate.ts';
import { type DashboardJson, dashboardQueries, datasourceUids } from './dashboard-queries.ts';

const PROVISIONING = fileURLToPath(new URL('../../grafana/provisioning/', import.meta.url));

interface ProvisionedDatasource {
  uid: string;
  type: string;
  jsonData?: {
    exemplarTraceIdDestinations?: Array<{ name: string; datasourceUid: string }>;
    tracesToMetrics?: { datasourceUid: string; queries?: unknown[] };
  };
}

async function provisionedDatasources(): Promise<ProvisionedDatasource[]> {
  const folder = join(PROVISIONING, 'datasources');
  const files = (await readdir(folder)).filter((name) => /\.ya?ml$/.test(name));
  const lists = await Promise.all(files.map(async (file) => (parse(await readFile(join(folder, file), 'utf8')) as { datasources?: ProvisionedDatasource[] }).datasources ?? []));
  return lists.flat();
}

const generated = generateDashboards();
const regenerate = 'regenerate them: npm run dashboards';

describe('grafana/', () => {
  it('grafana/dashboards/ holds exactly what grafana/src/ generates', async () => {
    const committed = (await readdir(DASHBOARDS_DIR)).filter((name) => name.endsWith('.json')).toSorted();
    assert.deepEqual(committed, [...generated.keys()].toSorted(), `dashboard files (${regenerate})`);
    for (const [file, text] of generated) {
      assert.equal(await readFile(join(DASHBOARDS_DIR, file), 'utf8'), text, `grafana/dashboards/${file} differs from grafana/src (${regenerate})`);
    }
  });

  it('every datasource uid a dashboard uses is provisioned, with the type the dashboard expects', async () => {
    const provisioned = new Map((await provisionedDatasources()).map((datasource) => [datasource.uid, datasource.type]));
    assert.deepEqual([...provisioned.keys()].toSorted(), ['prometheus', 'tempo'], 'the uids of the design');
    for (const [file, text] of generated) {
      const dashboard = JSON.parse(text) as DashboardJson;
      const uids = datasourceUids(dashboard);
      assert.ok(uids.size > 0, `${file} uses datasources`);
      for (const uid of uids) assert.ok(provisioned.has(uid), `${file} uses datasource uid ${uid}, which is not provisioned`);
      for (const match of text.matchAll(/"datasource":\s*\{\s*"type":\s*"(\w+)",\s*"uid":\s*"(\w+)"/g)) {
        assert.equal(provisioned.get(match[2]!), match[1], `${file}: datasource ${match[2]} has type ${match[1]}`);
      }
    }
  });

  it("links Prometheus exemplars to Tempo traces and Tempo traces back to the metrics", async () => {
    const datasources = await provisionedDatasources();
    const prometheus = datasources.find((datasource) => datasource.uid === 'prometheus');
    const tempo = datasources.find((datasource) => datasource.uid === 'tempo');
    // The daemon's exemplars carry the label trace_id.
    assert.ok(
      prometheus?.jsonData?.exemplarTraceIdDestinations?.some((destination) => destination.name === 'trace_id' && destination.datasourceUid === 'tempo'),
      'Prometheus: trace_id exemplars open in Tempo',
    );
    assert.equal(tempo?.jsonData?.tracesToMetrics?.datasourceUid, 'prometheus', 'Tempo: traces to metrics');
    assert.ok((tempo?.jsonData?.tracesToMetrics?.queries ?? []).length > 0, 'Tempo: trace-to-metrics queries');
  });

  it('"All" in a variable matches every value it offers, never a series without its label', () => {
    for (const [file, text] of generated) {
      const dashboard = JSON.parse(text) as { templating?: { list?: Array<{ name: string; includeAll?: boolean; allValue?: string }> } };
      for (const variable of dashboard.templating?.list ?? []) {
        if (variable.includeAll !== true) continue;
        // Prometheus anchors label regexes: a value that matches "" also matches series without the label.
        const all = new RegExp(`^(?:${variable.allValue ?? '.*'})$`);
        assert.ok(!all.test(''), `${file}: $${variable.name}'s All (${variable.allValue}) matches an absent label`);
        assert.ok(all.test('threads'), `${file}: $${variable.name}'s All matches a value`);
      }
    }
  });

  it('the comparison dashboard has scenario and strategy variables and exemplars on its latency panel', () => {
    const dashboard = JSON.parse(generated.get('strategy-comparison.json')!) as DashboardJson;
    const variables = (dashboard.templating?.list ?? []).map((variable) => variable.name);
    assert.deepEqual(variables, ['scenario', 'strategy']);
    const latency = dashboardQueries(dashboard).filter((query) => query.expr.includes('lab_job_duration_seconds_bucket') && query.kind === 'range');
    assert.ok(latency.some((query) => query.exemplar), 'a latency query asks for exemplars');
  });
});
