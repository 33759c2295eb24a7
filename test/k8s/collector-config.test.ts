// deploy/k8s/base/collector/config.yaml, checked by a real Collector (otelcol-lab, the same
// version as the image the Deployment runs; `npm run tools` builds it). `validate` builds every
// component and pipeline without starting them, with the exporter endpoint the Deployment sets.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { K8S_DIR } from '../../deploy/k8s/src/paths.ts';
import { resolveTool } from '../support/tools.ts';
import { findObject, kustomizeBuild } from './support/kustomize.ts';

const CONFIG = join(K8S_DIR, 'base/collector/config.yaml');

describe('deploy/k8s/base/collector', () => {
  it('its config validates with the real collector binary (otelcol-lab validate)', async () => {
    const deployment = findObject(await kustomizeBuild('base'), 'Deployment', 'otel-collector') as unknown as {
      spec: { template: { spec: { containers: Array<{ env?: Array<{ name: string; value?: string }> }> } } };
    };
    const env = Object.fromEntries((deployment.spec.template.spec.containers[0]!.env ?? []).map((entry) => [entry.name, entry.value ?? '']));
    assert.ok(env.TRACES_OTLP_ENDPOINT, 'the Deployment sets TRACES_OTLP_ENDPOINT, which the config reads');
    try {
      await promisify(execFile)(resolveTool('otelcol-lab'), ['validate', `--config=${CONFIG}`], { timeout: 60_000, env: { ...process.env, ...env } });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      assert.fail(`otelcol-lab validate failed:\n${stdout ?? ''}${stderr ?? (error as Error).message}`);
    }
  });
});
