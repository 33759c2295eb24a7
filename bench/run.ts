/**
 * `npm run bench [-- [--quick] [name ...]]`: runs the benchmarks (all, or the named ones),
 * prints a table of ratios with their targets, and writes bench/results/latest.json.
 * Targets are goals to report, not assertions: a missed target does not fail the run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatTable } from '../src/report/text-table.ts';
import { BENCHMARKS } from './benchmarks.ts';
import { type BenchContext, formatNumber, type Measurement } from './benchmark.ts';
import { describeMachine, formatMachine } from './machine.ts';

// The engine benchmarks measure the engine alone: the pools' workers start no tracing SDK
// (they inherit this environment). The overhead benchmark sets tracing per daemon itself.
process.env.OTEL_SDK_DISABLED = 'true';

const USAGE = `usage: npm run bench -- [--quick] [--duration D] [--chaos D] [--faults PRESET] [${BENCHMARKS.map((benchmark) => benchmark.name).join('|')} ...]`;

function parseCommandLine(): { quick: boolean; names: string[]; options: NonNullable<BenchContext['options']> } {
  try {
    const { values, positionals } = parseArgs({ options: { quick: { type: 'boolean', default: false }, help: { type: 'boolean', default: false }, duration: { type: 'string' }, chaos: { type: 'string' }, faults: { type: 'string' } }, allowPositionals: true });
    if (values.help) {
      process.stdout.write(`${USAGE}\n\n${BENCHMARKS.map((benchmark) => `  ${benchmark.name.padEnd(10)} ${benchmark.description}`).join('\n')}\n`);
      process.exit(0);
    }
    const unknown = positionals.filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name));
    if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.map((name) => `"${name}"`).join(', ')}`);
    return { quick: values.quick, names: positionals, options: { duration: values.duration, chaos: values.chaos, faults: values.faults } };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

interface BenchmarkResult {
  benchmark: string;
  seconds: number;
  measurements: Measurement[];
  error?: string;
}

const { quick, names, options } = parseCommandLine();
const selected = names.length === 0 ? BENCHMARKS.filter((benchmark) => benchmark.onlyByName !== true) : BENCHMARKS.filter((benchmark) => names.includes(benchmark.name));
const machine = describeMachine();
const context: BenchContext = { quick, cores: machine.cores, log: (line) => process.stderr.write(`${line}\n`), options };
process.stdout.write(`concurrency-lab bench${quick ? ' (quick)' : ''} on ${formatMachine(machine)}\n`);

const results: BenchmarkResult[] = [];
const startedAt = new Date();
for (const benchmark of selected) {
  const started = performance.now();
  context.log(`\n== ${benchmark.name}: ${benchmark.description}`);
  try {
    const measurements = await benchmark.run(context);
    results.push({ benchmark: benchmark.name, seconds: (performance.now() - started) / 1000, measurements });
  } catch (error) {
    // One broken benchmark must not hide the others' figures.
    context.log(`${benchmark.name} failed: ${(error as Error).stack ?? String(error)}`);
    results.push({ benchmark: benchmark.name, seconds: (performance.now() - started) / 1000, measurements: [], error: (error as Error).message });
  }
}

const rows = results.flatMap((result) =>
  result.error !== undefined
    ? [[result.benchmark, 'FAILED', '-', '-', result.error.slice(0, 80)]]
    : result.measurements.map((measurement) => [
        result.benchmark,
        measurement.name,
        `${formatNumber(measurement.value)} ${measurement.unit}`,
        measurement.target?.description ?? '-',
        measurement.target === undefined ? '-' : measurement.target.met ? 'pass' : 'fail',
      ]),
);
process.stdout.write(`\n${formatTable(['benchmark', 'measure', 'value', 'target', ''], rows)}\n`);

const resultsUrl = new URL('./results/', import.meta.url);
await mkdir(resultsUrl, { recursive: true });
const latest = new URL('latest.json', resultsUrl);
await writeFile(latest, `${JSON.stringify({ startedAt: startedAt.toISOString(), quick, machine, results }, null, 2)}\n`);
process.stdout.write(`\nresults: ${latest.pathname}\n`);
if (results.some((result) => result.error !== undefined)) process.exitCode = 1;
