// Writes a validation report folder: report.md, report.html (plots inline), summary.json and plots/*.svg|png.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { throwIfAborted } from '../core/errors.ts';
import { classBalanceSpec, lengthHistogramSpec } from '../core/plot/validation-charts.ts';
import type { VegaLiteSpec } from '../core/plot/chart-style.ts';
import {
  renderHtml,
  renderMarkdown,
  summaryJson,
  type ReportChart,
} from '../core/validation/report-render.ts';
import type { ValidationReport } from '../core/validation/validation-report.ts';
import { writeChart } from './render-chart.ts';

export interface ValidationReportFiles {
  readonly dir: string;
  readonly markdown: string;
  readonly html: string;
  readonly json: string;
}

export interface ReportFileOptions {
  readonly minClassFraction: number;
  readonly signal?: AbortSignal | undefined;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

/** The plots of a report: the class shares (both views when they differ) and the lengths. */
export function reportCharts(
  report: ValidationReport,
  minClassFraction: number,
): [name: string, title: string, spec: VegaLiteSpec][] {
  const charts: [string, string, VegaLiteSpec][] = [];
  const { stats } = report;
  if (stats.binaryClasses.length > 0) {
    const title = 'Beta-lactamases vs not (the balance rule’s default view)';
    charts.push([
      'classes-binary',
      title,
      classBalanceSpec(stats.binaryClasses, minClassFraction, title),
    ]);
  }
  if (stats.classes.length > 0 && report.task === 'multiclass') {
    const title = 'Share of each label';
    charts.push(['classes', title, classBalanceSpec(stats.classes, minClassFraction, title)]);
  }
  if (Object.keys(stats.lengths).length > 0) {
    const title = 'Sequence length per label';
    charts.push(['lengths', title, lengthHistogramSpec(stats.lengths, title)]);
  }
  return charts;
}

export async function writeValidationReport(
  dir: string,
  report: ValidationReport,
  options: ReportFileOptions,
): Promise<ValidationReportFiles> {
  await mkdir(join(dir, 'plots'), { recursive: true });
  const charts: ReportChart[] = [];
  for (const [name, title, spec] of reportCharts(report, options.minClassFraction)) {
    // Not passing the signal on: resvg-js 2.6.2's renderAsync refuses an AbortSignal it has seen
    // before ('InvalidArg' on the second chart), so the abort is checked between charts instead.
    throwIfAborted(options.signal, 'Writing the validation report');
    const written = await writeChart(join(dir, 'plots', name), spec);
    charts.push({ title, png: `plots/${name}.png`, svg: await readFile(written.svgPath, 'utf8') });
  }
  const files = {
    dir,
    markdown: join(dir, 'report.md'),
    html: join(dir, 'report.html'),
    json: join(dir, 'summary.json'),
  };
  await writeAtomic(files.markdown, renderMarkdown(report, charts));
  await writeAtomic(files.html, renderHtml(report, charts));
  await writeAtomic(
    files.json,
    `${JSON.stringify(summaryJson(report, { markdown: files.markdown, html: files.html, json: files.json }), null, 2)}\n`,
  );
  return files;
}
