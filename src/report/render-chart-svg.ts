import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { STRATEGY_NAMES } from '../strategies/strategy.ts';
import { pythonChartPanel } from './python-chart.ts';
import type { CompareReport } from './report-schema.ts';
import { strategyLabel } from './report-tables.ts';

/** One colour per strategy in every panel, in the order the strategies are named everywhere else. */
const STRATEGY_COLOR = { field: 'strategy', type: 'nominal', scale: { domain: [...STRATEGY_NAMES] }, title: 'strategy' } as const;

/** The x order of the CPU panels: the strategies, then the one-worker reference. */
const CPU_LABELS = [...STRATEGY_NAMES, strategyLabel({ strategy: 'threads', workers: 1, reference: true })];

/**
 * The vega-lite spec: median throughput by strategy per CPU scenario with the rounds' min–max
 * as a rule, and http median throughput against concurrency.
 */
export function chartSpec(report: CompareReport): TopLevelSpec {
  const panels = [];
  if (report.cpu.length > 0) {
    panels.push({
      title: `CPU-bound: jobs per second by strategy (${report.parameters.cpuConcurrency} in flight, ${report.parameters.workers} workers)`,
      data: {
        values: report.cpu.map((cell) => ({
          scenario: cell.scenario,
          strategy: cell.strategy,
          label: strategyLabel(cell),
          jobsPerSecond: cell.jobsPerSecond.median,
          min: cell.jobsPerSecond.min,
          max: cell.jobsPerSecond.max,
        })),
      },
      facet: { column: { field: 'scenario', type: 'nominal', title: null, sort: report.parameters.scenarios } },
      spec: {
        width: 190,
        height: 200,
        encoding: { x: { field: 'label', type: 'nominal', sort: CPU_LABELS, title: null } },
        layer: [
          { mark: 'bar', encoding: { y: { field: 'jobsPerSecond', type: 'quantitative', title: 'jobs/s (median, min–max)' }, color: STRATEGY_COLOR } },
          { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } } },
        ],
      },
      resolve: { scale: { y: 'independent' } },
    });
  }
  if (report.io.length > 0) {
    panels.push({
      title: `I/O-bound: http requests per second against requests in flight (upstream delay ${report.parameters.upstreamDelayMs} ms)`,
      width: 520,
      height: 240,
      data: { values: report.io.map((cell) => ({ strategy: cell.strategy, concurrency: cell.concurrency, jobsPerSecond: cell.jobsPerSecond.median })) },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'concurrency', type: 'quantitative', scale: { type: 'log' }, title: 'requests in flight (log)' },
        y: { field: 'jobsPerSecond', type: 'quantitative', scale: { type: 'log' }, title: 'req/s (median, log)' },
        color: STRATEGY_COLOR,
      },
    });
  }
  const python = pythonChartPanel(report);
  if (python !== undefined) panels.push(python);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `concurrency-lab compare: ${report.machine.cpuModel}, ${report.machine.availableParallelism} cores, Node ${report.machine.nodeVersion}`,
    background: 'white',
    padding: 16,
    vconcat: panels,
  } as TopLevelSpec;
}

/** Renders the chart to SVG in Node: vega's headless View ('none' renderer) needs no browser or canvas. */
export async function renderChartSvg(report: CompareReport): Promise<string> {
  const view = new View(parse(compile(chartSpec(report)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
