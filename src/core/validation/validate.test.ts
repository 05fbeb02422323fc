import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import { createJsPairAligner } from '../sequence/pair-aligner.ts';
import { randomProtein } from '../sequence/test-support/random-fasta.ts';
import { auditResidues } from './residues.ts';
import { DEFAULT_VALIDATION_SETTINGS, type ValidationSettings } from './settings.ts';
import { findSimilarPairs, wordLength } from './similar-pairs.ts';
import { validateInput } from './validate.ts';
import type { ValidationInput, ValidationRecord, SplitSide } from './validation-input.ts';

const LABELS = ['A', 'B', 'C', 'D', 'NBL'];
const deps = { aligner: createJsPairAligner(), now: () => 0 };

/** `sequence` with every `every`-th residue changed (identity ≈ 1 − 1/every). */
function mutate(sequence: string, every: number): string {
  return Array.from(sequence, (c, i) =>
    i % every === every - 1 ? (c === 'W' ? 'Y' : 'W') : c,
  ).join('');
}

function sequenceInput(
  records: readonly ValidationRecord[],
  split?: Record<string, SplitSide[]>,
): ValidationInput {
  return {
    source: 'in.fa',
    format: 'fasta',
    task: 'multiclass',
    taskLabels: LABELS,
    labelled: true,
    records,
    notes: [],
    ...(split === undefined
      ? {}
      : { split: { source: 'split.json', sides: new Map(Object.entries(split)) } }),
  };
}

function rule(
  input: ValidationInput,
  name: string,
  settings: ValidationSettings = DEFAULT_VALIDATION_SETTINGS,
) {
  const report = validateInput(input, settings, deps);
  const r = report.rules.find((x) => x.rule === name);
  if (r === undefined) {
    throw new Error(`no rule ${name}`);
  }
  return { report, r };
}

/** 60 proteins, 12 per class, all unrelated: a clean dataset. */
function cleanRecords(seed = 5): ValidationRecord[] {
  const rng = createRng(seed);
  return Array.from({ length: 60 }, (_, i) => ({
    id: `p${i}`,
    file: 'in.fa',
    rawLabel: LABELS[i % 5],
    label: LABELS[i % 5],
    sequence: randomProtein(rng, 200 + (i % 7) * 3),
  }));
}

describe('validateInput', () => {
  it('passes a clean dataset, skipping what does not apply', () => {
    const report = validateInput(sequenceInput(cleanRecords()), DEFAULT_VALIDATION_SETTINGS, deps);
    expect(report.failedRules).toEqual([]);
    expect(report.passed).toBe(true);
    const status = Object.fromEntries(report.rules.map((r) => [r.rule, r.status]));
    expect(status).toMatchObject({
      dimensions: 'skipped',
      finite: 'skipped',
      split_leakage: 'skipped',
      duplicate_sequences: 'pass',
      near_duplicates: 'pass',
      class_balance: 'pass',
    });
  });

  it('finds planted identical sequences and groups near-duplicates', () => {
    const records = cleanRecords();
    const base = records[0]?.sequence ?? '';
    const planted = [
      ...records,
      { id: 'copy0', file: 'in.fa', rawLabel: 'B', label: 'B', sequence: base },
      { id: 'near0', file: 'in.fa', rawLabel: 'A', label: 'A', sequence: mutate(base, 25) },
      { id: 'near1', file: 'in.fa', rawLabel: 'A', label: 'A', sequence: mutate(base, 30) },
    ];
    const dup = rule(sequenceInput(planted), 'duplicate_sequences');
    expect(dup.r.status).toBe('fail');
    expect(dup.r.findings.map((f) => [...f.ids].sort())).toEqual([['copy0', 'p0']]);
    expect(dup.r.findings[0]?.message).toContain('different labels (A, B)');
    expect(dup.report.passed).toBe(false);
    const near = rule(sequenceInput(planted), 'near_duplicates').r;
    expect(near.status).toBe('fail');
    expect(near.severity).toBe('warning');
    // One copy of the identical pair is searched: p0 (or copy0) with near0 and near1.
    expect(near.findings).toHaveLength(1);
    expect([...(near.findings[0]?.ids ?? [])].sort()).toEqual(['near0', 'near1', 'p0']);
  });

  it('finds a planted train/test leak: an id on two sides, an identical and a 96% identical sequence', () => {
    const records = cleanRecords();
    const s = (i: number): string => records[i]?.sequence ?? '';
    const leaky = [
      ...records,
      { id: 'test_copy', file: 'in.fa', rawLabel: 'A', label: 'A', sequence: s(0) },
      { id: 'test_near', file: 'in.fa', rawLabel: 'B', label: 'B', sequence: mutate(s(1), 25) },
    ];
    const sides: Record<string, SplitSide[]> = {};
    records.forEach((r, i) => (sides[r.id] = [i < 40 ? 'train' : i < 50 ? 'val' : 'test']));
    sides['test_copy'] = ['test'];
    sides['test_near'] = ['test'];
    sides['p2'] = ['train', 'test'];
    const { r, report } = rule(sequenceInput(leaky, sides), 'split_leakage');
    expect(r.status).toBe('fail');
    expect(report.failedRules).toContain('split_leakage');
    const messages = r.findings.map((f) => f.message);
    expect(messages).toContainEqual("'p2' is listed in train and test");
    expect(
      messages.some(
        (m) =>
          m.includes('identical sequences on different sides') && m.includes('test_copy (test)'),
      ),
    ).toBe(true);
    expect(
      messages.some((m) =>
        /test protein 'test_near' is 9\d\.\d% identical to train protein 'p1'/.test(m),
      ),
    ).toBe(true);
    // Without the planted rows the same split is clean.
    const clean = rule(
      sequenceInput(records, Object.fromEntries(Object.entries(sides).filter(([k]) => k !== 'p2'))),
      'split_leakage',
    );
    expect(clean.r.status).toBe('pass');
  });

  it("applies the original's ≥ 10% rule to beta-lactamase vs not, or to every label", () => {
    const records = cleanRecords().map((r, i) => {
      const label = i < 4 ? 'A' : 'NBL';
      return { ...r, rawLabel: label, label };
    });
    const { r } = rule(sequenceInput(records), 'class_balance');
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.message)).toEqual([
      "class 'Betalactamase' has 4 of 60 proteins (6.7%), below 10%",
    ]);
    const balanced = cleanRecords();
    expect(rule(sequenceInput(balanced), 'class_balance').r.status).toBe('pass');
    const perLabel = {
      ...DEFAULT_VALIDATION_SETTINGS,
      classBalanceView: 'task',
      minClassFraction: 0.25,
    } as const;
    expect(rule(sequenceInput(balanced), 'class_balance', perLabel).r.count).toBe(5);
  });

  it('finds labels outside the task, invalid and ambiguous residues, and a length outlier', () => {
    const records = cleanRecords();
    const audited = auditResidues('MKV1LA-B*Q\nRS*');
    expect(audited).toEqual({
      sequence: 'MKVLAXQRS',
      invalid: [
        { char: '1', position: 4 },
        { char: '*', position: 8 },
      ],
    });
    const odd = [
      ...records,
      {
        id: 'lab',
        file: 'in.fa',
        rawLabel: 'E',
        label: undefined,
        sequence: (records[3]?.sequence ?? '').slice(1),
      },
      {
        id: 'bad',
        file: 'in.fa',
        rawLabel: 'A',
        label: 'A',
        sequence: audited.sequence,
        invalidResidues: audited.invalid,
      },
      {
        id: 'xx',
        file: 'in.fa',
        rawLabel: 'C',
        label: 'C',
        sequence: 'X'.repeat(60) + (records[5]?.sequence ?? ''),
      },
      {
        id: 'long',
        file: 'in.fa',
        rawLabel: 'D',
        label: 'D',
        sequence: (records[8]?.sequence ?? '').repeat(5),
      },
    ];
    const report = validateInput(sequenceInput(odd), DEFAULT_VALIDATION_SETTINGS, deps);
    const by = Object.fromEntries(report.rules.map((r) => [r.rule, r]));
    expect(by['unknown_labels']?.findings[0]?.ids).toEqual(['lab']);
    expect(by['invalid_residues']?.findings.map((f) => f.ids[0])).toEqual(['bad']);
    // 'bad' is MKVLAXQRS: 1 X in 9 residues, above 10% too.
    expect(by['ambiguous_residues']?.findings.map((f) => f.ids[0])).toEqual(['bad', 'xx']);
    expect(by['length_outliers']?.findings.map((f) => f.ids[0])).toContain('long');
    expect(report.failedRules).toEqual(['unknown_labels', 'invalid_residues']);
  });

  it('finds a NaN vector, a wrong-dimension vector, a non-float dataset and identical vectors', () => {
    const rng = createRng(9);
    const vector = (dim: number): Float32Array =>
      Float32Array.from({ length: dim }, () => rng() - 0.5);
    const records: ValidationRecord[] = Array.from({ length: 20 }, (_, i) => {
      const values = vector(16);
      return {
        id: `v${i}`,
        file: i < 10 ? 'a.h5' : 'b.h5',
        rawLabel: 'x',
        vector: { shape: [16], dtype: 'float32', values },
      };
    });
    const nan = vector(16);
    nan[3] = Number.NaN;
    const same = records[0]?.vector?.values ?? new Float32Array(0);
    const input: ValidationInput = {
      source: 'folder',
      format: 'hdf5-folder',
      task: 'binary',
      taskLabels: ['Betalactamase', 'Non-Betalactamase'],
      labelled: false,
      notes: [],
      records: [
        ...records,
        { id: 'nan', file: 'a.h5', vector: { shape: [16], dtype: 'float32', values: nan } },
        { id: 'short', file: 'a.h5', vector: { shape: [8], dtype: 'float32', values: vector(8) } },
        { id: 'ints', file: 'a.h5', vector: { shape: [16], dtype: '32-bit integer' } },
        {
          id: 'twin',
          file: 'b.h5',
          vector: { shape: [16], dtype: 'float32', values: Float32Array.from(same) },
        },
      ],
    };
    const report = validateInput(input, DEFAULT_VALIDATION_SETTINGS, deps);
    const by = Object.fromEntries(report.rules.map((r) => [r.rule, r]));
    expect(by['finite']?.findings.map((f) => f.ids[0])).toEqual(['nan']);
    expect(by['finite']?.findings[0]?.message).toContain(
      '1 NaN and 0 infinite values (first at index 3)',
    );
    expect(by['dimensions']?.findings.map((f) => f.ids[0])).toEqual(['short', 'ints']);
    expect(by['dimensions']?.findings[0]?.message).toContain('8 values, not 16');
    expect(by['duplicate_vectors']?.findings.map((f) => [...f.ids].sort())).toEqual([
      ['twin', 'v0'],
    ]);
    expect(report.failedRules).toEqual(['dimensions', 'finite', 'duplicate_vectors']);
    const fixed = { ...DEFAULT_VALIDATION_SETTINGS, expectedDim: 8 };
    expect(
      validateInput(input, fixed, deps).rules.find((r) => r.rule === 'dimensions')?.count,
    ).toBe(23);
  });

  it('leaves a rule out when its severity is off, and only warns at warning', () => {
    const records = [
      ...cleanRecords(),
      {
        id: 'dup',
        file: 'in.fa',
        rawLabel: 'A',
        label: 'A',
        sequence: cleanRecords()[0]?.sequence,
      },
    ];
    const off = {
      ...DEFAULT_VALIDATION_SETTINGS,
      rules: { ...DEFAULT_VALIDATION_SETTINGS.rules, duplicate_sequences: 'off' },
    } as const;
    const warn = {
      ...DEFAULT_VALIDATION_SETTINGS,
      rules: { ...DEFAULT_VALIDATION_SETTINGS.rules, duplicate_sequences: 'warning' },
    } as const;
    expect(rule(sequenceInput(records), 'duplicate_sequences', off).r.status).toBe('off');
    const warned = rule(sequenceInput(records), 'duplicate_sequences', warn);
    expect(warned.r.status).toBe('fail');
    expect(warned.report.passed).toBe(true);
    expect(warned.report.warningRules).toContain('duplicate_sequences');
  });
});

describe('findSimilarPairs', () => {
  it('finds mutated copies at their identity and nothing among unrelated proteins', () => {
    const rng = createRng(11);
    const bases = Array.from({ length: 30 }, () => randomProtein(rng, 250));
    const copies = bases.slice(0, 10).map((s) => mutate(s, 20)); // 95% identical
    const pairs = findSimilarPairs(copies, bases, createJsPairAligner(), { threshold: 0.9 });
    expect(pairs.map((p) => [p.query, p.target])).toEqual(copies.map((_, i) => [i, i]));
    for (const p of pairs) {
      expect(p.identity).toBeCloseTo(0.952, 2);
    }
    expect(findSimilarPairs(bases, 'self', createJsPairAligner(), { threshold: 0.8 })).toEqual([]);
    // At 0.96 the 95% copies are below the threshold.
    expect(findSimilarPairs(copies, bases, createJsPairAligner(), { threshold: 0.96 })).toEqual([]);
  });

  it('picks word lengths from 4 to 8 by threshold', () => {
    expect([0.8, 0.9, 0.95, 0.99, 1].map(wordLength)).toEqual([4, 5, 8, 8, 8]);
  });
});
