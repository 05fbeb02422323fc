// Runs every validation rule over one input and gives the report: verdicts, findings, and the statistics for the plots.
import { BINARY_NEGATIVE, BINARY_POSITIVE, negativeLabel } from '../domain.ts';
import { throwIfAborted } from '../errors.ts';
import { STANDARD_AMINO_ACIDS } from '../sequence/alphabet.ts';
import type { PairAligner } from '../sequence/pair-aligner.ts';
import type { RuleName, ValidationSettings } from './settings.ts';
import { VALIDATION_RULES } from './settings.ts';
import { findSimilarPairs } from './similar-pairs.ts';
import type { ClassCount, Finding, RuleResult, ValidationReport } from './validation-report.ts';
import type { SplitSide, ValidationInput, ValidationRecord } from './validation-input.ts';
import { SPLIT_SIDES } from './validation-input.ts';

export interface ValidateDeps {
  /** Smith-Waterman for the near-duplicate and leakage searches (the native addon when built). */
  readonly aligner: PairAligner;
  /** Milliseconds, for the timings (core reads no clock). */
  readonly now: () => number;
  readonly signal?: AbortSignal | undefined;
}

const TITLES: Readonly<Record<RuleName, string>> = {
  dimensions: 'Vector shape and type',
  finite: 'NaN and infinite values',
  duplicate_ids: 'Duplicate protein ids',
  duplicate_sequences: 'Identical sequences',
  duplicate_vectors: 'Identical vectors',
  near_duplicates: 'Near-duplicate sequences',
  split_leakage: 'Leakage across the split',
  class_balance: 'Class balance',
  unknown_labels: 'Labels outside the task',
  invalid_residues: 'Invalid residues',
  ambiguous_residues: 'Unknown or ambiguous residues (X)',
  length_outliers: 'Length outliers',
  composition_outliers: 'Composition outliers',
};

/** What a check returns before severity and the listing cap are applied. */
interface Outcome {
  readonly applicable: boolean;
  readonly summary: string;
  readonly findings: readonly Finding[];
}

const skipped = (summary: string): Outcome => ({ applicable: false, summary, findings: [] });

const percent = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;

export function validateInput(
  input: ValidationInput,
  settings: ValidationSettings,
  deps: ValidateDeps,
): ValidationReport {
  const timings: Record<string, number> = {};
  const records = input.records;
  const withSequence = records.filter((r) => r.sequence !== undefined);
  const outcomes = new Map<RuleName, Outcome>();
  for (const rule of VALIDATION_RULES) {
    throwIfAborted(deps.signal, 'Validation');
    if (settings.rules[rule] === 'off') {
      continue;
    }
    const started = deps.now();
    outcomes.set(rule, CHECKS[rule](input, settings, deps, withSequence));
    timings[rule] = Math.round(deps.now() - started);
  }
  const rules: RuleResult[] = VALIDATION_RULES.map((rule) => {
    const severity = settings.rules[rule];
    const outcome = outcomes.get(rule);
    if (outcome === undefined) {
      return {
        rule,
        title: TITLES[rule],
        severity,
        status: 'off',
        summary: 'not checked (off)',
        count: 0,
        findings: [],
      };
    }
    return {
      rule,
      title: TITLES[rule],
      severity,
      status: !outcome.applicable ? 'skipped' : outcome.findings.length > 0 ? 'fail' : 'pass',
      summary: outcome.summary,
      count: outcome.findings.length,
      findings: outcome.findings.slice(0, settings.maxListed),
    };
  });
  const failedRules = rules
    .filter((r) => r.status === 'fail' && r.severity === 'error')
    .map((r) => r.rule);
  const warningRules = rules
    .filter((r) => r.status === 'fail' && r.severity === 'warning')
    .map((r) => r.rule);
  return {
    source: input.source,
    format: input.format,
    task: input.task,
    split: input.split?.source,
    passed: failedRules.length === 0,
    failedRules,
    warningRules,
    rules,
    stats: statistics(input),
    notes: input.notes,
    timings,
  };
}

type Check = (
  input: ValidationInput,
  settings: ValidationSettings,
  deps: ValidateDeps,
  withSequence: readonly ValidationRecord[],
) => Outcome;

const CHECKS: Readonly<Record<RuleName, Check>> = {
  dimensions: checkDimensions,
  finite: checkFinite,
  duplicate_ids: checkDuplicateIds,
  duplicate_sequences: checkDuplicateSequences,
  duplicate_vectors: checkDuplicateVectors,
  near_duplicates: checkNearDuplicates,
  split_leakage: checkSplitLeakage,
  class_balance: checkClassBalance,
  unknown_labels: checkUnknownLabels,
  invalid_residues: checkInvalidResidues,
  ambiguous_residues: checkAmbiguousResidues,
  length_outliers: checkLengthOutliers,
  composition_outliers: checkCompositionOutliers,
};

const where = (r: ValidationRecord, input: ValidationInput): string =>
  r.file === input.source ? `'${r.id}'` : `'${r.id}' (${r.file})`;

/** The expected vector length: configured, else the most common length of the 1-D vectors. */
function expectedDimension(input: ValidationInput, settings: ValidationSettings): number | null {
  if (settings.expectedDim !== null) {
    return settings.expectedDim;
  }
  const counts = new Map<number, number>();
  for (const r of input.records) {
    if (r.vector?.shape.length === 1) {
      const d = r.vector.shape[0] as number;
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
  }
  let best: number | null = null;
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount || (c === bestCount && best !== null && d < best)) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

function checkDimensions(input: ValidationInput, settings: ValidationSettings): Outcome {
  const vectors = input.records.filter((r) => r.vector !== undefined);
  if (vectors.length === 0) {
    return skipped('no vectors in this input (FASTA)');
  }
  const dim = expectedDimension(input, settings);
  const findings: Finding[] = [];
  for (const r of vectors) {
    const v = r.vector;
    if (v === undefined) {
      continue;
    }
    const problems: string[] = [];
    if (v.shape.length !== 1) {
      problems.push(
        `shape [${v.shape.join(', ')}]${v.shape.length === 2 ? ' (one vector per residue: mean-pool it)' : ''}, not one 1-D vector`,
      );
    } else if (dim !== null && v.shape[0] !== dim) {
      problems.push(`${v.shape[0]} values, not ${dim}`);
    }
    if (!v.dtype.startsWith('float')) {
      problems.push(`type ${v.dtype}, not floating point`);
    } else if (v.values === undefined) {
      problems.push(`type ${v.dtype} cannot be read`);
    }
    if (problems.length > 0) {
      findings.push({ ids: [r.id], message: `${where(r, input)}: ${problems.join('; ')}` });
    }
  }
  const types = [...new Set(vectors.map((r) => r.vector?.dtype ?? ''))].join(', ');
  return {
    applicable: true,
    summary: `${vectors.length} vectors, expected 1-D ${dim ?? '?'} values of a float type${settings.expectedDim === null ? ' (the most common length)' : ' (validation.expected_dim)'}; types seen: ${types}; ${findings.length} wrong`,
    findings,
  };
}

function checkFinite(input: ValidationInput): Outcome {
  const vectors = input.records.filter((r) => r.vector?.values !== undefined);
  if (vectors.length === 0) {
    return skipped('no readable vectors in this input');
  }
  const findings: Finding[] = [];
  for (const r of vectors) {
    const values = r.vector?.values ?? new Float32Array(0);
    let nan = 0;
    let inf = 0;
    let first = -1;
    for (let i = 0; i < values.length; i++) {
      const x = values[i] as number;
      if (Number.isNaN(x)) {
        nan++;
      } else if (!Number.isFinite(x)) {
        inf++;
      } else {
        continue;
      }
      if (first < 0) {
        first = i;
      }
    }
    if (nan + inf > 0) {
      findings.push({
        ids: [r.id],
        message: `${where(r, input)}: ${nan} NaN and ${inf} infinite values (first at index ${first})`,
      });
    }
  }
  return {
    applicable: true,
    summary: `${vectors.length} vectors scanned for NaN and ±Infinity; ${findings.length} have some`,
    findings,
  };
}

function checkDuplicateIds(input: ValidationInput): Outcome {
  const files = new Map<string, string[]>();
  for (const r of input.records) {
    const list = files.get(r.id);
    if (list === undefined) {
      files.set(r.id, [r.file]);
    } else {
      list.push(r.file);
    }
  }
  const findings: Finding[] = [];
  for (const [id, list] of files) {
    if (list.length > 1) {
      const inFiles = new Set(list).size > 1 ? ` (in ${[...new Set(list)].join(', ')})` : '';
      findings.push({ ids: [id], message: `'${id}' is used by ${list.length} records${inFiles}` });
    }
  }
  return {
    applicable: true,
    summary: `${input.records.length} records, ${files.size} distinct ids; ${findings.length} ids used more than once`,
    findings,
  };
}

/** Groups of records sharing a key (two or more), in input order. */
function groupsBy(
  records: readonly ValidationRecord[],
  key: (r: ValidationRecord) => string | undefined,
): ValidationRecord[][] {
  const groups = new Map<string, ValidationRecord[]>();
  for (const r of records) {
    const k = key(r);
    if (k === undefined) {
      continue;
    }
    const g = groups.get(k);
    if (g === undefined) {
      groups.set(k, [r]);
    } else {
      g.push(r);
    }
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

function labelsOf(group: readonly ValidationRecord[]): string {
  const labels = [...new Set(group.map((r) => r.label ?? r.rawLabel ?? ''))].filter(
    (l) => l !== '',
  );
  return labels.length > 1 ? ` with different labels (${labels.join(', ')})` : '';
}

function checkDuplicateSequences(
  _input: ValidationInput,
  _settings: ValidationSettings,
  _deps: ValidateDeps,
  withSequence: readonly ValidationRecord[],
): Outcome {
  if (withSequence.length === 0) {
    return skipped('no sequences in this input (vectors only)');
  }
  const groups = groupsBy(withSequence, (r) => r.sequence);
  const findings = groups.map((g) => ({
    ids: g.map((r) => r.id),
    message: `${g.length} records have the same ${(g[0]?.sequence ?? '').length}-residue sequence${labelsOf(g)}: ${g.map((r) => r.id).join(', ')}`,
  }));
  const extra = groups.reduce((n, g) => n + g.length - 1, 0);
  return {
    applicable: true,
    summary: `${withSequence.length} sequences; ${groups.length} groups of identical sequences (${extra} redundant records)`,
    findings,
  };
}

/** A vector's bytes as a string key: identical vectors, bit for bit (as the original's md5 of tobytes()). */
function vectorKey(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let key = `${values.length}:`;
  for (let i = 0; i < bytes.length; i += 4096) {
    key += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return key;
}

function checkDuplicateVectors(input: ValidationInput): Outcome {
  const vectors = input.records.filter((r) => r.vector?.values !== undefined);
  if (vectors.length === 0) {
    return skipped('no readable vectors in this input');
  }
  const groups = groupsBy(vectors, (r) =>
    r.vector?.values === undefined ? undefined : vectorKey(r.vector.values),
  );
  const findings = groups.map((g) => ({
    ids: g.map((r) => r.id),
    message: `${g.length} records have the same vector${labelsOf(g)}: ${g.map((r) => where(r, input)).join(', ')}`,
  }));
  return {
    applicable: true,
    summary: `${vectors.length} vectors; ${groups.length} groups of identical vectors`,
    findings,
  };
}

function checkNearDuplicates(
  _input: ValidationInput,
  settings: ValidationSettings,
  deps: ValidateDeps,
  withSequence: readonly ValidationRecord[],
): Outcome {
  if (withSequence.length < 2) {
    return skipped('needs two or more sequences');
  }
  // Identical sequences are the duplicate_sequences rule's; one copy of each is searched.
  const unique = new Map<string, ValidationRecord>();
  for (const r of withSequence) {
    const s = r.sequence ?? '';
    if (!unique.has(s)) {
      unique.set(s, r);
    }
  }
  const reps = [...unique.values()];
  const pairs = findSimilarPairs(
    reps.map((r) => r.sequence ?? ''),
    'self',
    deps.aligner,
    {
      threshold: settings.nearDuplicateIdentity,
      candidates: settings.candidates,
      groupsOnly: true,
      signal: deps.signal,
    },
  );
  // Groups: connected components of the pairs.
  const parent = reps.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      i = parent[i] as number;
    }
    return i;
  };
  const best = new Map<number, number>();
  for (const p of pairs) {
    parent[root(p.query)] = root(p.target);
  }
  const members = new Map<number, number[]>();
  reps.forEach((_, i) => {
    const r = root(i);
    members.set(r, [...(members.get(r) ?? []), i]);
  });
  for (const p of pairs) {
    const r = root(p.query);
    best.set(r, Math.min(best.get(r) ?? 1, p.identity));
  }
  const groups = [...members.entries()].filter(([, m]) => m.length > 1);
  const findings = groups
    .sort((a, b) => b[1].length - a[1].length)
    .map(([r, m]) => {
      const group = m.map((i) => reps[i] as ValidationRecord);
      const shown = group.slice(0, 8).map((x) => x.id);
      return {
        ids: group.map((x) => x.id),
        message: `${group.length} sequences linked at ≥ ${percent(settings.nearDuplicateIdentity, 0)} identity (weakest link ${percent(best.get(r) ?? 1)})${labelsOf(group)}: ${shown.join(', ')}${group.length > shown.length ? `, … ${group.length - shown.length} more` : ''}`,
      };
    });
  const inGroups = groups.reduce((n, [, m]) => n + m.length, 0);
  return {
    applicable: true,
    summary: `${reps.length} distinct sequences searched at ≥ ${percent(settings.nearDuplicateIdentity, 0)} identity (identical positions / shorter length, Smith-Waterman): ${inGroups} sequences in ${groups.length} near-duplicate groups`,
    findings,
  };
}

function checkSplitLeakage(
  input: ValidationInput,
  settings: ValidationSettings,
  deps: ValidateDeps,
): Outcome {
  const split = input.split;
  if (split === undefined) {
    return skipped('no saved split given (--split FILE)');
  }
  const findings: Finding[] = [];
  for (const [id, sides] of split.sides) {
    if (sides.length > 1) {
      findings.push({ ids: [id], message: `'${id}' is listed in ${sides.join(' and ')}` });
    }
  }
  const bySide = new Map<SplitSide, ValidationRecord[]>(SPLIT_SIDES.map((s) => [s, []]));
  for (const r of input.records) {
    const sides = split.sides.get(r.id);
    if (sides?.length === 1) {
      bySide.get(sides[0] as SplitSide)?.push(r);
    }
  }
  const sideOf = (r: ValidationRecord): SplitSide | undefined => split.sides.get(r.id)?.[0];
  const placed = input.records.filter((r) => split.sides.get(r.id)?.length === 1);
  const crossSide = (g: readonly ValidationRecord[]): boolean =>
    new Set(g.map((r) => sideOf(r))).size > 1;
  for (const g of groupsBy(placed, (r) => r.sequence)) {
    if (crossSide(g)) {
      findings.push({
        ids: g.map((r) => r.id),
        message: `identical sequences on different sides: ${g.map((r) => `${r.id} (${sideOf(r) ?? '?'})`).join(', ')}`,
      });
    }
  }
  for (const g of groupsBy(placed, (r) =>
    r.vector?.values === undefined ? undefined : vectorKey(r.vector.values),
  )) {
    if (crossSide(g)) {
      findings.push({
        ids: g.map((r) => r.id),
        message: `identical vectors on different sides: ${g.map((r) => `${r.id} (${sideOf(r) ?? '?'})`).join(', ')}`,
      });
    }
  }
  let searched = 0;
  // Near-identical across sides: validation and test each against train, and test against validation.
  for (const [from, to] of [
    ['val', 'train'],
    ['test', 'train'],
    ['test', 'val'],
  ] as const) {
    const queries = (bySide.get(from) ?? []).filter((r) => r.sequence !== undefined);
    const targets = (bySide.get(to) ?? []).filter((r) => r.sequence !== undefined);
    if (queries.length === 0 || targets.length === 0) {
      continue;
    }
    searched += queries.length;
    const pairs = findSimilarPairs(
      queries.map((r) => r.sequence ?? ''),
      targets.map((r) => r.sequence ?? ''),
      deps.aligner,
      { threshold: settings.leakageIdentity, candidates: settings.candidates, signal: deps.signal },
    );
    // One finding per query protein: its closest relative on the other side.
    const closest = new Map<number, { target: number; identity: number }>();
    for (const p of pairs) {
      const c = closest.get(p.query);
      if (c === undefined || p.identity > c.identity) {
        closest.set(p.query, { target: p.target, identity: p.identity });
      }
    }
    for (const [q, c] of closest) {
      const a = queries[q] as ValidationRecord;
      const b = targets[c.target] as ValidationRecord;
      if (a.sequence === b.sequence) {
        continue; // reported above as identical
      }
      findings.push({
        ids: [a.id, b.id],
        message: `${from} protein '${a.id}' is ${percent(c.identity)} identical to ${to} protein '${b.id}'`,
      });
    }
  }
  const listed = [...split.sides.keys()];
  const present = new Set(input.records.map((r) => r.id));
  const absent = listed.filter((id) => !present.has(id)).length;
  const unplaced = input.records.filter((r) => !split.sides.has(r.id)).length;
  return {
    applicable: true,
    summary: `split ${split.source}: train ${bySide.get('train')?.length ?? 0}, val ${bySide.get('val')?.length ?? 0}, test ${bySide.get('test')?.length ?? 0} proteins of the input${absent > 0 ? ` (${absent} listed ids are not in the input)` : ''}${unplaced > 0 ? ` (${unplaced} input proteins are on no side)` : ''}; ids on two sides, identical sequences or vectors across sides, and ${searched} sequences searched for a relative at ≥ ${percent(settings.leakageIdentity, 0)} identity on an earlier side: ${findings.length} leaks`,
    findings,
  };
}

function binaryLabel(input: ValidationInput, label: string): string {
  if (input.task === 'binary') {
    return label;
  }
  return label === negativeLabel(input.task) ? BINARY_NEGATIVE : BINARY_POSITIVE;
}

function classCounts(labels: readonly string[], order: readonly string[]): ClassCount[] {
  const counts = new Map<string, number>(order.map((l) => [l, 0]));
  for (const l of labels) {
    counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  const total = labels.length;
  return [...counts].map(([label, count]) => ({
    label,
    count,
    fraction: total > 0 ? count / total : 0,
  }));
}

function knownLabels(input: ValidationInput): string[] {
  return input.records.flatMap((r) => (r.label === undefined ? [] : [r.label]));
}

function checkClassBalance(input: ValidationInput, settings: ValidationSettings): Outcome {
  if (!input.labelled) {
    return skipped('the input has no labels');
  }
  const labels = knownLabels(input);
  const binary = settings.classBalanceView === 'binary';
  const counts = binary
    ? classCounts(
        labels.map((l) => binaryLabel(input, l)),
        [BINARY_POSITIVE, BINARY_NEGATIVE],
      )
    : classCounts(labels, input.taskLabels);
  const findings = counts
    .filter((c) => c.fraction < settings.minClassFraction)
    .map((c) => ({
      ids: [],
      message: `class '${c.label}' has ${c.count} of ${labels.length} proteins (${percent(c.fraction)}), below ${percent(settings.minClassFraction, 0)}`,
    }));
  return {
    applicable: true,
    summary: `${binary ? 'beta-lactamase vs not (the original rule; validation.class_balance_view=task checks every label)' : 'every label of the task'}: ${counts.map((c) => `${c.label} ${percent(c.fraction)}`).join(', ')}; each must be ≥ ${percent(settings.minClassFraction, 0)}`,
    findings,
  };
}

function checkUnknownLabels(input: ValidationInput): Outcome {
  if (!input.labelled) {
    return skipped('the input has no labels');
  }
  const unknown = input.records.filter((r) => r.label === undefined);
  const byLabel = new Map<string, ValidationRecord[]>();
  for (const r of unknown) {
    const l = r.rawLabel ?? '';
    byLabel.set(l, [...(byLabel.get(l) ?? []), r]);
  }
  const findings = [...byLabel].map(([label, rs]) => ({
    ids: rs.map((r) => r.id),
    message: `${rs.length} records labelled ${label === '' ? '(none)' : `'${label}'`}, not a ${input.task} label (${input.taskLabels.join(', ')}): ${rs
      .slice(0, 5)
      .map((r) => where(r, input))
      .join(', ')}${rs.length > 5 ? ', …' : ''}`,
  }));
  return {
    applicable: true,
    summary: `${input.records.length} labels checked against the ${input.task} task's ${input.taskLabels.join(', ')}; ${unknown.length} outside it`,
    findings,
  };
}

function checkInvalidResidues(
  input: ValidationInput,
  _s: ValidationSettings,
  _d: ValidateDeps,
  withSequence: readonly ValidationRecord[],
): Outcome {
  if (withSequence.length === 0) {
    return skipped('no sequences in this input');
  }
  const findings = withSequence
    .filter((r) => (r.invalidResidues?.length ?? 0) > 0)
    .map((r) => {
      const bad = r.invalidResidues ?? [];
      const chars = [...new Set(bad.map((b) => b.char))].map((c) => `'${c}'`).join(', ');
      return {
        ids: [r.id],
        message: `${where(r, input)}: ${bad.length} characters that are not amino acids (${chars}; first at position ${bad[0]?.position ?? 0})`,
      };
    });
  return {
    applicable: true,
    summary: `${withSequence.length} sequences; ${findings.length} contain digits, punctuation, non-ASCII or an inner '*' (the FASTA reader refuses them)`,
    findings,
  };
}

function checkAmbiguousResidues(
  input: ValidationInput,
  settings: ValidationSettings,
  _d: ValidateDeps,
  withSequence: readonly ValidationRecord[],
): Outcome {
  if (withSequence.length === 0) {
    return skipped('no sequences in this input');
  }
  const findings: Finding[] = [];
  for (const r of withSequence) {
    const s = r.sequence ?? '';
    let x = 0;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) === 88) {
        x++;
      }
    }
    const share = s.length > 0 ? x / s.length : 0;
    if (share > settings.maxAmbiguousFraction) {
      findings.push({
        ids: [r.id],
        message: `${where(r, input)}: ${x} of ${s.length} residues are X (${percent(share)})`,
      });
    }
  }
  return {
    applicable: true,
    summary: `share of X (unknown, or B, J, O, U, Z read as X) per sequence must be ≤ ${percent(settings.maxAmbiguousFraction, 0)}; ${findings.length} above`,
    findings,
  };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0
    ? 0
    : s.length % 2 === 1
      ? (s[m] as number)
      : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Robust z-scores: 0.6745 (x − median) / MAD, with a floor on the MAD so a uniform group does not flag its every variant. */
function robustZ(values: readonly number[], madFloor: number): number[] {
  const med = median(values);
  const mad = Math.max(median(values.map((v) => Math.abs(v - med))), madFloor);
  return values.map((v) => (0.6745 * (v - med)) / mad);
}

function groupKey(r: ValidationRecord, input: ValidationInput): string {
  return input.labelled ? (r.label ?? r.rawLabel ?? '?') : 'all';
}

function checkLengthOutliers(
  input: ValidationInput,
  settings: ValidationSettings,
  _d: ValidateDeps,
  withSequence: readonly ValidationRecord[],
): Outcome {
  if (withSequence.length < 5) {
    return skipped('needs five or more sequences');
  }
  const groups = new Map<string, ValidationRecord[]>();
  for (const r of withSequence) {
    const k = groupKey(r, input);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const findings: Finding[] = [];
  for (const [label, rs] of groups) {
    if (rs.length < 5) {
      continue;
    }
    const lengths = rs.map((r) => (r.sequence ?? '').length);
    // Log lengths: a 2× longer protein is as far out as a 2× shorter one. Floor: 2% of length.
    const z = robustZ(
      lengths.map((l) => Math.log10(Math.max(1, l))),
      Math.log10(1.02),
    );
    const med = median(lengths);
    rs.forEach((r, i) => {
      const zi = z[i] as number;
      if (Math.abs(zi) > settings.lengthOutlierZ) {
        findings.push({
          ids: [r.id],
          message: `${where(r, input)}: ${lengths[i]} residues, robust z ${zi.toFixed(1)} against the ${input.labelled ? `'${label}'` : ''} median ${med}`,
        });
      }
    });
  }
  return {
    applicable: true,
    summary: `lengths${input.labelled ? ' per label' : ''} with a robust z-score (median, MAD of log length) beyond ±${settings.lengthOutlierZ}: ${findings.length}`,
    findings,
  };
}

function composition(sequence: string): Float64Array {
  const f = new Float64Array(STANDARD_AMINO_ACIDS.length);
  let n = 0;
  for (let i = 0; i < sequence.length; i++) {
    const k = STANDARD_AMINO_ACIDS.indexOf(sequence.charAt(i));
    if (k >= 0) {
      f[k] = (f[k] as number) + 1;
      n++;
    }
  }
  return n > 0 ? f.map((x) => x / n) : f;
}

function checkCompositionOutliers(
  input: ValidationInput,
  settings: ValidationSettings,
  _d: ValidateDeps,
  withSequence: readonly ValidationRecord[],
): Outcome {
  if (withSequence.length < 5) {
    return skipped('needs five or more sequences');
  }
  const comps = withSequence.map((r) => composition(r.sequence ?? ''));
  const centre = Array.from({ length: STANDARD_AMINO_ACIDS.length }, (_, k) =>
    median(comps.map((c) => c[k] as number)),
  );
  // Total variation distance from the median composition, in [0, 1].
  const distance = comps.map(
    (c) => c.reduce((s, x, k) => s + Math.abs(x - (centre[k] as number)), 0) / 2,
  );
  const z = robustZ(distance, 0.01);
  const findings: Finding[] = [];
  withSequence.forEach((r, i) => {
    const zi = z[i] as number;
    if (zi > settings.compositionOutlierZ) {
      const c = comps[i] as Float64Array;
      const top = [...c.keys()]
        .sort((a, b) => (c[b] as number) - (c[a] as number))
        .slice(0, 3)
        .map((k) => `${STANDARD_AMINO_ACIDS.charAt(k)} ${percent(c[k] as number, 0)}`)
        .join(', ');
      findings.push({
        ids: [r.id],
        message: `${where(r, input)}: amino-acid composition ${((distance[i] as number) * 100).toFixed(0)}% away from the median protein (robust z ${zi.toFixed(1)}; most common ${top})`,
      });
    }
  });
  return {
    applicable: true,
    summary: `distance of each sequence's amino-acid composition from the median composition (total variation), robust z-score above ${settings.compositionOutlierZ}: ${findings.length}`,
    findings,
  };
}

function statistics(input: ValidationInput): ValidationReport['stats'] {
  const labels = knownLabels(input);
  const unknown = input.records.flatMap((r) =>
    r.label === undefined && r.rawLabel !== undefined ? [r.rawLabel] : [],
  );
  const lengths: Record<string, number[]> = {};
  for (const r of input.records) {
    if (r.sequence !== undefined) {
      (lengths[groupKey(r, input)] ??= []).push(r.sequence.length);
    }
  }
  const dims = new Map<number, number>();
  for (const r of input.records) {
    if (r.vector?.shape.length === 1) {
      const d = r.vector.shape[0] as number;
      dims.set(d, (dims.get(d) ?? 0) + 1);
    }
  }
  const splitSizes =
    input.split === undefined
      ? undefined
      : (Object.fromEntries(
          SPLIT_SIDES.map((s) => [
            s,
            [...(input.split?.sides.values() ?? [])].filter((v) => v.includes(s)).length,
          ]),
        ) as Record<SplitSide, number>);
  return {
    records: input.records.length,
    labelled: input.labelled,
    classes: input.labelled ? classCounts([...labels, ...unknown], input.taskLabels) : [],
    binaryClasses: input.labelled
      ? classCounts(
          labels.map((l) => binaryLabel(input, l)),
          [BINARY_POSITIVE, BINARY_NEGATIVE],
        )
      : [],
    lengths,
    dimensions: [...dims].sort((a, b) => b[1] - a[1]).map(([dim, count]) => ({ dim, count })),
    splitSizes,
  };
}
