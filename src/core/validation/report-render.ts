// The validation report as Markdown (with the plots as images) and as one self-contained HTML page (plots inline).
import type { RuleResult, ValidationReport } from './validation-report.ts';

export interface ReportChart {
  readonly title: string;
  /** Path of the PNG relative to the report, for Markdown. */
  readonly png: string;
  /** The SVG text, inlined in the HTML. */
  readonly svg: string;
}

const MARK: Readonly<Record<RuleResult['status'], string>> = {
  pass: 'pass',
  fail: 'FAIL',
  skipped: 'skipped',
  off: 'off',
};

function verdict(r: RuleResult): string {
  return r.status === 'fail' ? (r.severity === 'error' ? 'FAIL' : 'warning') : MARK[r.status];
}

function headline(report: ValidationReport): string {
  if (!report.passed) {
    return `FAILED: ${report.failedRules.join(', ')}`;
  }
  return report.warningRules.length > 0
    ? `passed, with warnings: ${report.warningRules.join(', ')}`
    : 'passed';
}

const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(report: ValidationReport, charts: readonly ReportChart[]): string {
  const lines: string[] = [
    '# Data validation report',
    '',
    `- **Input:** \`${report.source}\` (${report.format}), task ${report.task}`,
    ...(report.split === undefined ? [] : [`- **Split:** \`${report.split}\``]),
    `- **Proteins:** ${report.stats.records}`,
    `- **Verdict:** ${headline(report)}`,
    ...report.notes.map((n) => `- ${n}`),
    '',
    '## Rules',
    '',
    '| rule | severity | result | findings | what was checked |',
    '| --- | --- | --- | ---: | --- |',
    ...report.rules.map(
      (r) =>
        `| ${r.title} (\`${r.rule}\`) | ${r.severity} | ${verdict(r)} | ${r.count} | ${mdCell(r.summary)} |`,
    ),
    '',
  ];
  if (report.stats.classes.length > 0) {
    lines.push('## Classes', '', '| label | proteins | share |', '| --- | ---: | ---: |');
    for (const c of report.stats.classes) {
      lines.push(`| ${mdCell(c.label)} | ${c.count} | ${(100 * c.fraction).toFixed(1)}% |`);
    }
    lines.push('');
  }
  if (charts.length > 0) {
    lines.push('## Plots', '');
    for (const c of charts) {
      lines.push(`![${c.title}](${c.png})`, '');
    }
  }
  const failing = report.rules.filter((r) => r.status === 'fail');
  if (failing.length > 0) {
    lines.push('## Findings', '');
    for (const r of failing) {
      lines.push(
        `### ${r.title} (${verdict(r)}, ${r.count})`,
        '',
        ...r.findings.map((f) => `- ${f.message}`),
        ...(r.count > r.findings.length
          ? [`- … and ${r.count - r.findings.length} more (validation.max_listed)`]
          : []),
        '',
      );
    }
  }
  lines.push(
    '## Timings',
    '',
    Object.entries(report.timings)
      .map(([k, v]) => `${k} ${v} ms`)
      .join(', '),
    '',
  );
  return `${lines.join('\n')}\n`.replace(/\n{3,}/g, '\n\n');
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderHtml(report: ValidationReport, charts: readonly ReportChart[]): string {
  const rows = report.rules
    .map(
      (r) =>
        `<tr class="${r.status === 'fail' ? (r.severity === 'error' ? 'fail' : 'warn') : r.status}"><td>${escapeHtml(r.title)} <code>${r.rule}</code></td><td>${r.severity}</td><td>${verdict(r)}</td><td class="n">${r.count}</td><td>${escapeHtml(r.summary)}</td></tr>`,
    )
    .join('\n');
  const findings = report.rules
    .filter((r) => r.status === 'fail')
    .map(
      (r) =>
        `<h3>${escapeHtml(r.title)} (${verdict(r)}, ${r.count})</h3><ul>${r.findings.map((f) => `<li>${escapeHtml(f.message)}</li>`).join('')}${r.count > r.findings.length ? `<li>… and ${r.count - r.findings.length} more (validation.max_listed)</li>` : ''}</ul>`,
    )
    .join('\n');
  const classes =
    report.stats.classes.length === 0
      ? ''
      : `<h2>Classes</h2><table><tr><th>label</th><th>proteins</th><th>share</th></tr>${report.stats.classes.map((c) => `<tr><td>${escapeHtml(c.label)}</td><td class="n">${c.count}</td><td class="n">${(100 * c.fraction).toFixed(1)}%</td></tr>`).join('')}</table>`;
  const plots = charts
    .map(
      (c) =>
        `<figure><div class="plot">${c.svg}</div><figcaption>${escapeHtml(c.title)}</figcaption></figure>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Data validation: ${escapeHtml(report.source)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.fail td { background: #fde8e8; } tr.warn td { background: #fff6dd; } tr.skipped td, tr.off td { color: #777; }
.verdict { font-size: 1.2rem; font-weight: 600; } .verdict.bad { color: #b00000; } .verdict.good { color: #006b3c; }
figure { display: inline-block; margin: 0 1rem 1rem 0; } .plot svg { max-width: 100%; height: auto; }
code { font-size: 90%; }
</style>
</head>
<body>
<h1>Data validation report</h1>
<p><b>Input:</b> <code>${escapeHtml(report.source)}</code> (${report.format}), task ${escapeHtml(report.task)}${report.split === undefined ? '' : `; <b>split:</b> <code>${escapeHtml(report.split)}</code>`}; ${report.stats.records} proteins</p>
<p class="verdict ${report.passed ? 'good' : 'bad'}">${escapeHtml(headline(report))}</p>
${report.notes.length > 0 ? `<ul>${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
<h2>Rules</h2>
<table><tr><th>rule</th><th>severity</th><th>result</th><th>findings</th><th>what was checked</th></tr>
${rows}
</table>
${classes}
${charts.length > 0 ? `<h2>Plots</h2>\n${plots}` : ''}
${findings === '' ? '' : `<h2>Findings</h2>\n${findings}`}
<h2>Timings</h2>
<p>${Object.entries(report.timings)
    .map(([k, v]) => `${escapeHtml(k)} ${v} ms`)
    .join(', ')}</p>
</body>
</html>
`;
}

/** The JSON summary (`--json`, summary.json): the verdict and every rule, findings capped as in the report. */
export function summaryJson(
  report: ValidationReport,
  files: { readonly markdown: string; readonly html: string; readonly json: string },
): Record<string, unknown> {
  return {
    passed: report.passed,
    source: report.source,
    format: report.format,
    task: report.task,
    split: report.split ?? null,
    records: report.stats.records,
    failed_rules: report.failedRules,
    warning_rules: report.warningRules,
    rules: report.rules.map((r) => ({
      rule: r.rule,
      severity: r.severity,
      status: r.status,
      count: r.count,
      summary: r.summary,
      findings: r.findings,
    })),
    classes: report.stats.classes,
    binary_classes: report.stats.binaryClasses,
    dimensions: report.stats.dimensions,
    split_sizes: report.stats.splitSizes ?? null,
    notes: report.notes,
    timings_ms: report.timings,
    report: files,
  };
}
