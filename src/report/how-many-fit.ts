import type { StrategyName } from '../strategies/strategy.ts';
import { measureAsyncRequestMemory } from './measure-async-request-memory.ts';
import { measureChildProcessMemory } from './measure-child-process-memory.ts';
import { measureWorkerThreadMemory } from './measure-worker-thread-memory.ts';
import type { UnitMemory } from './report-schema.ts';

/** In-flight requests held at once: enough that per-request memory stands out of the noise of one process. */
export const ASYNC_REQUEST_SAMPLE = 1000;

const MB = 1024 * 1024;

export interface HowManyFitOptions {
  strategies: readonly StrategyName[];
  memoryBudgetMb: number;
  /** Child processes and worker threads started at once. */
  sample: number;
  /** Called before each measurement with what it measures and about how long it takes. */
  onStep?: ((label: string, expectedSeconds: number) => void) | undefined;
}

/** Rough seconds per measurement, for the progress display: starting child processes dominates. */
const EXPECTED_SECONDS = {
  processes: (sample: number) => 1 + 0.4 * sample,
  threads: (sample: number) => 0.5 + 0.1 * sample,
  async: () => 4,
} as const;

/** Estimate of every measurement for these strategies, for the progress display. */
export function howManyFitExpectedSeconds(strategies: readonly StrategyName[], sample: number): number {
  return strategies.reduce((sum, strategy) => sum + (strategy === 'sequential' ? 0 : EXPECTED_SECONDS[strategy](sample)), 0);
}

function mb(bytes: number): string {
  return (bytes / MB).toFixed(1);
}

function unit(fields: Omit<UnitMemory, 'fitInBudget'>, budgetMb: number): UnitMemory {
  return { ...fields, fitInBudget: fields.bytesPerUnit > 0 ? Math.floor((budgetMb * MB) / fields.bytesPerUnit) : 0 };
}

/**
 * The talk's "how many fit" row, measured: memory per idle unit of each strategy that has
 * one (a child process, a worker thread, an in-flight async request) and how many of them
 * fit in the budget. Sequential has no unit: it holds one job at a time.
 */
export async function measureHowManyFit(options: HowManyFitOptions): Promise<UnitMemory[]> {
  const units: UnitMemory[] = [];
  const budget = options.memoryBudgetMb;
  // The in-process measurements first, while this process has freed the least memory that
  // new threads and requests could reuse without growing its RSS; the children are separate.
  if (options.strategies.includes('async')) {
    options.onStep?.(`how many fit: ${ASYNC_REQUEST_SAMPLE} in-flight async requests`, EXPECTED_SECONDS.async());
    const { started, rssBytesPerRequest, heapBytesPerRequest } = await measureAsyncRequestMemory(ASYNC_REQUEST_SAMPLE);
    units.push(
      unit(
        {
          unit: 'in-flight async request',
          strategy: 'async',
          started,
          // RSS moves in pages and allocator chunks, and reuses pages freed earlier: when it grew
          // less than the V8 heap did, the heap growth is the better (lower-bound) reading.
          bytesPerUnit: Math.max(rssBytesPerRequest, heapBytesPerRequest),
          rssBytesPerUnit: rssBytesPerRequest,
          pssBytesPerUnit: null,
          heapBytesPerUnit: heapBytesPerRequest,
          method: `held ${started} http jobs in flight at once, each connected to an upstream that had not answered yet; growth of this process's RSS (after a full GC) ÷ ${started}`,
        },
        budget,
      ),
    );
  }
  if (options.strategies.includes('threads')) {
    options.onStep?.(`how many fit: ${options.sample} worker threads`, EXPECTED_SECONDS.threads(options.sample));
    const { started, rssBytesPerThread } = await measureWorkerThreadMemory(options.sample);
    units.push(
      unit(
        {
          unit: 'worker thread',
          strategy: 'threads',
          started,
          bytesPerUnit: rssBytesPerThread,
          rssBytesPerUnit: rssBytesPerThread,
          pssBytesPerUnit: null,
          heapBytesPerUnit: null,
          method: `started ${started} idle piscina threads; growth of this process's RSS (after a full GC) ÷ ${started}`,
        },
        budget,
      ),
    );
  }
  if (options.strategies.includes('processes')) {
    options.onStep?.(`how many fit: ${options.sample} child processes`, EXPECTED_SECONDS.processes(options.sample));
    const { started, rssBytesPerChild, pssBytesPerChild } = await measureChildProcessMemory(options.sample);
    units.push(
      unit(
        {
          unit: 'child process',
          strategy: 'processes',
          started,
          bytesPerUnit: pssBytesPerChild ?? rssBytesPerChild,
          rssBytesPerUnit: rssBytesPerChild,
          pssBytesPerUnit: pssBytesPerChild ?? null,
          heapBytesPerUnit: null,
          method:
            pssBytesPerChild === undefined
              ? `started ${started} idle pool children; their summed RSS ÷ ${started} (RSS counts the code pages all children share in each of them, so this overstates)`
              : `started ${started} idle pool children; their summed PSS ÷ ${started} (RSS, ${mb(rssBytesPerChild)} MB each, would count the node binary and libraries that all children share in each of them)`,
        },
        budget,
      ),
    );
  }
  return units;
}
