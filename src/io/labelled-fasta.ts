// Dataset loaders for labelled protein FASTA: labels in the headers (>ID|LABEL) or in a separate TSV/CSV table.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

import { toBinaryLabel, type LabelledProtein } from '../core/data/labelled.ts';
import {
  AMBLER_CLASSES,
  BINARY_LABELS,
  BINARY_POSITIVE,
  MULTICLASS_LABELS,
  NOT_BETALACTAMASE,
  taskLabels as domainTaskLabels,
  type BinaryLabel,
  type MulticlassLabel,
} from '../core/domain.ts';
import {
  cancelledError,
  inputError,
  isArginatorError,
  throwIfAborted,
  type ArginatorError,
  type ErrorLocation,
} from '../core/errors.ts';
import type { FastaLimits } from '../core/sequence/fasta-parser.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import { isGzip, readFastaFile, type FastaReadOptions } from './fasta-source.ts';
import { errorCode, fileError, type FileErrorText } from './file-errors.ts';
// Type-only: the task type is shared with the HDF5 folder loader without loading h5wasm.
import type { LabelTask } from './hdf5-labelled-folder.ts';

export interface LabelledFastaReadOptions {
  readonly task: LabelTask;
  readonly signal?: AbortSignal | undefined;
  /** FASTA limits, passed to the streaming reader (see docs/input-format.md). */
  readonly limits?: Partial<FastaLimits> | undefined;
  /** Bytes per FASTA file read. */
  readonly chunkSize?: number | undefined;
  /** Progress: compressed bytes of FASTA read so far, chunk by chunk. */
  readonly onBytesRead?: ((bytes: number) => void) | undefined;
}

export interface LabelsTableColumns {
  /** Header of the id column; default 'id'. */
  readonly idColumn?: string | undefined;
  /** Header of the label column; default 'label' (the shipped labels.tsv also has 'binary'). */
  readonly labelColumn?: string | undefined;
}

export interface LoadLabelledFastaOptions extends LabelledFastaReadOptions, LabelsTableColumns {
  /** A TSV/CSV table of labels; without it the labels are read from `>ID|LABEL` headers. */
  readonly labelsPath?: string | undefined;
}

export interface LabelledFastaDataset {
  /** In FASTA order; ids are the dataset ids (without the `|LABEL` suffix). */
  readonly examples: LabelledProtein[];
  /** Examples per label, every label of the task present (0 if unused), in the task's order. */
  readonly counts: Record<string, number>;
  /** Things the caller should show but that do not stop loading (e.g. unused table rows). */
  readonly warnings: string[];
}

/** One row of a labels table: the label exactly as written and its 1-based line. */
export interface LabelsTableRow {
  readonly label: string;
  readonly line: number;
}

export const DEFAULT_ID_COLUMN = 'id';
export const DEFAULT_LABEL_COLUMN = 'label';

/** How many ids an error or warning lists before saying "and N more". */
const SHOWN_IDS = 5;
const MAX_SHOWN_ID = 100;
/** A table row longer than this is not a label row (wrong file, or a missing newline). */
const MAX_TABLE_LINE = 1024 * 1024;
const GT = 0x3e;
const NEWLINE = 0x0a;

type ParsedLabel =
  | { readonly kind: 'class'; readonly label: MulticlassLabel }
  | { readonly kind: 'binary'; readonly label: BinaryLabel };

/** Case, spaces, '-' and '_' carry no meaning in a label ('Non-Betalactamase' = 'non_betalactamase'). */
function labelKey(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
}

/**
 * Every spelling we accept. Deliberately not accepted: generic words such as 'negative',
 * 'positive', '0', '1' — they depend on what the table's author meant, and a wrong guess would
 * train a silently inverted model; an error listing the accepted labels costs one edit.
 */
const LABEL_SPELLINGS: ReadonlyMap<string, ParsedLabel> = new Map<string, ParsedLabel>([
  ...AMBLER_CLASSES.flatMap((c): [string, ParsedLabel][] => [
    [c.toLowerCase(), { kind: 'class', label: c }],
    [`class${c.toLowerCase()}`, { kind: 'class', label: c }],
  ]),
  // Metallo-beta-lactamase subclasses are all Ambler class B.
  ...['b1', 'b2', 'b3'].flatMap((s): [string, ParsedLabel][] => [
    [s, { kind: 'class', label: 'B' }],
    [`class${s}`, { kind: 'class', label: 'B' }],
  ]),
  [labelKey(NOT_BETALACTAMASE), { kind: 'class', label: NOT_BETALACTAMASE }],
  [labelKey(BINARY_LABELS[1]), { kind: 'class', label: NOT_BETALACTAMASE }],
  [labelKey(BINARY_POSITIVE), { kind: 'binary', label: BINARY_POSITIVE }],
]);

/** The labels a task produces, in their canonical order. */
export function taskLabels(task: LabelTask): readonly string[] {
  return domainTaskLabels(task);
}

/**
 * The task's canonical label for a label as written, or undefined if it is not one.
 * Multiclass: A, B, C, D, NBL (any case; 'class A', subclasses B1–B3 → B, 'non-betalactamase' → NBL).
 * Binary: 'Betalactamase' / 'Non-Betalactamase' (any case, '-', '_' or spaces), or any multiclass label.
 */
export function normaliseLabel(raw: string, task: LabelTask): string | undefined {
  const parsed = LABEL_SPELLINGS.get(labelKey(raw));
  if (parsed === undefined) {
    return undefined;
  }
  if (task === 'binary') {
    return parsed.kind === 'binary' ? parsed.label : toBinaryLabel(parsed.label);
  }
  // 'Betalactamase' says nothing about the Ambler class, so it cannot be a multiclass label.
  return parsed.kind === 'class' ? parsed.label : undefined;
}

/** Splits a header id at its LAST '|': ids may contain '|' themselves (sp|P62593|BLAT_ECOLX|A). */
export function splitHeaderId(headerId: string): { id: string; label: string } | undefined {
  const bar = headerId.lastIndexOf('|');
  if (bar === -1) {
    return undefined;
  }
  return { id: headerId.slice(0, bar), label: headerId.slice(bar + 1) };
}

/** Chooses the format: a labels table when `labelsPath` is given, else `>ID|LABEL` headers. */
export async function loadLabelledFasta(
  path: string,
  options: LoadLabelledFastaOptions,
): Promise<LabelledFastaDataset> {
  return options.labelsPath === undefined
    ? loadHeaderLabelledFasta(path, options)
    : loadFastaWithLabelsTable(path, options.labelsPath, options);
}

/** Format 1: every header is `>ID|LABEL [description]`. */
export async function loadHeaderLabelledFasta(
  path: string,
  options: LabelledFastaReadOptions,
): Promise<LabelledFastaDataset> {
  const { task, signal } = options;
  const examples: LabelledProtein[] = [];
  const counts = emptyCounts(task);
  // Dataset id → ordinal of its record; the parser only sees whole ids ('x|A' ≠ 'x|B').
  const ordinalById = new Map<string, number>();
  let ordinal = 0;
  for await (const record of readFastaFile(path, fastaOptions(options))) {
    ordinal++;
    const split = splitHeaderId(record.id);
    if (split === undefined || split.id === '' || split.label === '') {
      throw await badHeader(path, record, ordinal, split, signal);
    }
    const label = normaliseLabel(split.label, task);
    if (label === undefined) {
      const line = await headerLine(path, ordinal, signal);
      throw unknownLabel(
        split.label,
        task,
        { source: path, line, recordId: shown(record.id) },
        "the label after the header's last '|'",
      );
    }
    const first = ordinalById.get(split.id);
    if (first !== undefined) {
      const lines = await findHeaderLines(path, [first, ordinal], signal);
      const firstLine = lines.get(first);
      const thisLine = lines.get(ordinal);
      throw inputError(
        'dataset.duplicate-id',
        `id '${shown(split.id)}' is used by two records (${where(firstLine, first)} and ${where(thisLine, ordinal)}), with different labels after '|'`,
        `give each protein one record: remove one of them, or rename one id`,
        { source: path, line: thisLine, recordId: shown(record.id) },
      );
    }
    ordinalById.set(split.id, ordinal);
    examples.push({ record: { ...record, id: split.id }, label });
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return { examples, counts, warnings: [] };
}

/** Format 2: plain FASTA ids, labels from a TSV/CSV table with a header row. */
export async function loadFastaWithLabelsTable(
  fastaPath: string,
  labelsPath: string,
  options: LabelledFastaReadOptions & LabelsTableColumns,
): Promise<LabelledFastaDataset> {
  const { task, signal } = options;
  const idColumn = options.idColumn ?? DEFAULT_ID_COLUMN;
  const labelColumn = options.labelColumn ?? DEFAULT_LABEL_COLUMN;
  // The table first: its errors are cheap to find, the FASTA may be large.
  const table = await readLabelsTable(labelsPath, { idColumn, labelColumn, signal });

  const examples: LabelledProtein[] = [];
  const counts = emptyCounts(task);
  const warnings: string[] = [];
  /** Table id → the FASTA id that used it (two can share one only through the '|LABEL' fallback). */
  const usedBy = new Map<string, string>();
  const missing: string[] = [];
  let missingCount = 0;
  let suffixMatches = 0;
  for await (const record of readFastaFile(fastaPath, fastaOptions(options))) {
    let id = record.id;
    let row = table.get(id);
    let headerLabel: string | undefined;
    // Lets the shipped `>ID|LABEL` FASTA be used with labels.tsv, whose ids have no suffix.
    const split = row === undefined ? splitHeaderId(record.id) : undefined;
    if (split !== undefined) {
      row = table.get(split.id);
      if (row !== undefined) {
        id = split.id;
        headerLabel = split.label;
        suffixMatches++;
      }
    }
    if (row === undefined) {
      missingCount++;
      if (missing.length < SHOWN_IDS) {
        missing.push(shown(record.id));
      }
      continue;
    }
    const other = usedBy.get(id);
    if (other !== undefined) {
      throw inputError(
        'dataset.duplicate-id',
        `FASTA records '${shown(other)}' and '${shown(record.id)}' both take their label from the row for '${shown(id)}' (${labelsPath} line ${row.line})`,
        `give each protein one record in ${fastaPath}: remove or rename one of them`,
        { source: fastaPath, recordId: shown(record.id) },
      );
    }
    usedBy.set(id, record.id);
    const location = { source: labelsPath, line: row.line, recordId: shown(id) };
    const label = normaliseLabel(row.label, task);
    if (label === undefined) {
      throw unknownLabel(row.label, task, location, `the '${labelColumn}' value on this line`);
    }
    if (headerLabel !== undefined) {
      const fromHeader = normaliseLabel(headerLabel, task);
      if (fromHeader !== undefined && fromHeader !== label) {
        throw inputError(
          'dataset.conflicting-label',
          `the table labels '${shown(id)}' as ${label} (column '${labelColumn}'), but its FASTA header '${shown(record.id)}' says ${fromHeader}`,
          `correct whichever is wrong, or strip the '|LABEL' suffix from the FASTA headers so that only the table labels them`,
          location,
        );
      }
    }
    examples.push({ record: id === record.id ? record : { ...record, id }, label });
    counts[label] = (counts[label] ?? 0) + 1;
  }
  if (missingCount > 0) {
    throw inputError(
      'dataset.missing-label',
      `${missingCount} of ${missingCount + examples.length} FASTA records have no row in the labels table: ${listIds(missing, missingCount)}`,
      `add a row (columns '${idColumn}' and '${labelColumn}') for each of them to ${labelsPath}, or remove them from ${fastaPath}`,
      { source: labelsPath },
    );
  }
  const unused = table.size - usedBy.size;
  if (unused > 0) {
    const ids: string[] = [];
    for (const tableId of table.keys()) {
      if (ids.length >= SHOWN_IDS) {
        break;
      }
      if (!usedBy.has(tableId)) {
        ids.push(shown(tableId));
      }
    }
    warnings.push(
      `${labelsPath}: ${unused} of ${table.size} labelled ids are not in ${fastaPath} and were ignored: ${listIds(ids, unused)}`,
    );
  }
  if (suffixMatches > 0) {
    warnings.push(
      `${fastaPath}: ${suffixMatches} FASTA ids matched the labels table only after dropping their '|LABEL' suffix; the examples use the table's ids`,
    );
  }
  return { examples, counts, warnings };
}

/**
 * Reads a labels table: header row, then one row per protein. The separator is a tab if the
 * header row contains one, else a comma (content, not the file name, decides). Plain or gzip.
 * Returns id → label as written; labels are checked later, only for the ids that are used.
 */
export async function readLabelsTable(
  path: string,
  options: LabelsTableColumns & { readonly signal?: AbortSignal | undefined } = {},
): Promise<Map<string, LabelsTableRow>> {
  const idColumn = options.idColumn ?? DEFAULT_ID_COLUMN;
  const labelColumn = options.labelColumn ?? DEFAULT_LABEL_COLUMN;
  const rows = new Map<string, LabelsTableRow>();
  let layout: TableLayout | undefined;
  let lineNumber = 0;
  for await (const raw of readTextLines(path, options.signal)) {
    lineNumber++;
    const location = { source: path, line: lineNumber };
    if (raw.length > MAX_TABLE_LINE) {
      throw inputError(
        'dataset.bad-tsv',
        `line is longer than ${MAX_TABLE_LINE} characters; this does not look like a labels table`,
        `pass a TSV/CSV table with a header row and one row per protein (columns '${idColumn}' and '${labelColumn}')`,
        location,
      );
    }
    // A UTF-8 byte-order mark (Excel's 'CSV UTF-8') would otherwise become part of the first column's name.
    const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') {
      continue;
    }
    if (layout === undefined) {
      layout = tableLayout(line, idColumn, labelColumn, location);
      continue;
    }
    const fields = splitDelimitedLine(line, layout.separator, location);
    if (fields.length !== layout.width) {
      throw inputError(
        'dataset.bad-tsv',
        `row has ${fields.length} ${layout.separatorName}-separated fields, but the header row (line ${layout.line}) has ${layout.width}`,
        `make every row have the header's ${layout.width} columns; quote fields that contain ${layout.separatorName === 'tab' ? 'tabs' : 'commas'} ("...")`,
        location,
      );
    }
    const id = (fields[layout.idIndex] ?? '').trim();
    const label = (fields[layout.labelIndex] ?? '').trim();
    if (id === '') {
      throw inputError(
        'dataset.bad-tsv',
        `row has an empty '${idColumn}'`,
        'fill in the protein id (the FASTA id) or remove the row',
        location,
      );
    }
    const first = rows.get(id);
    if (first !== undefined) {
      throw inputError(
        'dataset.duplicate-label',
        `id '${shown(id)}' has two rows, on lines ${first.line} and ${lineNumber}`,
        `keep one row per id: remove line ${first.line} or line ${lineNumber}`,
        { ...location, recordId: shown(id) },
      );
    }
    rows.set(id, { label, line: lineNumber });
  }
  if (layout === undefined) {
    throw inputError(
      'dataset.bad-tsv',
      'the labels table is empty: no header row',
      `write a header row naming the columns (e.g. '${idColumn}<TAB>${labelColumn}'), then one row per protein`,
      { source: path },
    );
  }
  return rows;
}

/**
 * Splits one line of a TSV or CSV. A field that starts with '"' is quoted: it ends at the next
 * lone '"', and '""' inside it is one '"' (RFC 4180, as Excel, pandas and Python's csv write).
 * Quoted fields may contain the separator but not a line break.
 */
export function splitDelimitedLine(
  line: string,
  separator: ',' | '\t',
  location: ErrorLocation = {},
): string[] {
  const fields: string[] = [];
  let start = 0;
  for (;;) {
    if (line[start] !== '"') {
      const end = line.indexOf(separator, start);
      if (end === -1) {
        fields.push(line.slice(start));
        return fields;
      }
      fields.push(line.slice(start, end));
      start = end + 1;
      continue;
    }
    let value = '';
    let at = start + 1;
    for (;;) {
      const quote = line.indexOf('"', at);
      if (quote === -1) {
        throw inputError(
          'dataset.bad-tsv',
          `the quoted field starting at column ${start + 1} is not closed on this line`,
          'close the quote; a field cannot span lines, and a literal " inside quotes is written ""',
          { ...location, position: start + 1 },
        );
      }
      value += line.slice(at, quote);
      if (line[quote + 1] === '"') {
        value += '"';
        at = quote + 2;
        continue;
      }
      at = quote + 1;
      break;
    }
    fields.push(value);
    if (at === line.length) {
      return fields;
    }
    if (line[at] !== separator) {
      throw inputError(
        'dataset.bad-tsv',
        `unexpected character '${line[at] ?? ''}' after the closing quote at column ${at}`,
        'put the separator right after the closing quote, or write a literal " inside quotes as ""',
        { ...location, position: at + 1 },
      );
    }
    start = at + 1;
  }
}

interface TableLayout {
  readonly separator: ',' | '\t';
  readonly separatorName: 'tab' | 'comma';
  readonly width: number;
  readonly idIndex: number;
  readonly labelIndex: number;
  readonly line: number;
}

function tableLayout(
  header: string,
  idColumn: string,
  labelColumn: string,
  location: { source: string; line: number },
): TableLayout {
  const separator = header.includes('\t') ? '\t' : header.includes(',') ? ',' : undefined;
  if (separator === undefined) {
    const fasta = header.startsWith('>');
    throw inputError(
      'dataset.bad-tsv',
      fasta
        ? 'the labels table starts with a FASTA header, not a header row'
        : `the header row has no tab or comma, so it names fewer than the two columns needed ('${idColumn}' and '${labelColumn}')`,
      fasta
        ? 'pass the FASTA as the input and a TSV/CSV table of labels as the labels file'
        : `start the table with a header row such as '${idColumn}<TAB>${labelColumn}'`,
      location,
    );
  }
  const names = splitDelimitedLine(header, separator, location).map((n) => n.trim());
  return {
    separator,
    separatorName: separator === '\t' ? 'tab' : 'comma',
    width: names.length,
    idIndex: columnIndex(names, idColumn, 'idColumn', location),
    labelIndex: columnIndex(names, labelColumn, 'labelColumn', location),
    line: location.line,
  };
}

/** Exact name first; a case-insensitive match only if it is unique ('ID' for 'id'). */
function columnIndex(
  names: readonly string[],
  wanted: string,
  option: string,
  location: ErrorLocation,
): number {
  const exact = names.flatMap((n, i) => (n === wanted ? [i] : []));
  const matches =
    exact.length > 0
      ? exact
      : names.flatMap((n, i) => (n.toLowerCase() === wanted.toLowerCase() ? [i] : []));
  const [index] = matches;
  if (matches.length === 1 && index !== undefined) {
    return index;
  }
  const shownNames = names.slice(0, 20).map((n) => `'${n}'`);
  const more = names.length > 20 ? `, … (${names.length} in all)` : '';
  throw inputError(
    'dataset.bad-tsv',
    matches.length === 0
      ? `the header row has no column '${wanted}'; its columns are ${shownNames.join(', ')}${more}`
      : `the header row has ${matches.length} columns named '${wanted}'`,
    matches.length === 0
      ? `rename the column to '${wanted}', or choose another column with the ${option} option`
      : 'give each column a different name',
    location,
  );
}

function emptyCounts(task: LabelTask): Record<string, number> {
  return Object.fromEntries(taskLabels(task).map((label) => [label, 0]));
}

function fastaOptions(options: LabelledFastaReadOptions): FastaReadOptions {
  const { signal, limits, chunkSize, onBytesRead } = options;
  // Dataset examples are keyed by id, so duplicate ids stay an error (the parser's default).
  return { signal, limits, chunkSize, onBytesRead };
}

function unknownLabel(
  raw: string,
  task: LabelTask,
  location: ErrorLocation,
  field: string,
): ArginatorError {
  const accepted =
    task === 'binary'
      ? `${BINARY_LABELS.join(', ')}, or a class ${MULTICLASS_LABELS.join(', ')} (any case; '-', '_' and spaces ignored)`
      : `${MULTICLASS_LABELS.join(', ')} (any case; also 'class A', B1–B3 for B, 'non-betalactamase' for ${NOT_BETALACTAMASE})`;
  const binaryOnly = task === 'multiclass' && labelKey(raw) === labelKey(BINARY_POSITIVE);
  return inputError(
    'dataset.unknown-label',
    raw === ''
      ? `the label is empty; accepted ${task} labels: ${accepted}`
      : `'${shown(raw)}' is not a ${task} label; accepted: ${accepted}`,
    binaryOnly
      ? "'Betalactamase' does not say which Ambler class; use the binary task, or label each protein A, B, C or D"
      : `change ${field} to one of the accepted labels${task === 'multiclass' ? ', or use the binary task if your labels are Betalactamase / Non-Betalactamase' : ''}`,
    location,
  );
}

async function badHeader(
  path: string,
  record: ProteinRecord,
  ordinal: number,
  split: { id: string; label: string } | undefined,
  signal: AbortSignal | undefined,
): Promise<ArginatorError> {
  const line = await headerLine(path, ordinal, signal);
  const location = { source: path, line, recordId: shown(record.id) };
  const fix = `write the header as '>ID|LABEL' (e.g. '>${split?.id ?? shown(record.id)}|A'), or keep plain ids and pass a labels table (labelsPath)`;
  if (split === undefined) {
    // '>x |A': the id ends at the space, so the label ended up in the description.
    const inDescription = record.description.startsWith('|');
    return inputError(
      'dataset.bad-header',
      inDescription
        ? `header id '${shown(record.id)}' has no '|LABEL': the '|' comes after a space, in the description`
        : `header id '${shown(record.id)}' has no '|LABEL' suffix`,
      inDescription ? "remove the space before '|'" : fix,
      location,
    );
  }
  return inputError(
    'dataset.bad-header',
    split.id === ''
      ? `header '${shown(record.id)}' has an empty id before '|'`
      : `header '${shown(record.id)}' has an empty label after its last '|'`,
    fix,
    location,
  );
}

async function headerLine(
  path: string,
  ordinal: number,
  signal: AbortSignal | undefined,
): Promise<number | undefined> {
  return (await findHeaderLines(path, [ordinal], signal)).get(ordinal);
}

/**
 * Lines of the given records (1-based ordinals). Records carry no line numbers, so on the
 * error path only we scan the file again: the n-th line starting with '>' is the n-th record's
 * header, because the parser accepts '>' only in column 1 and rejects empty records.
 * Best effort: any failure just leaves the line out of the message.
 */
async function findHeaderLines(
  path: string,
  ordinals: readonly number[],
  signal: AbortSignal | undefined,
): Promise<Map<number, number>> {
  const wanted = new Set(ordinals);
  const last = Math.max(...ordinals);
  const found = new Map<number, number>();
  let line = 1;
  let headers = 0;
  let atLineStart = true;
  let offset = 0;
  try {
    for await (const chunk of readBytes(path, signal)) {
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i];
        // The parser skips a UTF-8 byte-order mark (EF BB BF) at the very start.
        if (offset + i < 3 && line === 1 && (byte === 0xef || byte === 0xbb || byte === 0xbf)) {
          continue;
        }
        if (atLineStart && byte === GT) {
          headers++;
          if (wanted.has(headers)) {
            found.set(headers, line);
            if (headers >= last) {
              return found;
            }
          }
        }
        atLineStart = byte === NEWLINE;
        if (atLineStart) {
          line++;
        }
      }
      offset += chunk.length;
    }
  } catch {
    // The original error is what matters; a missing line number is not worth a second error.
  }
  return found;
}

/** Lines of a text file (plain or gzip), without '\n' or '\r\n'. */
export async function* readTextLines(
  path: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  for await (const chunk of readBytes(path, signal)) {
    const text = rest + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      yield stripCr(text.slice(start, end));
      start = end + 1;
    }
    rest = text.slice(start);
    if (rest.length > MAX_TABLE_LINE) {
      // Reported by the caller with its line number; stops a newline-free file from filling memory.
      yield rest;
      return;
    }
  }
  rest += decoder.decode();
  if (rest !== '') {
    yield stripCr(rest);
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** The bytes of a file, gunzipped if it starts with the gzip magic number. */
async function* readBytes(
  path: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  const what = `Reading ${path}`;
  throwIfAborted(signal, what);
  const gzip = await startsWithGzip(path);
  const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
  let input: Readable = file;
  if (gzip) {
    const gunzip = createGunzip();
    file.on('error', (e) => gunzip.destroy(e));
    input = file.pipe(gunzip);
  }
  try {
    for await (const chunk of input as AsyncIterable<Uint8Array>) {
      throwIfAborted(signal, what);
      yield chunk;
    }
  } catch (error) {
    throw streamError(error, path, signal);
  } finally {
    file.destroy();
    input.destroy();
  }
}

const LABELS_FILE_TEXT: FileErrorText = {
  notA: 'a file',
  directoryHint: 'pass the labels table file inside it',
  unreadableHint: 'check that the path is a readable regular file',
};

async function startsWithGzip(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = new Uint8Array(2);
      const { bytesRead } = await handle.read(head, 0, 2, 0);
      return isGzip(head.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fileError(error, path, LABELS_FILE_TEXT);
  }
}

function streamError(error: unknown, path: string, signal: AbortSignal | undefined): unknown {
  if (isArginatorError(error)) {
    return error;
  }
  if (signal?.aborted === true) {
    return cancelledError(`Reading ${path}`);
  }
  const code = errorCode(error);
  if (code?.startsWith('Z_') === true) {
    const detail = error instanceof Error ? error.message : String(error);
    return inputError(
      'gzip.corrupt',
      `the gzip data is corrupt or truncated (${detail})`,
      "download or copy the file again; 'gzip -t FILE' checks a gzip file",
      { source: path },
      error,
    );
  }
  return fileError(error, path, LABELS_FILE_TEXT);
}

function where(line: number | undefined, ordinal: number): string {
  return line === undefined ? `record ${ordinal}` : `line ${line}`;
}

function listIds(ids: readonly string[], total: number): string {
  const quoted = ids.map((id) => `'${id}'`).join(', ');
  return total > ids.length ? `${quoted} and ${total - ids.length} more` : quoted;
}

/** Ids and labels are shown exactly, but a pathological one must not flood a one-line message. */
function shown(text: string): string {
  const safe = text.replace(/[\p{Cc}\u2028\u2029]/gu, '?');
  return safe.length > MAX_SHOWN_ID ? `${safe.slice(0, MAX_SHOWN_ID)}…` : safe;
}
