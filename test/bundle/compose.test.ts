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
  depends_on?: string[] | Record<string, unknown>;
  profiles?: string[];
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

const MEBIBYTES: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024 };
function memoryMiB(service: Service): number | undefined {
  const limit = service.mem_limit ?? service.deploy?.resources?.limits?.memory;
  if (limit === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)([kmg])b?$/i.exec(String(limit));
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
