import type { Benchmark } from './benchmark.ts';
import { cellsAllBench } from './cells-all-bench.ts';
import { cellsBench } from './cells-bench.ts';
import { cpuBench } from './cpu-bench.ts';
import { dispatchBench } from './dispatch-bench.ts';
import { httpBench } from './http-bench.ts';
import { liveBench } from './live-bench.ts';
import { overheadBench } from './overhead-bench.ts';
import { roundTripBench } from './round-trip-bench.ts';
import { soakBench } from './soak-bench.ts';
import { stressBench } from './stress-bench.ts';
import { thumbnailBench } from './thumbnail-bench.ts';
import { thumbnailKnobsBench } from './thumbnail-knobs-bench.ts';

/** Every benchmark, in the order a full run takes them (cheapest and most basic first). */
export const BENCHMARKS: readonly Benchmark[] = [dispatchBench, roundTripBench, cpuBench, thumbnailBench, thumbnailKnobsBench, httpBench, cellsBench, cellsAllBench, overheadBench, liveBench, stressBench, soakBench];
