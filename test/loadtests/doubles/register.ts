// Runs the k6 scripts' library (loadtests/lib) under Node for unit tests: k6 itself is never run
// in this project's tests (it is AGPL-3.0). The `k6*` modules are replaced by the explicit test
// doubles in this folder (a synchronous module.registerHooks() resolve hook), and k6's globals
// `__ENV` and `open()` get stand-ins. Call registerK6Doubles() before importing anything from
// loadtests/ (with a dynamic import: static imports are resolved before any code runs).
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const DOUBLES: Readonly<Record<string, string>> = {
  k6: 'k6.ts',
  'k6/http': 'k6-http.ts',
  'k6/metrics': 'k6-metrics.ts',
  'k6/execution': 'k6-execution.ts',
  'k6/crypto': 'k6-crypto.ts',
};

declare global {
  /** k6's environment variables (`-e NAME=value`); the tests set them. */
  var __ENV: Record<string, string>;
}

let registered = false;

export function registerK6Doubles(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const double = DOUBLES[specifier];
      if (double !== undefined) return { url: new URL(double, import.meta.url).href, shortCircuit: true };
      if (specifier.startsWith('k6')) throw new Error(`no test double for ${specifier}: add one to test/loadtests/doubles/`);
      return nextResolve(specifier, context);
    },
  });
  globalThis.__ENV = {};
  // k6's open() reads a file in the init context and throws when it is missing.
  (globalThis as { open?: (path: string) => string }).open = (path: string) => readFileSync(path, 'utf8');
}

/** Replaces every k6 variable with `env`. */
export function setK6Env(env: Record<string, string>): void {
  globalThis.__ENV = { ...env };
}
