// Which metrics to show first, and their side-by-side comparison.

/** Headline metrics in display order, under their common spellings. */
const HEADLINE: readonly (readonly [title: string, keys: readonly string[]])[] = [
  ['Accuracy', ['test.accuracy', 'accuracy', 'test_accuracy']],
  ['F1', ['test.f1', 'f1', 'test_f1', 'test.macro.f1']],
  ['MCC', ['test.mcc', 'mcc', 'test_mcc']],
  ['Precision (macro)', ['test.macro.precision']],
  ['Recall (macro)', ['test.macro.recall']],
  ['ROC AUC', ['test.roc_auc', 'test.rocAuc', 'roc_auc', 'auc']],
  ['ECE', ['test.ece', 'ece']],
  ['Best epoch', ['best_epoch', 'bestEpoch']],
  ['Epochs run', ['epochs_run', 'epochsRun']],
];

/** Metrics that are counts, shown without decimals. */
const WHOLE = new Set(['Best epoch', 'Epochs run']);

export interface MetricLine {
  readonly title: string;
  readonly key: string;
  /** Decimals to show (0 for counts). */
  readonly digits: number;
}

/** The headline metrics present in any of the records, each under the first key found. */
export function headlineMetrics(
  records: readonly Readonly<Record<string, number>>[],
): MetricLine[] {
  const out: MetricLine[] = [];
  for (const [title, keys] of HEADLINE) {
    const key = keys.find((k) => records.some((r) => r[k] !== undefined));
    if (key !== undefined) {
      out.push({ title, key, digits: WHOLE.has(title) ? 0 : 3 });
    }
  }
  return out;
}

export interface ComparedMetric {
  readonly key: string;
  readonly a: number | null;
  readonly b: number | null;
  /** b − a when both exist. */
  readonly delta: number | null;
}

/**
 * Every numeric metric of two runs, aligned by key (sorted, per-class counts left out).
 * @example compareMetrics({ f1: 0.8 }, { f1: 0.9 }) // [{ key: 'f1', a: 0.8, b: 0.9, delta: ≈0.1 }]
 */
export function compareMetrics(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): ComparedMetric[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.map((key) => {
    const va = a[key] ?? null;
    const vb = b[key] ?? null;
    return { key, a: va, b: vb, delta: va === null || vb === null ? null : vb - va };
  });
}
