// Per-protein evidence of CV-trained models (ours) next to DIAMOND's hits against the same references.
//
// Populations (docs/metrics.md, "Novelty against identity"):
// - cv-family: every protein of fold f of data/default/splits/cdhit40-5fold.tsv, predicted by the
//   model trained on the other four folds (held-out families: < 40% identity by construction);
// - cv-member: proteins of the other four folds held out of model f's references at random inside
//   their families (index % 10 == f), so their family is still among the references (the ≥ 95%
//   population the cluster CV lacks otherwise); every protein is a cv-member of at most one model;
// - split-test: the test side of data/default/splits/default-cluster40-split.json (ARGinator's own 40%
//   clustering) against a model trained on its training side;
// - proteome: data/bench/UP000074855-P.berghei.fasta.gz against that same model (measure only).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { MULTICLASS_LABELS } from '../../src/core/data/labelled.ts';
import { groupStratifiedSplit } from '../../src/core/data/split.ts';
import { BUILTIN_DIM, embedSequence } from '../../src/core/embed/builtin-embedder.ts';
import type { DenseDataset } from '../../src/core/model/dataset.ts';
import { takeRows } from '../../src/core/model/dataset.ts';
import type { Predictor } from '../../src/core/model/predictor.ts';
import { createRng } from '../../src/core/rng.ts';
import { loadFastestKernels } from '../../src/native/load-kernels.ts';
import { readFastaFile } from '../../src/io/fasta-source.ts';
import { readReferenceMetadata } from '../../src/io/reference-metadata.ts';
import { loadData } from './cv-data.ts';
import { trainCvPredictor } from './cv-model.ts';
import type { DiamondHit } from './diamond-hits.ts';
import { diamondHits } from './diamond-hits.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const FOLDS_TSV = join(ROOT, 'data/default/splits/cdhit40-5fold.tsv');
const SPLIT_JSON = join(ROOT, 'data/default/splits/default-cluster40-split.json');
const METADATA_TSV = join(ROOT, 'data/default/ncbi_metadata.tsv');
export const PROTEOME = join(ROOT, 'data/bench/UP000074855-P.berghei.fasta.gz');
const FOLDS = 5;
/** Inner train/validation split of a training fold (bench/train-quality.ts's). */
const INNER_SPLIT = [0.85, 0.15, 0] as const;

export type Population = 'cv-family' | 'cv-member' | 'split-test' | 'proteome';

export interface EvidenceRecord {
  readonly id: string;
  readonly population: Population;
  /** The CV fold of the model that predicted it (-1 outside the CV). */
  readonly fold: number;
  readonly length: number;
  /** True label (A–D, NBL), '' for the proteome. */
  readonly label: string;
  /** The protein's own drug subclass (ncbi_metadata.tsv), '' when unknown. */
  readonly subclass: string;
  readonly predicted: string;
  readonly novelty: string;
  readonly method: string;
  readonly carbapenemase: string;
  readonly nearest: string;
  readonly nearestLabel: string;
  readonly nearestSubclass: string;
  /** Ours, fractions; NaN when there is no nearest reference. */
  readonly identity: number;
  readonly coverage: number;
  readonly referenceCoverage: number;
  readonly evalue: number;
  /** DIAMOND hits against the same references, best bit score first. */
  readonly hits: readonly DiamondHit[];
}

export interface EvidenceRun {
  readonly records: EvidenceRecord[];
  /** id → drug subclass of every protein ncbi_metadata.tsv names (for DIAMOND's hits). */
  readonly subclassOf: ReadonlyMap<string, string>;
  readonly notes: string[];
}

function readFolds(): Map<string, number> {
  return new Map(
    readFileSync(FOLDS_TSV, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [id, , fold] = line.split('\t');
        return [id ?? '', Number(fold)] as const;
      }),
  );
}

/**
 * Trains the models and collects every population's records. `proteome: false` skips the
 * default-split model and the proteome (the cluster CV alone).
 */
export async function collectEvidence(
  options: { proteome?: boolean; epochs?: number; log?: (line: string) => void } = {},
): Promise<EvidenceRun> {
  const log = options.log ?? ((line: string) => console.error(line));
  const data = await loadData();
  const n = data.ids.length;
  const metadata = await readReferenceMetadata(METADATA_TSV);
  const subclassOf = new Map([...metadata].map(([id, names]) => [id, names.subclass]));
  const all: DenseDataset = {
    x: new Float32Array(n * BUILTIN_DIM),
    y: data.y,
    n,
    dim: BUILTIN_DIM,
  };
  data.sequences.forEach((s, i) =>
    embedSequence(s, all.x.subarray(i * BUILTIN_DIM, (i + 1) * BUILTIN_DIM)),
  );
  const kernels = loadFastestKernels();
  const folds = readFolds();
  const foldOf = data.ids.map((id) => {
    const f = folds.get(id);
    if (f === undefined) {
      throw new Error(`${id} has no fold in ${FOLDS_TSV}`);
    }
    return f;
  });
  const records: EvidenceRecord[] = [];
  const notes: string[] = [];

  const predictRows = (
    predictor: Predictor,
    rows: readonly number[],
    sequences: readonly string[],
    embeddings: Float32Array,
    ids: readonly string[],
    refs: readonly { id: string; sequence: string }[],
    meta: (q: number) => { population: Population; fold: number; label: string },
  ): void => {
    const hits = diamondHits(
      refs,
      rows.map((_, q) => ({ id: ids[q] ?? '', sequence: sequences[q] ?? '' })),
    );
    for (let q0 = 0; q0 < rows.length; q0 += 256) {
      const end = Math.min(rows.length, q0 + 256);
      const out = predictor.predict(
        sequences.slice(q0, end),
        embeddings.subarray(q0 * BUILTIN_DIM, end * BUILTIN_DIM),
      );
      out.forEach((p, j) => {
        const q = q0 + j;
        const id = ids[q] ?? '';
        const near = p.nearest;
        records.push({
          id,
          ...meta(q),
          length: (sequences[q] ?? '').length,
          subclass: subclassOf.get(id) ?? '',
          predicted: p.label,
          novelty: p.novelty,
          method: p.method,
          carbapenemase: p.carbapenemase ?? '',
          nearest: near?.id ?? '',
          nearestLabel: near?.label ?? '',
          nearestSubclass: near?.subclass ?? '',
          identity: near?.identity ?? Number.NaN,
          coverage: near?.coverage ?? Number.NaN,
          referenceCoverage: near?.referenceCoverage ?? Number.NaN,
          evalue: near?.evalue ?? Number.NaN,
          hits: hits.get(id) ?? [],
        });
      });
    }
  };

  const train = async (
    pool: readonly number[],
    seed: number,
  ): Promise<{ predictor: Predictor; trainRows: number[] }> => {
    const inner = groupStratifiedSplit(
      pool.map((i) => data.y[i] as number),
      pool.map((i) => data.groups[i] as number),
      INNER_SPLIT,
      createRng(seed),
    );
    const trainRows = Array.from(inner.train, (j) => pool[j] as number);
    const valRows = Array.from(inner.val, (j) => pool[j] as number);
    const predictor = await trainCvPredictor({
      ids: data.ids,
      sequences: data.sequences,
      all,
      trainRows,
      valRows,
      metadata,
      kernels,
      ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
    });
    return { predictor, trainRows };
  };
  const fromData = (
    predictor: Predictor,
    trainRows: readonly number[],
    queries: readonly number[],
    meta: (i: number) => { population: Population; fold: number },
  ): void => {
    predictRows(
      predictor,
      queries,
      queries.map((i) => data.sequences[i] ?? ''),
      takeRows(all, queries).x,
      queries.map((i) => data.ids[i] ?? ''),
      trainRows.map((i) => ({ id: data.ids[i] ?? '', sequence: data.sequences[i] ?? '' })),
      (q) => {
        const i = queries[q] as number;
        return { ...meta(i), label: MULTICLASS_LABELS[data.y[i] as number] ?? '' };
      },
    );
  };

  for (let f = 0; f < FOLDS; f++) {
    const t0 = performance.now();
    const family = Array.from({ length: n }, (_, i) => i).filter((i) => foldOf[i] === f);
    const member = Array.from({ length: n }, (_, i) => i).filter(
      (i) => foldOf[i] !== f && i % 10 === f,
    );
    const memberSet = new Set(member);
    const pool = Array.from({ length: n }, (_, i) => i).filter(
      (i) => foldOf[i] !== f && !memberSet.has(i),
    );
    const { predictor, trainRows } = await train(pool, 42);
    fromData(predictor, trainRows, [...family, ...member], (i) => ({
      population: memberSet.has(i) ? 'cv-member' : 'cv-family',
      fold: f,
    }));
    const line = `fold ${f}: ${trainRows.length} references, ${family.length} held-out family proteins, ${member.length} held-out members (${((performance.now() - t0) / 1000).toFixed(0)} s)`;
    log(line);
    notes.push(line);
  }

  if (options.proteome !== false) {
    const t0 = performance.now();
    const split = JSON.parse(readFileSync(SPLIT_JSON, 'utf8')) as {
      train: string[];
      val: string[];
      test: string[];
    };
    const index = new Map(data.ids.map((id, i) => [id, i]));
    const rowsOf = (ids: readonly string[]): number[] =>
      ids.map((id) => {
        const i = index.get(id);
        if (i === undefined) {
          throw new Error(`${id} of ${SPLIT_JSON} is not in the shipped set`);
        }
        return i;
      });
    const trainRows = rowsOf(split.train);
    const predictor = await trainCvPredictor({
      ids: data.ids,
      sequences: data.sequences,
      all,
      trainRows,
      valRows: rowsOf(split.val),
      metadata,
      kernels,
      ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
    });
    fromData(predictor, trainRows, rowsOf(split.test), () => ({
      population: 'split-test',
      fold: -1,
    }));
    const proteome: { id: string; sequence: string }[] = [];
    for await (const r of readFastaFile(PROTEOME)) {
      proteome.push({ id: r.id, sequence: r.sequence });
    }
    const x = new Float32Array(proteome.length * BUILTIN_DIM);
    proteome.forEach((r, i) =>
      embedSequence(r.sequence, x.subarray(i * BUILTIN_DIM, (i + 1) * BUILTIN_DIM)),
    );
    predictRows(
      predictor,
      proteome.map((_, i) => i),
      proteome.map((r) => r.sequence),
      x,
      proteome.map((r) => r.id),
      trainRows.map((i) => ({ id: data.ids[i] ?? '', sequence: data.sequences[i] ?? '' })),
      () => ({ population: 'proteome', fold: -1, label: '' }),
    );
    const line = `default split: ${trainRows.length} references, ${split.test.length} test proteins, ${proteome.length} proteome proteins (${((performance.now() - t0) / 1000).toFixed(0)} s)`;
    log(line);
    notes.push(line);
  }
  return { records, subclassOf, notes };
}
