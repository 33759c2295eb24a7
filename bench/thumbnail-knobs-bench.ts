import { fileURLToPath } from 'node:url';
import { sourceImage } from '../src/scenarios/source-images.ts';
import { NODE } from '../test/support/lab-daemon.ts';
import { startProcess } from '../test/support/started-process.ts';
import type { Benchmark, BenchContext, Measurement } from './benchmark.ts';
import { interleavedRounds, median, medianRatio } from './interleaved-rounds.ts';
import type { ProbeResult, ProbeSettings } from './thumbnail-probe.ts';

const PROBE = fileURLToPath(new URL('./thumbnail-probe.ts', import.meta.url));

export interface Knob {
  readonly description: string;
  readonly env: Readonly<Record<string, string>>;
  readonly settings: Omit<ProbeSettings, 'durationMs'>;
}

/** Each knob changes one thing against the first (sharp's and Node's defaults, 2 × cores in flight). */
function knobs(cores: number): Record<string, Knob> {
  const inFlight = 2 * cores;
  return {
    defaults: { description: `defaults (UV_THREADPOOL_SIZE 4, sharp.concurrency default), ${inFlight} in flight`, env: {}, settings: { inFlight, fastShrinkOnLoad: true } },
    'uv=cores': { description: `UV_THREADPOOL_SIZE=${cores}`, env: { UV_THREADPOOL_SIZE: String(cores) }, settings: { inFlight, fastShrinkOnLoad: true } },
    'uv=4×cores': { description: `UV_THREADPOOL_SIZE=${4 * cores}, ${4 * cores} in flight`, env: { UV_THREADPOOL_SIZE: String(4 * cores) }, settings: { inFlight: 4 * cores, fastShrinkOnLoad: true } },
    'vips=cores': { description: `sharp.concurrency(${cores})`, env: {}, settings: { inFlight, sharpConcurrency: cores, fastShrinkOnLoad: true } },
    'one, vips=1': { description: 'one in flight, sharp.concurrency(1)', env: {}, settings: { inFlight: 1, sharpConcurrency: 1, fastShrinkOnLoad: true } },
    'one, vips=cores': { description: `one in flight, sharp.concurrency(${cores})`, env: {}, settings: { inFlight: 1, sharpConcurrency: cores, fastShrinkOnLoad: true } },
    'gentler shrink-on-load': { description: 'fastShrinkOnLoad off (libvips shrinks less on load)', env: {}, settings: { inFlight, fastShrinkOnLoad: false } },
  };
}

/** Runs bench/thumbnail-probe.ts in its own process under one knob (also used by the thumbnail benchmark). */
export async function probe(knob: Knob, durationMs: number): Promise<ProbeResult> {
  const settings: ProbeSettings = { ...knob.settings, durationMs };
  const child = await startProcess(NODE, [PROBE, JSON.stringify(settings)], { env: { ...process.env, ...knob.env } });
  const exit = await child.exited;
  const line = child.output().trim().split('\n').at(-1) ?? '';
  if (exit.code !== 0) throw new Error(`thumbnail probe ${JSON.stringify(settings)} exited with ${exit.code ?? exit.signal}: ${child.output()}`);
  return JSON.parse(line) as ProbeResult;
}

/** What a structured clone of the source JPEG costs next to one thumbnail: the price of sending sources to workers per job. */
async function copyCost(context: BenchContext, thumbnailMs: number): Promise<Measurement> {
  const source = await sourceImage(1600);
  const copies = context.quick ? 200 : 1_000;
  const started = performance.now();
  for (let i = 0; i < copies; i++) structuredClone(source);
  const copyMs = (performance.now() - started) / copies;
  return { name: 'copy of the source ÷ one thumbnail', value: copyMs / thumbnailMs, unit: '×', detail: { sourceBytes: source.length, copyMs, thumbnailMs } };
}

/**
 * Issue 2: what limits sharp here. Each knob runs in its own process (libuv reads
 * UV_THREADPOOL_SIZE once), in interleaved rounds, as a ratio to the defaults.
 */
export const thumbnailKnobsBench: Benchmark = {
  name: 'thumbnail-knobs',
  description: "thumbnail: each sharp/libuv knob's throughput ÷ the defaults (what limits sharp here)",
  async run(context) {
    const all = knobs(context.cores);
    const names = Object.keys(all);
    const rounds = context.quick ? 2 : 3;
    const durationMs = context.quick ? 800 : 2_500;
    context.log(`thumbnail-knobs: ${rounds} rounds × ${names.length} knobs × ${durationMs} ms, one process each`);
    const runs = await interleavedRounds(names, rounds, (name) => probe(all[name]!, durationMs));
    const perSecond = (name: string): number[] => runs[name]!.map((run) => run.perSecond);
    // CPU per thumbnail does not depend on the share of the cores the probe got, so on a
    // shared machine it tells a real saving from a knob that merely grabbed more CPU.
    const cpuMs = (name: string): number[] => runs[name]!.map((run) => (1000 * run.coresUsed) / run.perSecond);
    const measurements: Measurement[] = names.flatMap((name): Measurement[] => {
      const detail = { perRound: perSecond(name), cpuMsPerThumbnail: cpuMs(name), coresUsed: median(runs[name]!.map((run) => run.coresUsed)), sharpConcurrency: runs[name]![0]!.sharpConcurrency };
      if (name === 'defaults') {
        return [
          { name: `${all[name]!.description}: thumbnails/s`, value: median(perSecond(name)), unit: '/s', detail },
          { name: 'defaults: CPU per thumbnail', value: median(cpuMs(name)), unit: 'ms', detail },
        ];
      }
      return [
        { name: `${all[name]!.description} ÷ defaults`, value: medianRatio(perSecond(name), perSecond('defaults')), unit: '×', detail },
        { name: `${all[name]!.description}: CPU per thumbnail ÷ defaults`, value: medianRatio(cpuMs(name), cpuMs('defaults')), unit: '×' },
      ];
    });
    measurements.push(await copyCost(context, 1000 / median(perSecond('one, vips=1'))));
    return measurements;
  },
};
