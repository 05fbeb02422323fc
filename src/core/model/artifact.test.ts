import { describe, expect, it } from 'vitest';

import type { ModelHeaderBody } from './artifact.ts';
import { ARTIFACT_VERSION, decodeArtifact, encodeArtifact } from './artifact.ts';

const body: ModelHeaderBody = {
  packageVersion: '0.1.0',
  createdAt: '2026-11-26T00:00:00.000Z',
  task: 'multiclass',
  labels: ['A', 'B', 'C', 'D', 'NBL'],
  embedder: { name: 'builtin', id: 'builtin-v1', dim: 3, fingerprint: { k: 4 }, options: {} },
  architecture: { kind: 'mlp', inputDim: 3, hidden: [2], outputDim: 5, dropout: 0.2 },
  normalisation: { kind: 'standardise' },
  calibration: { temperature: 1.5, eceBefore: 0.1, eceAfter: 0.02 },
  training: { runId: 'r1', seed: 42 },
};

describe('model artifact', () => {
  it('round-trips the header and every tensor exactly', () => {
    const tensors = new Map([
      ['layer0.weight', new Float32Array([0.1, -2, 3.5, 1e-8, 7, Math.PI])],
      ['layer0.bias', new Float32Array([1, 2])],
      ['norm.mean', new Float32Array([0, 0.5, -0.5])],
    ]);
    const bytes = encodeArtifact(body, tensors);
    const decoded = decodeArtifact(bytes);
    expect(decoded.header).toMatchObject({
      ...body,
      format: 'arginator-model',
      version: ARTIFACT_VERSION,
    });
    expect([...decoded.tensors.keys()]).toEqual([...tensors.keys()]);
    for (const [name, data] of tensors) {
      expect(decoded.tensors.get(name)).toEqual(data);
    }
    // Also from an unaligned view into a larger buffer (as a file read may give).
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(decodeArtifact(padded.subarray(3)).tensors.get('layer0.weight')).toEqual(
      tensors.get('layer0.weight'),
    );
  });

  it('refuses files that are not models, truncated files and newer versions', () => {
    const bytes = encodeArtifact(body, new Map([['w', new Float32Array(10)]]));
    expect(() => decodeArtifact(new TextEncoder().encode('>fasta\nMKV\n'))).toThrow(
      /not an ARGinator model/,
    );
    expect(() => decodeArtifact(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint32(4, ARTIFACT_VERSION + 1, true);
    expect(() => decodeArtifact(newer)).toThrow(
      new RegExp(`format version ${ARTIFACT_VERSION + 1}`),
    );
    expect(() => decodeArtifact(newer)).toThrow(
      expect.objectContaining({ hint: 'upgrade arginator' }),
    );
  });
});
