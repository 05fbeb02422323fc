// The metrics a training run reports that a sweep can optimise, and the names the original's sweeps used for them.
import { ArginatorError } from '../../core/errors.ts';

/** Logged after every epoch (metrics.jsonl): hyperband can use these. */
export const EPOCH_METRICS = [
  'val_loss',
  'val_f1',
  'val_accuracy',
  'val_mcc',
  'train_loss',
] as const;
/** Known only when the run ends (metrics.json's test block). */
export const FINAL_METRICS = ['test_f1', 'test_accuracy', 'test_mcc'] as const;

export type EpochMetric = (typeof EPOCH_METRICS)[number];
export type FinalMetric = (typeof FINAL_METRICS)[number];

/** Other spellings: val_f1 is the macro-F1 for multiclass (binary F1 for the binary task). */
const ALIASES: Readonly<Record<string, EpochMetric | FinalMetric>> = {
  val_macro_f1: 'val_f1',
  val_f1_macro: 'val_f1',
  val_acc: 'val_accuracy',
  test_macro_f1: 'test_f1',
  test_acc: 'test_accuracy',
};

export interface ResolvedMetric {
  readonly key: EpochMetric | FinalMetric;
  readonly kind: 'epoch' | 'final';
}

/** Maps the sweep's metric name onto what training reports, or fails with the known names. */
export function resolveMetric(name: string, source: string): ResolvedMetric {
  const key = ALIASES[name] ?? name;
  if ((EPOCH_METRICS as readonly string[]).includes(key)) {
    return { key: key as EpochMetric, kind: 'epoch' };
  }
  if ((FINAL_METRICS as readonly string[]).includes(key)) {
    return { key: key as FinalMetric, kind: 'final' };
  }
  throw new ArginatorError(
    'CONFIG',
    'sweep.unknown-metric',
    `metric '${name}' is not reported by training`,
    `use one of ${[...EPOCH_METRICS, ...FINAL_METRICS].join(', ')} (val_loss is the original's; val_macro_f1 = val_f1)`,
    { source },
  );
}

/** Hyperband compares per-epoch values, so a metric known only at the end cannot drive it. */
export function checkEarlyTerminateMetric(
  metric: ResolvedMetric,
  hasEarlyTerminate: boolean,
  source: string,
): void {
  if (hasEarlyTerminate && metric.kind === 'final') {
    throw new ArginatorError(
      'CONFIG',
      'sweep.hyperband-final-metric',
      `early_terminate needs a metric logged every epoch, but ${metric.key} is known only when a run ends`,
      `use ${EPOCH_METRICS.join(', ')}, or remove early_terminate`,
      { source },
    );
  }
}
