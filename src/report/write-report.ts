import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderChartSvg } from './render-chart-svg.ts';
import { renderReportHtml } from './render-report-html.ts';
import { type CompareReport, CompareReportSchema } from './report-schema.ts';
import { renderReportMarkdown } from './report-markdown.ts';

/** The files a compare writes, by name. */
export interface WrittenReport {
  json: string;
  markdown: string;
  chart: string;
  html: string;
}

/**
 * Writes report.json (after checking it against the schema, so no file that breaks the
 * project's own contract is ever written), report.md and chart.svg into `outDir`.
 */
export async function writeReport(report: CompareReport, outDir: string): Promise<WrittenReport> {
  const checked = CompareReportSchema.parse(report);
  const files = { json: join(outDir, 'report.json'), markdown: join(outDir, 'report.md'), chart: join(outDir, 'chart.svg'), html: join(outDir, 'report.html') };
  await mkdir(outDir, { recursive: true });
  await writeFile(files.json, `${JSON.stringify(checked, null, 2)}\n`);
  await writeFile(files.markdown, renderReportMarkdown(checked));
  await writeFile(files.chart, await renderChartSvg(checked));
  await writeFile(files.html, await renderReportHtml(checked));
  return files;
}
