import { access, constants, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { LabError } from '../errors.ts';
import { COMPARE_DEFAULTS, type ResolvedCompareOptions } from '../report/compare-options.ts';
import { resolveCompareFaults } from '../report/compare-faults.ts';
import { CompareProgress } from '../report/compare-progress.ts';
import { faultsSummary } from '../report/report-faults.ts';
import { FAULT_PRESET_NAMES, type FaultPresetName } from '../faults/fault-presets.ts';
import type { CompareReport } from '../report/report-schema.ts';
import { cpuTable, FLAG_MARK, ioTable, memoryTable, type Table, talkTable } from '../report/report-tables.ts';
import { runCompare } from '../report/run-compare.ts';
import { formatTable } from '../report/text-table.ts';
import { writeReport } from '../report/write-report.ts';
import { recommendationTable, verdictTable } from '../report/verdict-tables.ts';
import { pythonRunsTable, pythonTalkTable } from '../report/python-tables.ts';
import { PYTHON_MODES, type PythonMode, resolvePythonMode } from './python-option.ts';
import { BUILT_IN_SCENARIO_NAMES, customScenarioNames, getScenario, scenarioNames, type ScenarioName } from '../scenarios/catalog.ts';
import { STRATEGY_NAMES, type StrategyName } from '../strategies/strategy.ts';
import { DEFAULT_IO_TASKS_PER_WORKER } from '../strategies/strategy-slots.ts';
import { durationOption, integerListOption, nameListOption, sizesOption } from './compare-option-parsers.ts';
import { startCompareTelemetry } from './compare-telemetry.ts';
import { TracedCompareSide } from './compare-traced-side.ts';
import { TELEMETRY_MODES, type TelemetryMode, telemetryOverheadSettings, telemetryOverheadTable } from '../report/telemetry-overhead.ts';
import { integerOption } from './option-parsers.ts';
import { collectPaths, loadScenarioModuleOption, parseAfterModules, SCENARIO_MODULE_DESCRIPTION, SCENARIO_MODULE_FLAGS } from './scenario-module-option.ts';

interface CompareCommandOptions {
  duration: number;
  warmup: number;
  rounds: number;
  ioRounds: number;
  /** Raw until the scenario modules are loaded: --scenarios and --sizes may name their scenarios. */
  scenarios: string | undefined;
  strategies: StrategyName[];
  concurrency: number[];
  memoryMb: number;
  out: string;
  workers: number;
  ioTasksPerWorker: number;
  sizes: string | undefined;
  scenarioModule: string[];
  delayMs: number;
  fitSample: number;
  python: PythonMode;
  traced: boolean;
  telemetry?: TelemetryMode;
  faults?: FaultPresetName;
}

/** Fails before any measurement when the report could not be written at the end. */
async function checkWritable(outDir: string): Promise<void> {
  try {
    await mkdir(outDir, { recursive: true });
    await access(outDir, constants.W_OK);
    // access() answers yes to root even on a read-only mount: only writing proves it.
    const probe = join(outDir, `.compare-write-check-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    throw new LabError('LAB_ERR_ARGS_INVALID', `option '--out <dir>': cannot write the report to "${outDir}": ${(error as Error).message}`, { cause: error });
  }
}

function resolveOptions(options: CompareCommandOptions): ResolvedCompareOptions {
  // Unset: the default scenarios and every scenario of --scenario-module.
  const scenarios = options.scenarios === undefined ? [...COMPARE_DEFAULTS.scenarios, ...customScenarioNames()] : parseAfterModules("option '--scenarios <list>' argument", options.scenarios, nameListOption(scenarioNames()));
  const given = options.sizes === undefined ? {} : parseAfterModules("option '--sizes <list>' argument", options.sizes, sizesOption);
  const sizes = Object.fromEntries(scenarioNames().map((name) => [name, given[name] ?? getScenario(name).size.default])) as Record<ScenarioName, number>;
  return Object.freeze({
    durationMs: options.duration,
    warmupMs: options.warmup,
    rounds: options.rounds,
    ioRounds: options.ioRounds,
    scenarios,
    strategies: options.strategies,
    outDir: resolve(options.out),
    memoryBudgetMb: options.memoryMb,
    ioConcurrency: options.concurrency,
    workers: options.workers,
    ioTasksPerWorker: options.ioTasksPerWorker,
    sizes,
    upstreamDelayMs: options.delayMs,
    fitSample: options.fitSample,
  });
}

function section(title: string, table: Table): string {
  return table.rows.length === 0 ? '' : `${title}\n\n${formatTable(table.headers, table.rows)}\n\n`;
}

function printReport(report: CompareReport): void {
  const verdict = (holds: boolean | null): string => (holds === null ? '·' : holds ? '✓' : '✗');
  process.stdout.write(
    section(`The talk's table, for Node (measured${report.parameters.rounds > 1 ? ': medians across rounds; the spread is in the tables below' : ''})`, talkTable(report)) +
      section('CPU-bound', cpuTable(report)) +
      (report.cpu.some((cell) => cell.speedUpAboveCores) ? `${FLAG_MARK} = a speed-up above the ${report.machine.availableParallelism} cores: a measurement problem (see the warnings)\n\n` : '') +
      section(`I/O-bound (http, upstream delay ${report.parameters.upstreamDelayMs} ms)`, ioTable(report)) +
      (report.faults === undefined ? '' : `${faultsSummary(report)}\n\n`) +
      section("The talk's Python beside Node (measured)", pythonTalkTable(report)) +
      section('Python rows', pythonRunsTable(report)) +
      (report.telemetryOverhead === undefined ? '' : `${section('Telemetry overhead per cell (--telemetry both)', telemetryOverheadTable(report.telemetryOverhead))}${telemetryOverheadSettings(report.telemetryOverhead)}\n\n`) +
      section(`How many fit in ${report.memory.budgetMb} MB`, memoryTable(report)) +
      section('What limited each cell (thresholds: src/report/verdict-rules.ts)', verdictTable(report)) +
      section('Which strategy to use, per scenario', recommendationTable(report)) +
      `Findings\n\n${report.findings.map((finding) => `${verdict(finding.holds)} ${finding.id}: ${finding.node}`).join('\n')}\n\n` +
      report.warnings.map((warning) => `Warning: ${warning}\n\n`).join(''),
  );
}

/** `concurrency-lab compare`: the talk's summary table, measured on this machine. */
export function registerCompareCommand(program: Command): void {
  const list = (values: readonly (string | number)[]): string => values.join(',');
  program
    .command('compare')
    .description('measure every scenario under every strategy in interleaved rounds, one run at a time, and write report.md, report.json and chart.svg')
    .addOption(new Option('--duration <duration>', 'measured time per round (ms, s or m)').argParser(durationOption()).default(COMPARE_DEFAULTS.durationMs, '4s'))
    .addOption(new Option('--warmup <duration>', 'unmeasured warm-up per round (0s for none)').argParser(durationOption({ allowZero: true })).default(COMPARE_DEFAULTS.warmupMs, '1s'))
    .option('--rounds <n>', 'rounds per CPU cell, interleaved across the strategies (A B C, C B A, …)', integerOption(1, 50), COMPARE_DEFAULTS.rounds)
    .option('--io-rounds <n>', 'rounds per http cell, interleaved the same way', integerOption(1, 50), COMPARE_DEFAULTS.ioRounds)
    .addOption(new Option('--scenarios <list>', `scenarios to run, from ${BUILT_IN_SCENARIO_NAMES.join(', ')} and those of --scenario-module`).default(undefined, `${list(COMPARE_DEFAULTS.scenarios)} and those of --scenario-module`))
    .addOption(new Option('--strategies <list>', `strategies to compare, from ${STRATEGY_NAMES.join(', ')}`).argParser(nameListOption(STRATEGY_NAMES)).default([...COMPARE_DEFAULTS.strategies], list(COMPARE_DEFAULTS.strategies)))
    .addOption(new Option('--concurrency <list>', 'requests in flight for the http scenario').argParser(integerListOption(1, 100_000)).default([...COMPARE_DEFAULTS.ioConcurrency], list(COMPARE_DEFAULTS.ioConcurrency)))
    .option('--memory-mb <mb>', 'memory budget for "how many fit"', integerOption(1, 1_048_576), COMPARE_DEFAULTS.memoryBudgetMb)
    .option('--out <dir>', 'folder for report.md, report.json and chart.svg', COMPARE_DEFAULTS.outDir)
    .option('--workers <n>', 'size of the thread and process pools', integerOption(1, 256), availableParallelism())
    .option('--io-tasks-per-worker <n>', 'I/O jobs one worker thread or child process holds at once', integerOption(1, 10_000), DEFAULT_IO_TASKS_PER_WORKER)
    .addOption(new Option('--sizes <list>', 'scenario sizes, e.g. matrix=200,thumbnail=1600').default(undefined, "each scenario's default"))
    .option(SCENARIO_MODULE_FLAGS, SCENARIO_MODULE_DESCRIPTION, collectPaths, [])
    .option('--delay-ms <ms>', 'delay of the embedded upstream for http', integerOption(1, 60_000), COMPARE_DEFAULTS.upstreamDelayMs)
    .option('--fit-sample <n>', 'child processes and worker threads started at once to measure memory per unit', integerOption(1, 256), COMPARE_DEFAULTS.fitSample)
    .option('--traced', 'trace every job as the daemon does (always_on unless OTEL_TRACES_SAMPLER says otherwise; exported per OTEL_*); the same as --telemetry on', false)
    .addOption(new Option('--telemetry <mode>', 'off: untraced, OTEL_SDK_DISABLED=true; on: traced (as --traced); both: every cell untraced and traced in the same rounds (the traced side in a child process), with traced ÷ untraced per cell').choices(TELEMETRY_MODES).default(undefined, 'off'))
    .addOption(new Option('--python <mode>', 'run the talk\'s Python beside Node: auto (when python3 with Pillow, requests and aiohttp is found), on, off').choices(PYTHON_MODES).default('auto'))
    .addOption(new Option('--faults <preset>', 'run the http cells with this fault preset on (resets and upstream-down need Toxiproxy: LAB_TOXIPROXY_URL)').choices(FAULT_PRESET_NAMES))
    .action(async (options: CompareCommandOptions) => {
      await loadScenarioModuleOption(options.scenarioModule);
      const base = resolveOptions(options);
      if (options.faults !== undefined && !base.scenarios.includes('http')) throw new LabError('LAB_ERR_ARGS_INVALID', "option '--faults <preset>': faults apply to the http scenario only; add http to --scenarios");
      const faults = options.faults === undefined ? undefined : resolveCompareFaults(options.faults);
      await checkWritable(base.outDir);
      // Untraced unless --traced, in the compare's thread and its workers alike: otherwise
      // threads and processes would pay for tracing that async and sequential do not.
      if (options.traced && options.telemetry !== undefined && options.telemetry !== 'on') throw new LabError('LAB_ERR_ARGS_INVALID', `option '--traced' means --telemetry on; it cannot be combined with --telemetry ${options.telemetry}`);
      const mode: TelemetryMode = options.traced ? 'on' : (options.telemetry ?? 'off');
      const telemetry = await startCompareTelemetry(mode === 'on');
      // --telemetry both: the traced rounds in a child process, so this one stays untraced.
      const tracedSide = mode === 'both' ? await TracedCompareSide.start() : undefined;
      let report: CompareReport;
      try {
        const resolved = { ...base, faults, python: await resolvePythonMode(options.python), telemetry: telemetry.telemetry, observer: telemetry.observer, tracedSide };
        report = await runCompare(resolved, new CompareProgress());
      } finally {
        await tracedSide?.close();
        await telemetry.shutdown();
      }
      printReport(report);
      const files = await writeReport(report, base.outDir);
      process.stdout.write(`wrote ${files.markdown}, ${files.json}, ${files.chart} and ${files.html}\n`);
    });
}
