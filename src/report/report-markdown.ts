import { pythonRunsTable, pythonTalkTable } from './python-tables.ts';
import { faultsSummary } from './report-faults.ts';
import type { CompareReport } from './report-schema.ts';
import { cpuTable, FLAG_MARK, ioTable, memoryTable, type Table, talkTable } from './report-tables.ts';
import { recommendationTable, verdictTable } from './verdict-tables.ts';
import { telemetryOverheadSettings, telemetryOverheadTable } from './telemetry-overhead.ts';

const GB = 1024 ** 3;

function markdownTable(table: Table): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(table.headers), line(table.headers.map(() => '---')), ...table.rows.map(line)].join('\n');
}

function verdict(holds: boolean | null): string {
  if (holds === null) return 'not measured';
  return holds ? 'shown' : 'NOT shown by these numbers';
}

/** report.md: the talk's Python claims beside the measured Node rows, the findings, then every measured number. */
export function renderReportMarkdown(report: CompareReport): string {
  const { machine, parameters } = report;
  const sizes = Object.entries(parameters.sizes).map(([scenario, size]) => `${scenario}=${size}`).join(', ');
  const sections = [
    '# concurrency-lab compare',
    `Measured ${report.startedAt} on ${machine.cpuModel} (${machine.cpus} CPUs, ${machine.availableParallelism} usable), ${(machine.totalMemoryBytes / GB).toFixed(1)} GB RAM, ` +
      `${machine.platform} ${machine.release} ${machine.arch}, Node ${machine.nodeVersion} (V8 ${machine.v8Version}), libuv threadpool ${machine.uvThreadpoolSize}; ` +
      `load average at start ${machine.loadAverageAtStart.map((load) => load.toFixed(2)).join(' / ')}.`,
    `Each cell (a scenario on a strategy at a concurrency) ran ${parameters.rounds} round${parameters.rounds === 1 ? '' : 's'} for CPU scenarios and ${parameters.ioRounds} for http, ` +
      'interleaved per scenario (A B C, C B A, …), each round alone on a fresh strategy: ' +
      `${parameters.warmupMs / 1000} s warm-up, then ${parameters.durationMs / 1000} s measured (closed loop). ` +
      'Every figure is the median across rounds, with the min–max in brackets; speed-ups and efficiencies are taken within each round. ' +
      `Pools of ${parameters.workers} workers, each holding up to ${parameters.ioTasksPerWorker} http jobs at once (one CPU job); CPU scenarios with ${parameters.cpuConcurrency} jobs in flight` +
      (report.cpu.some((cell) => cell.reference)
        ? `, plus a one-worker reference (threads with ${parameters.referenceWorkers} worker) in the same rounds: parallel efficiency = jobs/s ÷ (workers × the reference's jobs/s); `
        : '; ') +
      `http against an upstream that answers after ${parameters.upstreamDelayMs} ms. Sizes: ${sizes}. Took ${report.elapsedSeconds.toFixed(0)} s (estimated ${report.estimatedSeconds.toFixed(0)} s).` +
      (parameters.telemetry === undefined ? '' : ` Telemetry: ${parameters.telemetry.traced ? 'traced' : 'untraced'} (${Object.entries(parameters.telemetry.settings).map(([name, value]) => `${name}=${value}`).join(', ')}; ${parameters.telemetry.description}).`),
    ...report.warnings.map((warning) => `> **Warning:** ${warning}`),
    '## The talk\'s table, for Node',
    markdownTable(talkTable(report)),
    ...(parameters.rounds > 1 ? ['Measured figures in this table are medians across rounds; the tables below give their min–max.'] : []),
    '## Where Node differs from the talk, measured',
    report.findings.map((finding) => `- **${finding.id}** (${verdict(finding.holds)}). Python: ${finding.python}. Node: ${finding.node}.`).join('\n'),
    'Worker threads run JavaScript in parallel: each has its own V8 isolate and event loop, and Node has no GIL. ' +
      "sharp's image work runs on libuv's threadpool, so a thumbnail job started from the main thread uses other cores and leaves the event loop free; " +
      'pure-JavaScript work on the main thread (sequential, async) blocks the loop for as long as it runs.',
    ...(report.python === undefined
      ? []
      : [
          "## The talk's Python beside Node, measured",
          `Python ${report.python.interpreter.python} (${report.python.interpreter.executable}), Pillow ${report.python.interpreter.pillow}, requests ${report.python.interpreter.requests}, aiohttp ${report.python.interpreter.aiohttp}: ` +
            'python/reference.py on the same source JPEG' + (report.python.inputs.imageSha256 === null ? '' : ` (sha256 ${report.python.inputs.imageSha256.slice(0, 16)}…)`) +
            ', the same seeded matrices and the same upstream' + (report.python.inputs.upstreamRequests === null ? '' : ` (${report.python.inputs.upstreamRequests} requests to it from Python)`) +
            ', run after the Node rows with the same warm-up and measured time.',
          markdownTable(pythonTalkTable(report)),
          markdownTable(pythonRunsTable(report)),
        ]),
    '## CPU-bound: throughput, speed-up over sequential, parallel efficiency, cores used',
    report.cpu.length === 0 ? 'No CPU-bound scenario in this compare.' : markdownTable(cpuTable(report)),
    ...(report.cpu.some((cell) => cell.speedUpAboveCores) ? [`${FLAG_MARK} marks a speed-up above the machine's ${machine.availableParallelism} cores: a measurement problem (see the warnings above).`] : []),
    '## I/O-bound: http throughput and latency at rising concurrency',
    faultsSummary(report) ?? '',
    report.io.length === 0 ? 'No I/O-bound scenario in this compare.' : markdownTable(ioTable(report)),
    ...(report.skipped.length === 0 ? [] : ['Left out:', report.skipped.map((skip) => `- ${skip.scenario} on ${skip.strategy} at ${skip.concurrency}: ${skip.reason}.`).join('\n')]),
    ...(report.telemetryOverhead === undefined
      ? []
      : ['## Telemetry overhead per cell (--telemetry both)', telemetryOverheadSettings(report.telemetryOverhead), markdownTable(telemetryOverheadTable(report.telemetryOverhead))]),
    `## How many fit in ${report.memory.budgetMb} MB`,
    report.memory.units.length === 0 ? 'No strategy with a unit to count in this compare.' : markdownTable(memoryTable(report)),
    report.memory.units.map((unit) => `- ${unit.unit}: ${unit.method}.`).join('\n'),
    '## Which strategy to use, per scenario',
    report.recommendations.length === 0 ? 'No scenario had a successful job.' : markdownTable(recommendationTable(report)),
    '## What limited each cell',
    'The first rule that holds on the cell\'s median figures, in this order: memory-bound, gc-heavy, cpu-main-thread, loop-blocked, cpu-cores, upstream-bound, pool-saturated, else none (thresholds in src/report/verdict-rules.ts and the README).',
    markdownTable(verdictTable(report)),
    '## Chart',
    '![throughput by strategy per scenario, and http throughput against concurrency](chart.svg)',
    'All raw numbers are in report.json (schema: schemas/report.schema.json in the concurrency-lab repository).',
  ];
  return `${sections.filter((section) => section !== '').join('\n\n')}\n`;
}
