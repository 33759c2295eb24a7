// Writes the generated parts of deploy/k8s/ (run after changing prometheus/rules/ or loadtests/):
//
//   npm run k8s        (node deploy/k8s/generate.ts)
//
//   base/monitoring/prometheus-rule.yaml   the PrometheusRule, from prometheus/rules/*.yml
//   k6/scripts/<script>.js                 each loadtests/<script>.ts bundled with its lib/ helpers
//
// Both are committed, so `kubectl apply -k` needs nothing but kubectl; test/k8s/generated.test.ts
// fails when they differ from what this generates. The dashboards need no generator: kustomize
// builds their ConfigMaps from grafana/dashboards/ itself (grafana/dashboards/kustomization.yaml).
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { bundleK6Scripts } from './src/k6-scripts.ts';
import { K6_SCRIPTS_DIR, PROMETHEUS_RULE_FILE, ROOT } from './src/paths.ts';
import { prometheusRuleYaml } from './src/prometheus-rule.ts';

if (import.meta.main) {
  await writeFile(PROMETHEUS_RULE_FILE, await prometheusRuleYaml());
  process.stdout.write(`wrote ${relative(ROOT, PROMETHEUS_RULE_FILE)}\n`);

  await mkdir(K6_SCRIPTS_DIR, { recursive: true });
  const bundles = await bundleK6Scripts();
  for (const name of await readdir(K6_SCRIPTS_DIR)) {
    if (name.endsWith('.js') && !bundles.has(name)) await rm(join(K6_SCRIPTS_DIR, name));
  }
  for (const [name, text] of bundles) {
    await writeFile(join(K6_SCRIPTS_DIR, name), text);
    process.stdout.write(`wrote ${relative(ROOT, join(K6_SCRIPTS_DIR, name))}\n`);
  }
}
