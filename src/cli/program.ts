import { Command, CommanderError } from 'commander';
import { LabError } from '../errors.ts';
import type { Tracing } from '../telemetry/tracing.ts';
import { registerCompareCommand } from './compare-command.ts';
import { registerDaemonCommand } from './daemon-command.ts';
import { registerRunCommand } from './run-command.ts';
import { registerUpstreamCommand } from './upstream-command.ts';

/** Exit code for bad arguments or configuration. */
const EXIT_USAGE = 2;

const exitOnParseError = (error: CommanderError): never => process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);

/** Parses the command line and runs the command; `tracing` is this process's SDK, started by main.ts. */
export async function runProgram(tracing: Tracing | undefined): Promise<void> {
  const program = new Command('concurrency-lab')
    .description('Measure how concurrency strategies behave on Node.js')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride(exitOnParseError);

  registerDaemonCommand(program, tracing);
  registerUpstreamCommand(program, tracing);
  registerRunCommand(program);
  registerCompareCommand(program);
  for (const command of program.commands) command.exitOverride(exitOnParseError);

  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof LabError && (error.code === 'LAB_ERR_CONFIG_INVALID' || error.code === 'LAB_ERR_ARGS_INVALID' || error.code === 'LAB_ERR_SCENARIO_MODULE_INVALID')) {
      process.stderr.write(`concurrency-lab: ${error.message}\n`);
      process.exit(EXIT_USAGE);
    }
    process.stderr.write(`concurrency-lab: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
}
