import { arch, availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import type { Machine } from './report-schema.ts';

/** libuv's default threadpool size, used when UV_THREADPOOL_SIZE is not set. */
const UV_DEFAULT_THREADPOOL_SIZE = 4;

/** The machine a compare ran on: without it the numbers cannot be compared with anyone else's. */
export function describeMachine(): Machine {
  const processors = cpus();
  const uvThreadpoolSize = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return {
    cpuModel: processors[0]?.model.trim() || 'unknown',
    cpus: processors.length,
    availableParallelism: availableParallelism(),
    totalMemoryBytes: totalmem(),
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    platform: platform(),
    release: release(),
    arch: arch(),
    uvThreadpoolSize: Number.isSafeInteger(uvThreadpoolSize) && uvThreadpoolSize > 0 ? uvThreadpoolSize : UV_DEFAULT_THREADPOOL_SIZE,
    loadAverageAtStart: loadavg(),
  };
}
