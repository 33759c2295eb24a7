import type { CompareReport } from './report-schema.ts';
import type { Table } from './report-tables.ts';

/** What limited each compared cell (the one-worker reference left out), with its evidence. */
export function verdictTable(report: CompareReport): Table {
  const cells = [...report.cpu, ...report.io].filter((cell) => !cell.reference);
  return {
    headers: ['scenario', 'strategy', 'in flight', 'jobs/s', 'limit', 'evidence'],
    rows: cells.map((cell) => [cell.scenario, cell.strategy, String(cell.concurrency), (cell.jobsPerSecond.median ?? 0).toFixed(1), cell.verdict.limit, cell.verdict.evidence]),
  };
}

/** The recommended strategy per scenario: runner-up, margin and why. */
export function recommendationTable(report: CompareReport): Table {
  return {
    headers: ['scenario', 'use', 'jobs/s', 'runner-up', 'margin', 'why'],
    rows: report.recommendations.map((recommendation) => [
      recommendation.scenario,
      recommendation.strategy,
      recommendation.jobsPerSecond.toFixed(1),
      recommendation.runnerUp?.strategy ?? '–',
      recommendation.margin === null ? '–' : `${recommendation.margin.toFixed(2)}×`,
      recommendation.why,
    ]),
  };
}
