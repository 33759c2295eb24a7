import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTable } from '../../src/report/text-table.ts';

describe('formatTable', () => {
  it('right-aligns numbers with their min–max and flag mark, with n/a or - among them, and left-aligns text', () => {
    const table = formatTable(
      ['strategy', 'jobs/s', 'speed-up'],
      [
        ['sequential', '74.2 (70.1–75.0)', '1.00x (1.00–1.00)'],
        ['threads', '168.5 (160.1–172.0)', '2.27x (2.10–2.40) !'],
        ['async', '70.0', 'n/a'],
      ],
    );
    assert.equal(
      table,
      [
        'strategy                 jobs/s             speed-up',
        '----------  -------------------  -------------------',
        'sequential     74.2 (70.1–75.0)    1.00x (1.00–1.00)',
        'threads     168.5 (160.1–172.0)  2.27x (2.10–2.40) !',
        'async                      70.0                  n/a',
      ].join('\n'),
    );
  });

  it('keeps a column of placeholders only, or of words, left-aligned', () => {
    assert.equal(formatTable(['a', 'b'], [['-', 'x1'], ['n/a', 'y']]), ['a    b', '---  --', '-    x1', 'n/a  y'].join('\n'));
  });
});
