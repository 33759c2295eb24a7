import { createStrategy } from '../strategies/create-strategy.ts';
import type { Strategy } from '../strategies/strategy.ts';
import { forceGc } from './force-gc.ts';

export interface WorkerThreadMemory {
  started: number;
  /** Growth of this process's RSS ÷ threads started. */
  rssBytesPerThread: number;
}

/**
 * Starts `count` idle threads of the threads strategy (piscina; each has loaded the scenarios
 * and run one no-op task) and measures how much this process's resident memory grew: a
 * worker thread is a V8 isolate with its own heap inside the same process. A first pool of one
 * thread stays up meanwhile, so the native libraries every thread shares (sharp's libvips) are
 * loaded before the measurement and not counted per thread.
 */
export async function measureWorkerThreadMemory(count: number): Promise<WorkerThreadMemory> {
  const first = createStrategy('threads', 1);
  let strategy: Strategy | undefined;
  try {
    await first.ready();
    forceGc();
    const before = process.memoryUsage.rss();
    // Created only now: the pool starts its threads in its constructor.
    strategy = createStrategy('threads', count);
    await strategy.ready();
    forceGc();
    const after = process.memoryUsage.rss();
    const started = strategy.workers().length;
    return { started, rssBytesPerThread: started === 0 ? 0 : Math.max(0, after - before) / started };
  } finally {
    await Promise.all([strategy?.close(), first.close()]);
  }
}
