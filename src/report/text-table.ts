const NUMBER = String.raw`-?[\d.,]+[%x]?`;
/** A number, optionally with its min–max in brackets and a flag mark: "168.5", "2.27x (2.10–2.40) !". */
const NUMERIC_CELL = new RegExp(String.raw`^${NUMBER}( \(${NUMBER}–${NUMBER}\))?( !)?$`);
/** Cells that stand for a missing number and do not make a column text. */
const PLACEHOLDER = new Set(['n/a', '-']);

/** A plain aligned text table: numbers (with their ranges) right-aligned, text left-aligned. */
export function formatTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((row) => row[column]?.length ?? 0)));
  const numeric = headers.map((_, column) => {
    const values = rows.map((row) => row[column]);
    return values.some((value) => typeof value === 'number' || NUMERIC_CELL.test(String(value))) && values.every((value) => typeof value === 'number' || NUMERIC_CELL.test(String(value)) || PLACEHOLDER.has(String(value)));
  });
  const line = (row: readonly string[]): string =>
    row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}
