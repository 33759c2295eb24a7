/**
 * What the bundle's `lab` container holds in memory for a given LAB_WORKERS, measured on this
 * machine: the real daemon (driver on, rotating every strategy over every scenario) with an
 * external upstream, as in docker-compose.yml, so its process tree is what the container's
 * memory cgroup counts. Run twice per worker count: traced as the bundle runs it (every worker
 * thread and child process starts its own OpenTelemetry SDK, exporting to a local OTLP sink)
 * and with OTEL_SDK_DISABLED=true.
 *
 *   node bench/lab-memory.ts [--workers 1,2,4,8] [--rotate-seconds 8] [--units-sample 4]
 *
 * First, what one idle unit costs, traced and not (the compare command's how-many-fit
 * measurements, src/report/measure-*.ts): a worker thread (growth of this process's RSS) and a
 * child process (PSS).
 *
 * Memory is the peak over one full rotation of the summed PSS of the daemon and all its
 * descendants (RSS too, which counts shared code pages once per process and so overstates),
 * sampled every 250 ms. The fit peak ≈ base + perWorker × LAB_WORKERS is what
 * docker-compose.yml's mem_limit and the README's RAM formula are derived from. It also times
 * `docker compose down`'s part: SIGTERM to exit with the driver running (drain, pools, flush).
 */
import { readdir, readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startProcess, type StartedProcess } from '../test/support/started-process.ts';
import { CLI, NODE } from '../test/support/lab-daemon.ts';
import { measureChildProcessMemory } from '../src/report/measure-child-process-memory.ts';
import { measureWorkerThreadMemory } from '../src/report/measure-worker-thread-memory.ts';
import { describeMachine, formatMachine } from './machine.ts';
import { startOtlpSink } from './otlp-sink.ts';

const MIB = 1024 * 1024;
const SAMPLE_INTERVAL_MS = 250;

const { values } = parseArgs({
  options: { workers: { type: 'string', default: '1,2,4,8' }, 'rotate-seconds': { type: 'string', default: '8' }, 'units-sample': { type: 'string', default: '4' } },
});
const workerCounts = values.workers.split(',').filter((value) => value !== '').map(Number);
const unitsSample = Number(values['units-sample']);
const rotateSeconds = Number(values['rotate-seconds']);

async function parentPids(): Promise<Map<number, number>> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // The command may hold spaces and parentheses: fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return parents;
}

async function treeOf(root: number): Promise<number[]> {
  const parents = await parentPids();
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

async function rollup(pid: number): Promise<{ pss: number; rss: number }> {
  try {
    const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? 0) * 1024;
    return { pss: kb('Pss'), rss: kb('Rss') };
  } catch {
    return { pss: 0, rss: 0 };
  }
}

async function treeMemory(root: number): Promise<{ pss: number; rss: number; processes: number }> {
  const pids = await treeOf(root);
  const parts = await Promise.all(pids.map(rollup));
  return { pss: parts.reduce((sum, p) => sum + p.pss, 0), rss: parts.reduce((sum, p) => sum + p.rss, 0), processes: pids.length };
}

interface Run {
  workers: number;
  traced: boolean;
  peakPssMiB: number;
  peakRssMiB: number;
  processes: number;
  stopSeconds: number;
}

async function measure(workers: number, traced: boolean, upstreamUrl: string, sinkUrl: string): Promise<Run> {
  const otel: Record<string, string> = traced
    ? { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }
    : { OTEL_SDK_DISABLED: 'true' };
  const daemon: StartedProcess = await startProcess(NODE, [CLI, 'daemon'], {
    env: { ...process.env, LAB_PORT: '0', LAB_WORKERS: String(workers), LAB_ROTATE_SECONDS: String(rotateSeconds), LAB_UPSTREAM_URL: upstreamUrl, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', ...otel },
    readyLine: /listening on (http:\/\/\S+)/,
    readyTimeoutMs: 180_000,
  });
  try {
    let peakPss = 0;
    let peakRss = 0;
    let processes = 0;
    const end = Date.now() + 4 * rotateSeconds * 1000 + 2000;
    while (Date.now() < end) {
      const memory = await treeMemory(daemon.pid);
      peakPss = Math.max(peakPss, memory.pss);
      peakRss = Math.max(peakRss, memory.rss);
      processes = Math.max(processes, memory.processes);
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_INTERVAL_MS));
    }
    const stopStart = performance.now();
    const exit = await daemon.stop('SIGTERM', 60_000);
    const stopSeconds = (performance.now() - stopStart) / 1000;
    if (exit.code !== 0) throw new Error(`daemon exited with ${JSON.stringify(exit)}:\n${daemon.output().slice(-2000)}`);
    return { workers, traced, peakPssMiB: peakPss / MIB, peakRssMiB: peakRss / MIB, processes, stopSeconds };
  } finally {
    await daemon.stop('SIGKILL');
  }
}

/** Least squares y = a + b·x. */
function fit(points: ReadonlyArray<[number, number]>): { base: number; perWorker: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const perWorker = sxx === 0 ? 0 : sxy / sxx;
  return { base: my - perWorker * mx, perWorker };
}

console.log(`machine: ${formatMachine(describeMachine())}`);
console.log(`one full rotation per run (4 strategies × ${rotateSeconds} s), every scenario, driver on`);
const sink = await startOtlpSink();
if (unitsSample > 0) {
  // Threads copy process.env when they start and children inherit it: set per measurement.
  for (const traced of [true, false]) {
    if (traced) {
      delete process.env.OTEL_SDK_DISABLED;
      Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
    } else {
      process.env.OTEL_SDK_DISABLED = 'true';
    }
    const thread = await measureWorkerThreadMemory(unitsSample);
    const child = await measureChildProcessMemory(unitsSample);
    console.log(
      `idle, ${traced ? 'traced  ' : 'untraced'}: worker thread ${(thread.rssBytesPerThread / MIB).toFixed(1)} MiB (RSS growth ÷ ${thread.started}), child process ${((child.pssBytesPerChild ?? child.rssBytesPerChild) / MIB).toFixed(1)} MiB PSS (RSS ${(child.rssBytesPerChild / MIB).toFixed(1)}) ÷ ${child.started}`,
    );
  }
  delete process.env.OTEL_SDK_DISABLED;
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
}
const upstream = await startProcess(NODE, [CLI, 'upstream', '--host', '127.0.0.1', '--port', '0'], {
  env: { ...process.env, OTEL_SDK_DISABLED: 'true' },
  readyLine: /upstream listening on (http:\/\/\S+)/,
});
const runs: Run[] = [];
try {
  for (const traced of [true, false]) {
    for (const workers of workerCounts) {
      const run = await measure(workers, traced, upstream.ready![1]!, sink.url);
      runs.push(run);
      console.log(
        `workers ${workers}, ${traced ? 'traced  ' : 'untraced'}: peak PSS ${run.peakPssMiB.toFixed(0)} MiB (RSS ${run.peakRssMiB.toFixed(0)} MiB), ${run.processes} processes; SIGTERM to exit ${run.stopSeconds.toFixed(1)} s`,
      );
    }
  }
} finally {
  await upstream.stop();
  await sink.close();
}
for (const traced of [true, false]) {
  const { base, perWorker } = fit(runs.filter((run) => run.traced === traced).map((run) => [run.workers, run.peakPssMiB]));
  console.log(`${traced ? 'traced' : 'untraced'}: peak PSS ≈ ${base.toFixed(0)} MiB + ${perWorker.toFixed(0)} MiB × LAB_WORKERS`);
}
