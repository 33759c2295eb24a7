#!/usr/bin/env node
/**
 * Entry point. The OpenTelemetry SDK has to start before the modules it instruments are
 * loaded, so this file starts it for the commands that serve traffic and only then loads
 * the rest of the program.
 */
import { startTracing, type Tracing } from '../telemetry/tracing.ts';

/** service.name per traced command (OTEL_SERVICE_NAME overrides). */
const TRACED_COMMANDS: Record<string, string> = { daemon: 'concurrency-lab', upstream: 'concurrency-lab-upstream' };
/** Scrapes and probes make no useful traces. */
const UNTRACED_PATHS = ['/metrics', '/healthz', '/readyz'];

const command = process.argv[2];
const serviceName = command === undefined ? undefined : TRACED_COMMANDS[command];
const tracing: Tracing | undefined = serviceName === undefined ? undefined : await startTracing({ defaultServiceName: serviceName, ignoredPaths: UNTRACED_PATHS });
const { runProgram } = await import('./program.ts');
await runProgram(tracing);
