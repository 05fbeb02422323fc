import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

import { FsRunTracker } from './fs-run-tracker.ts';
import { exportMlflow, flattenParams, mlflowKey } from './mlflow-export.ts';

// MLflow's documented file store (mlflow/store/tracking/file_store.py, FileStore): the run's
// meta.yaml is the RunInfo dict plus tags: [], status as the RunStatus integer, source_type
// SourceType.LOCAL (4) and empty source_name/entry_point_name/source_version; the experiment's is
// the Experiment dict without tags. Times are milliseconds since the epoch.
type Kind = 'string' | 'int' | 'int|null' | 'list';
const RUN_META: Readonly<Record<string, Kind>> = {
  artifact_uri: 'string',
  end_time: 'int|null',
  entry_point_name: 'string',
  experiment_id: 'string',
  lifecycle_stage: 'string',
  run_id: 'string',
  run_name: 'string',
  run_uuid: 'string',
  source_name: 'string',
  source_type: 'int',
  source_version: 'string',
  start_time: 'int',
  status: 'int',
  tags: 'list',
  user_id: 'string',
};
const EXPERIMENT_META: Readonly<Record<string, Kind>> = {
  artifact_location: 'string',
  creation_time: 'int',
  experiment_id: 'string',
  last_update_time: 'int',
  lifecycle_stage: 'string',
  name: 'string',
};
/** RunStatus in mlflow/protos/service.proto. */
const STATUS = { RUNNING: 1, FINISHED: 3, FAILED: 4, KILLED: 5 };
/** _validate_run_id and _validate_param_name / _validate_metric_name (mlflow/utils/validation.py). */
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
const NAME = /^[/\w.\- ]*$/;

function kindOf(v: unknown): string {
  if (v === null) {
    return 'null';
  }
  if (Array.isArray(v)) {
    return 'list';
  }
  if (typeof v === 'number') {
    return Number.isInteger(v) ? 'int' : 'float';
  }
  return typeof v;
}

function checkFields(meta: Record<string, unknown>, spec: Readonly<Record<string, Kind>>): void {
  expect(Object.keys(meta).sort()).toEqual(Object.keys(spec).sort());
  for (const [field, kind] of Object.entries(spec)) {
    expect(kind.split('|'), `${field}: ${JSON.stringify(meta[field])}`).toContain(
      kindOf(meta[field]),
    );
  }
}

async function readYaml(path: string): Promise<Record<string, unknown>> {
  return YAML.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

let home: string;
let out: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'arginator-mlflow-'));
  out = join(home, 'mlruns');
  const runs = new FsRunTracker(join(home, 'runs'));
  const base = { packageVersion: '0.1.0', environment: { node: 'v20', kernels: 'js' } };
  const sweep = await runs.start({ ...base, kind: 'sweep', command: 'sweep s.yaml' });
  await sweep.finish('finished', {});
  const trial = await runs.start({
    ...base,
    kind: 'sweep-trial',
    command: 'train optimizer.lr=0.01',
    name: 'trial 1',
    parentRunId: sweep.id,
    tags: { 'sweep trial': '1' },
    git: { commit: 'a'.repeat(40), dirty: true },
    gitCommit: `${'a'.repeat(40)}+dirty`,
    params: {
      optimizer: { name: 'adam', lr: 0.01, betas: [0.9, 0.999] },
      split: { clusters: null },
    },
  });
  await trial.update({ data: { fingerprint: 'f', dataset: 'd', labels: null, clusters: 'c' } });
  await trial.logMetrics(1, { train_loss: 0.5, val_f1: 0.75 });
  await trial.logMetrics(2, { train_loss: 0.25, val_f1: 0.875 });
  await trial.writeText('plots/loss-curves.svg', '<svg/>');
  await trial.writeBytes('model.argm', new Uint8Array([1, 2, 3]));
  await trial.finish('finished', { summary: { test_f1: 0.9, model_version: 'v1' } });
  const failed = await runs.start({ ...base, command: 'train' });
  await failed.finish('failed', { error: 'boom' });
  const running = await runs.start({ ...base, command: 'train' });
  Object.assign(ids, { sweep: sweep.id, trial: trial.id, failed: failed.id, running: running.id });
  const result = await exportMlflow(runs, out, { experiment: 'amr' });
  expect(result).toMatchObject({ experimentId: '0', runs: 4, skippedParams: [] });
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('runs export --format mlflow', () => {
  it("writes MLflow's file-store layout with the documented meta.yaml fields and types", async () => {
    const experiment = await readYaml(join(out, '0', 'meta.yaml'));
    checkFields(experiment, EXPERIMENT_META);
    expect(experiment).toMatchObject({
      experiment_id: '0',
      name: 'amr',
      lifecycle_stage: 'active',
    });
    expect(fileURLToPath(String(experiment['artifact_location']))).toBe(join(out, '0'));
    const runDirs = (await readdir(join(out, '0'))).filter((f) => f !== 'meta.yaml').sort();
    expect(runDirs).toEqual(Object.values(ids).sort());
    for (const id of runDirs) {
      expect(id).toMatch(RUN_ID);
      expect((await readdir(join(out, '0', id))).sort()).toEqual([
        'artifacts',
        'meta.yaml',
        'metrics',
        'params',
        'tags',
      ]);
      const meta = await readYaml(join(out, '0', id, 'meta.yaml'));
      checkFields(meta, RUN_META);
      expect(meta).toMatchObject({
        run_id: id,
        run_uuid: id,
        experiment_id: '0',
        lifecycle_stage: 'active',
        source_type: 4,
        tags: [],
      });
      expect(fileURLToPath(String(meta['artifact_uri']))).toBe(join(out, '0', id, 'artifacts'));
    }
    const status = async (id: string | undefined): Promise<unknown> =>
      (await readYaml(join(out, '0', id ?? '', 'meta.yaml')))['status'];
    expect(await status(ids['trial'])).toBe(STATUS.FINISHED);
    expect(await status(ids['failed'])).toBe(STATUS.FAILED);
    expect(await status(ids['running'])).toBe(STATUS.RUNNING);
    expect((await readYaml(join(out, '0', ids['running'] ?? '', 'meta.yaml')))['end_time']).toBe(
      null,
    );
  });

  it('writes metrics as "timestamp value step" lines, params and tags as one file each', async () => {
    const dir = join(out, '0', ids['trial'] ?? '');
    const lines = (await readFile(join(dir, 'metrics', 'val_f1'), 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    // FileStore._get_metric_from_line: int(ts), float(value), int(step), space-separated.
    expect(lines.map((l) => l.split(' ').length)).toEqual([3, 3]);
    expect(lines.map((l) => l.split(' ').slice(1))).toEqual([
      ['0.75', '1'],
      ['0.875', '2'],
    ]);
    expect(lines.every((l) => /^\d+ /.test(l))).toBe(true);
    expect(await readFile(join(dir, 'metrics', 'test_f1'), 'utf8')).toMatch(/^\d+ 0\.9 0\n$/);
    const params = (await readdir(join(dir, 'params'))).sort();
    expect(params).toEqual(['optimizer.betas', 'optimizer.lr', 'optimizer.name', 'split.clusters']);
    expect(params.every((p) => NAME.test(p))).toBe(true);
    expect(await readFile(join(dir, 'params', 'optimizer.lr'), 'utf8')).toBe('0.01');
    expect(await readFile(join(dir, 'params', 'optimizer.betas'), 'utf8')).toBe('[0.9,0.999]');
    const tag = (name: string): Promise<string> => readFile(join(dir, 'tags', name), 'utf8');
    expect(await tag('mlflow.runName')).toBe('trial 1');
    expect(await tag('mlflow.parentRunId')).toBe(ids['sweep']);
    expect(await tag('mlflow.source.git.commit')).toBe('a'.repeat(40));
    expect(await tag('mlflow.source.type')).toBe('LOCAL');
    expect(await tag('arginator.git.dirty')).toBe('true');
    expect(await tag('arginator.data.clusters')).toBe('c');
    expect(await tag('arginator.env.kernels')).toBe('js');
    expect(await tag('sweep_trial')).toBe('1');
    expect((await readdir(join(dir, 'tags'))).every((t) => NAME.test(t))).toBe(true);
    expect(await tag('mlflow.source.name')).toBe('arginator train optimizer.lr=0.01');
    const failed = join(out, '0', ids['failed'] ?? '');
    expect(await readFile(join(failed, 'tags', 'arginator.error'), 'utf8')).toBe('boom');
    expect(existsSync(join(failed, 'tags', 'mlflow.parentRunId'))).toBe(false);
  });

  it("copies the run's files into artifacts/", async () => {
    const dir = join(out, '0', ids['trial'] ?? '', 'artifacts');
    expect(await readFile(join(dir, 'plots', 'loss-curves.svg'), 'utf8')).toBe('<svg/>');
    expect([...(await readFile(join(dir, 'model.argm')))]).toEqual([1, 2, 3]);
    expect(existsSync(join(dir, 'run.json'))).toBe(false);
  });

  it('names keys as MLflow allows and flattens the config', () => {
    expect(mlflowKey('val f1/x')).toBe('val_f1_x');
    expect(mlflowKey('..')).toBe('_');
    expect(flattenParams({ a: { b: 1, c: 'x' }, d: [1], e: null, f: true })).toEqual([
      ['a.b', '1'],
      ['a.c', 'x'],
      ['d', '[1]'],
      ['e', 'null'],
      ['f', 'true'],
    ]);
  });
});
