// Every kustomization under deploy/k8s/ builds with the real kubectl kustomize (no cluster
// needed), and every object it builds validates: core kinds against kubernetes-models (the
// Kubernetes OpenAPI schemas), PodMonitor, PrometheusRule and TestRun against
// deploy/k8s/schemas/. An object of a kind neither knows fails too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kustomizationDirs, kustomizeBuild } from './support/kustomize.ts';
import { validateObject } from './support/validate-object.ts';

const dirs = await kustomizationDirs();

describe('deploy/k8s: every kustomization builds and validates', () => {
  it('has the base, both overlays, their load tests and a TestRun per load script', () => {
    for (const dir of ['base', 'overlays/local', 'overlays/cluster', 'overlays/local/load', 'overlays/cluster/load', 'k6/compare', 'k6/smoke', 'k6/stress', 'k6/soak']) {
      assert.ok(dirs.includes(dir), `deploy/k8s/${dir} is a kustomization (found ${dirs.join(', ')})`);
    }
  });

  for (const dir of dirs) {
    it(`kubectl kustomize deploy/k8s/${dir}`, async () => {
      const objects = await kustomizeBuild(dir);
      assert.ok(objects.length > 0, 'builds something');
      const problems = (await Promise.all(objects.map(validateObject))).flat();
      assert.deepEqual(problems, []);
      // Client-side `kubectl apply` keeps the whole object in an annotation, and annotations may
      // hold 256 KiB in all: a bigger ConfigMap (a dashboard, the scripts) would not apply.
      for (const object of objects) {
        const bytes = Buffer.byteLength(JSON.stringify(object));
        assert.ok(bytes < 256 * 1024, `${object.kind}/${object.metadata.name} is ${bytes} bytes: too big for kubectl apply's last-applied annotation`);
      }
      const names = objects.map((object) => `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`);
      assert.equal(new Set(names).size, names.length, `no object twice: ${names.join(', ')}`);
    });
  }

  it('overlays put every namespaced object into the concurrency-lab namespace', async () => {
    for (const dir of dirs.filter((dir) => dir.startsWith('overlays/') || dir.startsWith('k6/'))) {
      for (const object of await kustomizeBuild(dir)) {
        if (object.kind === 'Namespace') continue;
        assert.equal(object.metadata.namespace, 'concurrency-lab', `${dir}: ${object.kind}/${object.metadata.name}`);
      }
    }
  });
});
