import type { Scenario } from './scenario.ts';

/** Does nothing: what is left of a job's duration is the strategy's dispatch overhead. */
export const noop: Scenario<Record<string, never>> = {
  name: 'noop',
  kind: 'cpu',
  description: 'Does no work; measures the round trip of dispatching a job to a strategy.',
  size: { min: 0, max: 0, default: 0, unit: 'unused' },
  async run() {
    return {};
  },
};
