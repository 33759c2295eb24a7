import { readFile } from 'node:fs/promises';
import { childPids } from '../strategies/child-pids.ts';
import { createStrategy } from '../strategies/create-strategy.ts';
import { ResourceUsage } from '../measurement/resource-usage.ts';

export interface ChildProcessMemory {
  started: number;
  /** Summed RSS of the children ÷ their number. */
  rssBytesPerChild: number;
  /** Summed PSS ÷ their number, where the OS reports it (Linux); undefined elsewhere. */
  pssBytesPerChild: number | undefined;
}

/**
 * A process's proportional set size: its private pages plus its share of pages it shares
 * with other processes (Linux only).
 */
async function readPssBytes(pid: number): Promise<number | undefined> {
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB$/m.exec(rollup);
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * Starts `count` idle children of the processes strategy (each has loaded the scenarios and
 * run one no-op task) and reads their memory. RSS counts every page a child maps, including
 * the node binary's code and libraries that all children share, so it overstates what one
 * more child costs; PSS splits shared pages among the processes that share them.
 */
export async function measureChildProcessMemory(count: number): Promise<ChildProcessMemory> {
  const strategy = createStrategy('processes', count);
  const usage = new ResourceUsage(() => childPids([strategy]));
  try {
    await strategy.ready();
    const snapshot = await usage.sample();
    const pids = [...childPids([strategy]).keys()];
    const started = pids.length;
    if (started === 0) return { started, rssBytesPerChild: 0, pssBytesPerChild: undefined };
    const pss = await Promise.all(pids.map(readPssBytes));
    const pssTotal = pss.every((bytes) => bytes !== undefined) ? pss.reduce((sum, bytes) => sum + bytes, 0) : undefined;
    return {
      started,
      rssBytesPerChild: (snapshot.childRssBytes.processes ?? 0) / started,
      pssBytesPerChild: pssTotal === undefined ? undefined : pssTotal / started,
    };
  } finally {
    await strategy.close();
    usage.close();
  }
}
