import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { decodeArtifact } from '../core/model/artifact.ts';
import { errorLines, runCli } from '../wiring/test-support/run-cli.ts';

// A full training run (now with the out-of-fold confidence calibration) can pass the default 60 s
// on a loaded 2-core machine; every CLI call below is bounded by its own timeoutMs (120 s).
vi.setConfig({ testTimeout: 180_000 });

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
        '--no-map', // the map fit (~15 s for these references) is tested on a small dataset below
      ],
      { env: env(), timeoutMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('reference map');
    expect(existsSync(join(home, 'models', 'maps'))).toBe(false);
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
    expect(run).toMatchObject({ kind: 'train', status: 'finished', packageVersion: '0.1.0' });
    expect(String(run['dataFingerprint'])).toMatch(/^[0-9a-f]{64}$/);
    // The data record hashes the dataset file and the clusters file's table (split.clusters).
    const data = run['data'] as Record<string, unknown>;
    for (const key of ['fingerprint', 'dataset', 'clusters']) {
      expect(String(data[key])).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(run['environment']).toMatchObject({ node: process.version });
    // metrics.jsonl: one {key, value, step, timestamp} line per metric and epoch.
    const points = (await readFile(join(dir, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; step: number });
    expect(points.filter((p) => p.key === 'val_mcc').map((p) => p.step)).toEqual(
      Array.from({ length: summary.epochs_run }, (_, i) => i + 1),
    );
    const plots = await readdir(join(dir, 'plots'));
    for (const chart of [
      'loss-curves',
      'confusion-matrix',
      'roc',
      'pr',
      'reliability',
      'risk-coverage',
    ]) {
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
    // The confidence calibrator, fitted on out-of-fold calls of the training and validation proteins.
    expect(model.header.version).toBe(2);
    expect(model.header.calibration.confidence).toMatchObject({
      kind: 'call-logistic',
      fitted: { folds: 5 },
    });
    expect(model.header.calibration.confidence?.maxConfidence).toBeLessThan(1);
    // The references' names from data/default/ncbi_metadata.tsv (paths.reference_metadata),
    // parallel to the ids: an NCBI reference has its gene, a UniProt one has none.
    const refs = model.header.homology?.references;
    const named = refs?.metadata;
    expect(named?.genes).toHaveLength(refs?.ids.length ?? -1);
    expect(named?.subclasses).toHaveLength(refs?.ids.length ?? -1);
    const kpc = named?.genes.findIndex((g) => g.startsWith('blaKPC-')) ?? -1;
    expect(refs?.ids[kpc]).toMatch(/^ncbi_/);
    expect([named?.families[kpc], named?.subclasses[kpc]]).toEqual(['blaKPC', 'CARBAPENEM']);
    const uniprot = refs?.ids.findIndex((id) => id.startsWith('uniprot_')) ?? -1;
    expect(named?.genes[uniprot]).toBe('');
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
        '--no-map',
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

describe('arginator train: the reference map', () => {
  it("fits and stores the registered model's UMAP map, with progress on stderr", async () => {
    const { gunzipSync } = await import('node:zlib');
    const { mkdir, writeFile: write } = await import('node:fs/promises');
    const dir = join(home, 'map-train');
    await mkdir(dir);
    // 16 proteins per class of the shipped dataset: a fit of seconds, not of the default ~15 s.
    const perClass = new Map<string, number>();
    const records = gunzipSync(await readFile('data/default/default.fasta.gz'))
      .toString('utf8')
      .split('>')
      .slice(1)
      .filter((r) => {
        const label = (r.split('\n')[0] ?? '').split('|').pop() ?? '';
        perClass.set(label, (perClass.get(label) ?? 0) + 1);
        return (perClass.get(label) ?? 0) <= 16;
      });
    const dataset = join(dir, 'tiny.faa');
    await write(dataset, records.map((r) => `>${r}`).join(''));
    const r = await runCli(
      ['train', `paths.dataset=${dataset}`, 'split=stratified', 'experiment.epochs=2', '--json'],
      { env: { ARGINATOR_HOME: join(dir, 'home') }, timeoutMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('fitting the reference map (UMAP) of model v1');
    expect(r.stderr).toMatch(/UMAP epoch \d+\/\d+/);
    expect(r.stderr).toMatch(/reference map of model v1 fitted in [\d.]+ s: .*\.armap/);
    const maps = await readdir(join(dir, 'home', 'models', 'maps'));
    expect(maps.filter((f) => /^v1-[0-9a-f]+\.armap$/.test(f))).toHaveLength(1);
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
        '--no-map',
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
    expect(record.status).toBe('killed');
    expect(existsSync(join(home, 'runs', last, 'model.argm'))).toBe(true);
  });
});

describe('arginator predict (with the model trained above)', () => {
  it('writes one row per protein, in input order, with probabilities and evidence', async () => {
    const { gunzipSync } = await import('node:zlib');
    const { writeFile: write } = await import('node:fs/promises');
    const fasta = gunzipSync(await readFile('data/default/default.fasta.gz')).toString('utf8');
    const records = fasta
      .split('>')
      .slice(1, 2000)
      .filter((_, i) => i % 100 === 0);
    const input = join(home, 'queries.faa');
    await write(input, records.map((r) => `>${r}`).join(''));
    const ids = records.map((r) => r.split('\n')[0] ?? '');

    const csv = await runCli(['predict', input, '--model', 'v1', '--quiet'], {
      env: env(),
      timeoutMs: 120_000,
    });
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'protein_id,predicted_label,confidence_score,prob_betalactamase,p_A,p_B,p_C,p_D,p_NBL,nearest_reference,nearest_reference_label,identity,coverage,novelty,model_version,nearest_gene,nearest_family,nearest_subclass,carbapenemase,bitscore,evalue,method',
    );
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(ids);
    for (const line of lines.slice(1)) {
      const f = line.split(',');
      const p = f.slice(4, 9).map(Number);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(Number(f[2])).toBeCloseTo(Math.max(...p), 5);
      expect(Number(f[3])).toBeCloseTo(1 - (p[4] ?? 0), 5);
      expect(['known', 'distant', 'novel']).toContain(f[13]);
      expect(f[14]).toBe('v1');
    }

    const out = join(home, 'pred.json');
    const json = await runCli(['predict', input, '--out', out, '--quiet'], {
      env: env(),
      timeoutMs: 120_000,
    });
    expect(json.code, json.stderr).toBe(0);
    const rows = JSON.parse(await readFile(out, 'utf8')) as { protein_id: string; p_NBL: number }[];
    expect(rows.map((r) => r.protein_id)).toEqual(ids);
  });

  it('exits 2 for an unknown model and 3 for bad input, leaving no partial --out file', async () => {
    const unknown = await runCli(['predict', 'fixtures/bad-input/lowercase.fa', '--model', 'v99'], {
      env: env(),
    });
    expect(unknown.code).toBe(2);
    expect(errorLines(unknown.stderr)[0]).toContain("no model 'v99'");
    const out = join(home, 'bad.csv');
    const bad = await runCli(['predict', 'fixtures/bad-input/dna-as-protein.fa', '--out', out], {
      env: env(),
    });
    expect(bad.code).toBe(3);
    expect(existsSync(out)).toBe(false);
    expect((await readdir(home)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
