import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/** The machine a run came from, printed above the results: figures mean nothing without it. */
export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started: how busy the machine already was. */
  loadAverage1m: number;
}

export function describeMachine(): Machine {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
  };
}

export function formatMachine(machine: Machine): string {
  return `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GiB, Node ${machine.node} (${machine.platform}), load average ${machine.loadAverage1m} at start`;
}
