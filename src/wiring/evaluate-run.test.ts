// The evaluate use case on a real tiny model and run store: binary F1 and hard negatives by hand, a failed run, a foreign label.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { jsKernels } from '../core/model/kernels.ts';
import type { Prediction } from '../core/model/predictor.ts';
import { createRng } from '../core/rng.ts';
import type { EvaluationSet } from '../pipeline/evaluate-model.ts';
import { evaluateModel, scoreCalls } from '../pipeline/evaluate-model.ts';
import { predictAll } from '../pipeline/predict.ts';
import type { PredictionModel } from '../pipeline/predict.ts';
import { FsModelRegistry } from '../store/fs-model-registry.ts';
import { FsRunTracker } from '../store/fs-run-tracker.ts';
import { loadPredictionModel } from './load-model.ts';
import { randomProtein, registerTinyModel } from './test-support/tiny-model.ts';

const environment = { packageVersion: '0.1.0', environment: { node: process.version } };

async function tinyModel(): Promise<{ home: string; model: PredictionModel }> {
  const home = await mkdtemp(join(tmpdir(), 'arginator-evaluate-'));
  await registerTinyModel(home, 'multiclass', { seed: 1 });
  const catalog = new FsModelRegistry(join(home, 'models'));
  return { home, model: await loadPredictionModel('v1', catalog, jsKernels, { threads: 1 }) };
}

function setOf(ids: string[], labels: string[], hard: string[] = []): EvaluationSet {
  const rng = createRng(5);
  return {
    records: ids.map((id) => ({ id, description: '', sequence: randomProtein(rng, 70) })),
    labels,
    dataset: 'd.fasta',
    labelsTable: null,
    split: { file: 'split.json', side: 'test' },
    data: { fingerprint: 'f'.repeat(64), dataset: 'a'.repeat(64), labels: null, clusters: null },
    hardNegatives: new Set(hard),
  };
}

describe('evaluateModel', () => {
  it('scores binary F1 (β-lactamase or not) and hard-negative FP as counted by hand', async () => {
    const { home, model } = await tinyModel();
    try {
      const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
      const calls = (
        await predictAll(
          setOf(
            ids,
            ids.map(() => 'A'),
          ).records,
          { model },
        )
      ).map((p) => p.prediction);
      // True labels: a and b NBL (hard negatives), the rest the model's own call turned to the next
      // Ambler class — wrong classes but right "is a β-lactamase" whenever the call is one.
      const ambler = ['A', 'B', 'C', 'D'];
      const truth = calls.map((c, i) =>
        i < 2 ? 'NBL' : (ambler[(ambler.indexOf(c.label) + 1) % 4] ?? 'A'),
      );
      const set = setOf(ids, truth, ['a', 'b']);
      const runs = new FsRunTracker(join(home, 'runs'));
      const { metrics, record } = await evaluateModel(
        {
          tracker: runs,
          environment,
          predict: () => Promise.resolve(calls),
          charts: async () => {},
        },
        { model, set, command: 'evaluate', config: { task: { name: 'multiclass' } } },
      );
      const bl = (l: string): boolean => l !== 'NBL';
      let tp = 0;
      let fp = 0;
      let fn = 0;
      calls.forEach((c, i) => {
        const t = bl(truth[i] ?? '');
        const p = bl(c.label);
        tp += t && p ? 1 : 0;
        fp += !t && p ? 1 : 0;
        fn += t && !p ? 1 : 0;
      });
      const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
      expect(metrics.binaryF1).toBeCloseTo(f1, 12);
      expect(metrics.hardNegatives).toEqual({
        falsePositives: calls.slice(0, 2).filter((c) => bl(c.label)).length,
        total: 2,
      });
      // Calls on b..f: only the NBL calls (if any) can be right, the Ambler ones are shifted.
      expect(metrics.accuracy).toBeCloseTo(
        calls.filter((c, i) => c.label === truth[i]).length / 6,
        12,
      );
      expect(record).toMatchObject({ kind: 'evaluate', status: 'finished' });
      expect(await runs.readJson(record.id, 'metrics.json')).toMatchObject({
        binaryF1: metrics.binaryF1,
        test: { n: 6, accuracy: metrics.accuracy },
        calibration: { eceAfter: metrics.ece },
      });
    } finally {
      await model.embedder.close();
    }
  });

  it('finishes the run failed with the error when prediction fails, and refuses a foreign label', async () => {
    const { home, model } = await tinyModel();
    try {
      const runs = new FsRunTracker(join(home, 'runs'));
      const set = setOf(['a'], ['A']);
      await expect(
        evaluateModel(
          {
            tracker: runs,
            environment,
            predict: () => Promise.reject(new Error('embedder crashed')),
            charts: async () => {},
          },
          { model, set, command: 'evaluate', config: {} },
        ),
      ).rejects.toThrow('embedder crashed');
      const [failed] = await runs.list();
      expect(failed).toMatchObject({
        kind: 'evaluate',
        status: 'failed',
        error: 'embedder crashed',
      });

      const call: Prediction = (await predictAll(set.records, { model }))[0]
        ?.prediction as Prediction;
      expect(() => scoreCalls(model, ['Betalactamase'], [call])).toThrow(
        /the label 'Betalactamase' is not one of model v1's labels \(A, B, C, D, NBL\)/,
      );
    } finally {
      await model.embedder.close();
    }
  });
});
