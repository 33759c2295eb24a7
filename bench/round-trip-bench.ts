import { Worker } from 'node:worker_threads';
import { ResourceUsage } from '../src/measurement/resource-usage.ts';
import { childPids } from '../src/strategies/child-pids.ts';
import { createStrategy } from '../src/strategies/create-strategy.ts';
import type { Strategy } from '../src/strategies/strategy.ts';
import type { Task } from '../src/strategies/task.ts';
import type { Benchmark, Measurement } from './benchmark.ts';
import { interleavedRounds, median } from './interleaved-rounds.ts';

/** Round trips in flight: the http bench's C. */
const IN_FLIGHT = 256;
const US_PER_SECOND = 1e6;

/**
 * A worker thread that answers every message on its parent port with a reply shaped like a
 * task reply, after a turn of its event loop (as an I/O job's reply comes): the least any
 * transport between the main thread and worker threads can cost per job.
 */
const ECHO_WORKER = `
const { parentPort, threadId } = require('node:worker_threads');
parentPort.on('message', (task) => setImmediate(() => parentPort.postMessage({ id: task.id, ok: true, result: {}, startedAtMs: Date.now(), runMs: 0, pid: process.pid, threadId })));
`;

/** Bare MessagePorts to `count` echo workers, tasks handed out in turn. */
class EchoWorkers {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, () => void>();

  constructor(count: number) {
    this.#workers = Array.from({ length: count }, () => new Worker(ECHO_WORKER, { eval: true }));
    for (const worker of this.#workers) {
      worker.on('message', (reply: { id: number }) => {
        this.#pending.get(reply.id)?.();
        this.#pending.delete(reply.id);
      });
    }
  }

  send(task: Task): Promise<void> {
    return new Promise((resolve) => {
      this.#pending.set(task.id, resolve);
      this.#workers[task.id % this.#workers.length]!.postMessage(task);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}

const VARIANTS = ['bare MessagePort', 'threads', 'processes'] as const;
type Variant = (typeof VARIANTS)[number];

/**
 * Issue 10: what one I/O job's trip to a pool worker and back costs in CPU, without the job: a
 * `noop` task of kind io (as an http job travels: many at once per worker) kept 256 in flight
 * for a while, on the lab's threads pool (piscina) and processes pool (tinypool), against bare
 * MessagePorts to as many echo worker threads. The bare figure is the floor of any transport
 * between threads, so the threads pool's figure above it is all a leaner transport could save.
 * CPU is the whole process's (main thread and worker threads) plus the pool's children.
 */
export const roundTripBench: Benchmark = {
  name: 'round-trip',
  description: `CPU per I/O job's round trip to a pool worker (noop, ${IN_FLIGHT} in flight): threads and processes pools against bare MessagePorts`,
  async run(context) {
    const rounds = context.quick ? 2 : 5;
    const durationMs = context.quick ? 500 : 2_000;
    const echo = new EchoWorkers(context.cores);
    const pools = new Map<Variant, Strategy>([
      ['threads', createStrategy('threads', context.cores)],
      ['processes', createStrategy('processes', context.cores)],
    ]);
    const usage = new ResourceUsage(() => childPids(pools.values()));
    let nextId = 1;
    const roundTrip = (variant: Variant): Promise<unknown> => {
      const task: Task = { id: nextId++, kind: 'io', scenario: 'noop', size: 0, upstreamUrl: undefined, traceContext: undefined };
      // A signal of its own per job, as the job runner gives each.
      return variant === 'bare MessagePort' ? echo.send(task) : pools.get(variant)!.execute(task, new AbortController().signal);
    };
    const measure = async (variant: Variant): Promise<{ perSecond: number; cpuUs: number }> => {
      const deadline = performance.now() + durationMs;
      let count = 0;
      const before = await usage.sample();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (performance.now() < deadline) {
            await roundTrip(variant);
            count++;
          }
        }),
      );
      const after = await usage.sample();
      const cores = ResourceUsage.coresUsed(before, after);
      const seconds = (after.atMs - before.atMs) / 1000;
      return { perSecond: count / seconds, cpuUs: (cores * seconds * US_PER_SECOND) / count };
    };
    try {
      await Promise.all([...pools.values()].map((pool) => pool.ready()));
      context.log(`round-trip: ${rounds} rounds × ${VARIANTS.length} variants × ${durationMs} ms, ${IN_FLIGHT} in flight`);
      // One unmeasured round each: connections, JIT.
      for (const variant of VARIANTS) await measure(variant);
      const runs = await interleavedRounds(VARIANTS, rounds, measure);
      const cpuUs = (variant: Variant): number => median(runs[variant].map((run) => run.cpuUs));
      return VARIANTS.map(
        (variant): Measurement => ({
          name: `${variant}: CPU per round trip`,
          value: cpuUs(variant),
          unit: 'µs',
          detail: {
            aboveBareUs: cpuUs(variant) - cpuUs('bare MessagePort'),
            roundTripsPerSecond: median(runs[variant].map((run) => run.perSecond)),
            perRoundCpuUs: runs[variant].map((run) => run.cpuUs),
          },
        }),
      );
    } finally {
      await Promise.allSettled([echo.close(), ...[...pools.values()].map((pool) => pool.close())]);
      usage.close();
    }
  },
};
