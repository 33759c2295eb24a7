import type { AnnotationSpec } from './layout.ts';

/**
 * Injected faults (GET/PUT /api/v1/faults) shade the time series like the rotation windows
 * do: one region per active fault, titled with the fault's name.
 */
export const FAULT_ANNOTATIONS: readonly AnnotationSpec[] = [
  {
    name: 'faults active',
    expr: 'max by (fault) (lab_fault_active) == 1',
    color: 'purple',
    title: 'fault {{fault}}',
  },
];
