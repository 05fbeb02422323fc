import { describe, expect, it } from 'vitest';

import type { Prediction, Predictor } from '../core/model/predictor.ts';
import type { PredictionModel } from '../pipeline/predict.ts';
import { adaptModelToTask, chooseTaskModel } from './task-model.ts';

describe('chooseTaskModel: the one model rule', () => {
  const index = (aliases: Record<string, string>) => ({ models: [], aliases, history: [] });
  it('uses latest:<task>, and for binary falls back to the multiclass model', () => {
    expect(chooseTaskModel('multiclass', index({ 'latest:multiclass': 'v1' }))).toEqual({
      version: 'v1',
      alias: 'latest:multiclass',
      derived: false,
    });
    expect(
      chooseTaskModel('binary', index({ 'latest:multiclass': 'v1', 'latest:binary': 'v2' }))
        ?.version,
    ).toBe('v2');
    expect(chooseTaskModel('binary', index({ 'latest:multiclass': 'v1' }))).toMatchObject({
      version: 'v1',
      derived: true,
    });
    expect(chooseTaskModel('multiclass', index({ 'latest:binary': 'v2' }))).toBeUndefined();
  });

  it('prefers champion:<task> to latest, names a different challenger, and derives binary from the multiclass champion', () => {
    const aliases = {
      'latest:multiclass': 'v3',
      'champion:multiclass': 'v2',
      'challenger:multiclass': 'v3',
    };
    expect(chooseTaskModel('multiclass', index(aliases))).toEqual({
      version: 'v2',
      alias: 'champion:multiclass',
      derived: false,
      challenger: 'v3',
    });
    expect(chooseTaskModel('binary', index(aliases))).toMatchObject({
      version: 'v2',
      derived: true,
    });
    // A challenger that is the champion shadows nothing.
    expect(
      chooseTaskModel(
        'multiclass',
        index({ 'champion:multiclass': 'v2', 'challenger:multiclass': 'v2' }),
      )?.challenger,
    ).toBeUndefined();
    // A binary model of its own beats the derived multiclass champion.
    expect(chooseTaskModel('binary', index({ ...aliases, 'latest:binary': 'v4' }))?.version).toBe(
      'v4',
    );
  });
});

describe('adaptModelToTask', () => {
  const call = (p: number[], nearestLabel: string): Prediction => ({
    probabilities: Float32Array.from(p),
    label: 'A',
    confidence: 0.5,
    probBetalactamase: 1 - (p[4] ?? 0),
    nearest: { id: 'r', label: nearestLabel, identity: 0.9, coverage: 1 },
    novelty: 'known',
    method: 'CLOSE',
    carbapenemase: 'no',
  });
  const predictor = {
    header: { task: 'multiclass', labels: ['A', 'B', 'C', 'D', 'NBL'] },
    labels: ['A', 'B', 'C', 'D', 'NBL'],
    predict: () => [
      call([0.3, 0.1, 0.05, 0.05, 0.5], 'NBL'),
      call([0.25, 0.1, 0.1, 0.05, 0.5], 'B'),
    ],
    predictEmbeddings: () => [call([0.1, 0.1, 0.1, 0.1, 0.6], 'C')],
  } as unknown as Predictor;
  const model = { version: 'v1', predictor } as unknown as PredictionModel;

  it('derives Betalactamase iff prob_betalactamase >= 0.5, collapsing probabilities and labels', () => {
    const binary = adaptModelToTask(model, 'binary');
    expect(binary.predictor.labels).toEqual(['Betalactamase', 'Non-Betalactamase']);
    expect(binary.predictor.header.task).toBe('binary');
    const [a, b] = binary.predictor.predict([], new Float32Array());
    expect(a?.label).toBe('Betalactamase'); // p = 0.5 exactly
    expect(a?.nearest?.label).toBe('Non-Betalactamase');
    expect(b?.label).toBe('Betalactamase');
    expect(b?.nearest?.label).toBe('Betalactamase');
    expect(Array.from(a?.probabilities ?? [])).toEqual([0.5, 0.5]);
    expect(adaptModelToTask(model, 'multiclass')).toBe(model);
    // Predictions from embeddings alone (HDF5 input) are collapsed the same way.
    const [c] = binary.predictor.predictEmbeddings(new Float32Array());
    expect(c?.label).toBe('Non-Betalactamase');
    expect(c?.nearest?.label).toBe('Betalactamase');
    expect(c?.probabilities[0]).toBeCloseTo(0.4, 6);
  });

  it('refuses a binary model for the multiclass task', () => {
    const binaryModel = {
      version: 'v2',
      predictor: { ...predictor, header: { task: 'binary' } },
    } as unknown as PredictionModel;
    expect(() => adaptModelToTask(binaryModel, 'multiclass')).toThrow(/binary task/);
  });
});
