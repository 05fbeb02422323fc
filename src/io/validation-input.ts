// Reads what `arginator validate` checks: FASTA (labelled or not), an HDF5 file or a per-class HDF5 folder, and a saved split.
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { NOT_BETALACTAMASE, type Task } from '../core/domain.ts';
import { inputError, isArginatorError } from '../core/errors.ts';
import type { FastaLimits } from '../core/sequence/fasta-parser.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { auditResidues } from '../core/validation/residues.ts';
import type {
  InputFormat,
  SplitSide,
  ValidationInput,
  ValidationRecord,
  ValidationSplit,
} from '../core/validation/validation-input.ts';
import { SPLIT_SIDES } from '../core/validation/validation-input.ts';
import { readFastaFile } from './fasta-source.ts';
import { hasHdf5Signature, inspectEmbeddings } from './h5wasm-embedding-store.ts';
import { defaultClassPattern, labelForFileName, listHdf5Files } from './hdf5-labelled-folder.ts';
import { normaliseLabel, readLabelsTable, readTextLines, splitHeaderId } from './labelled-fasta.ts';

export interface ReadValidationInputOptions {
  readonly task: Task;
  /** The task's labels (config task.labels). */
  readonly taskLabels: readonly string[];
  /** A TSV/CSV of id and label (FASTA only); else labels come from `>ID|LABEL` headers, if they carry them. */
  readonly labelsPath?: string | undefined;
  /** A saved split (split.json: train, val, test id lists). */
  readonly splitPath?: string | undefined;
  readonly limits?: Partial<FastaLimits> | undefined;
  readonly signal?: AbortSignal | undefined;
}

export async function readValidationInput(
  path: string,
  options: ReadValidationInputOptions,
): Promise<ValidationInput> {
  const info = await stat(path).catch((e: unknown) => {
    throw inputError(
      'validate.not-found',
      'the input does not exist',
      'give a FASTA file, an HDF5 embedding file, or a folder of per-class HDF5 files',
      { source: path },
      e,
    );
  });
  const split = options.splitPath === undefined ? undefined : await readSplit(options.splitPath);
  let read: Omit<ValidationInput, 'split' | 'task' | 'taskLabels' | 'source'>;
  if (info.isDirectory()) {
    read = await readFolder(path, options);
  } else if (await hasHdf5Signature(path)) {
    read = await readHdf5File(path, options);
  } else {
    read = await readFasta(path, options);
  }
  return {
    source: path,
    task: options.task,
    taskLabels: options.taskLabels,
    ...read,
    ...(split === undefined ? {} : { split }),
  };
}

type ReadResult = {
  readonly format: InputFormat;
  readonly labelled: boolean;
  readonly records: ValidationRecord[];
  readonly notes: string[];
};

function taskLabel(raw: string, options: ReadValidationInputOptions): string | undefined {
  const label = normaliseLabel(raw, options.task);
  return label !== undefined && options.taskLabels.includes(label) ? label : undefined;
}

async function readFasta(path: string, options: ReadValidationInputOptions): Promise<ReadResult> {
  const notes: string[] = [];
  let raw: { record: ProteinRecord; invalid?: ValidationRecord['invalidResidues'] }[];
  try {
    raw = [];
    for await (const record of readFastaFile(path, {
      source: path,
      duplicateIds: 'allow',
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })) {
      raw.push({ record });
    }
  } catch (e) {
    // The strict reader stops at the first invalid residue; validation lists them all instead.
    if (!isArginatorError(e) || e.reason !== 'fasta.invalid-residue') {
      throw e;
    }
    raw = await readFastaLeniently(path, options.signal);
    notes.push(
      'the FASTA has characters that are not amino acids, so it was read leniently: they are listed under invalid_residues and left out of the other checks',
    );
  }
  const file = path;
  if (options.labelsPath !== undefined) {
    const table = await readLabelsTable(options.labelsPath, {
      idColumn: 'id',
      labelColumn: 'label',
      signal: options.signal,
    });
    notes.push(`labels from ${options.labelsPath}`);
    return {
      format: 'fasta',
      labelled: true,
      notes,
      records: raw.map(({ record, invalid }) => {
        const rawLabel = table.get(record.id)?.label ?? '';
        return {
          id: record.id,
          file,
          rawLabel,
          label: taskLabel(rawLabel, options),
          sequence: record.sequence,
          invalidResidues: invalid,
        };
      }),
    };
  }
  // Header labels (>ID|LABEL) when most headers end in a label of the task; otherwise the ids are
  // kept whole (e.g. sp|P62593|BLAT_ECOLX) and the input is unlabelled.
  const splits = raw.map(({ record }) => splitHeaderId(record.id));
  const labelledCount = splits.filter(
    (s) => s !== undefined && taskLabel(s.label, options) !== undefined,
  ).length;
  const labelled = raw.length > 0 && labelledCount > raw.length / 2;
  notes.push(
    labelled
      ? `labels from the FASTA headers (>ID|LABEL): ${labelledCount} of ${raw.length} headers end in a ${options.task} label`
      : `unlabelled: fewer than half of the headers end in '|' and a ${options.task} label, so label checks are skipped (give labels with --labels FILE)`,
  );
  return {
    format: 'fasta',
    labelled,
    notes,
    records: raw.map(({ record, invalid }, i) => {
      const s = splits[i];
      return labelled
        ? {
            id: s?.id ?? record.id,
            file,
            rawLabel: s?.label ?? '',
            label: s === undefined ? undefined : taskLabel(s.label, options),
            sequence: record.sequence,
            invalidResidues: invalid,
          }
        : { id: record.id, file, sequence: record.sequence, invalidResidues: invalid };
    }),
  };
}

/** Records as written, with invalid characters listed rather than fatal (only after the strict reader found some). */
async function readFastaLeniently(
  path: string,
  signal: AbortSignal | undefined,
): Promise<{ record: ProteinRecord; invalid: ValidationRecord['invalidResidues'] }[]> {
  const out: { record: ProteinRecord; invalid: ValidationRecord['invalidResidues'] }[] = [];
  let header: string | undefined;
  let lines: string[] = [];
  const finish = (): void => {
    if (header === undefined) {
      return;
    }
    const space = header.search(/\s/u);
    const id = space < 0 ? header : header.slice(0, space);
    const audited = auditResidues(lines.join(''));
    out.push({
      record: {
        id,
        description: space < 0 ? '' : header.slice(space + 1).trim(),
        sequence: audited.sequence,
      },
      invalid: audited.invalid,
    });
  };
  for await (const line of readTextLines(path, signal)) {
    if (line.startsWith('>')) {
      finish();
      header = line.slice(1);
      lines = [];
    } else if (header !== undefined) {
      lines.push(line);
    }
  }
  finish();
  return out;
}

async function readHdf5File(
  path: string,
  options: ReadValidationInputOptions,
): Promise<ReadResult> {
  const records: ValidationRecord[] = [];
  for await (const d of inspectEmbeddings(path, options.signal)) {
    records.push({ id: d.id, file: path, vector: d });
  }
  return {
    format: 'hdf5',
    labelled: false,
    records,
    notes: ['one HDF5 embedding file: vectors without labels or sequences'],
  };
}

async function readFolder(
  folder: string,
  options: ReadValidationInputOptions,
): Promise<ReadResult> {
  const files = await listHdf5Files(folder);
  // As `train` reads the folder: multiclass classes are the task's labels less the negative one.
  const classes = options.taskLabels.filter((l) => l !== NOT_BETALACTAMASE);
  const pattern = defaultClassPattern(classes);
  const records: ValidationRecord[] = [];
  const notes: string[] = [];
  for (const file of files) {
    const label =
      options.task === 'multiclass'
        ? labelForFileName(file, options.task, pattern, classes)
        : labelForFileName(file, options.task);
    const path = join(folder, file);
    let n = 0;
    for await (const d of inspectEmbeddings(path, options.signal)) {
      records.push({ id: d.id, file: basename(path), rawLabel: label ?? file, label, vector: d });
      n++;
    }
    notes.push(`${file}: ${n} vectors → ${label ?? '(no class in the file name)'}`);
  }
  return { format: 'hdf5-folder', labelled: true, records, notes };
}

/** A split.json as every training run writes it (and data/default/splits ships): train, val, test id lists. */
export async function readSplit(path: string): Promise<ValidationSplit> {
  const text = await readFile(path, 'utf8').catch((e: unknown) => {
    throw inputError(
      'validate.split-not-found',
      'the split file cannot be read',
      'give a split.json (a run folder has one; data/default/splits/default-cluster40-split.json is shipped)',
      { source: path },
      e,
    );
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw inputError(
      'validate.split-not-json',
      'the split file is not JSON',
      'give a split.json with "train", "val" and "test" lists of protein ids',
      { source: path },
      e,
    );
  }
  const sides = new Map<string, SplitSide[]>();
  const object = (parsed ?? {}) as Record<string, unknown>;
  let any = false;
  for (const side of SPLIT_SIDES) {
    const ids = object[side] ?? (side === 'val' ? object['validation'] : undefined);
    if (ids === undefined) {
      continue;
    }
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
      throw inputError(
        'validate.split-bad-side',
        `"${side}" in the split file is not a list of protein ids`,
        'write each side as a JSON list of id strings',
        { source: path },
      );
    }
    any = true;
    for (const id of ids as string[]) {
      const list = sides.get(id);
      if (list === undefined) {
        sides.set(id, [side]);
      } else if (!list.includes(side)) {
        list.push(side);
      }
    }
  }
  if (!any) {
    throw inputError(
      'validate.split-empty',
      'the split file has none of the keys "train", "val", "test"',
      'give a split.json as training runs write it',
      { source: path },
    );
  }
  return { source: path, sides };
}
