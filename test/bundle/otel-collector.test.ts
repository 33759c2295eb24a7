// otel-collector/config.yaml, checked by a real Collector: otelcol-lab, built by
// scripts/install-tools.sh from tools/otelcol/builder-config.yaml at the version of the compose
// service's image, with the components this config uses. `validate` builds every component and
// pipeline from the config without starting them (so tempo:4317 need not resolve here). The
// healthcheck test runs this config for real, on loopback ports.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { freePort } from '../support/free-port.ts';
import { startProcess } from '../support/started-process.ts';
import { resolveTool } from '../support/tools.ts';
import { waitFor } from '../support/wait-for.ts';

const CONFIG = fileURLToPath(new URL('../../otel-collector/config.yaml', import.meta.url));
const COMPOSE = fileURLToPath(new URL('../../docker-compose.yml', import.meta.url));

interface CollectorConfig {
  extensions: { health_check: { endpoint: string; response_body?: { healthy?: string; unhealthy?: string } } };
  receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
  processors: { memory_limiter: { check_interval: string; limit_mib: number; spike_limit_mib: number } } & Record<string, unknown>;
  exporters: Record<string, { endpoint?: string }>;
  service: {
    pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
    telemetry: { metrics: { readers: Array<{ pull: { exporter: { prometheus: { host: string; port: number } } } }> } };
  };
}

interface ComposeCollector {
  mem_limit: string;
  environment: Record<string, string>;
  healthcheck: { test: string[] };
}

async function validate(configUri: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(resolveTool('otelcol-lab'), ['validate', `--config=${configUri}`], { timeout: 60_000 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout ?? ''}${stderr ?? ''}` };
  }
}

/** MiB in a Go memory size (GOMEMLIMIT: 128MiB, 1GiB) or a Compose one (256m, 1g). */
function mebibytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(KiB|MiB|GiB|k|m|g)$/.exec(text);
  assert.ok(match !== null, `a memory size: ${text}`);
  const unit = { KiB: 1 / 1024, k: 1 / 1024, MiB: 1, m: 1, GiB: 1024, g: 1024 }[match[2]!]!;
  return Number(match[1]) * unit;
}

const config = parse(await readFile(CONFIG, 'utf8')) as CollectorConfig;
const service = (parse(await readFile(COMPOSE, 'utf8')) as { services: Record<string, ComposeCollector> }).services['otel-collector']!;

describe('otel-collector/config.yaml', () => {
  it('validates with the real collector binary (otelcol-lab validate)', async () => {
    const { ok, output } = await validate(CONFIG);
    assert.ok(ok, `otelcol-lab validate failed:\n${output}`);
  });

  it('takes OTLP in, limits memory first and batches, and sends traces to Tempo', () => {
    const traces = config.service.pipelines.traces;
    assert.ok(traces !== undefined, 'a traces pipeline');
    assert.deepEqual(traces.receivers, ['otlp']);
    // memory_limiter must come first to refuse data before anything else holds it.
    assert.deepEqual(traces.processors, ['memory_limiter', 'batch']);
    assert.ok(traces.exporters.some((name) => name.endsWith('/tempo')), `an exporter to Tempo: ${traces.exporters.join(', ')}`);
  });

  it("fits the memory_limiter and GOMEMLIMIT in the container's mem_limit, as the processor's docs advise", () => {
    const { limit_mib: limitMiB, spike_limit_mib: spikeMiB, check_interval: interval } = config.processors.memory_limiter;
    const containerMiB = mebibytes(service.mem_limit);
    // "typically the total memory usage of process will be about 50MiB higher than this value"
    assert.ok(limitMiB + 50 <= containerMiB, `limit_mib ${limitMiB} + 50 MiB <= mem_limit ${containerMiB} MiB`);
    // "A good starting point for spike_limit_mib is 20% of the hard limit"; checks every second.
    assert.ok(spikeMiB >= 0.15 * limitMiB && spikeMiB <= 0.25 * limitMiB, `spike_limit_mib ${spikeMiB} is about 20% of ${limitMiB}`);
    assert.equal(interval, '1s');
    // "GOMEMLIMIT should be set to 80% of the hard memory limit"
    const goMemLimit = service.environment.GOMEMLIMIT;
    assert.ok(goMemLimit !== undefined, 'the collector service sets GOMEMLIMIT');
    assert.ok(Math.abs(mebibytes(goMemLimit) - 0.8 * limitMiB) <= 1, `GOMEMLIMIT ${goMemLimit} = 80% of limit_mib ${limitMiB}`);
  });

  it("the compose healthcheck's config URL is served by the running collector only (health_check extension)", async (t) => {
    // The compose check: `/otelcol-contrib validate --config=http://127.0.0.1:13133/`. Run the
    // bundle's config with its listeners moved to free loopback ports and Tempo to a closed one.
    const test = service.healthcheck.test;
    assert.deepEqual(test.slice(0, 3), ['CMD', '/otelcol-contrib', 'validate']);
    const healthPath = new URL(test[3]!.replace(/^--config=/, '')).pathname;
    const run = structuredClone(config);
    const [healthPort, grpcPort, httpPort, metricsPort, tempoPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    run.extensions.health_check.endpoint = `127.0.0.1:${healthPort}`;
    run.receivers.otlp.protocols.grpc.endpoint = `127.0.0.1:${grpcPort}`;
    run.receivers.otlp.protocols.http.endpoint = `127.0.0.1:${httpPort}`;
    run.exporters['otlp_grpc/tempo']!.endpoint = `127.0.0.1:${tempoPort}`;
    run.service.telemetry.metrics.readers[0]!.pull.exporter.prometheus = { host: '127.0.0.1', port: metricsPort };
    const dir = await mkdtemp(join(tmpdir(), 'lab-otelcol-health-'));
    const configPath = join(dir, 'config.yaml');
    await writeFile(configPath, stringify(run));
    const healthUrl = `http://127.0.0.1:${healthPort}${healthPath}`;
    const collector = await startProcess(resolveTool('otelcol-lab'), [`--config=${configPath}`]);
    t.after(async () => {
      await collector.stop();
      await rm(dir, { recursive: true, force: true });
    });
    let body = '';
    await waitFor(
      async () => {
        const response = await fetch(healthUrl).catch(() => undefined);
        if (response?.status !== 200) return false;
        body = await response.text();
        return true;
      },
      { description: `the collector's health_check at ${healthUrl}`, timeoutMs: 30_000, abortReason: () => (collector.child.exitCode === null ? undefined : `otelcol-lab exited:\n${collector.output().slice(-3000)}`) },
    );
    // What the healthcheck validates while the collector runs: a valid config. otelcol-lab has no
    // http config provider (the contrib image's binary has), so the body goes through the yaml one.
    assert.equal(body, run.extensions.health_check.response_body?.healthy);
    const healthy = await validate(`yaml:${body}`);
    assert.ok(healthy.ok, `the healthy body validates:\n${healthy.output}`);
    // And what it gets otherwise: an unhealthy body is no config, and a stopped collector no answer.
    const unhealthy = await validate(`yaml:${run.extensions.health_check.response_body?.unhealthy ?? ''}`);
    assert.ok(!unhealthy.ok, 'the unhealthy body does not validate');
    await collector.stop();
    await assert.rejects(fetch(healthUrl), 'nothing answers once the collector is gone');
  });
});
