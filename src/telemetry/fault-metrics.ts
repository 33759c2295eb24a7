import { FAULT_NAMES, type FaultName } from '../faults/fault-set.ts';
import type { LabMetrics } from './lab-metrics.ts';

/** lab_fault_active: every fault gets a series, 1 while it is on, so dashboards see it switch off too. */
export function recordActiveFaults(metrics: LabMetrics, active: readonly FaultName[]): void {
  for (const name of FAULT_NAMES) metrics.faultActive.set({ fault: name }, active.includes(name) ? 1 : 0);
}
