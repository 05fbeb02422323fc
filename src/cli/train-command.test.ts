import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeArtifact } from '../core/model/artifact.ts';
import { errorLines, runCli } from './test-support/run-cli.ts';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'arginator-train-cli-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({ ARGINATOR_HOME: home });

describe('arginator train', () => {
  it('writes a complete run folder and registers the model', async () => {
    const r = await runCli(
      [
        'train',
        'experiment.epochs=3',
        'split.clusters=data/default/derived/clusters-cdhit40.tsv',
        '--json',
      ],
      { env: env(), timeoutMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      run_id: string;
      run_dir: string;
      status: string;
      model_version: string;
      epochs_run: number;
      test: { f1: number; accuracy: number };
    };
    expect(summary.status).toBe('completed');
    expect(summary.model_version).toBe('v1');
    expect(summary.test.accuracy).toBeGreaterThan(0.8);
    expect(r.stderr).toMatch(/epoch {3}1\/3 {2}train loss \d\.\d{4}/);

    const dir = summary.run_dir;
    const files = await readdir(dir);
    for (const f of [
      'run.json',
      'config.yaml',
      'config.json',
      'split.json',
      'metrics.jsonl',
      'metrics.json',
      'model.argm',
    ]) {
      expect(files).toContain(f);
    }
    const run = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(run).toMatchObject({ status: 'completed', packageVersion: '0.1.0' });
    expect(String(run['dataFingerprint'])).toMatch(/^[0-9a-f]{64}$/);
    expect(run['environment']).toMatchObject({ node: process.version });
    const epochs = (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
    expect(epochs).toHaveLength(summary.epochs_run);
    expect(JSON.parse(epochs[0] ?? '{}')).toHaveProperty('val_mcc');
    const plots = await readdir(join(dir, 'plots'));
    for (const chart of ['loss-curves', 'confusion-matrix', 'roc', 'pr', 'reliability']) {
      expect(plots).toContain(`${chart}.png`);
      expect(plots).toContain(`${chart}.svg`);
    }
    const model = decodeArtifact(await readFile(join(dir, 'model.argm')));
    expect(model.header).toMatchObject({
      task: 'multiclass',
      labels: ['A', 'B', 'C', 'D', 'NBL'],
      embedder: { id: 'builtin-v1' },
      architecture: { hidden: [256, 128], outputDim: 5 },
    });
    expect(model.header.calibration.temperature).toBeGreaterThan(0);
    expect(existsSync(join(home, 'models', 'v1.argm'))).toBe(true);
    const registry = JSON.parse(await readFile(join(home, 'models', 'registry.json'), 'utf8')) as {
      aliases: Record<string, string>;
    };
    expect(registry.aliases['latest:multiclass']).toBe('v1');

    const list = await runCli(['runs', 'list', '--json'], { env: env() });
    expect((JSON.parse(list.stdout) as { id: string }[]).map((x) => x.id)).toEqual([
      summary.run_id,
    ]);
    const show = await runCli(['runs', 'show'], { env: env() });
    expect(show.stdout).toContain(`run         ${summary.run_id}`);
    expect(show.stdout).toMatch(/macro-F1 \d\.\d{4}/);
  });

  it('trains the binary task with SGD from overrides', async () => {
    const r = await runCli(
      [
        'train',
        'task=binary',
        'optimizer=sgd',
        'experiment.lr=0.01',
        'experiment.epochs=2',
        'split.clusters=data/default/derived/clusters-cdhit40.tsv',
        '--json',
        '--quiet',
      ],
      { env: env(), timeoutMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { run_dir: string; test: { f1_average: string } };
    expect(summary.test.f1_average).toBe('binary');
    const config = await readFile(join(summary.run_dir, 'config.yaml'), 'utf8');
    expect(config).toContain('name: sgd');
    expect(config).toContain('lr: 0.01');
    expect(config).toContain('momentum: 0.9');
    const compare = await runCli(['runs', 'compare', ...(await readdir(join(home, 'runs')))], {
      env: env(),
    });
    expect(compare.code).toBe(0);
    expect(compare.stdout).toMatch(/task\.name\s+"multiclass"\s+"binary"/);
  });

  it('rejects a bad override with exit code 2 and the dotted path', async () => {
    const r = await runCli(['train', 'experiment.lr=-1', 'optimizer=rmsprop'], { env: env() });
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)[0]).toContain('invalid configuration');
    expect(r.stderr).toContain("optimizer: unknown option 'rmsprop' (available: adam, sgd)");
    const r2 = await runCli(['train', 'experiment.lr=-1'], { env: env() });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('experiment.lr: must be > 0');
  });
});

describe('arginator train: Ctrl-C', () => {
  it('keeps the best checkpoint so far and exits 130', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const bin = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        bin,
        'train',
        'experiment.epochs=500',
        'experiment.early_stopping_patience=null',
        'split.clusters=data/default/derived/clusters-cdhit40.tsv',
      ],
      {
        cwd: fileURLToPath(new URL('../../', import.meta.url)),
        env: { ...process.env, ARGINATOR_HOME: home },
      },
    );
    let stderr = '';
    let interrupted = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!interrupted && /epoch {3}2\/500/.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(interrupted, stderr).toBe(true);
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('cancelled: the best checkpoint so far is kept');
    const runs = await readdir(join(home, 'runs'));
    const last = runs.sort().at(-1) ?? '';
    const record = JSON.parse(await readFile(join(home, 'runs', last, 'run.json'), 'utf8')) as {
      status: string;
    };
    expect(record.status).toBe('cancelled');
    expect(existsSync(join(home, 'runs', last, 'model.argm'))).toBe(true);
  });
});
