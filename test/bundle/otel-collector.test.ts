// otel-collector/config.yaml, checked by a real Collector: otelcol-lab, built by
// scripts/install-tools.sh from tools/otelcol/builder-config.yaml at the version of the compose
// service's image, with the components this config uses. `validate` builds every component and
// pipeline from the config without starting them (so tempo:4317 need not resolve here).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { resolveTool } from '../support/tools.ts';

const CONFIG = fileURLToPath(new URL('../../otel-collector/config.yaml', import.meta.url));

interface CollectorConfig {
  processors?: Record<string, unknown>;
  service: { pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }> };
}

describe('otel-collector/config.yaml', () => {
  it('validates with the real collector binary (otelcol-lab validate)', async () => {
    try {
      await promisify(execFile)(resolveTool('otelcol-lab'), ['validate', `--config=${CONFIG}`], { timeout: 60_000 });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      assert.fail(`otelcol-lab validate failed:\n${stdout ?? ''}${stderr ?? ''}`);
    }
  });

  it('takes OTLP in, limits memory first and batches, and sends traces to Tempo', async () => {
    const config = parse(await readFile(CONFIG, 'utf8')) as CollectorConfig;
    const traces = config.service.pipelines.traces;
    assert.ok(traces !== undefined, 'a traces pipeline');
    assert.deepEqual(traces.receivers, ['otlp']);
    // memory_limiter must come first to refuse data before anything else holds it.
    assert.deepEqual(traces.processors, ['memory_limiter', 'batch']);
    assert.ok(traces.exporters.some((name) => name.endsWith('/tempo')), `an exporter to Tempo: ${traces.exporters.join(', ')}`);
  });
});
