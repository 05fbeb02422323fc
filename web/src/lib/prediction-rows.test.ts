import { describe, expect, it } from 'vitest';

import { parsePredictionCsv, TableFormatError } from './prediction-rows.ts';

const HEADER =
  'protein_id,predicted_label,confidence_score,prob_betalactamase,p_A,p_B,p_C,p_D,p_NBL,nearest_reference,nearest_reference_label,identity,coverage,novelty,model_version,nearest_gene,nearest_family,nearest_subclass,carbapenemase,bitscore,evalue,method';

describe('parsePredictionCsv', () => {
  it('reads the multiclass table of docs/prediction.md into typed rows', () => {
    const csv = `${HEADER}\nq1,A,0.990000,0.998000,0.990000,0.000000,0.000000,0.008000,0.002000,WP_000027057.1,A,98.5,100.0,known,v1,blaKPC-2,blaKPC,CARBAPENEM,yes,594.2,1.23e-170,CLOSE\n"odd,id",NBL,0.700000,0.300000,0.1,0.1,0.05,0.05,0.7,,,,,novel,v1,,,,,,,NONE\n`;
    const table = parsePredictionCsv(csv);
    expect(table.classLabels).toEqual(['A', 'B', 'C', 'D', 'NBL']);
    expect(table.rows).toHaveLength(2);
    expect(table.rows[0]).toEqual({
      index: 0,
      protein_id: 'q1',
      predicted_label: 'A',
      confidence_score: 0.99,
      prob_betalactamase: 0.998,
      probabilities: { A: 0.99, B: 0, C: 0, D: 0.008, NBL: 0.002 },
      nearest_reference: 'WP_000027057.1',
      nearest_reference_label: 'A',
      identity: 98.5,
      coverage: 100,
      novelty: 'known',
      model_version: 'v1',
      nearest_gene: 'blaKPC-2',
      nearest_family: 'blaKPC',
      nearest_subclass: 'CARBAPENEM',
      carbapenemase: 'yes',
      bitscore: 594.2,
      evalue: 1.23e-170,
      method: 'CLOSE',
    });
    expect(table.rows[1]).toMatchObject({
      index: 1,
      protein_id: 'odd,id',
      nearest_reference: null,
      identity: null,
      coverage: null,
      novelty: 'novel',
      nearest_gene: null,
      carbapenemase: null,
      bitscore: null,
      method: 'NONE',
    });
  });

  it('reads a binary table (no per-class columns)', () => {
    const csv =
      'protein_id,predicted_label,confidence_score,prob_betalactamase,nearest_reference,nearest_reference_label,identity,coverage,novelty,model_version\nq1,Betalactamase,0.9,0.9,R1,A,50.0,80.0,distant,v2\n';
    const table = parsePredictionCsv(csv);
    expect(table.classLabels).toEqual([]);
    expect(table.rows[0]).toMatchObject({ predicted_label: 'Betalactamase', probabilities: {} });
    // A table from before the named-evidence columns: they read as absent.
    expect(table.rows[0]).toMatchObject({ nearest_gene: null, evalue: null, method: null });
  });

  it('says which columns are missing', () => {
    expect(() => parsePredictionCsv('protein_id,label\nq1,A\n')).toThrow(TableFormatError);
    expect(() => parsePredictionCsv('protein_id,label\nq1,A\n')).toThrow(/predicted_label/);
    expect(() => parsePredictionCsv('')).toThrow(/empty/);
  });
});
