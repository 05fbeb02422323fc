import { describe, expect, it } from 'vitest';

import { ConfigError } from './config-error.ts';
import { resolveConfig } from './resolve-config.ts';
import { memoryConfigSource } from './test-support/memory-config-source.ts';

const VARS = { home: '/home/a', package_root: '/pkg' };

/** A complete, valid configs folder in memory; tests replace single files. */
const FILES: Record<string, string> = {
  'config.yaml': `defaults:
  - task: multiclass
  - optimizer: adam
  - experiment: default
  - embedder: builtin
  - paths: default
  - processing: default
  - model: mlp
  - split: cluster
  - server: default
  - _self_
`,
  'task/binary.yaml':
    'name: binary\nnum_classes: 2\nlabels: [Betalactamase, Non-Betalactamase]\npositive_label: Betalactamase\n',
  'task/multiclass.yaml': 'name: multiclass\nnum_classes: 5\nlabels: [A, B, C, D, NBL]\n',
  'optimizer/adam.yaml':
    'name: adam\nlr: ${experiment.lr}\nbetas: [0.9, 0.999]\neps: 1e-8\nweight_decay: ${experiment.weight_decay}\n',
  'optimizer/sgd.yaml':
    'name: sgd\nlr: ${experiment.lr}\nmomentum: 0.9\nweight_decay: ${experiment.weight_decay}\n',
  'experiment/default.yaml': 'lr: 1e-3\nweight_decay: 1e-4\nseed: 42\n',
  'embedder/builtin.yaml': 'name: builtin\n',
  'embedder/onnx.yaml': 'name: onnx\npath: null\n',
  'paths/default.yaml': `data_dir: \${vars.package_root}/data
dataset: \${paths.data_dir}/default/default.fasta.gz
home: \${vars.home}
runs: \${paths.home}/runs
models: \${paths.home}/models
cache: \${paths.home}/cache
`,
  'processing/default.yaml': 'seed: ${experiment.seed}\n',
  'model/mlp.yaml': 'name: mlp\nhidden_sizes: [256, 128]\n',
  'model/logreg.yaml': 'name: logreg\nhidden_sizes: []\n',
  'split/cluster.yaml': 'name: cluster\n',
  'split/stratified.yaml': 'name: stratified\n',
  'server/default.yaml': 'port: 8000\n',
};

function source(changes: Record<string, string> = {}) {
  return memoryConfigSource({ ...FILES, ...changes });
}

/** The `dotted.path: message` lines of the ConfigError that resolving throws. */
async function errorsOf(
  overrides: string[],
  changes: Record<string, string> = {},
): Promise<string[]> {
  const e: unknown = await resolveConfig(source(changes), overrides, VARS).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConfigError);
  const error = e as ConfigError;
  expect(error.code).toBe('CONFIG');
  expect(error.message).toContain(error.errors.join('\n  '));
  return [...error.errors];
}

describe('resolveConfig: composition', () => {
  it('composes the defaults list and fills schema defaults', async () => {
    const { config, choices } = await resolveConfig(source(), [], VARS);
    expect(choices).toEqual({
      task: 'multiclass',
      optimizer: 'adam',
      experiment: 'default',
      embedder: 'builtin',
      paths: 'default',
      processing: 'default',
      model: 'mlp',
      split: 'cluster',
      server: 'default',
    });
    expect(config.task.labels).toEqual(['A', 'B', 'C', 'D', 'NBL']);
    expect(config.optimizer).toEqual({
      name: 'adam',
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weight_decay: 1e-4,
      amsgrad: false,
    });
    expect(config.experiment.class_balance).toBe('weighted_sampler');
    expect(config.split).toEqual({
      name: 'cluster',
      identity_threshold: 0.4,
      clusters: null,
      cosine_threshold: 0.9,
    });
    expect(config.paths.runs).toBe('/home/a/runs');
    expect(config.paths.dataset).toBe('/pkg/data/default/default.fasta.gz');
    expect(config.processing).toEqual({ force: false, seed: 42 });
  });

  it('lets keys of config.yaml override the groups when _self_ comes last', async () => {
    const root = `${FILES['config.yaml'] ?? ''}experiment:\n  seed: 7\n`;
    const { config } = await resolveConfig(source({ 'config.yaml': root }), [], VARS);
    expect(config.experiment.seed).toBe(7);
    expect(config.processing.seed).toBe(7);
  });

  it('lets the groups override config.yaml when _self_ comes first', async () => {
    const root = (FILES['config.yaml'] ?? '')
      .replace('  - _self_\n', '')
      .replace('defaults:\n', 'defaults:\n  - _self_\n');
    const { config } = await resolveConfig(
      source({ 'config.yaml': `${root}experiment:\n  seed: 7\n` }),
      [],
      VARS,
    );
    expect(config.experiment.seed).toBe(42);
  });

  it('treats a missing _self_ as last', async () => {
    const root = (FILES['config.yaml'] ?? '').replace('  - _self_\n', '');
    const { config } = await resolveConfig(
      source({ 'config.yaml': `${root}experiment:\n  seed: 7\n` }),
      [],
      VARS,
    );
    expect(config.experiment.seed).toBe(7);
  });
});

describe('resolveConfig: overrides', () => {
  it('chooses group options', async () => {
    const { config, choices } = await resolveConfig(
      source(),
      ['task=binary', 'model=logreg'],
      VARS,
    );
    expect(config.task.name).toBe('binary');
    expect(config.model).toEqual({
      name: 'logreg',
      hidden_sizes: [],
      homology: true,
      homology_candidates: 2,
      homology_seed_candidates: 20,
      homology_min_similarity: 0.1,
      runtime: 'native',
      onnx_quantize: 'none',
    });
    expect(choices['task']).toBe('binary');
  });

  it('sets values parsed as YAML scalars and lists', async () => {
    const { config } = await resolveConfig(
      source(),
      [
        'experiment.lr=0.01',
        'experiment.splits=[0.8,0.1,0.1]',
        'embedder.threads=2',
        'paths.labels=l.tsv',
      ],
      VARS,
    );
    expect(config.experiment.lr).toBe(0.01);
    expect(config.experiment.splits).toEqual([0.8, 0.1, 0.1]);
    expect(config.embedder.threads).toBe(2);
    expect(config.paths.labels).toBe('l.tsv');
  });

  it('sets a list item by index', async () => {
    const { config } = await resolveConfig(source(), ['model.hidden_sizes.1=64'], VARS);
    expect(config.model.hidden_sizes).toEqual([256, 64]);
  });

  it('interpolates after overriding, so experiment.lr flows into optimizer.lr', async () => {
    const { config } = await resolveConfig(
      source(),
      ['optimizer=sgd', 'experiment.lr=0.05', 'experiment.seed=3', 'paths.home=/elsewhere'],
      VARS,
    );
    expect(config.optimizer.lr).toBe(0.05);
    expect(config.processing.seed).toBe(3);
    expect(config.paths.models).toBe('/elsewhere/models');
  });

  it('adds new keys with + and carries unknown ones through', async () => {
    const { config } = await resolveConfig(
      source(),
      ['+experiment.note=first try', '+tags=[a,b]', '+experiment.early_stopping_patience=3'],
      VARS,
    );
    expect(config.experiment.early_stopping_patience).toBe(3);
    expect((config.experiment as unknown as Record<string, unknown>)['note']).toBe('first try');
    expect((config as unknown as Record<string, unknown>)['tags']).toEqual(['a', 'b']);
  });

  it('sets or adds with ++ and deletes with ~', async () => {
    const { config } = await resolveConfig(
      source({ 'experiment/default.yaml': 'lr: 1e-3\nweight_decay: 1e-4\nseed: 42\nepochs: 9\n' }),
      ['++experiment.lr=0.2', '++experiment.batch_size=8', '~experiment.epochs'],
      VARS,
    );
    expect(config.experiment.lr).toBe(0.2);
    expect(config.experiment.batch_size).toBe(8);
    expect(config.experiment.epochs).toBe(50); // back to the schema default
  });

  it('keeps escaped \\${ literal', async () => {
    const { config } = await resolveConfig(source(), ['paths.cache=\\${not}/x'], VARS);
    expect(config.paths.cache).toBe('${not}/x');
  });
});

describe('resolveConfig: errors name their dotted path', () => {
  it('lists the options of a group for an unknown option', async () => {
    expect(await errorsOf(['task=bin'])).toEqual([
      "task: unknown option 'bin' (available: binary, multiclass)",
    ]);
  });

  it('reports a missing group folder', async () => {
    const root = (FILES['config.yaml'] ?? '').replace('  - _self_\n', '  - extra: x\n');
    expect(await errorsOf([], { 'config.yaml': root })).toEqual([
      "extra: no config group 'extra' (configs/extra/ is missing or has no .yaml files)",
    ]);
  });

  it('suggests + for a key that does not exist, with a near miss', async () => {
    expect(await errorsOf(['experiment.lrr=0.1'])).toEqual([
      'experiment.lrr: no such key (did you mean experiment.lr? to add a new key write +experiment.lrr=0.1)',
    ]);
  });

  it('refuses + on a key that exists', async () => {
    expect(await errorsOf(['+experiment.lr=0.1'])).toEqual([
      'experiment.lr: already exists; to change it write experiment.lr=0.1 (+ only adds new keys)',
    ]);
  });

  it('refuses to go inside a scalar and to delete what is not there', async () => {
    expect(
      await errorsOf(['experiment.lr.x=1', '~experiment.nope', '++experiment.lr.y=2']),
    ).toEqual([
      'experiment.lr.x: no such key (to add a new key write +experiment.lr.x=1)',
      'experiment.nope: no such key to delete',
      'experiment.lr.y: cannot go inside experiment.lr: it is a number',
    ]);
  });

  it('explains malformed overrides with the accepted forms', async () => {
    const errors = await errorsOf(['experiment.lr', '=3', '~a=1', '+task=binary', 'task=../x']);
    expect(errors).toHaveLength(5);
    expect(errors[0]).toBe(
      "'experiment.lr': missing =value; accepted forms: group=option, key.path=value, +new.key=value, ++key.path=value or ~key.path",
    );
    expect(errors[1]).toMatch(/^'=3': missing key before =; accepted forms/);
    expect(errors[2]).toMatch(/^'~a=1': ~key.path deletes a key and takes no value/);
    expect(errors[3]).toBe("task: 'task' is a config group; choose its option with task=OPTION");
    expect(errors[4]).toBe("task: '../x' is not an option name (write task=OPTION)");
  });

  it('reports a value that is not YAML', async () => {
    expect(await errorsOf(['experiment.splits=[0.8,0.1'])).toEqual([
      "experiment.splits: cannot parse the value '[0.8,0.1' as YAML: Flow sequence must end with a ] at line 1, column 9",
    ]);
  });

  it('names an interpolation cycle', async () => {
    expect(await errorsOf(['experiment.lr=${optimizer.lr}'])).toEqual([
      'optimizer.lr: interpolation cycle optimizer.lr -> experiment.lr -> optimizer.lr',
    ]);
  });

  it('names a missing reference, an unknown variable and an unsupported resolver', async () => {
    expect(
      await errorsOf([
        'paths.runs=${paths.hom}/runs',
        'paths.models=${vars.cwd}',
        'paths.cache=${oc.env:HOME}',
      ]),
    ).toEqual([
      "paths.runs: ${paths.hom}: no key 'hom' under paths (did you mean paths.home?)",
      'paths.models: ${vars.cwd}: unknown variable (available: vars.home, vars.package_root)',
      'paths.cache: ${oc.env:HOME}: resolvers such as oc.env are not supported; the caller passes values as ${vars.NAME}',
    ]);
  });

  it('refuses a mapping inside a string', async () => {
    expect(await errorsOf(['paths.cache=x-${task}'])).toEqual([
      'paths.cache: ${task} is a mapping and cannot be part of a string',
    ]);
  });

  it('reports every schema error at once', async () => {
    expect(
      await errorsOf([
        'experiment.lr=0',
        'optimizer.betas=[0.9,1]',
        'task.name=bin',
        'experiment.epochs=1.5',
        'experiment.class_balance=oversample',
        '+experiment.lrr=1',
        '~model.hidden_sizes',
      ]),
    ).toEqual([
      "task.name: expected one of binary, multiclass, got 'bin'",
      'optimizer.lr: must be > 0',
      'optimizer.betas.1: must be < 1',
      'experiment.lr: must be > 0',
      'experiment.epochs: expected an integer, got 1.5',
      "experiment.class_balance: expected one of weighted_sampler, class_weights, none, got 'oversample'",
      'model.hidden_sizes: is required (a list)',
    ]);
  });

  it('checks keys against each other', async () => {
    expect(
      await errorsOf([
        'experiment.splits=[0.8,0.3,0.1]',
        'embedder=onnx',
        'task=binary',
        'task.positive_label=A',
      ]),
    ).toEqual([
      'task.positive_label: must be one of the labels (Betalactamase, Non-Betalactamase)',
      'experiment.splits: must sum to 1 (sums to 1.2)',
      'embedder.path: is required for the onnx embedder (set embedder.path=<model folder>)',
    ]);
  });

  it('reports unknown keys written in a YAML file and YAML syntax errors', async () => {
    expect(
      await errorsOf([], {
        'experiment/default.yaml': 'lr: 1e-3\nweight_decay: 1e-4\nseed: 42\nlrr: 1\n',
      }),
    ).toEqual(['experiment.lrr: unknown key (docs/config.md lists the keys)']);
    const broken = await errorsOf([], { 'model/mlp.yaml': 'name: mlp\nhidden_sizes: [256\n' });
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatch(/^configs\/model\/mlp\.yaml: line \d+: /);
  });

  it('reports a discriminator the schema does not know', async () => {
    expect(await errorsOf(['optimizer.name=rmsprop'])).toEqual([
      "optimizer.name: expected one of adam, sgd, got 'rmsprop'",
    ]);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      resolveConfig(source(), [], VARS, { signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'CANCELLED',
    });
  });
});
