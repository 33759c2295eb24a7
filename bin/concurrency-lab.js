#!/usr/bin/env node
// The CLI is TypeScript that Node >= 24 runs by stripping types. When this launcher is started
// by an older system Node, it re-executes the CLI with the Node 24 binary the project installs
// as a dependency (the npm package `node`), so `npx concurrency-lab` works on such machines too.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const major = Number(process.versions.node.split('.')[0]);

if (major >= 24) {
  await import(cli);
} else {
  let bundled;
  try {
    bundled = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');
  } catch {
    bundled = undefined;
  }
  if (bundled === undefined || !existsSync(bundled)) {
    process.stderr.write(`concurrency-lab needs Node.js >= 24 (this is ${process.version}); run \`npm install\` in the project to get it.\n`);
    process.exit(2);
  }
  const child = spawn(bundled, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  // The daemon's graceful shutdown is driven by signals, so pass them through.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}
