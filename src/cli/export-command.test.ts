// `arginator export onnx` and `predict --runtime onnx` end to end, on a registered tiny model.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readOnnxMetadata } from '../io/test-support/onnx-decode.ts';
import { errorLines, runCli } from '../wiring/test-support/run-cli.ts';
import { randomFasta, registerTinyModel } from '../wiring/test-support/tiny-model.ts';

let dir: string;
let home: string;
let bare: string;
let version: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arginator-export-'));
  home = join(dir, 'home');
  bare = join(dir, 'bare');
  version = await registerTinyModel(home);
  await registerTinyModel(bare, 'multiclass', { references: false });
  await writeFile(join(dir, 'in.faa'), randomFasta(40, 11));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Row {
  protein_id: string;
  predicted_label: string;
  confidence_score: number;
  prob_betalactamase: number;
  [column: string]: unknown;
}

async function predict(extra: readonly string[]): Promise<Row[]> {
  const out = join(dir, `p-${extra.join('-') || 'native'}.json`);
  const r = await runCli(['predict', join(dir, 'in.faa'), '--out', out, '--quiet', ...extra], {
    env: { ARGINATOR_HOME: home },
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(await readFile(out, 'utf8')) as Row[];
}

describe('arginator export onnx', () => {
  it('writes the int8 graph with the model version and sha256 in its metadata', async () => {
    const out = join(dir, 'int8.onnx');
    const r = await runCli(['export', 'onnx', '--quantize', 'int8', '--out', out, '--json'], {
      env: { ARGINATOR_HOME: home },
    });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { model: string; bytes: number; opset: number };
    expect(summary).toMatchObject({ model: version, opset: 17, quantize: 'int8' });
    const bytes = await readFile(out);
    expect(bytes.length).toBe(summary.bytes);
    const meta = readOnnxMetadata(bytes);
    const modelBytes = await readFile(join(home, 'models', `${version}.argm`));
    expect(meta['arginator.model_sha256']).toBe(
      createHash('sha256').update(modelBytes).digest('hex'),
    );
    expect(meta['arginator.model_version']).toBe(version);
    expect(meta['arginator.quantize']).toBe('int8');
  });

  it('refuses an unknown --quantize and a missing --out with a fix', async () => {
    const bad = await runCli(['export', 'onnx', '--quantize', 'int4', '--out', 'x.onnx'], {
      env: { ARGINATOR_HOME: home },
    });
    expect(bad.code).toBe(2);
    expect(errorLines(bad.stderr).join('\n')).toMatch(/--quantize must be none, int8 or fp16/);
    const noOut = await runCli(['export', 'onnx'], { env: { ARGINATOR_HOME: home } });
    expect(noOut.code).toBe(2);
    expect(errorLines(noOut.stderr).join('\n')).toMatch(/needs --out FILE/);
  });

  it('int8 of a model without stored training proteins says how to export it', async () => {
    const r = await runCli(
      ['export', 'onnx', '--quantize', 'int8', '--out', join(dir, 'bare.onnx')],
      { env: { ARGINATOR_HOME: bare } },
    );
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr).join('\n')).toMatch(/no training proteins.*fp16/);
  });
});

describe('predict --runtime onnx', () => {
  it('gives the in-process calls, probabilities within 1e-5 (fp32) and close ones for int8', async () => {
    const native = await predict([]);
    const fp32 = await predict(['--runtime', 'onnx']);
    const int8 = await predict(['--runtime', 'onnx', '--quantize', 'int8']);
    expect(native).toHaveLength(40);
    expect(fp32.map((r) => r.predicted_label)).toEqual(native.map((r) => r.predicted_label));
    // int8 really ran (its rounding shows), and a bad runtime is refused by the config schema.
    expect(int8.some((r, i) => r.confidence_score !== native[i]?.confidence_score)).toBe(true);
    const bad = await runCli(['predict', join(dir, 'in.faa'), '--runtime', 'gpu'], {
      env: { ARGINATOR_HOME: home },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/model\.runtime: expected one of native, onnx/);
    native.forEach((row, i) => {
      for (const key of Object.keys(row).filter((c) => c.startsWith('prob_'))) {
        expect(Math.abs((fp32[i]?.[key] as number) - (row[key] as number))).toBeLessThan(1e-5);
        expect(Math.abs((int8[i]?.[key] as number) - (row[key] as number))).toBeLessThan(0.05);
      }
      // Homology evidence stays ARGinator's: the nearest reference is the same with every runtime.
      expect(fp32[i]?.['nearest_reference']).toEqual(row['nearest_reference']);
      expect(int8[i]?.['identity']).toEqual(row['identity']);
    });
  });
});
