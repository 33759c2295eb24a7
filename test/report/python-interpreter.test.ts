import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findPython } from '../../src/report/python-interpreter.ts';

/**
 * A python3 first on PATH (pyenv, a venv) that lacks Pillow must not hide one later on PATH
 * that has it. A real venv made without system site packages is such a python3.
 */
describe('findPython', () => {
  const dir = mkdtempSync(join(tmpdir(), 'find-python-'));
  const venvBin = join(dir, 'venv', 'bin');
  let withModules: string;

  before(async () => {
    const found = await findPython();
    assert.ok(found.found, `npm run tools installs a python3 with Pillow, requests and aiohttp; ${found.found ? '' : found.missing}`);
    withModules = found.interpreter.executable;
    const venv = spawnSync(withModules, ['-m', 'venv', '--without-pip', join(dir, 'venv')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(venv.status, 0, venv.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('skips a python3 without the modules and takes the next one on PATH', async () => {
    const found = await findPython(`${venvBin}:${dirname(withModules)}`);
    assert.ok(found.found, found.found ? '' : found.missing);
    assert.equal(found.interpreter.executable, join(dirname(withModules), 'python3'));
    assert.match(found.interpreter.pillow, /^\d+\.\d+/);
  });

  it('names each python3 it tried and the module it lacks when none will do', async () => {
    const found = await findPython(venvBin);
    assert.equal(found.found, false);
    assert.match(found.found ? '' : found.missing, new RegExp(`no python3 on PATH imports PIL, requests, aiohttp: ${join(venvBin, 'python3').replaceAll('/', '\\/')} lacks PIL, requests, aiohttp \\(Debian: apt-get install python3-pil python3-requests python3-aiohttp`));
  });

  it('says so when PATH has no python3 at all', async () => {
    const found = await findPython(join(dir, 'empty'));
    assert.equal(found.found, false);
    assert.match(found.found ? '' : found.missing, /^no python3 on PATH/);
  });
});
