import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type TopLevelSpec } from 'vega-lite';
import { chartSpec } from './render-chart-svg.ts';
import { faultsSummary } from './report-faults.ts';
import type { CompareReport } from './report-schema.ts';
import { median } from './spread.ts';
import { busyMachineWarning, cpuTable, ioTable, memoryTable, type Table, talkTable } from './report-tables.ts';

/** vega's browser build (UMD: defines window.vega), inlined so report.html needs nothing from anywhere. */
const VEGA_BROWSER_BUILD = join(dirname(fileURLToPath(import.meta.resolve('vega'))), 'vega.min.js');
const GB = 1024 ** 3;

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Inline script text must not close its element early. */
const escapeScript = (text: string): string => text.replace(/<\/(script)/gi, '<\\/$1');
/** JSON inside a script element: every < as \u003c, still the same JSON. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

function htmlTable(table: Table, caption: string, rowHeader = true): string {
  const head = table.headers.map((header) => `<th scope="col">${escapeHtml(header)}</th>`).join('');
  const rows = table.rows
    .map((row) => `<tr>${row.map((cell, index) => (index === 0 && rowHeader ? `<th scope="row">${escapeHtml(cell)}</th>` : `<td>${escapeHtml(cell)}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<div class="scroll" tabindex="0" role="region" aria-label="${escapeHtml(caption)}"><table><caption>${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
}

interface Spread {
  figure: string;
  median: number | undefined;
  min: number;
  max: number;
  rounds: number | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * The spread of a run's figures, whatever shape report.json gives it: any object with numeric
 * `min` and `max` (and maybe `median`) anywhere in the run, e.g. `jobsPerSecond: {median, min,
 * max}` or `latencyMs.p99: {…}`, with the run's `rounds` count; only when there is none, arrays
 * of rounds, whose numeric figures get their median and min–max here. A single-round report
 * has no spread.
 */
export function spreadsOf(run: unknown): Spread[] {
  if (!isRecord(run)) return [];
  const rounds = isNumber(run.rounds) ? run.rounds : undefined;
  const direct: Spread[] = [];
  const fromRounds: Spread[] = [];
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > 4) return;
    if (isRecord(value)) {
      if (isNumber(value.min) && isNumber(value.max)) {
        direct.push({ figure: path, median: isNumber(value.median) ? value.median : undefined, min: value.min, max: value.max, rounds: isNumber(value.rounds) ? value.rounds : rounds });
        return;
      }
      for (const [key, child] of Object.entries(value)) visit(child, path === '' ? key : `${path}.${key}`, depth + 1);
      return;
    }
    if (Array.isArray(value) && value.length > 1 && value.every(isRecord)) {
      const figures = new Map<string, number[]>();
      const collect = (item: Record<string, unknown>, prefix: string): void => {
        for (const [key, child] of Object.entries(item)) {
          const name = prefix === '' ? key : `${prefix}.${key}`;
          if (isNumber(child)) figures.set(name, [...(figures.get(name) ?? []), child]);
          else if (isRecord(child) && prefix === '') collect(child, name);
        }
      };
      for (const item of value as Record<string, unknown>[]) collect(item, '');
      for (const [name, values] of figures) {
        if (values.length === value.length && Math.min(...values) !== Math.max(...values)) {
          fromRounds.push({ figure: `${path}: ${name}`, median: median(values), min: Math.min(...values), max: Math.max(...values), rounds: values.length });
        }
      }
    }
  };
  for (const [key, value] of Object.entries(run)) {
    if (key !== 'errors') visit(value, key, 0);
  }
  return direct.length > 0 ? direct : fromRounds;
}

function digits(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function spreadTable(report: CompareReport): string {
  const rows: string[][] = [];
  for (const run of [...report.cpu, ...report.io]) {
    for (const spread of spreadsOf(run)) {
      rows.push([
        `${run.scenario} / ${run.strategy}${report.io.includes(run) ? ` @ ${run.concurrency}` : ''}`,
        spread.figure,
        spread.median === undefined ? 'n/a' : digits(spread.median),
        `${digits(spread.min)} – ${digits(spread.max)}`,
        spread.rounds === undefined ? 'n/a' : String(spread.rounds),
      ]);
    }
  }
  if (rows.length === 0) {
    return '<p>This report.json records one measurement per figure, so it has no spread to show: every number above is a single closed-loop window on this machine.</p>';
  }
  return htmlTable({ headers: ['run', 'figure', 'median', 'min – max', 'rounds'], rows }, 'Spread of every figure that was measured more than once');
}

function machineTable(report: CompareReport): string {
  const { machine } = report;
  return htmlTable(
    {
      headers: ['', 'value'],
      rows: [
        ['CPU', `${machine.cpuModel} (${machine.cpus} CPUs, ${machine.availableParallelism} usable)`],
        ['memory', `${(machine.totalMemoryBytes / GB).toFixed(1)} GiB`],
        ['OS', `${machine.platform} ${machine.release} ${machine.arch}`],
        ['Node', `${machine.nodeVersion} (V8 ${machine.v8Version})`],
        ['libuv threadpool', String(machine.uvThreadpoolSize)],
        ['load average at start', machine.loadAverageAtStart.map((load) => load.toFixed(2)).join(' / ')],
      ],
    },
    'The machine',
  );
}

function verdict(holds: boolean | null): string {
  if (holds === null) return 'not measured';
  return holds ? 'shown' : 'NOT shown by these numbers';
}

const STYLE = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --card: #f6f8fa; --focus: #0969da; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --card: #161b22; --focus: #58a6ff; } }
body { margin: 0 auto; max-width: 1200px; padding: 16px 20px 40px; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
a { color: var(--focus); } :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 28px; }
.muted { color: var(--muted); } .warning { border-left: 4px solid #bf8700; padding: 4px 12px; background: var(--card); }
.scroll { overflow-x: auto; max-width: 100%; margin: 8px 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--line); }
figure { margin: 8px 0; overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; color: #1b1f24; }
li { margin: 4px 0; }
`;

/** The script that draws the charts from the inlined vega spec with the inlined vega runtime (tooltips: vega's own, on hover). */
const CHART_SCRIPT = `
(function () {
  var figure = document.getElementById('chart');
  try {
    var spec = JSON.parse(document.getElementById('chart-spec').textContent);
    new vega.View(vega.parse(spec), { renderer: 'svg', container: '#chart-view', hover: true })
      .runAsync()
      .then(function () { figure.setAttribute('data-rendered', 'true'); })
      .catch(function (error) { figure.setAttribute('data-rendered', 'failed'); console.error(error); });
  } catch (error) { figure.setAttribute('data-rendered', 'failed'); console.error(error); }
})();
`;

/**
 * report.html: report.md's tables and findings, the machine and the spread of every figure,
 * and the charts drawn live by vega (hover for values). Everything is inlined: the file opens
 * from file:// with no network.
 */
export async function renderReportHtml(report: CompareReport): Promise<string> {
  const { parameters } = report;
  const warning = busyMachineWarning(report);
  const faultsText = faultsSummary(report);
  const sizes = Object.entries(parameters.sizes).map(([scenario, size]) => `${scenario}=${size}`).join(', ');
  const spec = compile({ ...chartSpec(report), config: { mark: { tooltip: { content: 'data' } } } } as TopLevelSpec).spec;
  const vega = await readFile(VEGA_BROWSER_BUILD, 'utf8');
  const findings = report.findings
    .map((finding) => `<li><strong>${escapeHtml(finding.id)}</strong> (${escapeHtml(verdict(finding.holds))}). Python: ${escapeHtml(finding.python)}. Node: ${escapeHtml(finding.node)}.</li>`)
    .join('\n');
  const skipped = report.skipped.map((skip) => `<li>${escapeHtml(`${skip.scenario} on ${skip.strategy} at ${skip.concurrency}: ${skip.reason}`)}.</li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>concurrency-lab compare, ${escapeHtml(report.startedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>concurrency-lab compare</h1>
<p>Measured ${escapeHtml(report.startedAt)}; took ${report.elapsedSeconds.toFixed(0)} s. Each combination ran alone on a fresh strategy: ${parameters.warmupMs / 1000} s warm-up, then ${parameters.durationMs / 1000} s measured (closed loop).
Pools of ${parameters.workers} workers; CPU scenarios with ${parameters.cpuConcurrency} jobs in flight; http against an upstream that answers after ${parameters.upstreamDelayMs} ms. Sizes: ${escapeHtml(sizes)}.</p>
${warning === undefined ? '' : `<p class="warning" role="note"><strong>Warning:</strong> ${escapeHtml(warning)}</p>`}
${machineTable(report)}
<h2>The talk's table, for Node</h2>
${htmlTable(talkTable(report), "Python's claims (the talk) beside the Node measurements", true)}
<h2>Where Node differs from the talk, measured</h2>
<ul>${findings}</ul>
<h2>Charts</h2>
<figure id="chart" data-rendered="pending" aria-labelledby="chart-caption"><figcaption id="chart-caption">Throughput by strategy per CPU scenario, and http throughput against concurrency (hover a bar or point for its numbers).</figcaption><div id="chart-view"></div></figure>
<h2>CPU-bound: throughput, speed-up over sequential, cores used</h2>
${report.cpu.length === 0 ? '<p>No CPU-bound scenario in this compare.</p>' : htmlTable(cpuTable(report), 'CPU-bound runs')}
<h2>I/O-bound: http throughput and latency at rising concurrency</h2>
${faultsText === undefined ? '' : `<p class="warning" role="note">${escapeHtml(faultsText)}</p>`}
${report.io.length === 0 ? '<p>No I/O-bound scenario in this compare.</p>' : htmlTable(ioTable(report), 'http runs')}
${skipped === '' ? '' : `<p>Left out:</p><ul>${skipped}</ul>`}
<h2>How many fit in ${report.memory.budgetMb} MB</h2>
${report.memory.units.length === 0 ? '<p>No strategy with a unit to count in this compare.</p>' : htmlTable(memoryTable(report), `Memory per unit and how many fit in ${report.memory.budgetMb} MB`)}
<ul>${report.memory.units.map((unit) => `<li>${escapeHtml(`${unit.unit}: ${unit.method}`)}.</li>`).join('\n')}</ul>
<h2>Spread</h2>
${spreadTable(report)}
<p class="muted">All raw numbers are in report.json beside this file (schema: schemas/report.schema.json in the concurrency-lab repository).</p>
</main>
<script type="application/json" id="chart-spec">${scriptJson(spec)}</script>
<script>${escapeScript(vega)}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}
