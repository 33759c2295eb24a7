import { PerformanceObserver } from 'node:perf_hooks';

let totalMs = 0;
let observer: PerformanceObserver | undefined;

/**
 * Milliseconds this thread has spent in garbage collection since the first call (a
 * PerformanceObserver of `gc` entries, started on first use; windows take differences).
 */
export function mainThreadGcMs(): number {
  if (observer === undefined) {
    observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) totalMs += entry.duration;
    });
    observer.observe({ entryTypes: ['gc'] });
  }
  return totalMs;
}
