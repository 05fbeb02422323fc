// Bench: a training run's test metrics next to DIAMOND's best-hit label on the SAME split (its split.json).
// Run: npx tsx bench/split-vs-diamond.ts RUN_DIR [RUN_DIR...]   (e.g. .arginator/runs/<id>)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { classificationReport } from '../src/core/metrics/classification-report.ts';
import { loadLabelledFasta } from '../src/io/labelled-fasta.ts';
import { diamondAvailable, diamondBestHits } from './lib/diamond-baseline.ts';

interface RunConfig {
  config: {
    task: { name: 'binary' | 'multiclass'; labels: string[]; positive_label: string | null };
    paths: { dataset: string; labels: string | null };
  };
}

if (!diamondAvailable()) {
  throw new Error('diamond not found: install Debian diamond-aligner');
}
const rows: string[] = [];
for (const dir of process.argv.slice(2)) {
  const { config } = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as RunConfig;
  const split = JSON.parse(readFileSync(join(dir, 'split.json'), 'utf8')) as {
    method: string;
    train: string[];
    test: string[];
  };
  const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as {
    test: { f1: number; accuracy: number; mcc: number };
    test_classifier_only?: { f1: number };
  };
  const data = await loadLabelledFasta(config.paths.dataset, {
    task: config.task.name,
    labelsPath: config.paths.labels ?? undefined,
  });
  const byId = new Map(data.examples.map((e) => [e.record.id, e]));
  const pick = (ids: string[]) => ids.map((id) => byId.get(id)).filter((e) => e !== undefined);
  const train = pick(split.train);
  const test = pick(split.test);
  const labels = config.task.labels;
  const negative = labels.includes('NBL') ? 'NBL' : 'Non-Betalactamase';
  const t0 = performance.now();
  const hits = diamondBestHits(
    train.map((e) => ({ id: e.record.id, sequence: e.record.sequence, label: e.label })),
    test.map((e) => ({ id: e.record.id, sequence: e.record.sequence })),
    { threads: 2 },
  );
  const seconds = (performance.now() - t0) / 1000;
  const yTrue = test.map((e) => labels.indexOf(e.label));
  const yPred = test.map((e) => labels.indexOf(hits.get(e.record.id)?.label ?? negative));
  const positive =
    config.task.positive_label === null ? undefined : labels.indexOf(config.task.positive_label);
  const diamond = classificationReport(
    yTrue,
    yPred,
    labels,
    positive === undefined ? {} : { positive },
  );
  const f1Name = positive === undefined ? 'macro-F1' : 'F1';
  rows.push(
    `| ${config.task.name} | ${split.method} (${train.length} train / ${test.length} test) | ${f1Name} | ${metrics.test.f1.toFixed(4)} | ${metrics.test_classifier_only?.f1.toFixed(4) ?? '–'} | ${diamond.f1.toFixed(4)} | ${metrics.test.accuracy.toFixed(4)} / ${diamond.accuracy.toFixed(4)} | ${metrics.test.mcc.toFixed(4)} / ${diamond.mcc.toFixed(4)} | ${seconds.toFixed(1)} s |`,
  );
}
console.log(
  '| task | split | headline | ARGinator (default model) | classifier alone | DIAMOND best hit (default mode) | accuracy (ours / DIAMOND) | MCC (ours / DIAMOND) | DIAMOND time |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
