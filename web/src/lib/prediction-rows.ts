// The prediction table (docs/prediction.md) as typed rows, parsed from the API's CSV.
import {
  CARBAPENEMASE_CALLS,
  EVIDENCE_METHODS,
  isOneOf,
  NOVELTY_CLASSES,
} from '../api/contract.ts';
import type { CarbapenemaseCall, EvidenceMethod, Novelty } from '../api/contract.ts';
import { parseCsv } from './csv.ts';

export type { Novelty } from '../api/contract.ts';

export interface PredictionRow {
  /** Position in the input (the table is in input order). */
  readonly index: number;
  readonly protein_id: string;
  readonly predicted_label: string;
  readonly confidence_score: number;
  readonly prob_betalactamase: number;
  /** Class label → probability (multiclass only; empty for binary tables). */
  readonly probabilities: Readonly<Record<string, number>>;
  readonly nearest_reference: string | null;
  readonly nearest_reference_label: string | null;
  readonly identity: number | null;
  readonly coverage: number | null;
  readonly novelty: Novelty | null;
  readonly model_version: string;
  /** Named evidence (issue 13); null when the table or the model has none (an older server or model). */
  readonly nearest_gene: string | null;
  readonly nearest_family: string | null;
  readonly nearest_subclass: string | null;
  readonly carbapenemase: CarbapenemaseCall | null;
  readonly bitscore: number | null;
  readonly evalue: number | null;
  readonly method: EvidenceMethod | null;
}

export interface PredictionTable {
  readonly columns: readonly string[];
  /** Class labels in column order, from the `p_<label>` columns. */
  readonly classLabels: readonly string[];
  readonly rows: readonly PredictionRow[];
}

const REQUIRED = ['protein_id', 'predicted_label', 'confidence_score', 'prob_betalactamase'];

/** Why a table could not be read; the message names the fix. */
export class TableFormatError extends Error {
  override readonly name = 'TableFormatError';
}

/**
 * Reads the CSV the API serves (`/v1/jobs/{id}/results?format=csv`) into rows.
 * @example parsePredictionCsv('protein_id,predicted_label,confidence_score,prob_betalactamase\nq1,A,0.9,0.95\n').rows[0]?.protein_id // 'q1'
 */
export function parsePredictionCsv(text: string): PredictionTable {
  const records = parseCsv(text);
  const header = records[0];
  if (header === undefined) {
    throw new TableFormatError('the results table is empty (no header line)');
  }
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new TableFormatError(
      `the results table lacks the column(s) ${missing.join(', ')}; is the server older than the UI?`,
    );
  }
  const col = (name: string): number => header.indexOf(name);
  const probabilityColumns = header
    .map((name, i) => ({ name, i }))
    .filter((c) => c.name.startsWith('p_') && c.name.length > 2);
  const classLabels = probabilityColumns.map((c) => c.name.slice(2));
  const idx = {
    id: col('protein_id'),
    label: col('predicted_label'),
    confidence: col('confidence_score'),
    pbl: col('prob_betalactamase'),
    ref: col('nearest_reference'),
    refLabel: col('nearest_reference_label'),
    identity: col('identity'),
    coverage: col('coverage'),
    novelty: col('novelty'),
    model: col('model_version'),
    gene: col('nearest_gene'),
    family: col('nearest_family'),
    subclass: col('nearest_subclass'),
    carbapenemase: col('carbapenemase'),
    bitscore: col('bitscore'),
    evalue: col('evalue'),
    method: col('method'),
  };
  const rows: PredictionRow[] = [];
  for (let r = 1; r < records.length; r += 1) {
    const rec = records[r] ?? [];
    if (rec.length === 1 && rec[0] === '') {
      continue;
    }
    const probabilities: Record<string, number> = {};
    for (const c of probabilityColumns) {
      probabilities[c.name.slice(2)] = toNumber(rec[c.i]) ?? 0;
    }
    rows.push({
      index: rows.length,
      protein_id: rec[idx.id] ?? '',
      predicted_label: rec[idx.label] ?? '',
      confidence_score: toNumber(rec[idx.confidence]) ?? 0,
      prob_betalactamase: toNumber(rec[idx.pbl]) ?? 0,
      probabilities,
      nearest_reference: toText(rec[idx.ref]),
      nearest_reference_label: toText(rec[idx.refLabel]),
      identity: toNumber(rec[idx.identity]),
      coverage: toNumber(rec[idx.coverage]),
      novelty: toNovelty(rec[idx.novelty]),
      model_version: rec[idx.model] ?? '',
      nearest_gene: toText(rec[idx.gene]),
      nearest_family: toText(rec[idx.family]),
      nearest_subclass: toText(rec[idx.subclass]),
      carbapenemase: oneOf(CARBAPENEMASE_CALLS, rec[idx.carbapenemase]),
      bitscore: toNumber(rec[idx.bitscore]),
      evalue: toNumber(rec[idx.evalue]),
      method: oneOf(EVIDENCE_METHODS, rec[idx.method]),
    });
  }
  return { columns: header, classLabels, rows };
}

function toNumber(cell: string | undefined): number | null {
  if (cell === undefined || cell === '') {
    return null;
  }
  const value = Number(cell);
  return Number.isFinite(value) ? value : null;
}

function toText(cell: string | undefined): string | null {
  return cell === undefined || cell === '' ? null : cell;
}

function toNovelty(cell: string | undefined): Novelty | null {
  return oneOf(NOVELTY_CLASSES, cell);
}

/** A cell that must be one of `words` (an unknown word, e.g. from a newer server, reads as absent). */
function oneOf<const W extends string>(words: readonly W[], cell: string | undefined): W | null {
  return isOneOf(words, cell) ? cell : null;
}
