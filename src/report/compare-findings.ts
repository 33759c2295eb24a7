import type { Finding, Machine, RunRecord, UnitMemory } from './report-schema.ts';

export interface FindingsInput {
  machine: Machine;
  cpu: readonly RunRecord[];
  io: readonly RunRecord[];
  memory: { budgetMb: number; units: readonly UnitMemory[] };
  upstreamDelayMs: number;
}

/** Above this many cores a run used more than one core, with a margin for the GC and I/O threads and a shared machine. */
const PARALLEL_CORES = 1.2;
/** Below this, a run stayed on about one core. */
const ONE_CORE = 1.3;

const fixed = (value: number, digits = 1): string => value.toFixed(digits);

/** The pure-JavaScript CPU scenario to judge threads and async by: matrix, else array. */
function pureJs(cpu: readonly RunRecord[], strategy: string): RunRecord | undefined {
  return cpu.find((run) => run.scenario === 'matrix' && run.strategy === strategy) ?? cpu.find((run) => run.scenario === 'array' && run.strategy === strategy);
}

function parallelFinding(id: string, python: string, run: RunRecord | undefined, machine: Machine, why: string): Finding {
  if (run === undefined) return { id, python, node: 'not measured in this compare', holds: null };
  const speedUp = run.speedUpOverSequential === null ? '' : `, ${fixed(run.speedUpOverSequential, 2)}× sequential's throughput`;
  return {
    id,
    python,
    node: `${run.strategy} ran ${run.scenario} on ${fixed(run.coresUsed, 2)} of ${machine.availableParallelism} cores${speedUp}: ${why}`,
    holds: machine.availableParallelism < 2 ? null : run.coresUsed > PARALLEL_CORES,
  };
}

function asyncBlocksFinding(cpu: readonly RunRecord[]): Finding {
  const python = 'asyncio runs concurrently on one thread: CPU-bound work gains nothing and holds up everything else';
  const async = pureJs(cpu, 'async');
  if (async === undefined) return { id: 'async-one-thread', python, node: 'not measured in this compare', holds: null };
  const threads = cpu.find((run) => run.scenario === async.scenario && run.strategy === 'threads');
  const versus = threads === undefined ? '' : ` (threads: ${fixed(threads.eventLoopDelayP99Ms)} ms)`;
  return {
    id: 'async-one-thread',
    python,
    node: `as in Python, async ran ${async.scenario} on ${fixed(async.coresUsed, 2)} cores, and the main event loop was blocked, p99 delay ${fixed(async.eventLoopDelayP99Ms)} ms${versus}`,
    holds: async.coresUsed < ONE_CORE && (threads === undefined || async.eventLoopDelayP99Ms > 2 * threads.eventLoopDelayP99Ms),
  };
}

function sharpFinding(cpu: readonly RunRecord[], machine: Machine): Finding {
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
    holds: machine.availableParallelism < 2 ? null : async.coresUsed > PARALLEL_CORES && (matrix === undefined || async.eventLoopDelayP99Ms < matrix.eventLoopDelayP99Ms),
  };
}

function manyCallsFinding(io: readonly RunRecord[], delayMs: number): Finding {
  const python = 'asyncio is good for many network calls: thousands in flight on one thread';
  const async = io.filter((run) => run.strategy === 'async').sort((a, b) => a.concurrency - b.concurrency);
  const lowest = async[0];
  const highest = async.at(-1);
  if (lowest === undefined || highest === undefined || lowest === highest) return { id: 'async-many-calls', python, node: 'not measured at two concurrency levels in this compare', holds: null };
  const bound = (highest.concurrency / delayMs) * 1000;
  return {
    id: 'async-many-calls',
    python,
    node:
      `as in Python, async went from ${fixed(lowest.jobsPerSecond, 0)} req/s at ${lowest.concurrency} in flight to ${fixed(highest.jobsPerSecond, 0)} req/s at ${highest.concurrency}` +
      ` (Little's law bound ${fixed(bound, 0)} req/s with a ${delayMs} ms upstream), p99 ${highest.latencyMs.p99 === null ? 'n/a' : fixed(highest.latencyMs.p99)} ms, on one thread`,
    holds: highest.jobsPerSecond > 5 * lowest.jobsPerSecond,
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
