import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStrategy } from '../../src/strategies/create-strategy.ts';
import type { Strategy, StrategyName, WorkerIdentity } from '../../src/strategies/strategy.ts';
import type { Task } from '../../src/strategies/task.ts';
import { waitFor } from '../support/wait-for.ts';

const WORKERS = 2;
/** A replacement loads the task entry before it is ready: about 5 s on the shared 2-core VM under load; room for a busier machine. */
const FULL_AGAIN_WITHIN_MS = 30_000;

const key = ({ pid, threadId }: WorkerIdentity): string => `${pid}:${threadId}`;
let nextId = 1;
const cpuTask = (): Task => ({ id: nextId++, kind: 'cpu', scenario: 'matrix', size: 40, upstreamUrl: undefined, traceContext: undefined });

/** Ends one worker and waits for its replacement to be listed; returns the replacement (still booting). */
async function killAndCatchReplacement(strategy: Strategy): Promise<WorkerIdentity> {
  const before = new Set(strategy.workers().map(key));
  const victim = strategy.workers()[0]!;
  assert.ok(strategy.terminateWorker(victim));
  return waitFor(() => strategy.workers().find((worker) => !before.has(key(worker))), { description: 'a replacement to be listed', timeoutMs: 10_000, intervalMs: 1 });
}

/** The workers that answer `rounds` × WORKERS CPU tasks sent at once (one per worker each round). */
async function answeringWorkers(strategy: Strategy, rounds: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    const outcomes = await Promise.all(Array.from({ length: WORKERS }, () => strategy.execute(cpuTask(), AbortSignal.timeout(20_000))));
    for (const outcome of outcomes) seen.add(key(outcome));
  }
  return seen;
}

/**
 * piscina and tinypool flag a worker that dies before it reported ready as a bootstrap failure
 * and stop replacing workers (piscina: for good, every later crash too), so the pool stays short
 * and jobs wait for a worker that never comes. The strategy must bring the pool back to full
 * size itself.
 */
describe('a worker killed during its bootstrap is replaced', () => {
  for (const name of ['threads', 'processes'] as const satisfies readonly StrategyName[]) {
    it(`${name}: full size again after a replacement is killed while booting, and later crashes are still replaced`, async () => {
      const strategy = createStrategy(name, WORKERS);
      try {
        await strategy.ready();
        const booting = await killAndCatchReplacement(strategy);
        // Killed right after it was spawned: it is still loading the task entry.
        assert.ok(strategy.terminateWorker(booting), 'the booting replacement could be killed');
        const full = await waitFor(() => strategy.workers().length === WORKERS && !strategy.workers().some((worker) => key(worker) === key(booting)) && strategy.workers(), {
          description: `the ${name} pool back at ${WORKERS} workers`,
          timeoutMs: FULL_AGAIN_WITHIN_MS,
          intervalMs: 20,
        });
        // Every listed worker becomes ready and takes jobs.
        await waitFor(async () => {
          const seen = await answeringWorkers(strategy, 1);
          return full.every((worker) => seen.has(key(worker)));
        }, { description: 'every listed worker to run a job', timeoutMs: FULL_AGAIN_WITHIN_MS, intervalMs: 50 });
        // A later crash of a ready worker is still replaced (piscina stopped replacing for good).
        const victim = strategy.workers()[0]!;
        assert.ok(strategy.terminateWorker(victim));
        await waitFor(() => strategy.workers().length === WORKERS && !strategy.workers().some((worker) => key(worker) === key(victim)), {
          description: `the ${name} pool back at ${WORKERS} workers after a later crash`,
          timeoutMs: FULL_AGAIN_WITHIN_MS,
          intervalMs: 20,
        });
        assert.equal(strategy.restarts().crash, 3);
      } finally {
        await strategy.close();
      }
    });
  }
});
