// What deploy/k8s/ carries from elsewhere in the repository is the same thing, not a copy that
// drifts: the PrometheusRule holds exactly prometheus/rules/*.yml (and those rules pass promtool
// and the project's rule unit tests as they come out of the build), the dashboard ConfigMaps
// hold exactly grafana/dashboards/*.json, and the k6 script ConfigMap holds loadtests/*.ts
// bundled by the generator (`npm run k8s`), runnable by a real k6.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { bundleK6Scripts } from '../../deploy/k8s/src/k6-scripts.ts';
import { K6_SCRIPTS_DIR, PROMETHEUS_RULE_FILE, ROOT } from '../../deploy/k8s/src/paths.ts';
import { prometheusRuleYaml, ruleGroupsFromFiles } from '../../deploy/k8s/src/prometheus-rule.ts';
import { resolveTool } from '../support/tools.ts';
import { findObject, type K8sObject, kustomizeBuild } from './support/kustomize.ts';

const OVERLAYS = ['overlays/local', 'overlays/cluster'];
const LOADS = ['overlays/local/load', 'overlays/cluster/load', 'k6/compare', 'k6/smoke', 'k6/stress', 'k6/soak'];
const regenerate = 'regenerate with `npm run k8s`';
const run = promisify(execFile);

async function tool(name: 'promtool', args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(resolveTool(name), args, { cwd, timeout: 60_000 });
    return stdout + stderr;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    assert.fail(`${name} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? (error as Error).message}`);
  }
}

function configMapData(object: K8sObject): Record<string, string> {
  return (object.data ?? {}) as Record<string, string>;
}

describe('deploy/k8s: generated parts equal their sources', () => {
  let scratch = '';
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'lab-k8s-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it(`base/monitoring/prometheus-rule.yaml is what prometheus/rules/ generates (${regenerate})`, async () => {
    assert.equal(await readFile(PROMETHEUS_RULE_FILE, 'utf8'), await prometheusRuleYaml());
  });

  it(`k6/scripts/ holds exactly the bundles of loadtests/*.ts (${regenerate})`, async () => {
    const bundles = await bundleK6Scripts();
    const committed = (await readdir(K6_SCRIPTS_DIR)).filter((name) => name.endsWith('.js')).toSorted();
    assert.deepEqual(committed, [...bundles.keys()].toSorted());
    for (const [name, text] of bundles) assert.equal(await readFile(join(K6_SCRIPTS_DIR, name), 'utf8'), text, `k6/scripts/${name} differs`);
  });

  for (const overlay of OVERLAYS) {
    it(`${overlay}: the PrometheusRule's groups equal prometheus/rules/*.yml`, async () => {
      const rule = findObject(await kustomizeBuild(overlay), 'PrometheusRule', 'concurrency-lab');
      assert.deepEqual((rule.spec as { groups: unknown }).groups, await ruleGroupsFromFiles());
    });

    it(`${overlay}: the PrometheusRule's rules pass promtool check rules and every prometheus/tests/ unit test`, async () => {
      const rule = findObject(await kustomizeBuild(overlay), 'PrometheusRule', 'concurrency-lab');
      const dir = join(scratch, overlay.replaceAll('/', '-'));
      await rm(dir, { recursive: true, force: true });
      await mkdirp(dir);
      const rulesFile = join(dir, 'prometheus-rule-groups.yml');
      await writeFile(rulesFile, stringify({ groups: (rule.spec as { groups: unknown }).groups }));
      assert.match(await tool('promtool', ['check', 'rules', rulesFile], dir), /SUCCESS/);
      // The project's rule tests, each pointed at the groups as the cluster's Prometheus gets them.
      const testsDir = join(ROOT, 'prometheus', 'tests');
      const tests = (await readdir(testsDir)).filter((name) => name.endsWith('.yml')).toSorted();
      assert.ok(tests.length >= 3, `prometheus/tests has the rule tests: ${tests.join(', ')}`);
      for (const test of tests) {
        const unitTest = parse(await readFile(join(testsDir, test), 'utf8')) as { rule_files: string[] };
        await writeFile(join(dir, test), stringify({ ...unitTest, rule_files: [rulesFile] }));
      }
      const output = await tool('promtool', ['test', 'rules', ...tests], dir);
      assert.doesNotMatch(output, /FAILED/);
    });

    it(`${overlay}: a dashboard ConfigMap per grafana/dashboards/*.json, labelled for the Grafana sidecar, holding the file as it is`, async () => {
      const dashboardsDir = join(ROOT, 'grafana', 'dashboards');
      const files = (await readdir(dashboardsDir)).filter((name) => name.endsWith('.json')).toSorted();
      const configMaps = (await kustomizeBuild(overlay)).filter((object) => object.kind === 'ConfigMap' && object.metadata.labels?.grafana_dashboard === '1');
      const carried = configMaps.flatMap((configMap) => Object.keys(configMapData(configMap))).toSorted();
      assert.deepEqual(carried, files, 'dashboard files in ConfigMaps (grafana/dashboards/kustomization.yaml lists each)');
      for (const configMap of configMaps) {
        for (const [file, text] of Object.entries(configMapData(configMap))) {
          assert.equal(text, await readFile(join(dashboardsDir, file), 'utf8'), `${configMap.metadata.name}: ${file}`);
          assert.equal((JSON.parse(text) as { uid?: unknown }).uid !== undefined, true, `${file} has a uid`);
        }
      }
    });
  }

  for (const load of LOADS) {
    it(`${load}: the TestRun's script is a key of the ConfigMap built with it, equal to its bundle`, async () => {
      const objects = await kustomizeBuild(load);
      const testRuns = objects.filter((object) => object.kind === 'TestRun');
      assert.equal(testRuns.length, 1, 'one TestRun');
      const { name, file } = (testRuns[0]!.spec as { script: { configMap: { name: string; file: string } } }).script.configMap;
      const scripts = configMapData(findObject(objects, 'ConfigMap', name));
      assert.ok(file in scripts, `${file} in ConfigMap ${name} (${Object.keys(scripts).join(', ')})`);
      assert.equal(scripts[file], await readFile(join(K6_SCRIPTS_DIR, file), 'utf8'));
    });
  }

  it('each bundle is one ES module that imports nothing but k6 modules (the operator mounts it alone at /test)', async () => {
    const dir = join(scratch, 'syntax');
    await mkdirp(dir);
    for (const [name, text] of await bundleK6Scripts()) {
      // Node parses it as a module without resolving its imports (k6's exist only in k6).
      const file = join(dir, name.replace(/\.js$/, '.mjs'));
      await writeFile(file, text);
      await run(process.execPath, ['--check', file], { timeout: 30_000 });
      const specifiers = [...text.matchAll(/^\s*import\s[^;]*?from\s*"([^"]+)"/gm)].map((match) => match[1]!);
      assert.ok(specifiers.length > 0, `${name} imports k6 modules`);
      assert.deepEqual(specifiers.filter((specifier) => !/^k6(\/|$)/.test(specifier)), [], `${name}: imports other than k6's`);
      assert.doesNotMatch(text, /\brequire\(/, `${name}: no require()`);
    }
  });
});

async function mkdirp(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}
