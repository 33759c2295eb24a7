import { strategyRows, type StrategyRow } from './strategy-rows.ts';
import { TRACK_ONLY } from './strategy-thresholds.ts';
import type { SummaryData } from './summary-data.ts';
import { textTable } from './text-table.ts';

/** The trend statistics the summary reads; set as options.summaryTrendStats. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/** A section a script adds to the report (stress.ts: the knee per strategy). */
export interface SummarySection {
  readonly text: string;
  readonly json: Readonly<Record<string, unknown>>;
}

export interface SummaryOptions {
  /** The script's name, for the title and the default JSON path. */
  readonly script: string;
  /** Strategies in the order the table lists them. */
  readonly strategies: readonly string[];
  /** Seconds each strategy was driven (for req/s). Default: the whole test run. */
  readonly activeSeconds?: (strategy: string) => number;
  /** The run's parameters, echoed in the title line and the JSON file. */
  readonly parameters: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  readonly extra?: (data: SummaryData) => SummarySection;
  /**
   * Folder of the default JSON file, as a file: URL ending in `/`. Default: loadtests/results/
   * beside the scripts, which the repository keeps (with a .gitignore inside that ignores the
   * results) so that it exists in a fresh clone: k6 writes handleSummary's files but cannot
   * create folders.
   */
  readonly resultsDirUrl?: string;
}

/** Where the JSON summary goes, and the line the report says about it. */
interface SummaryTarget {
  readonly path: string | undefined;
  readonly line: string;
}

/** One threshold's outcome; `value` is the statistic the expression tests, when known. */
interface ThresholdResult {
  readonly metric: string;
  readonly expression: string;
  readonly ok: boolean;
  readonly value?: number;
}

/**
 * Builds a script's handleSummary: a per-strategy table (requests, req/s, failed, shed, checks,
 * p50/p95/p99/max, dropped iterations, thresholds) on stdout and the same as JSON in the file
 * SUMMARY_JSON (`off`: none; default loadtests/results/<script>-summary.json, git-ignored, next
 * to the scripts whatever the working directory). Replaces k6's default end-of-test summary, whose numbers are not split
 * by strategy; k6 still reports crossed thresholds itself and exits with code 99.
 *
 * Call it in the init context (at the top level of a script): it checks there, with open(),
 * that the default results folder exists, and when it does not, says so instead of naming a
 * file k6 would then fail to write.
 */
export function summaryHandler(options: SummaryOptions): (data: SummaryData) => Record<string, string> {
  const target = summaryTarget(options);
  const jsonPath = target.path;
  return (data) => {
    const runSeconds = data.state.testRunDurationMs / 1000;
    const rows = strategyRows(data, options.strategies, options.activeSeconds ?? (() => runSeconds));
    const thresholds = thresholdResults(data);
    const failed = thresholds.filter((result) => !result.ok);
    const extra = options.extra?.(data);

    const text = [
      `concurrency-lab k6 ${options.script} (${formatParameters(options.parameters)}), ${runSeconds.toFixed(1)} s`,
      '',
      strategyTable(rows),
      '',
      ...(extra === undefined ? [] : [extra.text, '']),
      `thresholds: ${thresholds.length - failed.length} passed, ${failed.length} failed${failed.length > 0 ? ':' : ''}`,
      ...failed.map((result) => `  FAILED ${result.metric} ${result.expression}${result.value === undefined ? '' : ` (actual ${round(result.value)})`}`),
      target.line,
      '',
    ].join('\n');
    const json = {
      script: options.script,
      parameters: options.parameters,
      testRunDurationMs: data.state.testRunDurationMs,
      strategies: rows,
      thresholds,
      ...extra?.json,
    };
    return jsonPath === undefined ? { stdout: text } : { stdout: text, [jsonPath]: `${JSON.stringify(json, null, 2)}\n` };
  };
}

function summaryTarget(options: SummaryOptions): SummaryTarget {
  const setting = __ENV['SUMMARY_JSON']?.trim();
  if (setting === 'off') return { path: undefined, line: 'summary JSON: off (SUMMARY_JSON=off)' };
  if (setting !== undefined && setting !== '') {
    // A folder of the user's choosing cannot be checked from here; k6 logs an error if it
    // cannot write the file.
    return { path: setting, line: `summary JSON: ${setting} (SUMMARY_JSON; k6 writes it after this report)` };
  }
  const folder = filePath(options.resultsDirUrl ?? import.meta.resolve('../results/'));
  const path = `${folder.replace(/\/?$/, '/')}${options.script}-summary.json`;
  if (!folderExists(folder)) {
    return { path: undefined, line: `summary JSON: not written: the folder ${folder} is missing (no .gitignore in it; k6 cannot create folders); restore it (git checkout loadtests/results), or set SUMMARY_JSON` };
  }
  return { path, line: `summary JSON: ${path} (k6 writes it after this report)` };
}

/** Whether the results folder is there: its .gitignore is, in every clone. */
function folderExists(folder: string): boolean {
  try {
    open(`${folder.replace(/\/?$/, '/')}.gitignore`);
    return true;
  } catch {
    return false;
  }
}

function strategyTable(rows: readonly StrategyRow[]): string {
  const percent = (share: number): string => `${(share * 100).toFixed(share > 0 && share < 0.001 ? 2 : 1)}%`;
  return textTable(
    ['strategy', 'requests', 'req/s', 'failed', 'shed', 'checks', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'dropped', 'thresholds'],
    rows.map((row) => [
      row.strategy,
      String(row.requests),
      row.throughputPerSecond.toFixed(1),
      percent(row.failedRate),
      percent(row.shedRate),
      percent(row.checksRate),
      row.p50Ms.toFixed(1),
      row.p95Ms.toFixed(1),
      row.p99Ms.toFixed(1),
      row.maxMs.toFixed(1),
      row.droppedIterations === null ? '-' : String(row.droppedIterations),
      row.thresholdsOk ? 'ok' : 'FAILED',
    ]),
  );
}

function thresholdResults(data: SummaryData): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const name of Object.keys(data.metrics).sort()) {
    const metric = data.metrics[name]!;
    for (const [expression, { ok }] of Object.entries(metric.thresholds ?? {})) {
      if (TRACK_ONLY.has(expression)) continue;
      // The statistic an expression tests is its left-hand side: p(99)<200, rate<=0.01, count<=0.
      const statistic = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)/.exec(expression)?.[1];
      const value = statistic === undefined ? undefined : metric.values[statistic];
      results.push(value === undefined ? { metric: name, expression, ok } : { metric: name, expression, ok, value });
    }
  }
  return results;
}

function formatParameters(parameters: SummaryOptions['parameters']): string {
  return Object.entries(parameters)
    .map(([key, value]) => `${key} ${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(', ');
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function filePath(url: string): string {
  return decodeURIComponent(url.replace(/^file:\/\//, ''));
}
