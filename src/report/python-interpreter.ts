import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { PythonInterpreter } from './python-schema.ts';

/** The Python reference's entry script (python/reference.py in the repository). */
export const PYTHON_REFERENCE_SCRIPT = fileURLToPath(new URL('../../python/reference.py', import.meta.url));
export const PYTHON_MODULES = ['PIL', 'requests', 'aiohttp'] as const;
const PROBE_TIMEOUT_MS = 20_000;

const run = promisify(execFile);

export type PythonLookup = { found: true; interpreter: PythonInterpreter } | { found: false; missing: string };

/**
 * Finds a python3 that can run the reference: every python3 on PATH in order, the first that
 * imports Pillow, requests and aiohttp. A pyenv or venv python3 first on PATH often lacks
 * Debian's python3-pil while /usr/bin/python3 has it, so the first one found is not enough.
 */
export async function findPython(pathValue: string = process.env.PATH ?? ''): Promise<PythonLookup> {
  const candidates = [...new Set(pathValue.split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, 'python3')))];
  const failures: string[] = [];
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
    } catch {
      continue;
    }
    try {
      // Every missing module at once, before the probe (whose imports stop at the first).
      const check = await run(candidate, ['-c', `import importlib.util as u; print(",".join(m for m in ${JSON.stringify(PYTHON_MODULES)} if u.find_spec(m) is None))`], { timeout: PROBE_TIMEOUT_MS });
      const missing = check.stdout.trim();
      if (missing !== '') {
        failures.push(`${candidate} lacks ${missing.split(',').join(', ')}`);
        continue;
      }
      const { stdout } = await run(candidate, [PYTHON_REFERENCE_SCRIPT, 'probe'], { timeout: PROBE_TIMEOUT_MS });
      return { found: true, interpreter: JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as PythonInterpreter };
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '');
      const module = /No module named '([^']+)'/.exec(stderr)?.[1];
      failures.push(`${candidate} lacks ${module ?? 'a working Python 3 (' + (error as Error).message.split('\n')[0] + ')'}`);
    }
  }
  if (failures.length === 0) return { found: false, missing: `no python3 on PATH (${pathValue || 'PATH is empty'})` };
  return { found: false, missing: `no python3 on PATH imports ${PYTHON_MODULES.join(', ')}: ${failures.join('; ')} (Debian: apt-get install python3-pil python3-requests python3-aiohttp, or npm run tools)` };
}
