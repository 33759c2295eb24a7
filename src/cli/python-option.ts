import { LabError } from '../errors.ts';
import { findPython } from '../report/python-interpreter.ts';
import type { PythonInterpreter } from '../report/python-schema.ts';

export const PYTHON_MODES = ['auto', 'on', 'off'] as const;
export type PythonMode = (typeof PYTHON_MODES)[number];

/**
 * compare --python: off runs no Python; auto runs it when a python3 on PATH imports Pillow,
 * requests and aiohttp; on insists (exit 2 naming what is missing). One line says what was found.
 */
export async function resolvePythonMode(mode: PythonMode): Promise<PythonInterpreter | undefined> {
  if (mode === 'off') return undefined;
  const lookup = await findPython();
  if (!lookup.found) {
    if (mode === 'on') throw new LabError('LAB_ERR_ARGS_INVALID', `option '--python on': ${lookup.missing}`);
    process.stdout.write(`python: not found, Python rows skipped (${lookup.missing})\n`);
    return undefined;
  }
  const found = lookup.interpreter;
  process.stdout.write(`python: ${found.executable} (Python ${found.python}, Pillow ${found.pillow}, requests ${found.requests}, aiohttp ${found.aiohttp}): Python rows on\n`);
  return found;
}
