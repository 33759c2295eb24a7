import type { CellRecord, Finding, Machine, SpreadRecord, UnitMemory } from './report-schema.ts';

export interface FindingsInput {
  machine: Machine;
  cpu: readonly CellRecord[];
  io: readonly CellRecord[];
  memory: { budgetMb: number; units: readonly UnitMemory[] };
  upstreamDelayMs: number;
}

/** Above this many cores a run used more than one core, with a margin for the GC and I/O threads and a shared machine. */
const PARALLEL_CORES = 1.2;
/** Below this, a run stayed on about one core. */
const ONE_CORE = 1.3;

/** A median with its rounds' range, e.g. "1.96 (1.90–1.98)"; NaN (n/a) when nothing was measured. */
function fixed(value: SpreadRecord | number | null, digits = 1): string {
  if (value === null) return 'n/a';
  if (typeof value === 'number') return value.toFixed(digits);
  if (value.median === null) return 'n/a';
  const range = value.min === null || value.max === null || value.min === value.max ? '' : ` (${value.min.toFixed(digits)}–${value.max.toFixed(digits)})`;
  return `${value.median.toFixed(digits)}${range}`;
}

/** The median of a figure; NaN when no round measured it, so every comparison with it is false. */
const m = (value: SpreadRecord | null): number => value?.median ?? Number.NaN;

/** The pure-JavaScript CPU scenario to judge threads and async by: matrix, else array (the compared cells, not the reference). */
function pureJs(cpu: readonly CellRecord[], strategy: string): CellRecord | undefined {
  const cells = cpu.filter((cell) => !cell.reference);
  return cells.find((run) => run.scenario === 'matrix' && run.strategy === strategy) ?? cells.find((run) => run.scenario === 'array' && run.strategy === strategy);
}

function parallelFinding(id: string, python: string, run: CellRecord | undefined, machine: Machine, why: string): Finding {
  if (run === undefined) return { id, python, node: 'not measured in this compare', holds: null };
  const speedUp = run.speedUpOverSequential === null ? '' : `, ${fixed(run.speedUpOverSequential, 2)}× sequential's throughput`;
  const efficiency = run.efficiency === null ? '' : `, parallel efficiency ${fixed(run.efficiency, 2)} against one worker`;
  const flagged = run.speedUpAboveCores ? ' (a speed-up above the cores: a measurement problem, see the warnings)' : '';
  return {
    id,
    python,
    node: `${run.strategy} ran ${run.scenario} on ${fixed(run.coresUsed, 2)} of ${machine.availableParallelism} cores${speedUp}${efficiency}${flagged}: ${why}`,
    holds: machine.availableParallelism < 2 ? null : m(run.coresUsed) > PARALLEL_CORES,
  };
}

function asyncBlocksFinding(cpu: readonly CellRecord[]): Finding {
  const python = 'asyncio runs concurrently on one thread: CPU-bound work gains nothing and holds up everything else';
  const async = pureJs(cpu, 'async');
  if (async === undefined) return { id: 'async-one-thread', python, node: 'not measured in this compare', holds: null };
  const threads = cpu.find((run) => run.scenario === async.scenario && run.strategy === 'threads' && !run.reference);
  const versus = threads === undefined ? '' : ` (threads: ${fixed(threads.eventLoopDelayP99Ms)} ms)`;
  return {
    id: 'async-one-thread',
    python,
    node: `as in Python, async ran ${async.scenario} on ${fixed(async.coresUsed, 2)} cores, and the main event loop was blocked, p99 delay ${fixed(async.eventLoopDelayP99Ms)} ms${versus}`,
    holds: m(async.coresUsed) < ONE_CORE && (threads === undefined || m(async.eventLoopDelayP99Ms) > 2 * m(threads.eventLoopDelayP99Ms)),
  };
}

function sharpFinding(cpu: readonly CellRecord[], machine: Machine): Finding {
  const python = 'image work belongs in processes (threads share one core under the GIL)';
  const async = cpu.find((run) => run.scenario === 'thumbnail' && run.strategy === 'async');
  if (async === undefined) return { id: 'sharp-threadpool', python, node: 'not measured in this compare', holds: null };
  const matrix = pureJs(cpu, 'async');
  const versus = matrix === undefined ? '' : ` (async ${matrix.scenario}: ${fixed(matrix.eventLoopDelayP99Ms)} ms)`;
  return {
    id: 'sharp-threadpool',
    python,
    node:
      `sharp resizes on libuv's threadpool (${machine.uvThreadpoolSize} threads), so even async on the main thread used ${fixed(async.coresUsed, 2)} cores for thumbnails` +
      ` with an event-loop p99 delay of ${fixed(async.eventLoopDelayP99Ms)} ms${versus}`,
    holds: machine.availableParallelism < 2 ? null : m(async.coresUsed) > PARALLEL_CORES && (matrix === undefined || m(async.eventLoopDelayP99Ms) < m(matrix.eventLoopDelayP99Ms)),
  };
}

function manyCallsFinding(io: readonly CellRecord[], delayMs: number): Finding {
  const python = 'asyncio is good for many network calls: thousands in flight on one thread';
  const async = io.filter((run) => run.scenario === 'http' && run.strategy === 'async').sort((a, b) => a.concurrency - b.concurrency);
  const lowest = async[0];
  const highest = async.at(-1);
  if (lowest === undefined || highest === undefined || lowest === highest) return { id: 'async-many-calls', python, node: 'not measured at two concurrency levels in this compare', holds: null };
  const bound = (highest.concurrency / delayMs) * 1000;
  return {
    id: 'async-many-calls',
    python,
    node:
      `as in Python, async went from ${fixed(lowest.jobsPerSecond, 0)} req/s at ${lowest.concurrency} in flight to ${fixed(highest.jobsPerSecond, 0)} req/s at ${highest.concurrency}` +
      ` (Little's law bound ${fixed(bound, 0)} req/s with a ${delayMs} ms upstream), p99 ${fixed(highest.latencyMs.p99)} ms, on one thread`,
    holds: m(highest.jobsPerSecond) > 5 * m(lowest.jobsPerSecond),
  };
}

function howManyFitFinding(memory: FindingsInput['memory']): Finding {
  const python = 'processes: a couple dozen fit; threads: a few hundred; async tasks: thousands';
  const byUnit = new Map(memory.units.map((unit) => [unit.strategy, unit]));
  const processes = byUnit.get('processes');
  const threads = byUnit.get('threads');
  const async = byUnit.get('async');
  const node = memory.units.length === 0 ? 'not measured in this compare' : `in ${memory.budgetMb} MB: ${memory.units.map((unit) => `${unit.fitInBudget} × ${unit.unit}`).join(', ')}`;
  return {
    id: 'how-many-fit',
    python,
    node,
    holds: processes === undefined || threads === undefined || async === undefined ? null : processes.fitInBudget < threads.fitInBudget && threads.fitInBudget < async.fitInBudget,
  };
}

/** The talk's claims, each beside what this compare measured on Node and whether the Node behaviour it states shows. */
export function compareFindings(input: FindingsInput): Finding[] {
  const { machine, cpu } = input;
  return [
    parallelFinding('processes-parallel', 'processes run in parallel on all cores', pureJs(cpu, 'processes'), machine, 'each child process has its own event loop and V8'),
    parallelFinding(
      'threads-parallel',
      'threads run "in parallel", but the GIL lets one of them run Python at a time: one core',
      pureJs(cpu, 'threads'),
      machine,
      'worker threads run JavaScript truly in parallel, each with its own V8 isolate; there is no GIL',
    ),
    asyncBlocksFinding(cpu),
    sharpFinding(cpu, machine),
    manyCallsFinding(input.io, input.upstreamDelayMs),
    howManyFitFinding(input.memory),
  ];
}
