// The drift report as one self-contained HTML page: the decision, per-feature verdicts and reference-vs-current charts.
import { histogramSpec } from '../plot/histogram.ts';
import { PANEL, SERIES_COLOURS, topLevel, type VegaLiteSpec } from '../plot/chart-style.ts';
import type { DriftFeature, DriftReport, FeatureVerdict } from './drift-report.ts';
import { categoryCounts } from './two-sample-tests.ts';

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A number for people: 4 significant digits, exponent for the very small. */
export function formatStatistic(value: number): string {
  if (!Number.isFinite(value)) {
    return String(value);
  }
  if (value !== 0 && Math.abs(value) < 1e-4) {
    return value.toExponential(2);
  }
  return Number(value.toPrecision(4)).toString();
}

/** '<test> = <statistic> (drift at …)' for a chart subtitle or table cell. */
export function verdictText(v: FeatureVerdict): string {
  const what =
    v.test === 'ks' || v.test === 'chi-square'
      ? `${v.test === 'ks' ? 'KS' : 'χ²'} p = ${formatStatistic(v.statistic)}`
      : v.test === 'wasserstein'
        ? `Wasserstein / std = ${formatStatistic(v.statistic)}`
        : `Jensen–Shannon = ${formatStatistic(v.statistic)}`;
  return `${what}: ${v.drift ? 'drift' : 'no drift'} (${v.rule.replace('threshold', String(v.threshold))})`;
}

/** Grouped bars of category shares, reference vs current. */
function categorySpec(
  feature: DriftFeature,
  verdict: FeatureVerdict,
  ref: number,
  cur: number,
): VegaLiteSpec {
  const column = feature.column;
  const counts =
    column.kind === 'categorical'
      ? categoryCounts(column.reference, column.current)
      : { categories: [], reference: [], current: [] };
  const refName = `Reference (n = ${ref})`;
  const curName = `Current (n = ${cur})`;
  const values = counts.categories.flatMap((c, i) => [
    { series: refName, category: c, percent: (100 * (counts.reference[i] as number)) / ref },
    { series: curName, category: c, percent: (100 * (counts.current[i] as number)) / cur },
  ]);
  return topLevel(
    { text: feature.name, subtitle: verdictText(verdict) },
    `Share of each ${feature.name} value in the reference (${ref}) and current (${cur}) samples; ${verdictText(verdict)}.`,
    {
      width: PANEL.width,
      height: PANEL.height - 40,
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'category', type: 'nominal', title: feature.name },
        xOffset: { field: 'series' },
        y: { field: 'percent', type: 'quantitative', title: '% of sample' },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: {
            domain: [refName, curName],
            range: [SERIES_COLOURS.primary, SERIES_COLOURS.secondary],
          },
          legend: { orient: 'top', direction: 'horizontal' },
        },
      },
    },
  );
}

/** One chart spec per feature: overlaid histograms (numeric) or grouped shares (categorical). */
export function driftChartSpecs(
  report: DriftReport,
  features: readonly DriftFeature[],
): { name: string; spec: VegaLiteSpec }[] {
  return features.map((f, i) => {
    const verdict = report.features[i] as FeatureVerdict;
    if (f.column.kind === 'numeric') {
      return {
        name: f.name,
        spec: histogramSpec({
          reference: Array.from(f.column.reference),
          current: Array.from(f.column.current),
          title: f.name,
          subtitle: verdictText(verdict),
          xTitle: f.description.replace(/^./, (c) => c.toUpperCase()),
        }),
      };
    }
    return {
      name: f.name,
      spec: categorySpec(f, verdict, report.rows.reference, report.rows.current),
    };
  });
}

export interface DriftHtmlContext {
  readonly title: string;
  /** Lines about where the sides came from (model, input), shown under the decision. */
  readonly about: readonly string[];
}

/** The whole page; `svgs` maps feature names to rendered charts (missing ones are left out). */
export function driftHtml(
  report: DriftReport,
  context: DriftHtmlContext,
  svgs: ReadonlyMap<string, string>,
): string {
  const { classifier, mmd } = report.multivariate;
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const rows = report.features
    .map(
      (v) =>
        `<tr class="${v.drift ? 'drift' : 'ok'}"><td>${escapeHtml(v.name)}</td><td>${v.kind}</td><td>${v.test}</td><td>${formatStatistic(v.statistic)}</td><td>${escapeHtml(v.rule.replace('threshold', String(v.threshold)))}</td><td>${v.drift ? 'drift' : 'no drift'}</td></tr>`,
    )
    .join('\n');
  const novelty =
    report.novelty === undefined
      ? ''
      : `<p>Novelty of the current set: ${Object.entries(report.novelty.counts)
          .map(([k, n]) => `${escapeHtml(k)} ${n}`)
          .join(', ')}; novelty rate ${pct(report.novelty.rate)}.</p>`;
  const figures = report.features
    .map((v) => {
      const svg = svgs.get(v.name);
      return svg === undefined ? '' : `<figure id="f-${escapeHtml(v.name)}">${svg}</figure>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(context.title)}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f4f4f4}tr.drift td{background:#fde8e8}.decision{font-size:1.2em;padding:.5em 1em;border-radius:4px}
.decision.drift{background:#fde8e8}.decision.ok{background:#e6f4ea}figure{display:inline-block;margin:.5em}</style>
</head><body>
<h1>${escapeHtml(context.title)}</h1>
<p class="decision ${report.drift ? 'drift' : 'ok'}">${report.drift ? 'Dataset drift detected' : 'No dataset drift'}: ${report.driftedFeatures} of ${report.features.length} features drift (${pct(report.share)}; dataset drift at ≥ ${pct(report.shareThreshold)}).</p>
${context.about.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n')}
<p>Reference ${report.rows.reference} proteins, current ${report.rows.current}; the ${report.features.filter((f) => f.name.startsWith('pc_')).length} principal components keep ${pct(report.pcaExplainedVariance)} of the reference's variance.</p>
<h2>Embedding tests</h2>
<table><thead><tr><th>test</th><th>statistic</th><th>drift when</th><th>verdict</th></tr></thead><tbody>
<tr class="${classifier.drift ? 'drift' : 'ok'}"><td>domain classifier (logistic, 50/50 split; ${classifier.trainRows} train, ${classifier.testRows} test rows)</td><td>ROC AUC ${formatStatistic(classifier.statistic)}</td><td>AUC &gt; ${classifier.threshold}</td><td>${classifier.drift ? 'drift' : 'no drift'}</td></tr>
<tr class="${mmd.drift ? 'drift' : 'ok'}"><td>MMD (RBF, σ = ${formatStatistic(mmd.bandwidth)}; ${mmd.rows.reference} + ${mmd.rows.current} rows, ${mmd.permutations} permutations)</td><td>MMD² ${formatStatistic(mmd.mmd2)}, p = ${formatStatistic(mmd.statistic)}</td><td>p ≤ ${mmd.threshold}</td><td>${mmd.drift ? 'drift' : 'no drift'}</td></tr>
</tbody></table>
${novelty}
<h2>Features</h2>
<table><thead><tr><th>feature</th><th>kind</th><th>test</th><th>statistic</th><th>drift when</th><th>verdict</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Reference vs current</h2>
${figures}
</body></html>
`;
}
