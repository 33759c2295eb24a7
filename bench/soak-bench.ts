import { durationOption } from '../src/cli/compare-option-parsers.ts';
import { FAULT_PRESET_NAMES } from '../src/faults/fault-presets.ts';
import { atMost, type Benchmark, type Measurement } from './benchmark.ts';
import { runSoak, type SoakResult } from './soak.ts';

/** The API requests vegeta sends, round-robin, beside the daemon's own driver. */
export const SOAK_PATHS = [
  '/api/v1/jobs/noop?strategy=async',
  '/api/v1/jobs/http?strategy=async',
  '/api/v1/jobs/http?strategy=threads',
  '/api/v1/jobs/http?strategy=processes',
  '/api/v1/jobs/matrix?strategy=threads&size=60',
] as const;

const DEFAULT_DURATION_MS = 30 * 60_000;
const QUICK_DURATION_MS = 40_000;
const RATE_PER_SECOND = 20;
/**
 * glibc's MALLOC_ARENA_MAX for the daemon, as `npm start` and the image set it (package.json,
 * Dockerfile; README, Soak), so the soak measures the default daemon; the caller's own value wins,
 * and an empty one starts the daemon without it.
 */
const DEFAULT_MALLOC_ARENA_MAX = '2';
/** Target of issue 12: RSS growth under 5 % over 30 min after warm-up, i.e. about 0.17 % a minute. */
const RSS_GROWTH_SHARE_PER_MINUTE = 0.05 / 30;

/** `--duration`, `--chaos` and `--faults` of `npm run bench -- soak`. */
export interface SoakArgs {
  readonly duration?: string | undefined;
  readonly chaos?: string | undefined;
  readonly faults?: string | undefined;
}

function parseSoakArgs(args: SoakArgs, quick: boolean): { durationMs: number; chaosIntervalMs: number; faults: string | undefined } {
  const duration = durationOption();
  const durationMs = args.duration === undefined ? (quick ? QUICK_DURATION_MS : DEFAULT_DURATION_MS) : duration(args.duration);
  const chaosIntervalMs = args.chaos === undefined ? 0 : duration(args.chaos);
  if (args.faults !== undefined && !(FAULT_PRESET_NAMES as readonly string[]).includes(args.faults)) throw new Error(`--faults must be one of ${FAULT_PRESET_NAMES.join(', ')}`);
  return { durationMs, chaosIntervalMs, faults: args.faults };
}

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** The per-process lines the soak prints (stderr), besides the measurements. */
export function describeSoak(result: SoakResult): string[] {
  const { slopes } = result;
  const row = (what: string, slope: SoakResult['slopes'][keyof SoakResult['slopes']], unit: string): string =>
    `  ${what.padEnd(22)} first ${fixed(slope.first)} ${unit}, last ${fixed(slope.last)}, min ${fixed(slope.min)}, max ${fixed(slope.max)}, slope ${fixed(slope.perMinute, 2)} ${unit}/min`;
  return [
    `soak: ${result.requests} requests, ${result.unanswered} unanswered, status ${JSON.stringify(result.statusCodes)}, errors ${JSON.stringify(result.errorCodes)}, error share ${(result.errorShare * 100).toFixed(2)} %, ${result.kills} chaos kills`,
    `soak: slopes after a ${(result.warmupMs / 1000).toFixed(0)} s warm-up, ${result.samples.length} samples:`,
    row('daemon RSS', slopes.daemonRssMb, 'MB'),
    row('daemon heap used', slopes.daemonHeapMb, 'MB'),
    row('daemon external memory', slopes.daemonExternalMb, 'MB'),
    row('threads workers V8 heap', slopes.threadsHeapMb, 'MB'),
    row('pool worker restarts', slopes.workerRestarts, ''),
    row('daemon active handles', slopes.daemonHandles, ''),
    row('daemon open fds', slopes.daemonFds, ''),
    row('upstream RSS', slopes.upstreamRssMb, 'MB'),
    row('pool children RSS (sum)', slopes.childrenRssMb, 'MB'),
    `soak: daemon RSS per driver cycle (peak / mean / min): ${result.cyclePeaksMb.map((cycle) => `cycle ${cycle.cycle + 1}${cycle.samples < 20 ? ' (partial)' : ''}: ${fixed(cycle.peakRssMb, 0)} / ${fixed(cycle.meanRssMb, 0)} / ${fixed(cycle.minRssMb, 0)} MB`).join(', ') || 'no cycle seen'}`,
    result.cycleGrowth === undefined
      ? 'soak: RSS growth cycle to cycle: fewer than two full cycles after the first'
      : `soak: RSS growth cycle to cycle (cycle ${result.cycleGrowth.fromCycle + 1} -> ${result.cycleGrowth.toCycle + 1}, ${fixed(result.cycleGrowth.minutes, 1)} min apart): mean ${fixed(result.cycleGrowth.fromMeanMb, 0)} -> ${fixed(result.cycleGrowth.toMeanMb, 0)} MB (${fixed(result.cycleGrowth.meanPercentPer30Min, 1)} % per 30 min), min ${fixed(result.cycleGrowth.fromMinMb, 0)} -> ${fixed(result.cycleGrowth.toMinMb, 0)} MB (${fixed(result.cycleGrowth.minPercentPer30Min, 1)} % per 30 min); target < 5 % per 30 min`,
    ...(result.unanswered === 0 ? [] : [`soak: unanswered requests by vegeta error: ${JSON.stringify(result.unansweredErrors)}`]),
    `soak: SIGTERM -> exit code ${result.exit.code}${result.exit.signal === null ? '' : ` signal ${result.exit.signal}`} in ${fixed(result.exit.shutdownMs / 1000, 1)} s; ${result.leftOver.length} of ${result.pidsSeen} processes seen left running`,
  ];
}

/**
 * Issue 12's soak: the default daemon (every scenario and strategy, its own driver on) under a
 * steady vegeta load on the API, with worker chaos (`--chaos 5s`) and a fault preset
 * (`--faults flaky`) when asked; memory, heap, handles and fds of the daemon, its upstream and
 * its pool children sampled from outside every 2 s, their slopes per minute after the first
 * full driver cycle, and the daemon's RSS peak per cycle (flat: a high-water mark; rising: a leak).
 */
export const soakBench: Benchmark = {
  name: 'soak',
  onlyByName: true,
  description: `soak (vegeta ${RATE_PER_SECOND}/s on the API + the driver, default ${DEFAULT_DURATION_MS / 60_000} min; --duration, --chaos, --faults): RSS, heap and handle slopes per minute, error share, clean exit`,
  async run(context) {
    const { durationMs, chaosIntervalMs, faults } = parseSoakArgs(context.options ?? {}, context.quick);
    // `MALLOC_ARENA_MAX= npm run bench -- soak` (empty): the daemon without it, glibc's default
    // (8 arenas per core) and sharp's concurrency 1 (sharp lowers it only when the variable is unset).
    const unset = process.env.MALLOC_ARENA_MAX === '';
    if (unset) delete process.env.MALLOC_ARENA_MAX;
    const mallocArenaMax = unset ? undefined : (process.env.MALLOC_ARENA_MAX ?? DEFAULT_MALLOC_ARENA_MAX);
    context.log(`soak: MALLOC_ARENA_MAX ${mallocArenaMax ?? 'unset (glibc default)'} for the daemon`);
    context.log(`soak: ${durationMs / 1000} s at ${RATE_PER_SECOND}/s over ${SOAK_PATHS.join(', ')}${chaosIntervalMs > 0 ? `, chaos every ${chaosIntervalMs} ms` : ''}${faults === undefined ? '' : `, faults ${faults}`}`);
    const result = await runSoak({
      durationMs,
      warmupMs: 'first-cycle',
      ratePerSecond: RATE_PER_SECOND,
      sampleIntervalMs: 2_000,
      chaosIntervalMs,
      faults,
      env: { LAB_WORKERS: String(context.cores), ...(mallocArenaMax === undefined ? {} : { MALLOC_ARENA_MAX: mallocArenaMax }) },
      paths: SOAK_PATHS,
      log: context.log,
    });
    for (const line of describeSoak(result)) context.log(line);
    const { slopes } = result;
    const rssBound = RSS_GROWTH_SHARE_PER_MINUTE * slopes.daemonRssMb.first;
    const detail = { durationMs, chaosIntervalMs, faults: faults ?? 'none', warmupMs: result.warmupMs, slopes, cyclePeaksMb: result.cyclePeaksMb, samples: result.samples, unansweredErrors: result.unansweredErrors, requests: result.requests, statusCodes: result.statusCodes, errorCodes: result.errorCodes, kills: result.kills, exit: result.exit, leftOver: result.leftOver };
    const growth = result.cycleGrowth;
    const measurements: Measurement[] = [
      {
        name: 'daemon RSS growth, cycle mean to cycle mean',
        value: growth?.meanPercentPer30Min ?? Number.NaN,
        unit: '% per 30 min',
        target: { description: '< 5 % per 30 min after warm-up (issue 12)', met: growth !== undefined && growth.meanPercentPer30Min < 5 },
        detail: { cycleGrowth: growth, mallocArenaMax: mallocArenaMax ?? 'unset' },
      },
      { name: 'daemon RSS growth, cycle min to cycle min', value: growth?.minPercentPer30Min ?? Number.NaN, unit: '% per 30 min' },
      { name: 'daemon RSS slope after warm-up', value: slopes.daemonRssMb.perMinute, unit: 'MB/min', target: atMost(slopes.daemonRssMb.perMinute, rssBound, '5 % per 30 min of the RSS after warm-up'), detail },
      { name: 'daemon heap used slope', value: slopes.daemonHeapMb.perMinute, unit: 'MB/min' },
      { name: 'daemon active handles slope', value: slopes.daemonHandles.perMinute, unit: 'handles/min', target: atMost(Math.abs(slopes.daemonHandles.perMinute), 1, 'flat') },
      { name: 'pool children RSS slope', value: slopes.childrenRssMb.perMinute, unit: 'MB/min' },
      { name: 'upstream RSS slope', value: slopes.upstreamRssMb.perMinute, unit: 'MB/min' },
      { name: 'error share', value: result.errorShare, unit: '', detail: { errorCodes: result.errorCodes, unanswered: result.unanswered } },
      { name: 'exit code on SIGTERM', value: result.exit.code ?? -1, unit: '', target: { description: '0', met: result.exit.code === 0 } },
      { name: 'processes left after exit', value: result.leftOver.length, unit: '', target: atMost(result.leftOver.length, 0, 'none') },
    ];
    return measurements;
  },
};
