import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LabError } from '../../errors.ts';
import type { FaultController } from '../../faults/fault-controller.ts';
import { FAULT_PRESET_DESCRIPTIONS, FAULT_PRESET_NAMES, FAULT_PRESETS, type FaultPresetName } from '../../faults/fault-presets.ts';
import { activeFaults, type FaultSet, NetworkFaultsSchema, UPSTREAM_FAULT_NAMES, UpstreamFaultsSchema } from '../../faults/fault-set.ts';
import type { RouteRegistrar } from '../api-server.ts';
import { resource } from '../resource.ts';

const PutBodySchema = z.strictObject({
  preset: z.enum(FAULT_PRESET_NAMES as [FaultPresetName, ...FaultPresetName[]]).optional(),
  upstream: z.record(z.string(), z.unknown()).optional(),
  // null switches off one network fault of the preset.
  network: z.record(z.string(), z.unknown()).optional(),
});

function invalid(error: z.ZodError, prefix: string): LabError {
  const issue = error.issues[0]!;
  const field = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.') || 'body';
  return new LabError('LAB_ERR_FAULT_INVALID', `${field}: ${issue.message}`, { details: { field } });
}

/**
 * The faults a PUT body asks for: the preset (none when absent) with the given fields over
 * it. Throws LAB_ERR_FAULT_INVALID naming the first bad field; nothing is applied then.
 */
export function parseFaultRequest(body: unknown): { faults: FaultSet; preset: FaultPresetName | null } {
  let json: unknown = body;
  if (Buffer.isBuffer(body)) {
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new LabError('LAB_ERR_FAULT_INVALID', `body: not JSON (${(error as Error).message})`, { details: { field: 'body' } });
    }
  }
  const parsed = PutBodySchema.safeParse(json);
  if (!parsed.success) throw invalid(parsed.error, '');
  const { preset, upstream = {}, network = {} } = parsed.data;
  const base = FAULT_PRESETS[preset ?? 'none'];
  const upstreamFaults = UpstreamFaultsSchema.safeParse({ ...base.upstream, ...upstream });
  if (!upstreamFaults.success) throw invalid(upstreamFaults.error, 'upstream');
  const networkInput: Record<string, unknown> = { ...base.network, ...network };
  for (const [key, value] of Object.entries(networkInput)) if (value === null) delete networkInput[key];
  const networkFaults = NetworkFaultsSchema.safeParse(networkInput);
  if (!networkFaults.success) throw invalid(networkFaults.error, 'network');
  const changed = Object.keys(upstream).length > 0 || Object.keys(network).length > 0;
  return { faults: { upstream: upstreamFaults.data, network: networkFaults.data }, preset: changed ? null : (preset ?? 'none') };
}

/** Every preset with what it switches on and what it needs (`upstream`: a concurrency-lab upstream; `network`: Toxiproxy). */
export function faultPresetList(): Array<{ name: FaultPresetName; description: string; faults: string[]; needs: Array<'upstream' | 'network'> }> {
  return FAULT_PRESET_NAMES.map((name) => {
    const faults = activeFaults(FAULT_PRESETS[name]);
    const needs: Array<'upstream' | 'network'> = [];
    if (faults.some((fault) => UPSTREAM_FAULT_NAMES.includes(fault))) needs.push('upstream');
    if (faults.some((fault) => !UPSTREAM_FAULT_NAMES.includes(fault))) needs.push('network');
    return { name, description: FAULT_PRESET_DESCRIPTIONS[name], faults, needs };
  });
}

/**
 * GET /api/v1/faults/presets lists the presets (the live page's fault switch).
 * GET /api/v1/faults shows the active faults; PUT replaces them (a preset and/or fields:
 * what the body leaves out is off); DELETE switches every fault off.
 */
export function faultRoutes(controller: FaultController): RouteRegistrar {
  return (app: FastifyInstance) => {
    resource(app, '/api/v1/faults', {
      GET: { handler: async () => controller.status() },
      PUT: {
        handler: async (request) => {
          const { faults, preset } = parseFaultRequest(request.body);
          return controller.set(faults, preset);
        },
      },
      DELETE: { handler: async () => controller.set(FAULT_PRESETS.none, 'none') },
    });
    resource(app, '/api/v1/faults/presets', { GET: { handler: async () => ({ presets: faultPresetList() }) } });
  };
}
