import { type ELDHistogram, monitorEventLoopDelay, type RecordableHistogram } from 'node:perf_hooks';

/** monitorEventLoopDelay's sampling interval: its histogram records each interval plus the delay. */
export const LOOP_DELAY_RESOLUTION_MS = 10;

const NS_PER_MS = 1e6;

/** A monitor of this thread's event-loop delay, sampled at the one resolution every figure uses. */
export function loopDelayMonitor(): ELDHistogram {
  return monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
}

/** A percentile of the delay beyond the sampling interval, in milliseconds (NaN before any sample). */
export function loopDelayMs(histogram: ELDHistogram | RecordableHistogram, percentile: number): number {
  if (histogram.count === 0) return Number.NaN;
  return Math.max(0, histogram.percentile(percentile) / NS_PER_MS - LOOP_DELAY_RESOLUTION_MS);
}

/** The mean delay beyond the sampling interval, in milliseconds (NaN before any sample). */
export function loopDelayMeanMs(histogram: ELDHistogram | RecordableHistogram): number {
  if (histogram.count === 0) return Number.NaN;
  return Math.max(0, histogram.mean / NS_PER_MS - LOOP_DELAY_RESOLUTION_MS);
}
