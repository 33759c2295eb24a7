import { nodeCpuMsPerJob, PARALLEL_CORES } from './python-tables.ts';
import type { PythonRun, PythonSection } from './python-schema.ts';
import type { NodeFigures } from './node-medians.ts';
import type { Finding, Machine } from './report-schema.ts';

const fixed = (value: number | null | undefined, digits = 1): string => (value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));

function best<T extends { jobsPerSecond: number }>(runs: readonly T[]): T | undefined {
  return [...runs].sort((a, b) => b.jobsPerSecond - a.jobsPerSecond)[0];
}

function pythonCpu(python: PythonSection, workload: string, model: string): PythonRun | undefined {
  return python.runs.find((run) => run.workload === workload && run.model === model);
}

/** Where the measured Python and the measured Node agree and where they differ, with the numbers. */
export function pythonFindings(python: PythonSection, node: { machine: Machine; cpu: readonly NodeFigures[]; io: readonly NodeFigures[] }): Finding[] {
  const findings: Finding[] = [];
  const multiCore = node.machine.availableParallelism >= 2;

  const pyThreads = pythonCpu(python, 'matrix', 'threads');
  const nodeThreads = node.cpu.find((run) => run.scenario === 'matrix' && run.strategy === 'threads');
  if (pyThreads !== undefined && nodeThreads !== undefined) {
    findings.push({
      id: 'python-gil-vs-node-threads',
      python: `measured: ThreadPoolExecutor of ${pyThreads.workers} on pure-Python matrix used ${fixed(pyThreads.coresUsed, 2)} cores (the GIL runs one thread's bytecode at a time), ${fixed(pyThreads.jobsPerSecond, 2)} jobs/s`,
      node: `worker threads on matrix used ${fixed(nodeThreads.coresUsed, 2)} cores, ${fixed(nodeThreads.jobsPerSecond, 1)} jobs/s: no GIL, threads really run JavaScript in parallel — the talk's threads row differs on Node`,
      holds: multiCore ? pyThreads.coresUsed <= PARALLEL_CORES && nodeThreads.coresUsed > PARALLEL_CORES : null,
    });
  }

  const pyPool = pythonCpu(python, 'matrix', 'processes');
  const nodeProcesses = node.cpu.find((run) => run.scenario === 'matrix' && run.strategy === 'processes');
  if (pyPool !== undefined) {
    findings.push({
      id: 'python-pool-vs-node-processes',
      python: `measured: multiprocessing.Pool of ${pyPool.workers} on matrix used ${fixed(pyPool.coresUsed, 2)} cores, ${fixed(pyPool.jobsPerSecond, 2)} jobs/s`,
      node: nodeProcesses === undefined ? 'child processes not measured' : `child processes used ${fixed(nodeProcesses.coresUsed, 2)} cores, ${fixed(nodeProcesses.jobsPerSecond, 1)} jobs/s: both languages agree that processes run in parallel`,
      holds: multiCore && nodeProcesses !== undefined ? pyPool.coresUsed > PARALLEL_CORES && nodeProcesses.coresUsed > PARALLEL_CORES : null,
    });
  }

  const pyThumbs = python.runs.filter((run) => run.workload === 'thumbnail');
  const nodeThumbs = node.cpu.filter((run) => run.scenario === 'thumbnail');
  const pyBest = best(pyThumbs);
  const nodeBest = best(nodeThumbs);
  if (pyBest !== undefined && nodeBest !== undefined) {
    const ratio = pyBest.jobsPerSecond > 0 ? nodeBest.jobsPerSecond / pyBest.jobsPerSecond : Number.NaN;
    // Judged by CPU per thumbnail, the least CPU either side needed: on a contended machine
    // throughput is each process's share of the cores, CPU per thumbnail is what the work costs.
    const pyCpu = Math.min(...pyThumbs.map((run) => run.cpuMsPerJob ?? Number.POSITIVE_INFINITY));
    const nodeCpu = Math.min(...nodeThumbs.map((run) => nodeCpuMsPerJob(run) ?? Number.POSITIVE_INFINITY));
    findings.push({
      id: 'python-pillow-vs-sharp',
      python: `measured: Pillow's best was ${pyBest.model} at ${fixed(pyBest.jobsPerSecond)} thumbnails/s; ${fixed(pyCpu, 2)} CPU ms per thumbnail at the least (Pillow releases the GIL while it decodes, so threads scale too)`,
      node: `sharp's best was ${nodeBest.strategy} at ${fixed(nodeBest.jobsPerSecond)} thumbnails/s (${fixed(ratio, 2)}× Pillow's best); ${fixed(nodeCpu, 2)} CPU ms per thumbnail at the least, ${fixed(nodeCpu / pyCpu, 2)}× Pillow's: shown when sharp needs no more CPU per thumbnail than Pillow`,
      holds: Number.isFinite(pyCpu) && Number.isFinite(nodeCpu) ? nodeCpu <= pyCpu : null,
    });
  }

  const pyAsync = best(python.runs.filter((run) => run.workload === 'http' && run.model === 'asyncio'));
  const nodeAsync = best(node.io.filter((run) => run.strategy === 'async'));
  if (pyAsync !== undefined && nodeAsync !== undefined) {
    findings.push({
      id: 'python-asyncio-vs-node-async',
      python: `measured: asyncio + aiohttp peaked at ${fixed(pyAsync.jobsPerSecond)} req/s with ${pyAsync.concurrency} in flight on ${fixed(pyAsync.coresUsed, 2)} cores (${fixed(pyAsync.cpuMsPerJob, 3)} CPU ms per request)`,
      node: `the async strategy peaked at ${fixed(nodeAsync.jobsPerSecond)} req/s with ${nodeAsync.concurrency} in flight on ${fixed(nodeAsync.coresUsed, 2)} cores (${fixed(nodeCpuMsPerJob(nodeAsync), 3)} CPU ms per request): both are one event loop, as the talk says`,
      holds: pyAsync.coresUsed <= PARALLEL_CORES + 0.1 && nodeAsync.coresUsed <= 2,
    });
  }
  return findings;
}
