/**
 * Child process of the thumbnail-knobs benchmark: makes thumbnails for a while under one
 * setting and prints {"perSecond", "coresUsed"} as JSON. Process-wide knobs can only be set
 * this way: UV_THREADPOOL_SIZE is read once, when libuv's threadpool starts.
 *
 *   node bench/thumbnail-probe.ts '{"inFlight":4,"durationMs":2000,"sharpConcurrency":2,"fastShrinkOnLoad":true}'
 */
import sharp from 'sharp';
import { SCENARIOS } from '../src/scenarios/catalog.ts';
import { sourceImage } from '../src/scenarios/source-images.ts';

export interface ProbeSettings {
  /** Thumbnails in flight on the main thread (the `async` strategy's way: the work runs on libuv's threadpool). */
  inFlight: number;
  durationMs: number;
  /** sharp.concurrency(): libvips threads per image; undefined keeps sharp's default. */
  sharpConcurrency?: number | undefined;
  /**
   * false: sharp's fastShrinkOnLoad off (libvips then decodes the JPEG at a larger scale and
   * shrinks the rest itself), to show what the aggressive default saves. The scenario keeps
   * sharp's default (on).
   */
  fastShrinkOnLoad: boolean;
}

export interface ProbeResult {
  perSecond: number;
  coresUsed: number;
  sharpConcurrency: number;
}

const SOURCE_WIDTH = 1600;
const NEVER_ABORTED = new AbortController().signal;

const settings = JSON.parse(process.argv[2] ?? '{}') as ProbeSettings;
if (settings.sharpConcurrency !== undefined) sharp.concurrency(settings.sharpConcurrency);
const source = await sourceImage(SOURCE_WIDTH);
const thumbnailOnce = settings.fastShrinkOnLoad
  ? () => SCENARIOS.thumbnail.run(SOURCE_WIDTH, { signal: NEVER_ABORTED, upstreamUrl: undefined })
  : () => sharp(source).resize(75, 75, { fit: 'inside', fastShrinkOnLoad: false }).jpeg({ quality: 85 }).toBuffer();

for (let i = 0; i < 2 * settings.inFlight; i++) await thumbnailOnce();

const startedAt = performance.now();
const cpuBefore = process.cpuUsage();
const deadline = startedAt + settings.durationMs;
let done = 0;
await Promise.all(
  Array.from({ length: settings.inFlight }, async () => {
    while (performance.now() < deadline) {
      await thumbnailOnce();
      done++;
    }
  }),
);
const wallSeconds = (performance.now() - startedAt) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const result: ProbeResult = { perSecond: done / wallSeconds, coresUsed: (cpu.user + cpu.system) / 1e6 / wallSeconds, sharpConcurrency: sharp.concurrency() };
process.stdout.write(`${JSON.stringify(result)}\n`);
