// The checks of test/k8s/build.test.ts can fail: each built object, spoilt the way a hand edit
// could spoil it, is refused by the schema or model that checks it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findObject, type K8sObject, kustomizeBuild } from './support/kustomize.ts';
import { validateObject } from './support/validate-object.ts';

/** One object of a build, changed by `spoil`; its problems must match `expected`. */
async function assertRefused(dir: string, kind: string, name: string, spoil: (object: any) => void, expected: RegExp): Promise<void> {
  const object = findObject(await kustomizeBuild(dir), kind, name);
  assert.deepEqual(await validateObject(object), [], `${kind}/${name} as built is valid`);
  spoil(object);
  const problems = await validateObject(object);
  assert.ok(problems.some((problem) => expected.test(problem)), `expected a problem matching ${expected}, got: ${JSON.stringify(problems)}`);
}

describe('deploy/k8s/schemas and kubernetes-models refuse broken objects', () => {
  const load = 'overlays/cluster/load';
  const lab = 'overlays/cluster';

  it('TestRun: a misspelt field', () => assertRefused(load, 'TestRun', 'compare', (testRun) => (testRun.spec.parallelizm = 4), /parallelizm/));
  it('TestRun: parallelism that is no count', () => assertRefused(load, 'TestRun', 'compare', (testRun) => (testRun.spec.parallelism = '4'), /parallelism must be integer/));
  it('TestRun: a script path in a ConfigMap (keys are flat)', () =>
    assertRefused(load, 'TestRun', 'compare', (testRun) => (testRun.spec.script.configMap.file = 'lib/catalog.ts'), /configMap\/file must match pattern/));
  it('TestRun: two script sources', () => assertRefused(load, 'TestRun', 'compare', (testRun) => (testRun.spec.script.localFile = '/test.js'), /script must NOT have more than 1 properties/));
  it('TestRun: runner resources Kubernetes cannot parse (kubernetes-models)', () =>
    assertRefused(load, 'TestRun', 'compare', (testRun) => (testRun.spec.runner.resources.limits.cpu = 'lots'), /\/spec\/runner\/resources\/limits\/cpu .*IoK8sApiCoreV1ResourceRequirements/));
  it('TestRun: a runner env var without a name (kubernetes-models)', () =>
    assertRefused(load, 'TestRun', 'compare', (testRun) => testRun.spec.runner.env.push({ value: 'x' }), /\/spec\/runner\/env\/\d+ required {"missingProperty":"name"} \(IoK8sApiCoreV1EnvVar\)/));

  it('PodMonitor: a misspelt endpoints list', () =>
    assertRefused(lab, 'PodMonitor', 'lab', (monitor) => (monitor.spec.podMetricEndpoints = monitor.spec.podMetricsEndpoints), /podMetricEndpoints/));
  it('PodMonitor: an interval Prometheus cannot parse', () =>
    assertRefused(lab, 'PodMonitor', 'lab', (monitor) => (monitor.spec.podMetricsEndpoints[0].interval = '5 seconds'), /interval must match pattern/));

  it('PrometheusRule: a rule that both records and alerts', () =>
    assertRefused(lab, 'PrometheusRule', 'concurrency-lab', (rule) => (rule.spec.groups[0].rules[0].record = 'lab:x'), /must match exactly one schema in oneOf/));
  it('PrometheusRule: a recording rule with a for clause', () =>
    assertRefused(lab, 'PrometheusRule', 'concurrency-lab', (rule) => (rule.spec.groups.find((group: { name: string }) => group.name === 'lab.recording').rules[0].for = '1m'), /must NOT be valid/));

  it('Deployment: a memory limit Kubernetes cannot parse (kubernetes-models)', () =>
    assertRefused(lab, 'Deployment', 'lab', (deployment) => (deployment.spec.template.spec.containers[0].resources.limits.memory = 'two gigs'), /limits\/memory/));
  it('PodDisruptionBudget: minAvailable of the wrong type (kubernetes-models)', () =>
    assertRefused(lab, 'PodDisruptionBudget', 'lab', (budget) => (budget.spec.minAvailable = { one: 1 }), /minAvailable/));

  it('an object of a kind nothing here checks', async () => {
    const widget: K8sObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    assert.match((await validateObject(widget)).join('\n'), /neither a kubernetes-models kind nor one of deploy\/k8s\/schemas/);
  });
});
