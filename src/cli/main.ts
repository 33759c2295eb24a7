#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { LabError } from '../errors.ts';
import { registerDaemonCommand } from './daemon-command.ts';
import { registerRunCommand } from './run-command.ts';
import { registerUpstreamCommand } from './upstream-command.ts';

/** Exit code for bad arguments or configuration. */
const EXIT_USAGE = 2;

const program = new Command('concurrency-lab')
  .description('Measure how concurrency strategies behave on Node.js')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride((error: CommanderError) => {
    process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
  });

registerDaemonCommand(program);
registerUpstreamCommand(program);
registerRunCommand(program);
for (const command of program.commands) command.exitOverride((error: CommanderError) => process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof LabError && (error.code === 'LAB_ERR_CONFIG_INVALID' || error.code === 'LAB_ERR_ARGS_INVALID')) {
    process.stderr.write(`concurrency-lab: ${error.message}\n`);
    process.exit(EXIT_USAGE);
  }
  process.stderr.write(`concurrency-lab: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
