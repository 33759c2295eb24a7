import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkerChaos } from '../../src/driver/chaos.ts';
import { createStrategy } from '../../src/strategies/create-strategy.ts';
import type { Strategy, StrategyName, WorkerIdentity } from '../../src/strategies/strategy.ts';
import { waitFor } from '../support/wait-for.ts';

const WORKERS = 2;
const key = ({ pid, threadId }: WorkerIdentity): string => `${pid}:${threadId}`;

/**
 * Worker chaos counts a pool as full only when every worker is ready (has answered a task), so a
 * kill never lands on a replacement still loading the task entry (a worker killed while booting
 * makes piscina and tinypool stop replacing workers). First the pools' notion of ready, with
 * real pools; then the timer's use of it, with a pool whose one replacement stays booting as
 * long as the test says (the timing of a real boot is the machine's, not the timer's).
 */
describe('worker chaos kills only ready workers', () => {
  for (const name of ['threads', 'processes'] as const satisfies readonly StrategyName[]) {
    it(`${name}: a replacement is listed before it is ready, and becomes ready with no job sent`, async () => {
      const strategy: Strategy = createStrategy(name, WORKERS);
      try {
        await strategy.ready();
        assert.equal(strategy.readyWorkers().length, WORKERS);
        // One kill by hand: its replacement is listed at once but not ready.
        const first = strategy.readyWorkers()[0]!;
        assert.ok(strategy.terminateWorker(first));
        const replacement = await waitFor(() => strategy.workers().find((worker) => key(worker) !== key(first) && !strategy.readyWorkers().some((ready) => key(ready) === key(worker))), {
          description: 'a listed replacement that is not ready yet',
          timeoutMs: 10_000,
          intervalMs: 1,
        });
        // It becomes ready with no job sent (the pool's warm-ups reach it).
        await waitFor(() => strategy.readyWorkers().some((worker) => key(worker) === key(replacement)), { description: 'the replacement to be ready', timeoutMs: 30_000, intervalMs: 20 });

        // Full and ready again afterwards.
        await waitFor(() => strategy.readyWorkers().length === WORKERS, { description: `the ${name} pool full of ready workers`, timeoutMs: 30_000, intervalMs: 20 });
      } finally {
        await strategy.close();
      }
    });
  }

  it('the timer skips its ticks while a listed worker is not ready, kills only ready workers, and kills again once the replacement is ready', async () => {
    const ready: WorkerIdentity[] = [{ pid: 1, threadId: 1 }];
    const booting: WorkerIdentity[] = [{ pid: 1, threadId: 2 }];
    const killed: string[] = [];
    const pool = {
      name: 'threads',
      workerCount: 2,
      workers: () => [...ready, ...booting],
      readyWorkers: () => [...ready],
      workerUsage: () => ({ cpuSeconds: 0, eluActiveMs: 0, eluIdleMs: 0, heapUsedBytes: 0 }),
      terminateWorker: (worker: WorkerIdentity) => {
        killed.push(key(worker));
        return true;
      },
    } as unknown as Strategy;
    const chaos = new WorkerChaos({ strategies: new Map([['threads', pool]]), activeStrategy: () => 'threads', intervalMs: 20 });
    chaos.start();
    try {
      await sleep(300);
      assert.deepEqual(killed, [], 'no kill while a listed worker boots (two listed, one ready)');
      // Asked once, the kill lands on the ready worker, never the booting one.
      for (let i = 0; i < 20; i++) assert.equal(key(chaos.killOne('threads')!), '1:1');
      killed.length = 0;
      // The replacement is ready: the timer kills again.
      ready.push(booting.pop()!);
      await waitFor(() => killed.length > 0, { description: 'a kill once every worker is ready', timeoutMs: 2_000, intervalMs: 10 });
    } finally {
      chaos.stop();
    }
  });
});
