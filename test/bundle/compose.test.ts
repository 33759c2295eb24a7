// docker-compose.yml and the Dockerfile, checked without a Docker engine: the Compose
// Specification's JSON schema, every file the stack mounts or builds from, pinned images,
// loopback-only ports, memory limits (and the total the file states), and the daemon's
// variables passing through from the shell.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ENV_SCHEMA } from '../../src/config/env-schema.ts';
import { composeSchemaErrors } from './compose-schema.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE_TEXT = await readFile(join(ROOT, 'docker-compose.yml'), 'utf8');
const DOCKERFILE_TEXT = await readFile(join(ROOT, 'Dockerfile'), 'utf8');

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string> | string[];
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  ports?: Array<string | { host_ip?: string; published?: string | number; target?: number }>;
  mem_limit?: string | number;
  deploy?: { resources?: { limits?: { memory?: string } } };
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  profiles?: string[];
  stop_grace_period?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

// `merge` resolves the `<<: *lab-image` keys as Compose does.
const compose = parse(COMPOSE_TEXT, { merge: true }) as ComposeFile;
const services = Object.entries(compose.services);

/** A bind mount's host path and container path; named volumes have no host path. */
function bindMounts(service: Service): Array<{ host: string; container: string }> {
  return (service.volumes ?? []).flatMap((volume) => {
    const [source, target] = typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target];
    if (source === undefined || target === undefined || !/^[./]/.test(source)) return [];
    return [{ host: join(ROOT, source), container: target }];
  });
}

/** Every string the container gets from the file: command, healthcheck and environment values. */
function containerStrings(service: Service): string[] {
  const environment = Array.isArray(service.environment) ? service.environment : Object.values(service.environment ?? {});
  const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  return [...list(service.command), ...list(service.healthcheck?.test), ...environment.map(String)];
}

/** What Compose makes of `${NAME:-default}` when NAME is unset: the default; any other text as it is. */
function composeDefault(value: string | number): string {
  const match = /^\$\{\w+:?-(.*)\}$/.exec(String(value));
  return match === null ? String(value) : match[1]!;
}

const MEBIBYTES: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024 };
function memoryMiB(service: Service): number | undefined {
  const limit = service.mem_limit ?? service.deploy?.resources?.limits?.memory;
  if (limit === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)([kmg])b?$/i.exec(composeDefault(limit));
  assert.ok(match !== null, `a memory limit with a unit k, m or g: ${limit}`);
  return Number(match[1]) * MEBIBYTES[match[2]!.toLowerCase()]!;
}

/** An exact version: digits with dots (an optional v, a variant like -slim), never latest. */
const PINNED_TAG = /:v?\d+\.\d+\.\d+(?:-[\w.]+)?$/;

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification schema', async () => {
    assert.deepEqual(await composeSchemaErrors(compose), []);
  });

  it('has the services of the design, k6 under the profile load', () => {
    assert.deepEqual(services.map(([name]) => name).toSorted(), ['grafana', 'k6', 'lab', 'otel-collector', 'prometheus', 'tempo', 'upstream']);
    assert.deepEqual(compose.services.k6!.profiles, ['load']);
    for (const [name, service] of services) {
      if (name !== 'k6') assert.equal(service.profiles, undefined, `${name} starts with a plain docker compose up`);
      const dependencies = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const dependency of dependencies) assert.ok(compose.services[dependency] !== undefined, `${name} depends on ${dependency}, which exists`);
    }
  });

  it('mounts and builds only from files that exist', () => {
    for (const [name, service] of services) {
      if (service.build !== undefined) {
        const build = typeof service.build === 'string' ? { context: service.build } : service.build;
        const context = join(ROOT, build.context ?? '.');
        assert.ok(existsSync(context), `${name}: build context ${build.context}`);
        assert.ok(existsSync(join(context, build.dockerfile ?? 'Dockerfile')), `${name}: ${build.dockerfile ?? 'Dockerfile'}`);
      }
      const mounts = bindMounts(service);
      for (const { host } of mounts) assert.ok(existsSync(host), `${name} mounts ${relative(ROOT, host)}, which exists`);
      // Paths the container is told about (--config.file=/etc/..., a home dashboard) that lie in
      // a bind mount must exist on the host side too.
      for (const text of containerStrings(service)) {
        for (const [path] of text.matchAll(/\/[\w./-]+/g)) {
          const mount = mounts.find(({ container }) => path === container || path.startsWith(`${container}/`));
          if (mount === undefined) continue;
          const host = join(mount.host, path.slice(mount.container.length));
          assert.ok(existsSync(host), `${name} refers to ${path}, which is ${relative(ROOT, host)} on the host and does not exist`);
        }
      }
    }
  });

  it("runs a k6 script that exists in the mounted loadtests/ by default", () => {
    const k6 = compose.services.k6!;
    assert.deepEqual(bindMounts(k6).map(({ host }) => relative(ROOT, host)), ['loadtests']);
    const script = (k6.command as string[]).at(-1)!;
    assert.ok(existsSync(join(ROOT, 'loadtests', script)), `k6 runs ${script} from ./loadtests`);
  });

  it('pins every image to an exact version', () => {
    for (const [name, service] of services) {
      assert.match(service.image ?? '', PINNED_TAG, `${name}: image ${service.image}`);
    }
    for (const [, image] of DOCKERFILE_TEXT.matchAll(/^FROM\s+(\S+)/gm)) assert.match(image!, PINNED_TAG, `Dockerfile FROM ${image}`);
  });

  it("publishes every port on 127.0.0.1 only, on the design's port numbers", () => {
    const published: Record<string, string[]> = {};
    for (const [name, service] of services) {
      for (const port of service.ports ?? []) {
        const [hostIp, hostPort] = typeof port === 'string' ? port.split(':') : [port.host_ip, String(port.published)];
        assert.equal(hostIp, '127.0.0.1', `${name} publishes ${JSON.stringify(port)} on loopback only`);
        (published[name] ??= []).push(hostPort!);
      }
    }
    assert.deepEqual(published, { lab: ['8080'], 'otel-collector': ['4317', '4318'], tempo: ['3200'], prometheus: ['9090'], grafana: ['3000'] });
  });

  it('limits the memory of every service, and states the total it adds up to', () => {
    let stackMiB = 0;
    let loadMiB = 0;
    for (const [name, service] of services) {
      const mib = memoryMiB(service);
      assert.ok(mib !== undefined && mib > 0, `${name} has a memory limit`);
      if (service.profiles === undefined) stackMiB += mib;
      else loadMiB += mib;
    }
    const stated = /limits add up to ([\d.]+) GiB for the stack, ([\d.]+) GiB while k6 runs/.exec(COMPOSE_TEXT);
    assert.ok(stated !== null, 'the header comment states the total');
    assert.equal(Number(stated[1]), stackMiB / 1024, 'stack total');
    assert.equal(Number(stated[2]), (stackMiB + loadMiB) / 1024, 'total with k6');
  });

  it("passes the daemon's variables through from the shell (LAB_STRATEGIES=threads docker compose up)", () => {
    const lab = compose.services.lab!;
    const environment = lab.environment as Record<string, string>;
    assert.match(environment.LAB_STRATEGIES ?? '', /^\$\{LAB_STRATEGIES(?::?-[^}]*)?\}$/);
    // Every daemon variable reaches the daemon, or (delay and jitter) the upstream's command; the
    // listener is fixed by the bundle.
    const upstreamCommand = JSON.stringify(compose.services.upstream!.command);
    for (const name of Object.keys(ENV_SCHEMA)) {
      if (name === 'LAB_HOST' || name === 'LAB_PORT') continue;
      const reached = environment[name]?.includes(`\${${name}`) === true || upstreamCommand.includes(`\${${name}`);
      assert.ok(reached, `${name} passes through from the shell`);
    }
    assert.equal(environment.LAB_HOST, '0.0.0.0', 'the daemon listens beyond the container');
  });

  it('has a healthcheck on the daemon and the upstream', () => {
    for (const name of ['lab', 'upstream']) {
      const test = compose.services[name]!.healthcheck?.test;
      assert.ok(Array.isArray(test) && test.join(' ').includes('/healthz'), `${name} healthcheck probes /healthz`);
    }
  });
});

/** The environment a service's container gets from the file, as Compose writes it (a map). */
function environmentOf(name: string): Record<string, string> {
  const environment = compose.services[name]!.environment;
  assert.ok(environment !== undefined && !Array.isArray(environment), `${name}: environment as a map`);
  return environment;
}

/** Seconds of a Compose duration such as 40s, 1m30s, 500ms. */
function durationSeconds(text: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)];
  assert.ok(parts.length > 0 && parts.map((part) => part[0]).join('') === text, `a duration: ${text}`);
  return parts.reduce((sum, [, value, unit]) => sum + Number(value) * units[unit!]!, 0);
}

/** Docker stops a container with SIGKILL this long after SIGTERM unless stop_grace_period says otherwise. */
const DOCKER_STOP_TIMEOUT_SECONDS = 10;

function stopGraceSeconds(name: string): number {
  const period = compose.services[name]!.stop_grace_period;
  return period === undefined ? DOCKER_STOP_TIMEOUT_SECONDS : durationSeconds(period);
}

const LOADTESTS = join(ROOT, 'loadtests');
const SCRIPTS = await Promise.all(
  ['compare.ts', 'smoke.ts', 'soak.ts', 'stress.ts'].map(async (file) => ({ file, text: await readFile(join(LOADTESTS, file), 'utf8') })),
);

/** The variables a script's header lists under "Environment". */
function scriptParameters(text: string): string[] {
  const header = /Environment[^\n]*\n((?: \*   [A-Z][A-Z0-9_]+ [^\n]*\n)+)/.exec(text);
  assert.ok(header !== null, 'the script header lists its environment');
  return [...header[1]!.matchAll(/^ \*   ([A-Z][A-Z0-9_]+) /gm)].map((match) => match[1]!);
}

describe('docker-compose.yml: sized for the host, stopped in time, k6 mode', () => {
  it('sizes the lab: the default LAB_MEM_LIMIT holds the measured formula at the default LAB_WORKERS', async () => {
    const formula = /lab memory ~= (\d+) MiB \+ (\d+) MiB x LAB_WORKERS\n#.*at least ([\d.]+) x that/.exec(COMPOSE_TEXT);
    assert.ok(formula !== null, 'the header states the measured formula and the headroom');
    const [baseMiB, perWorkerMiB, headroom] = formula.slice(1).map(Number) as [number, number, number];
    const environment = environmentOf('lab');
    const workers = Number(composeDefault(environment.LAB_WORKERS ?? ''));
    assert.ok(Number.isInteger(workers) && workers > 0, `LAB_WORKERS has a fixed default, not every CPU the container sees: ${environment.LAB_WORKERS}`);
    assert.match(String(compose.services.lab!.mem_limit), /^\$\{LAB_MEM_LIMIT:-[^}]+\}$/, 'the limit passes through from the shell with LAB_WORKERS');
    const limitMiB = memoryMiB(compose.services.lab!)!;
    const needMiB = headroom * (baseMiB + perWorkerMiB * workers);
    assert.ok(limitMiB >= needMiB, `mem_limit ${limitMiB} MiB >= ${headroom} x (${baseMiB} + ${perWorkerMiB} x ${workers}) = ${needMiB} MiB`);
    // The README states the same formula.
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    assert.ok(readme.includes(`${baseMiB} MiB + ${perWorkerMiB} MiB × LAB_WORKERS`), 'the README states the formula of the compose file');
  });

  it("gives every service that flushes on SIGTERM longer than its drain and flush: the lab past LAB_SHUTDOWN_GRACE_MS", async () => {
    const lab = environmentOf('lab');
    const graceMs = Number(composeDefault(lab.LAB_SHUTDOWN_GRACE_MS ?? String(ENV_SCHEMA.LAB_SHUTDOWN_GRACE_MS.default)));
    assert.ok(graceMs > 0, `LAB_SHUTDOWN_GRACE_MS ${lab.LAB_SHUTDOWN_GRACE_MS}`);
    for (const name of ['lab', 'upstream']) {
      const environment = environmentOf(name);
      const exportTimeoutSeconds = Number(environment.OTEL_EXPORTER_OTLP_TIMEOUT) / 1000;
      assert.ok(exportTimeoutSeconds > 0, `${name}: OTEL_EXPORTER_OTLP_TIMEOUT bounds the span flush`);
      // The lab drains its jobs, then its workers flush (in parallel), then it flushes its own spans.
      const needSeconds = name === 'lab' ? graceMs / 1000 + 2 * exportTimeoutSeconds : exportTimeoutSeconds;
      assert.ok(stopGraceSeconds(name) > needSeconds, `${name}: stop_grace_period ${stopGraceSeconds(name)} s > ${needSeconds} s`);
    }
    const collector = parse(await readFile(join(ROOT, 'otel-collector/config.yaml'), 'utf8')) as {
      processors: { batch: { timeout: string } };
      exporters: Record<string, { timeout?: string }>;
    };
    const collectorNeed = durationSeconds(collector.processors.batch.timeout) + Math.max(...Object.values(collector.exporters).map((exporter) => durationSeconds(exporter.timeout ?? '5s')));
    assert.ok(stopGraceSeconds('otel-collector') > collectorNeed, `otel-collector: stop_grace_period > batch timeout + export timeout (${collectorNeed} s)`);
    // Tempo (head block, WAL), Prometheus (TSDB) and k6 (the last remote-write batch) flush too.
    for (const name of ['tempo', 'prometheus', 'k6']) {
      assert.ok(stopGraceSeconds(name) > DOCKER_STOP_TIMEOUT_SECONDS, `${name}: stop_grace_period past Docker's default 10 s`);
    }
  });

  it('waits for the collector and Tempo to be healthy before sending them data', () => {
    const dependsOn = (name: string): Record<string, { condition?: string }> => {
      const dependencies = compose.services[name]!.depends_on;
      assert.ok(dependencies !== undefined && !Array.isArray(dependencies), `${name}: depends_on with conditions`);
      return dependencies;
    };
    for (const name of ['lab', 'upstream']) assert.equal(dependsOn(name)['otel-collector']?.condition, 'service_healthy', `${name} waits for the collector`);
    for (const name of ['otel-collector', 'grafana']) assert.equal(dependsOn(name).tempo?.condition, 'service_healthy', `${name} waits for Tempo`);
    const tempo = compose.services.tempo!.healthcheck?.test;
    assert.ok(Array.isArray(tempo) && tempo[0] === 'CMD' && tempo.includes('wget') && tempo.some((arg) => arg.endsWith(':3200/ready')), `Tempo's readiness: ${JSON.stringify(tempo)}`);
    // The collector's image has nothing but its binary: the check is that binary validating the
    // config its health_check extension serves (otel-collector.test.ts runs it for real).
    const collector = compose.services['otel-collector']!.healthcheck?.test;
    assert.deepEqual(collector, ['CMD', '/otelcol-contrib', 'validate', '--config=http://127.0.0.1:13133/']);
  });

  it('decides trace sampling in the daemon, not by the caller: k6 marks every request sampled', () => {
    const lab = environmentOf('lab');
    const sampler = composeDefault(lab.OTEL_TRACES_SAMPLER ?? '');
    assert.equal(sampler, 'traceidratio', 'a parent-based sampler would keep every k6 request');
    const ratio = Number(composeDefault(lab.OTEL_TRACES_SAMPLER_ARG ?? ''));
    assert.ok(ratio > 0 && ratio <= 0.1, `the bundle keeps at most 10% of the traces by default: ${lab.OTEL_TRACES_SAMPLER_ARG}`);
    // The upstream joins the daemon's traces: it follows the daemon's decision.
    assert.match(environmentOf('upstream').OTEL_TRACES_SAMPLER ?? '', /^parentbased_/);
  });

  it("gives k6 memory for the heaviest shipped script's VUs at once", () => {
    const strategies = ENV_SCHEMA.LAB_STRATEGIES.default.length;
    const peaks = SCRIPTS.map(({ file, text }) => {
      const maxVus = Number(/env\.number\('MAX_VUS', (\d+)/.exec(text)?.[1] ?? /vus: (\d+)/.exec(text)?.[1]);
      assert.ok(maxVus > 0, `${file}: its VU maximum`);
      // One k6 scenario per strategy; run one after another, k6 reuses the VUs of the one before.
      const oneAfterAnother = /oneAfterAnother: true\b/.test(text);
      return { file, vus: oneAfterAnother ? maxVus : maxVus * strategies };
    });
    const heaviest = peaks.reduce((a, b) => (b.vus > a.vus ? b : a));
    const stated = /(\d+) MiB x (\d+) VUs \+ (\d+) MiB/.exec(COMPOSE_TEXT);
    assert.ok(stated !== null, 'the k6 service states its per-VU figure');
    const [perVuMiB, vus, baseMiB] = stated.slice(1).map(Number) as [number, number, number];
    assert.equal(vus, heaviest.vus, `the comment counts the VUs of ${heaviest.file} (${JSON.stringify(peaks)})`);
    assert.ok(perVuMiB >= 2.7, "at least the maintainers' per-VU figure");
    assert.ok(memoryMiB(compose.services.k6!)! >= baseMiB + perVuMiB * heaviest.vus, `k6 mem_limit >= ${baseMiB} + ${perVuMiB} x ${heaviest.vus} MiB`);
  });

  it("k6: stale markers on, and the scripts' parameters (STRATEGIES falling back to LAB_STRATEGIES) pass through from the shell", () => {
    const k6 = environmentOf('k6');
    assert.equal(k6.K6_PROMETHEUS_RW_STALE_MARKERS, 'true', 'series end when k6 ends');
    assert.equal(k6.STRATEGIES, '${STRATEGIES:-${LAB_STRATEGIES:-}}', 'a one-strategy lab gets a one-strategy k6 run');
    const parameters = new Set(SCRIPTS.flatMap(({ text }) => scriptParameters(text)));
    assert.ok(parameters.has('STRATEGIES') && parameters.has('RATE'), [...parameters].join(', '));
    // LAB_URL and SUMMARY_JSON are fixed by the bundle (the lab service; a read-only mount).
    for (const name of [...parameters].filter((parameter) => parameter !== 'LAB_URL' && parameter !== 'SUMMARY_JSON')) {
      assert.ok(k6[name]?.startsWith(`\${${name}:-`), `${name} passes through from the shell: ${k6[name]}`);
    }
  });
});

describe('the versions the tests run are the versions the bundle pins', () => {
  it('the Collector image and otelcol-lab (tools/otelcol/builder-config.yaml); the Node image and the node package', async () => {
    const collectorTag = /^otel\/opentelemetry-collector-contrib:(\d+\.\d+\.\d+)$/.exec(compose.services['otel-collector']!.image ?? '')?.[1];
    const manifest = await readFile(join(ROOT, 'tools/otelcol/builder-config.yaml'), 'utf8');
    const modules = [...manifest.matchAll(/^\s+- gomod: \S+ v(0\.\d+\.\d+)$/gm)].map((match) => match[1]);
    assert.ok(collectorTag !== undefined && modules.length > 0, 'both pinned');
    assert.deepEqual([...new Set(modules)], [collectorTag], "otelcol-lab's components are the image's version");
    const nodeTag = /^FROM node:(\d+\.\d+\.\d+)-slim$/m.exec(DOCKERFILE_TEXT)?.[1];
    const packageJson = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string>; dependencies?: Record<string, string> };
    assert.equal(packageJson.devDependencies?.node ?? packageJson.dependencies?.node, nodeTag, "the tests' Node (the node package) is the image's");
  });
});

describe('Dockerfile', () => {
  it('runs as a non-root user with production dependencies only and a healthcheck', () => {
    assert.match(DOCKERFILE_TEXT, /^USER (?!root)\S+/m);
    assert.match(DOCKERFILE_TEXT, /npm ci --omit=dev/);
    assert.match(DOCKERFILE_TEXT, /^HEALTHCHECK /m);
  });

  it('copies only what exists and what .dockerignore lets into the build context', async () => {
    const allowed = (await readFile(join(ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''));
    for (const [, sources] of DOCKERFILE_TEXT.matchAll(/^COPY\s+(.+)\s+\S+$/gm)) {
      for (const source of sources!.split(/\s+/)) {
        assert.ok(existsSync(join(ROOT, source)), `COPY ${source}: exists`);
        assert.ok(allowed.includes(source.replace(/\/$/, '')), `COPY ${source}: let in by .dockerignore (${allowed.join(', ')})`);
      }
    }
  });
});
