import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ConfigError } from '../pipeline/config/config-error.ts';
import { resolveConfig } from '../pipeline/config/resolve-config.ts';
import { fsConfigSource } from './fs-config-source.ts';

const CONFIGS = fileURLToPath(new URL('../../configs/', import.meta.url));
const VARS = { home: '/data/arginator', package_root: '/opt/arginator' };
const source = fsConfigSource(CONFIGS, 'configs');

describe('fsConfigSource with the shipped configs/', () => {
  it('lists the options of each group', async () => {
    expect(await source.listOptions('task')).toEqual(['binary', 'multiclass']);
    expect(await source.listOptions('optimizer')).toEqual(['adam', 'sgd']);
    expect(await source.listOptions('embedder')).toEqual(['builtin', 'onnx', 'precomputed']);
    expect(await source.listOptions('nope')).toEqual([]);
    expect(await source.readGroupOption('task', '../config')).toBeUndefined();
  });

  it('resolves the defaults', async () => {
    const { config } = await resolveConfig(source, [], VARS);
    expect(config.task).toEqual({
      name: 'multiclass',
      num_classes: 5,
      labels: ['A', 'B', 'C', 'D', 'NBL'],
      positive_label: null,
    });
    expect(config.optimizer).toMatchObject({
      name: 'adam',
      lr: 1e-3,
      eps: 1e-8,
      weight_decay: 1e-4,
    });
    expect(config.experiment).toMatchObject({
      splits: [0.7, 0.15, 0.15],
      class_balance: 'weighted_sampler',
      seed: 42,
    });
    expect(config.model.hidden_sizes).toEqual([256, 128]);
    expect(config.split).toEqual({
      name: 'cluster',
      identity_threshold: 0.4,
      clusters: null,
      cosine_threshold: 0.9,
    });
    expect(config.paths.dataset).toBe('/opt/arginator/data/default/default.fasta.gz');
    expect(config.paths.runs).toBe('/data/arginator/runs');
    expect(config.processing.seed).toBe(42);
  });

  it('resolves `arginator train task=binary optimizer=sgd experiment.lr=0.01`', async () => {
    const { config } = await resolveConfig(
      source,
      ['task=binary', 'optimizer=sgd', 'experiment.lr=0.01'],
      VARS,
    );
    expect(config.task.labels).toEqual(['Betalactamase', 'Non-Betalactamase']);
    expect(config.task.positive_label).toBe('Betalactamase');
    expect(config.optimizer).toEqual({
      name: 'sgd',
      lr: 0.01,
      momentum: 0.9,
      nesterov: false,
      weight_decay: 1e-4,
    });
  });

  it('resolves every option of every group', async () => {
    for (const group of ['task', 'optimizer', 'model', 'split', 'embedder']) {
      for (const option of await source.listOptions(group)) {
        const extra = group === 'embedder' && option !== 'builtin' ? ['embedder.path=/x'] : [];
        await expect(
          resolveConfig(source, [`${group}=${option}`, ...extra], VARS),
        ).resolves.toBeDefined();
      }
    }
  });

  it('requires embedder.path for onnx', async () => {
    const e: unknown = await resolveConfig(source, ['embedder=onnx'], VARS).catch(
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).errors).toEqual([
      'embedder.path: is required for the onnx embedder (set embedder.path=<model folder>)',
    ]);
  });
});

describe('fsConfigSource errors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'arginator-configs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says when config.yaml is missing', async () => {
    await expect(fsConfigSource(dir, 'my-configs').readRoot()).rejects.toMatchObject({
      code: 'CONFIG',
      reason: 'config.no-root',
    });
  });

  it('names the file of a YAML syntax error', async () => {
    await writeFile(join(dir, 'config.yaml'), 'defaults: [task: x\n');
    const e: unknown = await resolveConfig(fsConfigSource(dir, 'my-configs'), [], VARS).catch(
      (err: unknown) => err,
    );
    expect((e as ConfigError).errors[0]).toMatch(/^my-configs\/config\.yaml: line \d+: /);
  });
});
