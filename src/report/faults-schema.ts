import { z } from 'zod';
import { FAULT_PRESET_NAMES } from '../faults/fault-presets.ts';
import { FAULT_NAMES, NetworkFaultsSchema, UpstreamFaultsSchema } from '../faults/fault-set.ts';
import { STRATEGY_NAMES } from '../strategies/strategy.ts';

/**
 * The optional `faults` section of report.json: the fault preset `compare --faults` ran its
 * http cells under, and each http cell's error share under it.
 */

const count = z.number().int().min(0);

export const CellErrorShareSchema = z
  .object({
    strategy: z.enum(STRATEGY_NAMES),
    concurrency: count,
    workers: count,
    jobs: count.describe('Jobs settled in all rounds of the cell.'),
    failed: count.describe('Jobs that failed (any error code); by code in the cell\'s `errors`.'),
    errorShare: z.number().min(0).max(1).nullable().describe('failed ÷ jobs; null when the cell settled no job.'),
  })
  .strict();

export const CompareFaultsSchema = z
  .object({
    preset: z.enum(FAULT_PRESET_NAMES as [string, ...string[]]),
    active: z.array(z.enum(FAULT_NAMES)).describe('The faults the preset switches on (lab_fault_active names).'),
    upstream: UpstreamFaultsSchema.describe("Application faults, set over the embedded upstream's /admin/faults."),
    network: NetworkFaultsSchema.describe('Network faults, toxics of a Toxiproxy proxy in front of the upstream (only for a network preset).'),
    via: z.enum(['upstream', 'toxiproxy']).describe('upstream: the http cells called the embedded upstream directly; toxiproxy: through a Toxiproxy proxy.'),
    scope: z.string().describe('What ran under the faults.'),
    errorShares: z.array(CellErrorShareSchema).describe('Every http cell, in the order of report.io.'),
  })
  .strict();

export type CompareFaultsSection = z.infer<typeof CompareFaultsSchema>;
