import { nodeMedians } from './node-medians.ts';
import type { CompareReport } from './report-schema.ts';

/** A vega-lite panel for chart.svg: Python's models beside Node's strategies, jobs/s per workload (http at its highest concurrency). */
export function pythonChartPanel(report: CompareReport): Record<string, unknown> | undefined {
  const python = report.python;
  if (python === undefined || python.runs.length === 0) return undefined;
  const highest = (runs: readonly { concurrency: number }[]): number => Math.max(0, ...runs.map((run) => run.concurrency));
  const pyHttp = highest(python.runs.filter((run) => run.workload === 'http'));
  const nodeCpu = nodeMedians(report.cpu);
  const nodeIo = nodeMedians(report.io);
  const nodeHttp = highest(nodeIo);
  const values = [
    ...python.runs
      .filter((run) => run.workload !== 'http' || run.concurrency === pyHttp)
      .map((run) => ({ workload: run.workload, runner: `Python ${run.model}`, language: 'Python', jobsPerSecond: run.jobsPerSecond })),
    ...nodeCpu
      .filter((run) => python.runs.some((py) => py.workload === run.scenario))
      .map((run) => ({ workload: run.scenario, runner: `Node ${run.strategy}`, language: 'Node', jobsPerSecond: run.jobsPerSecond })),
    ...(python.runs.some((run) => run.workload === 'http') ? nodeIo.filter((run) => run.concurrency === nodeHttp) : []).map((run) => ({
      workload: 'http',
      runner: `Node ${run.strategy}`,
      language: 'Node',
      jobsPerSecond: run.jobsPerSecond,
    })),
  ];
  return {
    title: `Python (the talk's code) beside Node: jobs per second${pyHttp > 0 ? ` (http at ${pyHttp} in flight)` : ''}`,
    data: { values },
    facet: { column: { field: 'workload', type: 'nominal', title: null, sort: ['thumbnail', 'matrix', 'http'] } },
    spec: {
      width: 200,
      height: 200,
      mark: 'bar',
      encoding: {
        x: { field: 'runner', type: 'nominal', title: null, sort: null },
        y: { field: 'jobsPerSecond', type: 'quantitative', title: 'jobs/s' },
        // A fixed colour per language, not a scale: chart.svg's other panels own the colour scale (by strategy).
        color: { condition: { test: "datum.language === 'Python'", value: '#3776ab' }, value: '#5fa04e' },
      },
    },
    resolve: { scale: { y: 'independent', x: 'independent' } },
  };
}
