// The lab's pod settings agree with the environment it gets, in every overlay: the ConfigMap
// passes the daemon's own config loader; probes and Services reach the port it listens on;
// resources are guaranteed and fit LAB_WORKERS; the termination grace covers preStop, the drain
// (LAB_SHUTDOWN_GRACE_MS) and the span flush (OTEL_BSP_EXPORT_TIMEOUT); the upstream and
// Collector URLs name Services that exist; the k6 runners call the lab's Service and write to
// Prometheus as the cross-runner rules need.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LAB_EXIT_MARGIN_SECONDS, labMemoryFloorMiB, OTEL_BSP_EXPORT_TIMEOUT_DEFAULT_MS } from '../../deploy/k8s/src/lab-sizing.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { findObject, type K8sObject, kustomizeBuild } from './support/kustomize.ts';
import { cpuCores, memoryMiB } from './support/quantity.ts';

interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  containers: Container[];
  volumes?: Array<{ name: string; emptyDir?: object }>;
  nodeSelector?: Record<string, string>;
  tolerations?: Array<{ key: string; operator?: string; value?: string; effect?: string }>;
  affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: Array<{ labelSelector: { matchLabels?: Record<string, string> }; topologyKey: string }> } };
}
interface Deployment extends K8sObject {
  spec: { replicas?: number; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}
interface Service extends K8sObject {
  spec: { selector: Record<string, string>; ports: Array<{ name?: string; port: number; targetPort: string | number }> };
}

const OVERLAYS = ['base', 'overlays/local', 'overlays/cluster'];

/** The environment the lab container sees: its ConfigMaps, then its own env entries with a value. */
function containerEnv(objects: readonly K8sObject[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    assert.ok(name !== undefined, `${container.name}: envFrom only from ConfigMaps`);
    const configMap = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === name);
    assert.ok(configMap !== undefined, `${container.name}: ConfigMap ${name} is in the build`);
    Object.assign(env, configMap.data as Record<string, string>);
  }
  for (const entry of container.env ?? []) if (entry.value !== undefined) env[entry.name] = entry.value;
  return env;
}

function labPod(objects: readonly K8sObject[]): { deployment: Deployment; pod: PodSpec; container: Container } {
  const deployment = findObject(objects, 'Deployment', 'lab') as Deployment;
  const pod = deployment.spec.template.spec;
  const container = pod.containers.find((candidate) => candidate.name === 'lab');
  assert.ok(container !== undefined, 'the lab Deployment has a container named lab');
  return { deployment, pod, container };
}

function portNumber(container: Container, port: string | number): number {
  if (typeof port === 'number') return port;
  const found = container.ports?.find((candidate) => candidate.name === port);
  assert.ok(found !== undefined, `${container.name} has a port named ${port}`);
  return found.containerPort;
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The Deployment whose pods a Service or monitor selects, and the container port it reaches. */
function target(objects: readonly K8sObject[], selector: Record<string, string>, port: string | number): number {
  const deployments = objects.filter((object): object is Deployment => object.kind === 'Deployment' && selects(selector, (object as Deployment).spec.template.metadata.labels));
  assert.equal(deployments.length, 1, `one Deployment's pods match ${JSON.stringify(selector)}`);
  const [container] = deployments[0]!.spec.template.spec.containers;
  return portNumber(container!, port);
}

/** Host and port of a Service's URL, resolved to the container port behind it. */
function serviceBehind(objects: readonly K8sObject[], url: string, namespace?: string): { service: Service; containerPort: number } {
  const { hostname, port } = new URL(url);
  const [name, ns] = hostname.split('.');
  if (namespace !== undefined) assert.equal(ns, namespace, `${url} names the namespace ${namespace}`);
  const service = findObject(objects, 'Service', name!) as Service;
  const servicePort = service.spec.ports.find((candidate) => candidate.port === Number(port));
  assert.ok(servicePort !== undefined, `Service ${name} has port ${port}: ${url}`);
  return { service, containerPort: target(objects, service.spec.selector, servicePort.targetPort) };
}

function preStopSeconds(container: Container): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop === undefined) return 0;
  if (preStop.sleep !== undefined) return preStop.sleep.seconds;
  const command = preStop.exec?.command ?? [];
  assert.equal(command[0], 'sleep', `preStop is a sleep: ${command.join(' ')}`);
  return Number(command[1]);
}

for (const overlay of OVERLAYS) {
  describe(`deploy/k8s/${overlay}: the lab's pod fits the env it gets`, async () => {
    const objects = await kustomizeBuild(overlay);
    const { deployment, pod, container } = labPod(objects);
    const env = containerEnv(objects, container);
    const config = loadConfig(env);

    it('the daemon accepts its ConfigMap (its own loader: every LAB_* valid)', () => {
      assert.ok(Object.keys(env).some((name) => name.startsWith('LAB_')) && Object.keys(env).some((name) => name.startsWith('OTEL_')), 'LAB_* and OTEL_* settings');
      assert.equal(env.LAB_WORKERS !== undefined, true, 'LAB_WORKERS set (os.availableParallelism() sees the node, not the CPU limit)');
    });

    it('listens where the probes, the Service and the PodMonitor look', () => {
      assert.equal(config.host, '0.0.0.0', 'LAB_HOST: the pod address, not loopback');
      assert.equal(portNumber(container, 'http'), config.port, 'container port http = LAB_PORT');
      const probes = { readinessProbe: '/readyz', livenessProbe: '/healthz', startupProbe: '/healthz' } as const;
      for (const [probe, path] of Object.entries(probes) as Array<[keyof typeof probes, string]>) {
        const httpGet = container[probe]?.httpGet;
        assert.ok(httpGet !== undefined, `${probe} is an HTTP probe`);
        assert.equal(httpGet.path, path, `${probe} path`);
        assert.equal(portNumber(container, httpGet.port), config.port, `${probe} port`);
      }
      const { containerPort } = serviceBehind(objects, 'http://lab:8080');
      assert.equal(containerPort, config.port, 'Service lab reaches LAB_PORT');
      const monitor = findObject(objects, 'PodMonitor', 'lab') as K8sObject & { spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: Array<{ port: string }> } };
      assert.equal(target(objects, monitor.spec.selector.matchLabels, monitor.spec.podMetricsEndpoints[0]!.port), config.port, 'PodMonitor lab scrapes LAB_PORT');
    });

    it('every container of every Deployment has requests = limits (guaranteed CPU)', () => {
      for (const object of objects.filter((candidate) => candidate.kind === 'Deployment') as Deployment[]) {
        for (const each of object.spec.template.spec.containers) {
          const { requests, limits } = each.resources ?? {};
          assert.ok(limits?.cpu !== undefined && limits.memory !== undefined, `${object.metadata.name}/${each.name} has CPU and memory limits`);
          assert.deepEqual(requests, limits, `${object.metadata.name}/${each.name}: requests = limits`);
        }
      }
    });

    it('LAB_WORKERS fits the CPU limit, and the memory limit the per-worker formula', () => {
      const limits = container.resources!.limits!;
      assert.ok(config.workers <= cpuCores(limits.cpu!), `LAB_WORKERS=${config.workers} <= CPU limit ${limits.cpu}`);
      const floor = labMemoryFloorMiB(config.workers);
      assert.ok(memoryMiB(limits.memory!) >= floor, `memory limit ${limits.memory} >= ${floor} MiB (deploy/k8s/src/lab-sizing.ts for ${config.workers} workers)`);
    });

    it('terminationGracePeriodSeconds covers preStop + LAB_SHUTDOWN_GRACE_MS + span flush', () => {
      const exportTimeoutMs = env.OTEL_BSP_EXPORT_TIMEOUT === undefined ? OTEL_BSP_EXPORT_TIMEOUT_DEFAULT_MS : Number(env.OTEL_BSP_EXPORT_TIMEOUT);
      assert.ok(Number.isInteger(exportTimeoutMs) && exportTimeoutMs > 0, `OTEL_BSP_EXPORT_TIMEOUT=${env.OTEL_BSP_EXPORT_TIMEOUT}`);
      const needed = preStopSeconds(container) + (config.shutdownGraceMs + exportTimeoutMs) / 1000 + LAB_EXIT_MARGIN_SECONDS;
      // Set explicitly: kubernetes-models does not refuse a misspelt field, which would leave Kubernetes' 30 s default.
      const grace = pod.terminationGracePeriodSeconds;
      assert.ok(grace !== undefined, 'terminationGracePeriodSeconds is set');
      assert.ok(grace >= needed, `terminationGracePeriodSeconds ${grace} >= ${needed} (preStop ${preStopSeconds(container)} s + drain ${config.shutdownGraceMs} ms + flush ${exportTimeoutMs} ms + ${LAB_EXIT_MARGIN_SECONDS} s)`);
    });

    it('every pod: a numeric non-root user, RuntimeDefault seccomp, read-only root, no privileges (Pod Security "restricted"); the lab\'s /tmp an emptyDir', () => {
      for (const object of objects.filter((candidate) => candidate.kind === 'Deployment') as Deployment[]) {
        const { securityContext } = object.spec.template.spec;
        assert.equal(securityContext?.runAsNonRoot, true, `${object.metadata.name}: runAsNonRoot`);
        assert.ok(Number.isInteger(securityContext?.runAsUser) && securityContext!.runAsUser! > 0, `${object.metadata.name}: runAsUser numeric and not 0 (the kubelet cannot check a named user)`);
        assert.equal(securityContext?.seccompProfile?.type, 'RuntimeDefault', `${object.metadata.name}: seccomp`);
        for (const each of object.spec.template.spec.containers) {
          assert.equal(each.securityContext?.readOnlyRootFilesystem, true, `${object.metadata.name}/${each.name}: read-only root`);
          assert.equal(each.securityContext?.allowPrivilegeEscalation, false, `${object.metadata.name}/${each.name}: no privilege escalation`);
          assert.deepEqual(each.securityContext?.capabilities?.drop, ['ALL'], `${object.metadata.name}/${each.name}: drops every capability`);
        }
      }
      const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
      assert.ok(tmp !== undefined, 'the thumbnail sources go to os.tmpdir(): /tmp is mounted');
      assert.ok(pod.volumes?.find((volume) => volume.name === tmp.name)?.emptyDir !== undefined, '/tmp is an emptyDir');
    });

    it('LAB_UPSTREAM_URL and OTEL_EXPORTER_OTLP_ENDPOINT name Services of the build, on the ports their pods listen on', () => {
      assert.ok(config.upstreamUrl !== undefined, 'LAB_UPSTREAM_URL set: the upstream runs in its own pod');
      const upstream = findObject(objects, 'Deployment', 'upstream') as Deployment;
      const upstreamContainer = upstream.spec.template.spec.containers[0]!;
      const portArg = upstreamContainer.args?.find((arg) => arg.startsWith('--port='));
      assert.equal(Number(portArg?.slice('--port='.length)), serviceBehind(objects, config.upstreamUrl).containerPort, 'the upstream listens where Service upstream sends');
      assert.ok(upstreamContainer.args?.includes('--host=0.0.0.0'), 'the upstream listens on the pod address');
      assert.equal(serviceBehind(objects, env.OTEL_EXPORTER_OTLP_ENDPOINT!).containerPort, 4318, 'OTLP/HTTP reaches the Collector');
    });

    it('the PodDisruptionBudget covers the lab pods', () => {
      const budget = findObject(objects, 'PodDisruptionBudget', 'lab') as K8sObject & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } };
      assert.ok(selects(budget.spec.selector.matchLabels, deployment.spec.template.metadata.labels), 'selects the lab pods');
      const replicas = deployment.spec.replicas ?? 1;
      assert.ok(budget.spec.minAvailable >= 1 && budget.spec.minAvailable <= replicas, `minAvailable ${budget.spec.minAvailable} of ${replicas}`);
    });
  });
}

describe('deploy/k8s/overlays/cluster: the lab on its own nodes, runners off them', async () => {
  const objects = await kustomizeBuild('overlays/cluster');
  const { deployment, pod } = labPod(objects);

  it('two daemons, so a drain evicts one while the other measures', () => {
    assert.equal(deployment.spec.replicas, 2);
  });

  it('pinned to the dedicated nodes, tolerating their taint', () => {
    assert.deepEqual(pod.nodeSelector, { 'concurrency-lab/role': 'lab' });
    assert.deepEqual(pod.tolerations, [{ key: 'concurrency-lab/dedicated', operator: 'Equal', value: 'lab', effect: 'NoSchedule' }]);
  });

  it('required anti-affinity against k6-operator runner pods and against another daemon, per node', () => {
    const terms = pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    const runners = terms.find((term) => selects(term.labelSelector.matchLabels ?? {}, { app: 'k6', runner: 'true' }));
    assert.ok(runners !== undefined && runners.topologyKey === 'kubernetes.io/hostname', 'keeps runner pods (app=k6, runner=true) off the lab nodes');
    const daemons = terms.find((term) => selects(term.labelSelector.matchLabels ?? {}, deployment.spec.template.metadata.labels));
    assert.ok(daemons !== undefined && daemons.topologyKey === 'kubernetes.io/hostname', 'one daemon per node');
  });
});

interface TestRun extends K8sObject {
  spec: { parallelism: number; separate?: boolean; runner: { env: Array<{ name: string; value?: string }>; resources: { requests: unknown; limits: unknown } } };
}

for (const [load, parallelism, separate] of [
  ['overlays/local/load', 1, false],
  ['overlays/cluster/load', 4, true],
] as const) {
  describe(`deploy/k8s/${load}: runners reach the lab and write for the cross-runner view`, async () => {
    const testRun = (await kustomizeBuild(load)).find((object) => object.kind === 'TestRun') as TestRun;
    const lab = await kustomizeBuild(load.replace(/\/load$/, ''));
    const env = Object.fromEntries(testRun.spec.runner.env.map((entry) => [entry.name, entry.value ?? '']));

    it(`parallelism ${parallelism}, separate ${separate}`, () => {
      assert.equal(testRun.spec.parallelism, parallelism);
      assert.equal(testRun.spec.separate ?? false, separate);
    });

    it("LAB_URL is the lab's Service in its namespace, on the daemon's port", () => {
      const { containerPort } = serviceBehind(lab, env.LAB_URL!, findObject(lab, 'Service', 'lab').metadata.namespace);
      assert.equal(containerPort, loadConfig(containerEnv(lab, labPod(lab).container)).port);
    });

    it('remote-writes trends as native histograms (what the cross-runner rules add up)', () => {
      assert.equal(env.K6_OUT, 'experimental-prometheus-rw');
      assert.match(env.K6_PROMETHEUS_RW_SERVER_URL ?? '', /^http:\/\/[^/]+\/api\/v1\/write$/);
      assert.equal(env.K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM, 'true');
      assert.equal(env.SUMMARY_JSON, 'off', "the runner's summary goes to its log");
    });

    it('runner requests = limits', () => {
      assert.deepEqual(testRun.spec.runner.resources.requests, testRun.spec.runner.resources.limits);
    });
  });
}
