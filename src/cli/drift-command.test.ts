// `arginator drift` on the shipped data: halves do not drift; hard negatives, random proteins and one family do; decisions agree with scipy.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BINARY_LABELS, MULTICLASS_LABELS } from '../core/domain.ts';
import { builtinEmbedderFactory } from '../core/embed/builtin-embedder.ts';
import { columnDrift } from '../core/drift/column-drift.ts';
import { computeDriftReport, type DriftFeature } from '../core/drift/drift-report.ts';
import { sampleRows } from '../core/drift/domain-classifier.ts';
import { randomModelArtifact } from '../core/model/test-support/random-model.ts';
import { createRng, shuffleInPlace } from '../core/rng.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { randomProtein } from '../core/sequence/test-support/random-fasta.ts';
import { readFastaFile } from '../io/fasta-source.ts';
import { loadFastestKernels } from '../native/load-kernels.ts';
import { runDrift, type DriftRun } from '../pipeline/drift.ts';
import { FsJobFiles } from '../store/fs-job-files.ts';
import { FsModelRegistry } from '../store/fs-model-registry.ts';
import { SqliteJobStore } from '../store/sqlite-job-store.ts';
import { loadPredictionModel, type LoadedPredictionModel } from '../wiring/load-model.ts';
import { adaptModelToTask } from '../wiring/task-model.ts';
import { REPO_ROOT, runCli } from '../wiring/test-support/run-cli.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../core/drift/test-support/scipy_drift.py', import.meta.url));
const HAVE_SCIPY =
  existsSync(PYTHON) &&
  spawnSync(PYTHON, ['-c', 'import scipy, numpy'], { encoding: 'utf8' }).status === 0;
if (!HAVE_SCIPY && process.env['CI'] === 'true') {
  // .ci/run installs python3-scipy: in CI a missing scipy is a broken setup, not a reason to skip.
  throw new Error(`${PYTHON} cannot import scipy in CI: .ci/run must install python3-scipy`);
}
if (!HAVE_SCIPY) {
  console.warn(
    `skipping the scipy checks of the drift decisions: ${PYTHON} cannot import scipy (install python3-scipy)`,
  );
}

interface Shipped {
  readonly id: string;
  readonly label: string;
  readonly sequence: string;
  readonly group: string;
  readonly family: string;
}

function toFasta(records: readonly { id: string; sequence: string }[]): string {
  return records.map((r) => `>${r.id}\n${r.sequence}\n`).join('');
}

let home: string;
let model: LoadedPredictionModel;
let files: Record<'halfB' | 'hardNegatives' | 'random' | 'family', string>;
let halfA: Shipped[];
let halfB: Shipped[];
const runs = new Map<string, DriftRun>();

async function drift(name: keyof typeof files): Promise<DriftRun> {
  const cached = runs.get(name);
  if (cached !== undefined) {
    return cached;
  }
  const run = await runDrift({
    model,
    referenceEmbeddings: model.referenceEmbeddings,
    current: { kind: 'fasta', records: readFastaFile(files[name]) },
    currentSource: name,
  });
  runs.set(name, run);
  return run;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'arginator-drift-'));
  const data = join(REPO_ROOT, 'data', 'default');
  const meta = new Map<string, { group: string; family: string }>();
  for (const line of readFileSync(join(data, 'labels.tsv'), 'utf8').trim().split('\n').slice(1)) {
    const cols = line.split('\t');
    meta.set(cols[0] as string, { group: cols[4] as string, family: cols[5] as string });
  }
  const shipped: Shipped[] = [];
  for await (const r of readFastaFile(
    join(data, 'default.fasta.gz'),
  ) as AsyncIterable<ProteinRecord>) {
    const [id, label] = r.id.split('|') as [string, string];
    const m = meta.get(id);
    shipped.push({
      id,
      label,
      sequence: r.sequence,
      group: m?.group ?? '',
      family: m?.family ?? '',
    });
  }
  const order = shuffleInPlace(
    shipped.map((_, i) => i),
    createRng(2026),
  );
  const half = Math.floor(shipped.length / 2);
  halfA = order.slice(0, half).map((i) => shipped[i] as Shipped);
  halfB = order.slice(half).map((i) => shipped[i] as Shipped);
  // A real model file whose references are half A (random classifier weights: training takes a
  // minute; the drift reference is the references, and predictions still go through the predictor).
  const embedder = await builtinEmbedderFactory.create({});
  const labels = [...MULTICLASS_LABELS];
  const artifact = randomModelArtifact({
    embedder,
    labels,
    references: {
      ids: halfA.map((s) => s.id),
      labels: halfA.map((s) => labels.indexOf(s.label as (typeof labels)[number])),
      sequences: halfA.map((s) => s.sequence),
    },
    homology: { candidates: 5, alpha: 4 },
  });
  await embedder.close();
  await new FsModelRegistry(join(home, 'models')).register({
    artifact,
    runId: 'drift-test',
    task: 'multiclass',
    metrics: {},
  });
  const hardNegatives = shipped.filter(
    (s) => s.group === 'hardneg_pbp_ddpeptidase' || s.group === 'hardneg_mbl_fold',
  );
  // 50 members of one family of near-identical class D enzymes (OXA-51-like).
  const family = shipped.filter((s) => s.family === 'blaOXA-51_fam').slice(0, 50);
  const rng = createRng(99);
  const random = Array.from({ length: 200 }, (_, i) => ({
    id: `random_${i}`,
    sequence: randomProtein(rng, 150 + Math.floor(rng() * 350)),
  }));
  files = {
    halfB: join(home, 'half-b.fa'),
    hardNegatives: join(home, 'pbp-mbl.fa'),
    random: join(home, 'random.fa'),
    family: join(home, 'oxa51.fa'),
  };
  writeFileSync(files.halfB, toFasta(halfB));
  writeFileSync(files.hardNegatives, toFasta(hardNegatives));
  writeFileSync(files.random, toFasta(random));
  writeFileSync(files.family, toFasta(family));
  model = await loadPredictionModel(
    'v1',
    new FsModelRegistry(join(home, 'models')),
    loadFastestKernels({ threads: 2 }),
  );
}, 120_000);

afterAll(async () => {
  await model.embedder.close();
  rmSync(home, { recursive: true, force: true });
});

describe('arginator drift on the shipped data (reference: a model whose references are a random half)', () => {
  it('the other half does not drift: no dataset drift, neither embedding test fires', async () => {
    const { report } = await drift('halfB');
    expect(report.rows).toEqual({ reference: halfA.length, current: halfB.length });
    // 2,257 reference rows: Evidently's defaults for more than 1,000 rows.
    expect(new Set(report.features.map((f) => f.test))).toEqual(
      new Set(['wasserstein', 'jensen-shannon']),
    );
    expect(report.drift).toBe(false);
    expect(report.share).toBeLessThan(0.5);
    // The embedding features themselves stay put (PCA, norms, entropy).
    expect(report.features.filter((f) => f.kind === 'numeric' && f.drift)).toEqual([]);
    expect(report.multivariate.classifier.drift).toBe(false);
    expect(report.multivariate.mmd.drift).toBe(false);
  }, 120_000);

  it('penicillin-binding proteins and MBL-fold hydrolases only: drift', async () => {
    const { report } = await drift('hardNegatives');
    expect(report.rows.current).toBe(102);
    expect(report.drift).toBe(true);
    expect(report.share).toBeGreaterThanOrEqual(0.5);
    expect(report.multivariate.mmd.drift).toBe(true);
  }, 60_000);

  it('random protein sequences: drift, and every one is novel', async () => {
    const { report } = await drift('random');
    expect(report.drift).toBe(true);
    expect(report.multivariate.classifier.statistic).toBeGreaterThan(0.9);
    expect(report.multivariate.mmd.drift).toBe(true);
    expect(report.novelty?.rate).toBe(1);
  }, 60_000);

  it('for the binary task of a multiclass model, both label columns are the binary labels', async () => {
    const { report } = await runDrift({
      model: adaptModelToTask(model, 'binary'),
      referenceEmbeddings: model.referenceEmbeddings,
      trainedLabels: model.predictor.header.labels,
      current: { kind: 'fasta', records: readFastaFile(files.family) },
      currentSource: 'family',
    });
    expect(Object.keys(report.labels.reference).sort()).toEqual([...BINARY_LABELS]);
    const negatives = halfA.filter((s) => s.label === 'NBL').length / halfA.length;
    expect(report.labels.reference['Non-Betalactamase']).toBeCloseTo(negatives, 12);
    for (const label of Object.keys(report.labels.current)) {
      expect(BINARY_LABELS).toContain(label);
    }
  }, 60_000);

  it('one job of 50 near-identical shipped proteins is reported with every feature verdict (JSON and HTML)', async () => {
    const out = join(home, 'oxa51.html');
    const r = await runCli(
      ['drift', '--current', files.family, '--json', '--quiet', '--report', out],
      {
        env: { ARGINATOR_HOME: home },
        timeoutMs: 120_000,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      id: string;
      drift: boolean;
      share: number;
      model: string;
      current: { rows: number; source: string };
      features: {
        name: string;
        test: string;
        statistic: number;
        threshold: number;
        drift: boolean;
      }[];
    };
    expect(report.model).toBe('v1');
    expect(report.current.rows).toBe(50);
    expect(report.features.map((f) => f.name)).toEqual([
      ...Array.from({ length: 20 }, (_, i) => `pc_${i + 1}`),
      'l2_norm',
      'l1_norm',
      'entropy',
      'predicted_label',
    ]);
    for (const f of report.features) {
      expect(Number.isFinite(f.statistic), f.name).toBe(true);
      expect(f.drift, f.name).toBe(f.statistic >= f.threshold);
    }
    // One family is a narrow slice of the reference: most features drift.
    expect(report.drift).toBe(true);
    expect(report.share).toBe(report.features.filter((f) => f.drift).length / 24);
    // Recorded for the service (GET /v1/drift/latest).
    const latest = JSON.parse(readFileSync(join(home, 'drift', 'latest.json'), 'utf8')) as {
      id: string;
      report: { share: number };
    };
    expect(latest.id).toBe(report.id);
    expect(latest.report.share).toBe(report.share);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Dataset drift detected');
    expect((html.match(/<figure /g) ?? []).length).toBe(24);
    expect(html).toContain('<svg');
  }, 120_000);
});

interface ScipyAnswer {
  statistic?: number;
  pValue?: number;
  distance?: number;
}

function scipy(requests: readonly unknown[]): ScipyAnswer[] {
  const r = spawnSync(PYTHON, [SCRIPT], {
    input: JSON.stringify(requests),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) {
    throw new Error(`${SCRIPT} failed (${r.status}): ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as ScipyAnswer[];
}

/** Our KS and normalised-Wasserstein decisions on each numeric feature, and scipy's on the same values. */
function compareWithScipy(features: readonly DriftFeature[]): { agree: number; drifts: boolean[] } {
  const numeric = features.filter((f) => f.column.kind === 'numeric');
  const requests = numeric.flatMap((f) => {
    const a = Array.from(f.column.reference as ArrayLike<number>);
    const b = Array.from(f.column.current as ArrayLike<number>);
    return [
      { op: 'ks', a, b },
      { op: 'wasserstein_norm', a, b },
    ];
  });
  const answers = scipy(requests);
  let agree = 0;
  const drifts: boolean[] = [];
  numeric.forEach((f, i) => {
    const ks = answers[2 * i] as ScipyAnswer;
    const wd = answers[2 * i + 1] as ScipyAnswer;
    const ours = { ks: columnDrift(f.column, 'ks'), wd: columnDrift(f.column, 'wasserstein') };
    expect(ours.ks.raw, `${f.name} KS D`).toBeCloseTo(ks.statistic as number, 12);
    expect(ours.ks.drift, `${f.name} KS verdict`).toBe((ks.pValue as number) <= 0.05);
    expect(ours.wd.statistic, `${f.name} Wasserstein`).toBeCloseTo(wd.distance as number, 9);
    expect(ours.wd.drift, `${f.name} Wasserstein verdict`).toBe((wd.distance as number) >= 0.1);
    agree += 2;
    drifts.push(ours.ks.drift, ours.wd.drift);
  });
  return { agree, drifts };
}

describe.skipIf(!HAVE_SCIPY)(
  'every per-feature decision agrees with scipy (ks_2samp, wasserstein_distance)',
  () => {
    it('on the features of all four current sets', async () => {
      const drifts: boolean[] = [];
      for (const name of ['halfB', 'hardNegatives', 'random', 'family'] as const) {
        const r = compareWithScipy((await drift(name)).features);
        expect(r.agree).toBe(46);
        drifts.push(...r.drifts);
      }
      // Both verdicts occur, so agreement is not agreement on one constant answer.
      expect(drifts).toContain(true);
      expect(drifts).toContain(false);
    }, 180_000);

    it('with a reference of 1,000 rows (KS and chi-square, the p-value tests), halves do not drift', async () => {
      const dim = model.predictor.header.embedder.dim;
      const ref = model.referenceEmbeddings as Float32Array;
      const rows = sampleRows(halfA.length, 1000, createRng(5));
      const refEmbeddings = new Float32Array(rows.length * dim);
      rows.forEach((r, i) => refEmbeddings.set(ref.subarray(r * dim, (r + 1) * dim), i * dim));
      const current = sampleRows(halfB.length, 1000, createRng(6)).map((i) => halfB[i] as Shipped);
      const vectors = await model.embedder.embed(
        current.map((s) => ({ id: s.id, description: '', sequence: s.sequence })),
      );
      const curEmbeddings = new Float32Array(current.length * dim);
      vectors.forEach((v, i) => curEmbeddings.set(v, i * dim));
      const { report, features } = computeDriftReport({
        reference: {
          embeddings: refEmbeddings,
          rows: rows.length,
          labels: rows.map((r) => (halfA[r] as Shipped).label),
        },
        // The halves' own labels: this compares the two samples, not a classifier's calls.
        current: {
          embeddings: curEmbeddings,
          rows: current.length,
          labels: current.map((s) => s.label),
        },
        dim,
      });
      expect(new Set(report.features.map((f) => f.test))).toEqual(new Set(['ks', 'chi-square']));
      expect(report.drift).toBe(false);
      expect(report.multivariate.classifier.drift).toBe(false);
      expect(report.multivariate.mmd.drift).toBe(false);
      // The default (KS) verdict of each numeric feature is scipy's ks_2samp verdict.
      const numeric = features.filter((f) => f.column.kind === 'numeric');
      const answers = scipy(
        numeric.map((f) => ({
          op: 'ks',
          a: Array.from(f.column.reference as ArrayLike<number>),
          b: Array.from(f.column.current as ArrayLike<number>),
        })),
      );
      numeric.forEach((f, i) => {
        const verdict = report.features.find((v) => v.name === f.name);
        const theirs = answers[i] as ScipyAnswer;
        expect(verdict?.test).toBe('ks');
        expect(
          Math.abs((verdict?.statistic ?? NaN) - (theirs.pValue as number)),
          f.name,
        ).toBeLessThan(1e-9);
        expect(verdict?.drift, f.name).toBe((theirs.pValue as number) <= 0.05);
      });
    }, 120_000);
  },
);

describe('arginator drift: jobs as the current set, and usage', () => {
  it('--job reads a job’s input and uses its model; --since takes the jobs of the window', async () => {
    const store = new SqliteJobStore(join(home, 'arginator.db'));
    const jobFiles = new FsJobFiles(join(home, 'jobs'));
    const id = '0b7e1c2a-3d4f-4a5b-8c6d-7e8f9a0b1c2d';
    const now = new Date().toISOString();
    try {
      store.insert({
        id,
        task: 'multiclass',
        inputName: 'oxa51.fa',
        modelVersion: 'v1',
        proteinsTotal: 50,
        createdAt: now,
        idempotencyKey: null,
        owner: null,
      });
      await jobFiles.create(id);
      writeFileSync(jobFiles.inputPath(id), readFileSync(files.family));
      store.claimNext(now);
      store.finish(id, 'completed', { finishedAt: now, expiresAt: now });
    } finally {
      store.close();
    }
    const env = { ARGINATOR_HOME: home };
    const byJob = await runCli(['drift', '--job', id, '--json', '--quiet'], {
      env,
      timeoutMs: 120_000,
    });
    expect(byJob.stderr).toBe('');
    const report = JSON.parse(byJob.stdout) as {
      current: { source: string; rows: number };
      drift: boolean;
    };
    expect(report.current).toMatchObject({ source: `job ${id}`, rows: 50 });
    expect(report.drift).toBe(true);
    const byWindow = await runCli(['drift', '--since', '1h', '--quiet'], {
      env,
      timeoutMs: 120_000,
    });
    expect(byWindow.code).toBe(0);
    expect(byWindow.stdout).toMatch(/^drift: \d+ of 24 features drift/);
  }, 240_000);

  it('refuses a missing or doubled current set, a bad window and an unknown job (exit 2)', async () => {
    const env = { ARGINATOR_HOME: home };
    const cases: [string[], RegExp][] = [
      [['drift'], /drift needs a current set/],
      [['drift', '--current', files.family, '--since', '1h'], /give only one of/],
      [['drift', '--since', 'yesterday'], /--since must be a duration/],
      [['drift', '--job', 'not-a-job'], /there is no job 'not-a-job'/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  }, 120_000);
});
