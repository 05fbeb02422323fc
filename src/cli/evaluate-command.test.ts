// `arginator evaluate` end to end (the built CLI): metrics against a hand count, the tracked run and its artifacts, the default model, errors.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { FsRunTracker } from '../store/fs-run-tracker.ts';
import { gateHome } from '../wiring/test-support/gate-home.ts';
import { LABELS } from '../wiring/test-support/tiny-model.ts';
import { errorLines, runCli } from '../wiring/test-support/run-cli.ts';

interface Fixture {
  home: string;
  env: Record<string, string>;
  dataset: string;
  split: string;
  /** v1's call and the (partly flipped) true label of each protein, p0..p39. */
  calls: string[];
  truth: string[];
  gate: { split: string; dataset: string };
  setChampion: (version: string) => Promise<void>;
}

/** gateHome's proteins, with the true labels of p0..p3 and p20 moved off v1's calls. */
async function fixture(): Promise<Fixture> {
  const { home, catalog, split: gateSplit, dataset: gateDataset } = await gateHome();
  const text = await readFile(gateDataset, 'utf8');
  const entries = [...text.matchAll(/^>(\S+)\|(\S+)\n(\S+)$/gm)].map((m) => ({
    id: m[1] as string,
    call: m[2] as string,
    sequence: m[3] as string,
  }));
  // Each moved label is a different one of the other four classes, so every class is in the test side.
  const flipped = ['p0', 'p1', 'p2', 'p3', 'p20'];
  const truth = entries.map((e) => {
    const j = flipped.indexOf(e.id);
    return j < 0
      ? e.call
      : (LABELS[(LABELS.indexOf(e.call) + 1 + (j % 4)) % LABELS.length] as string);
  });
  const dataset = join(home, 'eval.fasta');
  await writeFile(
    dataset,
    entries.map((e, i) => `>${e.id}|${truth[i] ?? ''}\n${e.sequence}\n`).join(''),
  );
  const split = join(home, 'eval-split.json');
  await writeFile(
    split,
    JSON.stringify({
      train: entries.slice(30).map((e) => e.id),
      val: entries.slice(20, 30).map((e) => e.id),
      test: entries.slice(0, 20).map((e) => e.id),
    }),
  );
  return {
    home,
    env: { ARGINATOR_HOME: home },
    dataset,
    split,
    calls: entries.map((e) => e.call),
    truth,
    gate: { split: gateSplit, dataset: gateDataset },
    setChampion: async (version) => {
      await catalog.setAlias('champion:multiclass', version, {});
    },
  };
}

/**
 * Precision/recall/F1 per class from a confusion matrix by the textbook formulas; macro-F1 as
 * sklearn's average='macro': the mean over the classes that are true or called at least once.
 */
function byHand(matrix: number[][]): { macroF1: number; f1: number[] } {
  const f1 = matrix.map((row, c) => {
    const tp = row[c] ?? 0;
    const predicted = matrix.reduce((s, r) => s + (r[c] ?? 0), 0);
    const actual = row.reduce((s, x) => s + x, 0);
    const p = predicted === 0 ? 0 : tp / predicted;
    const r = actual === 0 ? 0 : tp / actual;
    return p + r === 0 ? 0 : (2 * p * r) / (p + r);
  });
  const present = matrix
    .map((row, c) => row.some((x) => x > 0) || matrix.some((r) => (r[c] ?? 0) > 0))
    .map((p): number => (p ? 1 : 0));
  const macroF1 =
    f1.reduce((s, x, c) => s + x * (present[c] ?? 0), 0) / present.reduce((s, x) => s + x, 0);
  return { macroF1, f1 };
}

describe('arginator evaluate', () => {
  it('scores a split side as a hand count does and records an evaluate run with its artifacts', async () => {
    const f = await fixture();
    const result = await runCli(
      ['evaluate', f.dataset, '--split', f.split, '--model', 'v1', '--json', '--quiet'],
      { env: f.env },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const metrics = JSON.parse(result.stdout) as {
      run: string;
      model: string;
      proteins: number;
      accuracy: number;
      macroF1: number;
      mcc: number;
      ece: number;
      labels: string[];
      confusionMatrix: number[][];
      perClass: { label: string; f1: number; support: number }[];
      evaluatedSplit: { file: string; side: string };
      hardNegatives: unknown;
    };
    // The hand count: test side p0..p19, v1 calls each as its own label, 4 true labels moved.
    const matrix = LABELS.map(() => LABELS.map(() => 0));
    for (let i = 0; i < 20; i++) {
      const row = matrix[LABELS.indexOf(f.truth[i] ?? '')] as number[];
      const c = LABELS.indexOf(f.calls[i] ?? '');
      row[c] = (row[c] ?? 0) + 1;
    }
    const hand = byHand(matrix);
    expect(metrics).toMatchObject({
      model: 'v1',
      proteins: 20,
      evaluatedSplit: { file: f.split, side: 'test' },
      labels: LABELS,
      confusionMatrix: matrix,
      hardNegatives: null,
    });
    expect(metrics.accuracy).toBeCloseTo(16 / 20, 12);
    expect(metrics.macroF1).toBeCloseTo(hand.macroF1, 12);
    metrics.perClass.forEach((c, i) => expect(c.f1).toBeCloseTo(hand.f1[i] ?? Number.NaN, 12));
    expect(metrics.perClass.map((c) => c.support)).toEqual(
      matrix.map((r) => r.reduce((s, x) => s + x, 0)),
    );
    expect(metrics.accuracy).toBeLessThan(1);

    // The store has the run, of kind evaluate, with its params, summary and files.
    const tracker = new FsRunTracker(join(f.home, 'runs'));
    const record = await tracker.get(metrics.run);
    expect(record).toMatchObject({
      kind: 'evaluate',
      status: 'finished',
      tags: { model: 'v1', side: 'test' },
      summary: { model_version: 'v1', test_f1: metrics.macroF1, accuracy: metrics.accuracy },
      params: { evaluate: { model: 'v1', split: f.split, side: 'test', dataset: f.dataset } },
    });
    expect(record.data?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(record.params?.['task']).toMatchObject({ name: 'multiclass' });
    expect(record.environment['node']).toBe(process.version);
    const files = (await tracker.artifacts(metrics.run)).map((a) => a.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'metrics.json',
        'predictions.csv',
        'plots/confusion-matrix.svg',
        'plots/reliability.svg',
      ]),
    );
    const points = await tracker.metrics(metrics.run);
    expect(points.find((p) => p.key === 'macro_f1')?.value).toBeCloseTo(hand.macroF1, 12);

    // predictions.csv: one row per protein; ECE recomputed from its probabilities (15 bins, (lo, hi]).
    const csv = (await readFile(tracker.pathOf(metrics.run, 'predictions.csv'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(csv[0]?.slice(0, 5)).toEqual([
      'id',
      'true_label',
      'predicted_label',
      'correct',
      'confidence',
    ]);
    const rows = csv.slice(1);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`));
    expect(rows.filter((r) => r[3] === 'true')).toHaveLength(16);
    const bins = Array.from({ length: 15 }, () => ({ n: 0, conf: 0, right: 0 }));
    for (const r of rows) {
      const probs = r.slice(5).map(Number);
      const top = probs.indexOf(Math.max(...probs));
      const conf = probs[top] as number;
      const bin = bins[Math.min(14, Math.max(0, Math.ceil(conf * 15) - 1))] as (typeof bins)[0];
      bin.n++;
      bin.conf += conf;
      bin.right += LABELS[top] === r[1] ? 1 : 0;
    }
    const ece = bins.reduce(
      (s, b) => (b.n === 0 ? s : s + (b.n / 20) * Math.abs(b.right / b.n - b.conf / b.n)),
      0,
    );
    expect(metrics.ece).toBeCloseTo(ece, 5);

    // runs show reads its report as a training's test report.
    const shown = await runCli(['runs', 'show', metrics.run], { env: f.env });
    expect(shown.stdout).toContain(
      `accuracy 0.8000, macro-F1 ${hand.macroF1.toFixed(4)}, MCC ${metrics.mcc.toFixed(4)}`,
    );

    // runs list --kind evaluate shows it, with the model and test F1 columns.
    const listed = await runCli(['runs', 'list', '--kind', 'evaluate'], { env: f.env });
    expect(listed.code).toBe(0);
    const line = listed.stdout.split('\n').find((l) => l.startsWith(metrics.run));
    expect(line?.split('\t').slice(1, 3)).toEqual(['evaluate', 'finished']);
    expect(line?.split('\t').slice(-2)).toEqual([hand.macroF1.toFixed(4), 'v1']);
  }, 120_000);

  it('uses the model predict would (champion, else latest) and scores the val side', async () => {
    const f = await fixture();
    const args = ['evaluate', f.dataset, '--split', f.split, '--side', 'val', '--json'];
    const latest = await runCli([...args, '--quiet'], { env: f.env });
    expect(latest.code).toBe(0);
    expect(JSON.parse(latest.stdout)).toMatchObject({ model: 'v2', proteins: 10 });
    await f.setChampion('v1');
    const champion = await runCli(args, { env: f.env });
    expect(champion.code).toBe(0);
    const m = JSON.parse(champion.stdout) as { model: string; accuracy: number; run: string };
    // Val side p20..p29: v1's own calls but for p20.
    expect(m).toMatchObject({ model: 'v1', accuracy: 9 / 10 });
    expect(champion.stderr).toMatch(/evaluating \(model v1\)/);
    expect(champion.stderr).toContain(`run ${m.run} (kind evaluate)`);
    // Without --split a DATASET is scored whole.
    const whole = await runCli(['evaluate', f.dataset, '--json', '--quiet'], { env: f.env });
    expect(JSON.parse(whole.stdout)).toMatchObject({
      model: 'v1',
      proteins: 40,
      evaluatedSplit: null,
    });

    // --labels: a FASTA of bare ids and a table whose group column marks hard negatives (p4-p6 on
    // the test side, p35 off it); v1 calls them β-lactamases.
    const bare = join(f.home, 'bare.fasta');
    const fasta = await readFile(f.dataset, 'utf8');
    await writeFile(bare, fasta.replace(/^>(\S+)\|\S+$/gm, '>$1'));
    const table = join(f.home, 'labels.tsv');
    const hard = new Set(['p4', 'p5', 'p6', 'p35']);
    await writeFile(
      table,
      `id\tlabel\tgroup\n${f.truth.map((l, i) => `p${i}\t${l}\t${hard.has(`p${i}`) ? 'hardneg_mbl_fold' : 'BL'}`).join('\n')}\n`,
    );
    const labelled = await runCli(
      ['evaluate', bare, '--labels', table, '--split', f.split, '--json', '--quiet'],
      { env: f.env },
    );
    expect(labelled.code).toBe(0);
    expect(JSON.parse(labelled.stdout)).toMatchObject({
      proteins: 20,
      accuracy: 16 / 20,
      hardNegatives: { falsePositives: 3, total: 3 },
    });
  }, 120_000);

  it('refuses an unknown model as predict does, a split whose ids are missing, bad labels and a bad side, with nothing on stdout', async () => {
    const f = await fixture();
    const unknown = await runCli(['evaluate', f.dataset, '--model', 'v9'], { env: f.env });
    const predicted = await runCli(['predict', f.dataset, '--model', 'v9'], { env: f.env });
    expect(unknown.code).toBe(2);
    expect(unknown.code).toBe(predicted.code);
    expect(errorLines(unknown.stderr)).toEqual(errorLines(predicted.stderr));
    expect(errorLines(unknown.stderr)[0]).toMatch(/no model 'v9' in the registry/);
    expect(unknown.stdout).toBe('');

    // The gate's split lists an id ('gone') its dataset lacks: evaluate refuses, with the fix.
    const missing = await runCli(
      ['evaluate', f.gate.dataset, '--split', f.gate.split, '--model', 'v1'],
      { env: f.env },
    );
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    const lines = errorLines(missing.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /1 of the 31 test ids of .*split\.json are not in .*\(first: 'gone'\)/,
    );
    expect(missing.stderr).toMatch(/pass the dataset the split was made from/);

    const badLabels = join(f.home, 'bad.fasta');
    await writeFile(badLabels, '>x1|Z\nMKTAYIAKQRQISFVKSHFSRQ\n');
    const bad = await runCli(['evaluate', badLabels, '--model', 'v1'], { env: f.env });
    expect(bad.code).toBe(3);
    expect(bad.stdout).toBe('');
    expect(errorLines(bad.stderr)[0]).toMatch(/'Z'/);

    const side = await runCli(['evaluate', f.dataset, '--split', f.split, '--side', 'dev'], {
      env: f.env,
    });
    expect(side.code).toBe(2);
    expect(errorLines(side.stderr)[0]).toMatch(/--side must be test, val or train, got 'dev'/);
    expect(side.stdout).toBe('');

    // None of the refusals left an evaluate run behind.
    const runs = await new FsRunTracker(join(f.home, 'runs')).list();
    expect(runs.filter((r) => r.kind === 'evaluate')).toEqual([]);
  }, 120_000);
});
