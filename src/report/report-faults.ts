import type { FaultSet } from '../faults/fault-set.ts';
import type { ResolvedCompareFaults } from './compare-faults.ts';
import type { CompareFaultsSection } from './faults-schema.ts';
import type { CellRecord, CompareReport } from './report-schema.ts';

/** A cell's failed jobs as a share of its settled jobs, or null when it settled none. */
export function errorShareOf(cell: Pick<CellRecord, 'jobs' | 'ok'>): number | null {
  return cell.jobs === 0 ? null : (cell.jobs - cell.ok) / cell.jobs;
}

/** An error share as the tables print it. */
export function formatErrorShare(share: number | null): string {
  if (share === null) return 'n/a';
  return share === 0 ? '0 %' : `${(share * 100).toFixed(share < 0.01 ? 2 : 1)} %`;
}

const SCOPE = 'every http cell (warm-up and measured run), and the Python http rows when there are any; the CPU cells and "how many fit" ran without faults';

/** The report's `faults` section: the preset, what it switched on, and every http cell's error share. */
export function compareFaultsSection(resolved: ResolvedCompareFaults, io: readonly CellRecord[]): CompareFaultsSection {
  return {
    preset: resolved.preset,
    active: [...resolved.active],
    upstream: { ...resolved.faults.upstream },
    network: { ...resolved.faults.network },
    via: resolved.toxiproxy === undefined ? 'upstream' : 'toxiproxy',
    scope: SCOPE,
    errorShares: io.map((cell) => ({ strategy: cell.strategy, concurrency: cell.concurrency, workers: cell.workers, jobs: cell.jobs, failed: cell.jobs - cell.ok, errorShare: errorShareOf(cell) })),
  };
}

/** What each active fault does, in words. */
function describeFaults(faults: FaultSet): string[] {
  const { upstream, network } = faults;
  const percent = (share: number): string => `${+(share * 100).toFixed(2)} %`;
  const toxicity = (value: number): string => (value < 1 ? ` on ${percent(value)} of connections` : '');
  const parts: string[] = [];
  if (upstream.errorRate > 0) parts.push(`upstream_error: ${percent(upstream.errorRate)} of responses are 500s`);
  if (upstream.slowRate > 0) parts.push(`upstream_slow: ${percent(upstream.slowRate)} of responses ${upstream.slowFactor} × slower`);
  if (upstream.stall) parts.push('upstream_stall: every call held unanswered');
  if (network.latency) parts.push(`latency: ${network.latency.latencyMs} ± ${network.latency.jitterMs} ms${toxicity(network.latency.toxicity)}`);
  if (network.bandwidth) parts.push(`bandwidth: ${network.bandwidth.rateKBps} KB/s${toxicity(network.bandwidth.toxicity)}`);
  if (network.timeout) parts.push(`timeout: a black hole, closed after ${network.timeout.timeoutMs} ms${toxicity(network.timeout.toxicity)}`);
  if (network.resetPeer) parts.push(`reset_peer: connections reset ${network.resetPeer.timeoutMs} ms after the first answer${toxicity(network.resetPeer.toxicity)}`);
  if (network.slowClose) parts.push(`slow_close: closing delayed ${network.slowClose.delayMs} ms${toxicity(network.slowClose.toxicity)}`);
  if (network.down) parts.push('down: the proxy refuses connections');
  return parts;
}

/** One paragraph stating the faults a compare ran with, or undefined when it ran without --faults. */
export function faultsSummary(report: Pick<CompareReport, 'faults'>): string | undefined {
  const faults = report.faults;
  if (faults === undefined) return undefined;
  const what = describeFaults(faults);
  const via = faults.via === 'toxiproxy' ? "through a Toxiproxy proxy in front of the embedded upstream" : "set on the embedded upstream over its /admin/faults";
  const shares = faults.errorShares.map((cell) => `${cell.strategy} at ${cell.concurrency} ${formatErrorShare(cell.errorShare)}`).join(', ');
  return (
    `Faults: preset ${faults.preset} (${what.length === 0 ? 'nothing switched on' : what.join('; ')}), ${via}, on ${faults.scope}. ` +
    `Error share per http cell: ${shares === '' ? 'no http cell ran' : shares}.`
  );
}
