// The shipped dataset for cross-validation benches: ids, sequences, labels, cd-hit 40% clusters, hard negatives.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { BINARY_LABELS, MULTICLASS_LABELS, toBinaryLabel } from '../../src/core/data/labelled.ts';
import type { MulticlassLabel } from '../../src/core/data/labelled.ts';
import { loadLabelledFasta } from '../../src/io/labelled-fasta.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
export const FASTA = join(ROOT, 'data/default/default.fasta.gz');
const LABELS_TSV = join(ROOT, 'data/default/labels.tsv');
export const CLUSTERS_TSV = join(ROOT, 'data/default/derived/clusters-cdhit40.tsv');
/** labels.tsv groups of the hard negatives (PBPs, DD-peptidases, MBL-fold hydrolases, BlaR1/MecR1/BlaI/AmpR). */
export const HARD_NEG_GROUPS = new Set([
  'amr_hardneg',
  'hardneg_pbp_ddpeptidase',
  'hardneg_mbl_fold',
]);

export function readTsv(path: string): Map<string, Record<string, string>> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const header = (lines[0] ?? '').split('\t');
  const rows = new Map<string, Record<string, string>>();
  for (const line of lines.slice(1)) {
    if (line === '') {
      continue;
    }
    const fields = line.split('\t');
    const row: Record<string, string> = {};
    header.forEach((h, j) => (row[h] = fields[j] ?? ''));
    rows.set(fields[0] ?? '', row);
  }
  return rows;
}

export interface Data {
  readonly ids: string[];
  readonly sequences: string[];
  /** Multiclass label index (A, B, C, D, NBL). */
  readonly y: Int32Array;
  /** Binary label index (Betalactamase, Non-Betalactamase). */
  readonly yBin: Int32Array;
  readonly groups: Int32Array;
  readonly hardNeg: boolean[];
}

export async function loadData(): Promise<Data> {
  const multi = await loadLabelledFasta(FASTA, { task: 'multiclass' });
  const binary = await loadLabelledFasta(FASTA, { task: 'binary' });
  const labels = readTsv(LABELS_TSV);
  const clusters = readTsv(CLUSTERS_TSV);
  const clusterNumber = new Map<string, number>();
  const ids: string[] = [];
  const sequences: string[] = [];
  const y: number[] = [];
  const yBin: number[] = [];
  const groups: number[] = [];
  const hardNeg: boolean[] = [];
  multi.examples.forEach((e, i) => {
    const id = e.record.id;
    const b = binary.examples[i];
    const label = e.label as MulticlassLabel;
    if (b?.record.id !== id || b.label !== toBinaryLabel(label)) {
      throw new Error(`binary and multiclass loads disagree at ${id}`);
    }
    const cluster = clusters.get(id)?.['cluster'];
    const row = labels.get(id);
    if (cluster === undefined || row?.['label'] !== label) {
      throw new Error(`${id}: missing cluster or labels.tsv row, or its label differs`);
    }
    let g = clusterNumber.get(cluster);
    if (g === undefined) {
      g = clusterNumber.size;
      clusterNumber.set(cluster, g);
    }
    ids.push(id);
    sequences.push(e.record.sequence);
    y.push(MULTICLASS_LABELS.indexOf(label));
    yBin.push(BINARY_LABELS.indexOf(b.label));
    groups.push(g);
    hardNeg.push(HARD_NEG_GROUPS.has(row['group'] ?? ''));
  });
  return {
    ids,
    sequences,
    y: Int32Array.from(y),
    yBin: Int32Array.from(yBin),
    groups: Int32Array.from(groups),
    hardNeg,
  };
}
