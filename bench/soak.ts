/**
 * The soak run: the real daemon (its own driver on) under a steady open-loop request load from
 * vegeta for a bounded time, optionally with worker chaos and a fault preset, while this process
 * samples the daemon, its upstream and its pool children from outside (/proc and /metrics).
 * Used by `npm run bench -- soak` (bench/soak-bench.ts) and by its short form in npm test
 * (test/bench/soak.test.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { childPidsOf, isAlive } from '../test/support/child-pids.ts';
import { type LabDaemon, startLabDaemon } from '../test/support/lab-daemon.ts';
import { attack, type VegetaTarget } from '../test/support/vegeta.ts';

export interface SoakOptions {
  /** Time under load, ms. */
  readonly durationMs: number;
  /**
   * Samples before this (ms from the start of the load) are left out of the slopes;
   * `first-cycle`: until the driver has completed its first full cycle (every cell once).
   */
  readonly warmupMs: number | 'first-cycle';
  /** vegeta's constant rate over all targets, requests per second. */
  readonly ratePerSecond: number;
  readonly sampleIntervalMs: number;
  /** LAB_CHAOS_KILL_INTERVAL_MS; 0: no chaos. */
  readonly chaosIntervalMs: number;
  /** LAB_FAULTS; undefined: none. */
  readonly faults?: string | undefined;
  /** More daemon variables (scenarios, strategies, rotate seconds, …). */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** The API requests vegeta sends round-robin, as paths with query (`/api/v1/jobs/noop?strategy=async`). */
  readonly paths: readonly string[];
  readonly log?: ((line: string) => void) | undefined;
}

/** One look at the process tree. */
export interface SoakSample {
  /** ms since the load started. */
  readonly tMs: number;
  readonly daemonRssBytes: number;
  readonly daemonHeapUsedBytes: number;
  /** Memory outside the V8 heap that V8 knows of (ArrayBuffers, Buffers): nodejs_external_memory_bytes. */
  readonly daemonExternalBytes: number;
  /** V8 heap used by the threads pool's worker threads (they live in the daemon's RSS): lab_memory_bytes{strategy="threads",component="worker",kind="heap"}, as last exported. */
  readonly threadsHeapBytes: number;
  /** Workers the pools replaced so far (lab_pool_worker_restarts_total, every reason): each new thread or process. */
  readonly workerRestarts: number;
  /** nodejs_active_handles, summed over its types. */
  readonly daemonHandles: number;
  readonly daemonFds: number;
  readonly upstreamRssBytes: number | null;
  /** Pool child processes alive at this sample, and their summed RSS. */
  readonly children: number;
  readonly childrenRssBytes: number;
  /** The driver's completed cycles at this sample (null with the driver off or status unanswered). */
  readonly cycle: number | null;
}

export interface Slope {
  readonly first: number;
  readonly last: number;
  readonly min: number;
  readonly max: number;
  /** Least-squares slope over the samples after the warm-up, per minute. */
  readonly perMinute: number;
}

export interface SoakResult {
  readonly samples: readonly SoakSample[];
  readonly slopes: Readonly<Record<'daemonRssMb' | 'daemonHeapMb' | 'daemonExternalMb' | 'threadsHeapMb' | 'workerRestarts' | 'daemonHandles' | 'daemonFds' | 'upstreamRssMb' | 'childrenRssMb', Slope>>;
  /** The daemon's peak RSS per completed-cycles value: flat peaks are a high-water mark, rising ones a leak. */
  readonly cyclePeaksMb: ReadonlyArray<{ readonly cycle: number; readonly peakRssMb: number; readonly minRssMb: number; readonly meanRssMb: number; readonly samples: number }>;
  readonly requests: number;
  /** Requests that got no HTTP answer (vegeta timeout or connection error). */
  readonly unanswered: number;
  /** vegeta's error text of the unanswered requests, counted (the first 120 characters). */
  readonly unansweredErrors: Readonly<Record<string, number>>;
  readonly statusCodes: Readonly<Record<number, number>>;
  /** Failed answers by the API's error code. */
  readonly errorCodes: Readonly<Record<string, number>>;
  /** Non-200 answers and unanswered requests ÷ requests. */
  readonly errorShare: number;
  /** Workers the chaos timer killed (the daemon's `chaos: killed` lines). */
  readonly kills: number;
  readonly exit: { readonly code: number | null; readonly signal: string | null; readonly shutdownMs: number };
  /** Pids of the daemon and every child seen during the run still alive after it exited. */
  readonly leftOver: readonly number[];
  readonly pidsSeen: number;
  /** The warm-up the slopes left out, ms. */
  readonly warmupMs: number;
  /**
   * The daemon's own count of the API's job answers by status code (lab_http_requests_total,
   * route /api/v1/jobs/:scenario) read just before SIGTERM: 500 is LAB_ERR_WORKER_CRASHED (the
   * jobs a killed worker took down), 502 LAB_ERR_UPSTREAM_FAILED (the flaky preset's 5xx).
   */
  readonly daemonJobAnswers: Readonly<Record<string, number>>;
  /** Per pool at the end of the load (before SIGTERM): its size and the workers it listed. */
  readonly poolsAtEnd: Readonly<Record<string, { readonly size: number; readonly workers: number }>>;
  /** Like-for-like RSS growth over the full driver cycles after the first (undefined with fewer than two). */
  readonly cycleGrowth: CycleGrowth | undefined;
}

/**
 * The daemon's RSS swings by 100–250 MB inside each driver cycle (the cells differ), so its
 * growth is read at the same point of consecutive cycles: the mean and the minimum of each full
 * cycle after the first (the warm-up), from the first such cycle to the last, and as a share of
 * the first per 30 minutes (issue 12's target: under 5 %).
 */
export interface CycleGrowth {
  /** The completed-cycles values compared (the first and the last full cycle after the warm-up). */
  readonly fromCycle: number;
  readonly toCycle: number;
  /** Minutes between the two cycles' middles. */
  readonly minutes: number;
  readonly fromMeanMb: number;
  readonly toMeanMb: number;
  readonly fromMinMb: number;
  readonly toMinMb: number;
  /** (to − from) ÷ from, scaled to 30 minutes, in %. */
  readonly meanPercentPer30Min: number;
  readonly minPercentPer30Min: number;
}

/** Compares the first and last full cycles after the first; a cycle is full when a later one was seen. */
export function cycleGrowthOf(samples: readonly SoakSample[]): CycleGrowth | undefined {
  const byCycle = new Map<number, { rss: number[]; t: number[] }>();
  for (const each of samples) {
    if (each.cycle === null || !Number.isFinite(each.daemonRssBytes)) continue;
    const entry = byCycle.get(each.cycle) ?? { rss: [], t: [] };
    entry.rss.push(each.daemonRssBytes / MB);
    entry.t.push(each.tMs);
    byCycle.set(each.cycle, entry);
  }
  const cycles = [...byCycle.keys()].sort((a, b) => a - b);
  const last = cycles.at(-1);
  // Not the first (warm-up, cycle 0) and not the one still running at the end.
  const full = cycles.filter((cycle) => cycle >= 1 && cycle !== last);
  if (full.length < 2) return undefined;
  const from = byCycle.get(full[0]!)!;
  const to = byCycle.get(full.at(-1)!)!;
  const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  const minutes = (mean(to.t) - mean(from.t)) / 60_000;
  const per30 = (a: number, b: number): number => (((b - a) / a) * 100 * 30) / minutes;
  const fromMeanMb = mean(from.rss);
  const toMeanMb = mean(to.rss);
  const fromMinMb = Math.min(...from.rss);
  const toMinMb = Math.min(...to.rss);
  return { fromCycle: full[0]!, toCycle: full.at(-1)!, minutes, fromMeanMb, toMeanMb, fromMinMb, toMinMb, meanPercentPer30Min: per30(fromMeanMb, toMeanMb), minPercentPer30Min: per30(fromMinMb, toMinMb) };
}

const MB = 1024 * 1024;
/** vegeta runs in segments this long, so each result set stays small and the load never stops for long. */
const SEGMENT_MS = 30_000;

async function rssBytes(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

async function fdCount(pid: number): Promise<number> {
  try {
    return (await readdir(`/proc/${pid}/fd`)).length;
  } catch {
    return Number.NaN;
  }
}

async function isUpstream(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').includes('upstream');
  } catch {
    return false;
  }
}

/** The sum of one metric's samples whose labels include `labels` (a pair each, as Prometheus text writes them). */
function labelledSum(text: string, name: string, labels: readonly string[]): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)/.exec(line);
    if (match !== null && match[1] === name && labels.every((pair) => match[2]!.includes(pair))) sum += Number(match[3]);
  }
  return sum;
}

/** Sums of the named samples in Prometheus text, over every label set. */
function sumSamples(text: string, names: readonly string[]): Record<string, number> {
  const sums: Record<string, number> = Object.fromEntries(names.map((name) => [name, 0]));
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{.*\})? (\S+)/.exec(line);
    if (match !== null && match[1]! in sums) sums[match[1]!]! += Number(match[2]);
  }
  return sums;
}

async function sample(daemon: LabDaemon, startedMs: number, pids: Set<number>, upstreamPids: Set<number>): Promise<SoakSample | undefined> {
  const tMs = performance.now() - startedMs;
  const signal = AbortSignal.timeout(5_000);
  const [metrics, status] = await Promise.all([
    fetch(`${daemon.url}/metrics`, { signal }).then((response) => response.text()),
    fetch(`${daemon.url}/api/v1/status`, { signal })
      .then((response) => response.json() as Promise<{ rotation?: { cycle?: { completed?: number } } }>)
      .catch(() => undefined),
  ]).catch(() => [undefined, undefined] as const);
  if (metrics === undefined) return undefined;
  const sums = sumSamples(metrics, ['nodejs_heap_size_used_bytes', 'nodejs_active_handles', 'nodejs_external_memory_bytes', 'lab_pool_worker_restarts_total']);
  const children = childPidsOf(daemon.pid);
  let upstreamRss: number | null = null;
  let childrenRss = 0;
  let pool = 0;
  for (const pid of children) {
    pids.add(pid);
    if (!upstreamPids.has(pid) && (await isUpstream(pid))) upstreamPids.add(pid);
    const rss = await rssBytes(pid);
    if (rss === null) continue;
    if (upstreamPids.has(pid)) upstreamRss = rss;
    else {
      pool += 1;
      childrenRss += rss;
    }
  }
  return {
    tMs,
    daemonRssBytes: (await rssBytes(daemon.pid)) ?? Number.NaN,
    daemonHeapUsedBytes: sums.nodejs_heap_size_used_bytes!,
    daemonExternalBytes: sums.nodejs_external_memory_bytes!,
    workerRestarts: sums.lab_pool_worker_restarts_total!,
    threadsHeapBytes: labelledSum(metrics, 'lab_memory_bytes', ['strategy="threads"', 'component="worker"', 'kind="heap"']),
    daemonHandles: sums.nodejs_active_handles!,
    daemonFds: await fdCount(daemon.pid),
    upstreamRssBytes: upstreamRss,
    children: pool,
    childrenRssBytes: childrenRss,
    cycle: status?.rotation?.cycle?.completed ?? null,
  };
}

/** First, last, min, max and the least-squares slope per minute of the points after the warm-up. */
export function slopeOf(points: ReadonlyArray<{ tMs: number; value: number }>, warmupMs: number): Slope {
  const all = points.filter((point) => Number.isFinite(point.value));
  const fit = all.filter((point) => point.tMs >= warmupMs);
  const values = all.map((point) => point.value);
  let perMinute = Number.NaN;
  if (fit.length >= 2) {
    const n = fit.length;
    const meanT = fit.reduce((sum, point) => sum + point.tMs / 60_000, 0) / n;
    const meanV = fit.reduce((sum, point) => sum + point.value, 0) / n;
    let covariance = 0;
    let variance = 0;
    for (const point of fit) {
      const dt = point.tMs / 60_000 - meanT;
      covariance += dt * (point.value - meanV);
      variance += dt * dt;
    }
    perMinute = variance === 0 ? 0 : covariance / variance;
  }
  return { first: fit[0]?.value ?? Number.NaN, last: fit.at(-1)?.value ?? Number.NaN, min: Math.min(...values), max: Math.max(...values), perMinute };
}

function errorCodeOf(body: string): string {
  try {
    return (JSON.parse(body) as { code?: string }).code ?? 'unknown';
  } catch {
    return 'unparsed';
  }
}

/** How long the end-of-load check waits for a pool whose last chaos victim is still being replaced. */
const POOL_FULL_WAIT_MS = 10_000;

/** The daemon's own job-answer counts and its pools' sizes once the load has stopped. */
async function endOfLoad(daemon: LabDaemon): Promise<{ daemonJobAnswers: Record<string, number>; poolsAtEnd: Record<string, { size: number; workers: number }> }> {
  const daemonJobAnswers: Record<string, number> = {};
  const metrics = await (await fetch(`${daemon.url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  for (const line of metrics.split('\n')) {
    const match = /^lab_http_requests_total\{(.*)\} (\S+)/.exec(line);
    if (match === null || !match[1]!.includes('route="/api/v1/jobs/:scenario"')) continue;
    const status = /status_code="(\d+)"/.exec(match[1]!)?.[1] ?? 'unknown';
    daemonJobAnswers[status] = (daemonJobAnswers[status] ?? 0) + Number(match[2]);
  }
  let poolsAtEnd: Record<string, { size: number; workers: number }> = {};
  const deadline = performance.now() + POOL_FULL_WAIT_MS;
  for (;;) {
    const status = (await (await fetch(`${daemon.url}/api/v1/status`, { signal: AbortSignal.timeout(5_000) })).json()) as { pools: Record<string, { size: number; workers: unknown[] }> };
    poolsAtEnd = Object.fromEntries(Object.entries(status.pools).map(([name, pool]) => [name, { size: pool.size, workers: pool.workers.length }]));
    if (Object.values(poolsAtEnd).every((pool) => pool.workers === pool.size) || performance.now() > deadline) return { daemonJobAnswers, poolsAtEnd };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs the soak and stops the daemon with SIGTERM at the end; the daemon is stopped (by pid) even when something fails. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => {});
  const daemon = await startLabDaemon({
    ...(options.chaosIntervalMs > 0 ? { LAB_CHAOS_KILL_INTERVAL_MS: String(options.chaosIntervalMs) } : {}),
    ...(options.faults === undefined ? {} : { LAB_FAULTS: options.faults }),
    ...options.env,
  });
  const pids = new Set<number>([daemon.pid]);
  const upstreamPids = new Set<number>();
  const samples: SoakSample[] = [];
  const statusCodes: Record<number, number> = {};
  const errorCodes: Record<string, number> = {};
  let requests = 0;
  let unanswered = 0;
  const unansweredErrors: Record<string, number> = {};
  let exit: SoakResult['exit'] | undefined;
  let daemonJobAnswers: Record<string, number> = {};
  let poolsAtEnd: Record<string, { size: number; workers: number }> = {};
  try {
    const startedMs = performance.now();
    let sampling = Promise.resolve();
    const take = (): void => {
      sampling = sampling.then(async () => {
        const next = await sample(daemon, startedMs, pids, upstreamPids);
        if (next !== undefined) samples.push(next);
      });
    };
    take();
    const timer = setInterval(take, options.sampleIntervalMs);
    const targets: VegetaTarget[] = options.paths.map((path) => ({ method: 'POST', url: `${daemon.url}${path}` }));
    try {
      while (performance.now() - startedMs < options.durationMs) {
        const durationMs = Math.round(Math.min(SEGMENT_MS, options.durationMs - (performance.now() - startedMs)));
        if (durationMs < 1_000) break;
        const result = await attack({ targets, ratePerSecond: options.ratePerSecond, durationMs, timeoutMs: 40_000, maxBodyBytes: 512, name: 'soak' });
        for (const hit of result.hits) {
          requests += 1;
          statusCodes[hit.code] = (statusCodes[hit.code] ?? 0) + 1;
          if (hit.code === 0) {
            unanswered += 1;
            const text = hit.error.replace(/\d+\.\d+\.\d+\.\d+:\d+/g, 'ADDR').slice(0, 120);
            unansweredErrors[text] = (unansweredErrors[text] ?? 0) + 1;
          }
          else if (hit.code !== 200) {
            const code = errorCodeOf(hit.body);
            errorCodes[code] = (errorCodes[code] ?? 0) + 1;
          }
        }
        const last = samples.at(-1);
        log(`soak: ${((performance.now() - startedMs) / 1000).toFixed(0)} s, ${requests} requests, ${requests - (statusCodes[200] ?? 0)} not 200${last === undefined ? '' : `, daemon RSS ${(last.daemonRssBytes / MB).toFixed(0)} MB, heap ${(last.daemonHeapUsedBytes / MB).toFixed(0)} MB, ${last.daemonHandles} handles, ${last.children} pool children, cycle ${last.cycle}`}`);
      }
    } finally {
      clearInterval(timer);
      await sampling;
    }
    take();
    await sampling;
    ({ daemonJobAnswers, poolsAtEnd } = await endOfLoad(daemon));
    const stopMs = performance.now();
    const exited = await daemon.stop('SIGTERM', 40_000);
    exit = { code: exited.code, signal: exited.signal, shutdownMs: performance.now() - stopMs };
  } finally {
    if (exit === undefined) await daemon.stop('SIGKILL');
  }
  // Children get a moment to go after their parent; then nothing may be left.
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && [...pids].some(isAlive)) await new Promise((resolve) => setTimeout(resolve, 100));
  const leftOver = [...pids].filter(isAlive);

  const firstCycleMs = samples.find((each) => each.cycle !== null && each.cycle >= 1)?.tMs;
  const warmupMs = options.warmupMs === 'first-cycle' ? (firstCycleMs ?? options.durationMs / 4) : options.warmupMs;
  const series = (value: (sample: SoakSample) => number | null): Slope =>
    slopeOf(
      samples.map((each) => ({ tMs: each.tMs, value: value(each) ?? Number.NaN })),
      warmupMs,
    );
  const peaks = new Map<number, { peak: number; min: number; sum: number; samples: number }>();
  for (const each of samples) {
    if (each.cycle === null || !Number.isFinite(each.daemonRssBytes)) continue;
    const rss = each.daemonRssBytes / MB;
    const entry = peaks.get(each.cycle) ?? { peak: 0, min: Number.POSITIVE_INFINITY, sum: 0, samples: 0 };
    peaks.set(each.cycle, { peak: Math.max(entry.peak, rss), min: Math.min(entry.min, rss), sum: entry.sum + rss, samples: entry.samples + 1 });
  }
  const kills = (daemon.output().match(/chaos: killed/g) ?? []).length;
  return {
    samples,
    slopes: {
      daemonRssMb: series((each) => each.daemonRssBytes / MB),
      daemonHeapMb: series((each) => each.daemonHeapUsedBytes / MB),
      daemonExternalMb: series((each) => each.daemonExternalBytes / MB),
      threadsHeapMb: series((each) => each.threadsHeapBytes / MB),
      workerRestarts: series((each) => each.workerRestarts),
      daemonHandles: series((each) => each.daemonHandles),
      daemonFds: series((each) => each.daemonFds),
      upstreamRssMb: series((each) => (each.upstreamRssBytes === null ? null : each.upstreamRssBytes / MB)),
      childrenRssMb: series((each) => each.childrenRssBytes / MB),
    },
    cyclePeaksMb: [...peaks].map(([cycle, entry]) => ({ cycle, peakRssMb: entry.peak, minRssMb: entry.min, meanRssMb: entry.sum / entry.samples, samples: entry.samples })),
    requests,
    unanswered,
    unansweredErrors,
    statusCodes,
    errorCodes,
    errorShare: requests === 0 ? 0 : (requests - (statusCodes[200] ?? 0)) / requests,
    kills,
    exit,
    leftOver,
    pidsSeen: pids.size,
    warmupMs,
    daemonJobAnswers,
    poolsAtEnd,
    cycleGrowth: cycleGrowthOf(samples),
  };
}
