// PromQL fragments the dashboards share. Panels keep their expressions readable in place; only
// patterns that repeat with the same meaning live here.

/** The label filter of panels that honour both template variables. */
export const SCENARIO_AND_STRATEGY = 'scenario=~"$scenario", strategy=~"$strategy"';

/** The label filter of per-strategy series (CPU, memory, pools, event loop). */
export const STRATEGY = 'strategy=~"$strategy"';

/**
 * The same for series that include the main thread's own use: with the driver off no strategy
 * is active and the main thread carries strategy="none" (k6 drives every strategy at once).
 */
export const STRATEGY_OR_MAIN = 'strategy=~"$strategy|none"';

/** `histogram_quantile(q, sum by (<by>, le) (rate(<metric>_bucket{<filter>}[$__rate_interval])))` */
export function histogramQuantile(quantile: number, metric: string, filter: string, by: string): string {
  return `histogram_quantile(${quantile}, sum by (${by}, le) (rate(${metric}_bucket{${filter}}[$__rate_interval])))`;
}

/**
 * Keeps a per-strategy series only while that strategy is the active one, so a rotation's idle
 * strategies (and their last gauge values) do not dilute an average over the dashboard's range.
 * With the driver off no strategy is active (load comes from k6 for any strategy): then every
 * strategy's series is kept.
 */
export function whileActive(perStrategy: string): string {
  return `(${perStrategy}) unless on (strategy) ((max by (strategy) (lab_strategy_active) == 0) and on () (max(lab_strategy_active) == 1))`;
}

/** The label filter of the driver's cell gauges (lab_cell_*) that honour both template variables. */
export const CELL = 'scenario=~"$scenario", strategy=~"$strategy"';

/** `<fn>_over_time(<whileActive(perStrategy)>[$__range:])`: a range summary per strategy. */
export function overActiveWindows(fn: 'avg' | 'max', perStrategy: string): string {
  return `${fn}_over_time((${whileActive(perStrategy)})[$__range:])`;
}

/**
 * A PromQL comment that marks a query whose series exist only while the driver runs (with
 * LAB_DRIVER=off its panel is empty by design); the live query test skips such queries then.
 */
export const NEEDS_DRIVER_COMMENT = '# needs the driver (LAB_DRIVER=on)';
