import type { PythonRun, PythonSection } from './python-schema.ts';
import { type NodeFigures, nodeMedians } from './node-medians.ts';
import type { CompareReport } from './report-schema.ts';
import type { Table } from './report-tables.ts';
import { formatSpread } from './spread.ts';

const MB = 1024 * 1024;
/** Above this many cores a run ran in parallel (the same margin as the Node findings). */
export const PARALLEL_CORES = 1.2;

/** The talk's three columns: Python's model and the Node strategy that stands beside it. */
const COLUMNS = [
  { title: 'processes', python: 'processes', node: 'processes', unit: 'process' },
  { title: 'threads', python: 'threads', node: 'threads', unit: 'thread' },
  { title: 'async', python: 'asyncio', node: 'async', unit: 'coroutine' },
] as const;

function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

function bytes(value: number): string {
  return value >= MB ? `${(value / MB).toFixed(1)} MB` : `${(value / 1024).toFixed(1)} KB`;
}

/** CPU milliseconds per successful job of a Node row: process-tree CPU ÷ jobs. */
export function nodeCpuMsPerJob(run: NodeFigures): number | null {
  return run.jobsPerSecond > 0 ? (1000 * run.coresUsed) / run.jobsPerSecond : null;
}

/** The Python row for a workload and model; for http the one at the highest concurrency. */
function pythonRow(python: PythonSection, workload: string, model: string): PythonRun | undefined {
  const rows = python.runs.filter((run) => run.workload === workload && run.model === model);
  return rows.sort((a, b) => b.concurrency - a.concurrency)[0];
}

function nodeRow(report: CompareReport, scenario: string, strategy: string): NodeFigures | undefined {
  if (scenario === 'http') return nodeMedians(report.io).filter((run) => run.strategy === strategy).sort((a, b) => b.concurrency - a.concurrency)[0];
  return nodeMedians(report.cpu).find((run) => run.scenario === scenario && run.strategy === strategy);
}

/** The workload a column is judged on for "runs in parallel?" and "cores used": pure-language CPU work, else http. */
function judgedOn(column: (typeof COLUMNS)[number]): string {
  return column.title === 'async' ? 'http' : 'matrix';
}

/**
 * The talk's table with Python and Node measured side by side: runs in parallel?, cores used,
 * throughput per workload, and how many fit in the memory budget.
 */
export function pythonTalkTable(report: CompareReport): Table {
  const python = report.python;
  if (python === undefined) return { headers: [], rows: [] };
  const headers = [''];
  for (const column of COLUMNS) headers.push(`Python ${column.python}`, `Node ${column.node}`);
  const cells = (cell: (column: (typeof COLUMNS)[number], side: 'python' | 'node') => string): string[] => COLUMNS.flatMap((column) => [cell(column, 'python'), cell(column, 'node')]);
  const cores = (column: (typeof COLUMNS)[number], side: 'python' | 'node'): number | undefined =>
    side === 'python' ? pythonRow(python, judgedOn(column), column.python)?.coresUsed : nodeRow(report, judgedOn(column), column.node)?.coresUsed;
  const rows = [
    ['runs in parallel?', ...cells((column, side) => {
      const used = cores(column, side);
      return used === undefined ? 'n/a' : `${used > PARALLEL_CORES ? 'yes' : 'no'} (${judgedOn(column)})`;
    })],
    ['cores used', ...cells((column, side) => fixed(cores(column, side), 2))],
  ];
  for (const workload of ['thumbnail', 'matrix', 'http']) {
    const unit = workload === 'http' ? 'req/s' : 'jobs/s';
    const row = [`${workload} ${unit}`, ...cells((column, side) => fixed(side === 'python' ? pythonRow(python, workload, column.python)?.jobsPerSecond : nodeRow(report, workload, column.node)?.jobsPerSecond, 1))];
    if (row.slice(1).some((cell) => cell !== 'n/a')) rows.push(row);
  }
  rows.push([
    `fit in ${report.memory.budgetMb} MB`,
    ...cells((column, side) => {
      const unit = side === 'python' ? python.memory.find((u) => u.unit === column.unit) : report.memory.units.find((u) => u.strategy === column.node);
      return unit === undefined ? 'n/a' : `${unit.fitInBudget} (${bytes(unit.bytesPerUnit)} each)`;
    }),
  ]);
  return { headers, rows };
}

/** Every Python row as measured, with CPU per job: medians, and the min–max across rounds in brackets. */
export function pythonRunsTable(report: CompareReport): Table {
  const runs = report.python?.runs ?? [];
  return {
    headers: ['workload', 'Python model', 'in flight', 'workers', 'rounds', 'jobs/s', 'cores used', 'CPU ms/job', 'p50 ms', 'p99 ms', 'errors'],
    rows: runs.map((run) => {
      const failed = run.jobs - run.ok;
      return [
        run.workload,
        run.model === 'processes' ? 'processes (Pool)' : run.model,
        String(run.concurrency),
        String(run.workers),
        String(run.rounds),
        formatSpread(run.spread.jobsPerSecond, 1, run.rounds),
        formatSpread(run.spread.coresUsed, 2, run.rounds),
        formatSpread(run.spread.cpuMsPerJob, 2, run.rounds),
        fixed(run.latencyMs.p50, 1),
        fixed(run.latencyMs.p99, 1),
        failed === 0 ? '0' : `${failed} (${Object.entries(run.errors).map(([name, count]) => `${name} ×${count}`).join(', ')})`,
      ];
    }),
  };
}
