import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CLI, NODE } from '../support/lab-daemon.ts';

describe('concurrency-lab compare with bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compare-bad-input-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, '');

  const cases: { name: string; args: string[]; message: RegExp }[] = [
    { name: 'an unknown scenario', args: ['--scenarios', 'matrix,video'], message: /option '--scenarios <list>' argument 'matrix,video' is invalid\. unknown: "video"; must be a comma-separated list of distinct names from thumbnail, matrix, array, http, noop/ },
    { name: 'an unknown strategy', args: ['--strategies', 'threads,greenlets'], message: /option '--strategies <list>' argument 'threads,greenlets' is invalid\. unknown: "greenlets"/ },
    { name: 'a zero duration', args: ['--duration', '0s'], message: /option '--duration <duration>' argument '0s' is invalid\. must be a positive duration/ },
    { name: 'zero rounds', args: ['--rounds', '0'], message: /option '--rounds <n>' argument '0' is invalid\. must be an integer from 1 to 50/ },
    { name: 'a fractional number of I/O rounds', args: ['--io-rounds', '1.5'], message: /option '--io-rounds <n>' argument '1\.5' is invalid\. must be an integer from 1 to 50/ },
    { name: 'a duration without a unit', args: ['--duration', '10'], message: /option '--duration <duration>' argument '10' is invalid/ },
    { name: 'an output folder that cannot be created', args: ['--out', join(aFile, 'report')], message: /option '--out <dir>': cannot write the report to ".*a-file\/report": ENOTDIR/ },
  ];
  for (const { name, args, message } of cases) {
    it(`exits 2 naming the argument for ${name}, before measuring anything`, () => {
      const result = spawnSync(NODE, [CLI, 'compare', '--out', join(dir, 'never'), ...args], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(result.status, 2, `exit status; stderr: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /steps, about/, 'no measurement started');
    });
  }
});
