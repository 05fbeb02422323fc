// Streaming protein FASTA parser: bytes in, sanitised ProteinRecords out, memory bounded by the longest record.
import { ArginatorError, inputError, limitError, throwIfAborted } from '../errors.ts';
import type { ErrorLocation } from '../errors.ts';
import {
  ByteClass,
  FIRST_RESIDUE_CODE,
  NUCLEOTIDE_BYTES,
  RESIDUE_CODES,
  describeByte,
  isAsciiWhitespace,
  isControlByte,
  looksLikeNucleotides,
} from './alphabet.ts';
import type { ProteinRecord } from './protein-record.ts';

/** Hard ceilings that keep one bad or hostile input from exhausting memory or time. */
export interface FastaLimits {
  /** Records per input. */
  maxRecords: number;
  /** Residues per record, after sanitising. */
  maxSequenceLength: number;
  /** Residues over all records. */
  maxTotalResidues: number;
  /** Bytes of one header line after '>' (id + description). */
  maxHeaderLength: number;
  /** Bytes of FASTA text, after gzip decompression (decompression bombs). */
  maxDecompressedBytes: number;
}

/**
 * Generous but finite: a large metagenome (tens of millions of proteins) fits, while a single
 * runaway record or a decompression bomb stops early. The longest known proteins (titin, ~35k aa)
 * are far below maxSequenceLength.
 */
export const DEFAULT_FASTA_LIMITS: Readonly<FastaLimits> = Object.freeze({
  maxRecords: 50_000_000,
  maxSequenceLength: 100_000,
  maxTotalResidues: 10_000_000_000,
  maxHeaderLength: 10_000,
  maxDecompressedBytes: 20 * 1024 ** 3,
});

export interface FastaParseOptions {
  /** File name or other label used in error messages. */
  source?: string;
  limits?: Partial<FastaLimits>;
  /** 'error' (default): results are keyed by id, so a repeated id is an input error. */
  duplicateIds?: 'error' | 'allow';
  signal?: AbortSignal;
}

/** Merges `limits` over the defaults and checks that each is a whole number >= 1. */
export function resolveFastaLimits(limits: Partial<FastaLimits> = {}): FastaLimits {
  const resolved: FastaLimits = { ...DEFAULT_FASTA_LIMITS };
  for (const key of Object.keys(DEFAULT_FASTA_LIMITS) as (keyof FastaLimits)[]) {
    const value = limits[key];
    if (value === undefined) {
      continue;
    }
    // Whole and finite: buffers are sized from these, and "no limit" is not a safe default.
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ArginatorError(
        'CONFIG',
        'fasta.bad-limit',
        `FASTA limit ${key} must be a whole number >= 1, got ${String(value)}`,
        `set ${key} to a whole number >= 1 (default ${DEFAULT_FASTA_LIMITS[key]})`,
      );
    }
    resolved[key] = value;
  }
  return resolved;
}

/** Parses FASTA bytes as they arrive; yields each record once its last residue has been read. */
export async function* parseFasta(
  chunks: AsyncIterable<Uint8Array>,
  options: FastaParseOptions = {},
): AsyncGenerator<ProteinRecord> {
  const parser = new FastaPushParser(options);
  const ready: ProteinRecord[] = [];
  throwIfAborted(options.signal, 'Reading FASTA');
  for await (const chunk of chunks) {
    throwIfAborted(options.signal, 'Reading FASTA');
    parser.push(chunk, ready);
    for (const record of ready) {
      yield record;
    }
    ready.length = 0;
  }
  throwIfAborted(options.signal, 'Reading FASTA');
  parser.finish(ready);
  yield* ready;
}

/** Same rules as parseFasta, for small in-memory inputs such as an HTTP JSON body. */
export function parseFastaText(text: string, options: FastaParseOptions = {}): ProteinRecord[] {
  throwIfAborted(options.signal, 'Reading FASTA');
  const parser = new FastaPushParser(options);
  const records: ProteinRecord[] = [];
  parser.push(new TextEncoder().encode(text), records);
  parser.finish(records);
  return records;
}

/** Where the parser is: before the first header, inside a header line, or inside a sequence. */
const ParserState = { Preamble: 0, Header: 1, Sequence: 2 } as const;
type ParserState = (typeof ParserState)[keyof typeof ParserState];

const NEWLINE = 0x0a;
// ByteClass values as plain constants for the hot loop (an object property load per byte is slower).
const CODE_SKIP = ByteClass.Skip;
const CODE_NEWLINE = ByteClass.Newline;
const CODE_STOP = ByteClass.Stop;
const CODE_FIRST_RESIDUE = FIRST_RESIDUE_CODE;
const GT = 0x3e;
/** Enough to recognise magic numbers and binary junk before reporting "no header". */
const SNIFF_BYTES = 1024;
const MAX_SHOWN_ID = 100;
const INITIAL_SEQUENCE_CAPACITY = 4096;

interface Magic {
  readonly bytes: readonly number[];
  readonly what: string;
  readonly hint: string;
}

const DECOMPRESS_FIRST = 'decompress it first (only gzip is read directly, by the file reader)';
const MAGICS: readonly Magic[] = [
  {
    bytes: [0x1f, 0x8b],
    what: 'gzip-compressed data',
    hint: 'pass it through the file/stream reader, which detects gzip, or gunzip it first',
  },
  { bytes: [0x42, 0x5a, 0x68], what: 'bzip2-compressed data', hint: DECOMPRESS_FIRST },
  {
    bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
    what: 'xz-compressed data',
    hint: DECOMPRESS_FIRST,
  },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed data', hint: DECOMPRESS_FIRST },
  {
    bytes: [0x50, 0x4b, 0x03, 0x04],
    what: 'a ZIP archive',
    hint: 'unzip it and pass the FASTA file',
  },
  {
    bytes: [0x89, 0x48, 0x44, 0x46],
    what: 'an HDF5 file',
    hint: 'pass HDF5 embeddings where embeddings are expected, or pass the protein FASTA instead',
  },
  {
    bytes: [0x89, 0x50, 0x4e, 0x47],
    what: 'a PNG image',
    hint: 'pass a protein FASTA text file; is this the right file?',
  },
  {
    bytes: [0x25, 0x50, 0x44, 0x46, 0x2d],
    what: 'a PDF document',
    hint: 'pass a protein FASTA text file; is this the right file?',
  },
];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) {
    return false;
  }
  return prefix.every((b, i) => bytes[i] === b);
}

/** Ids are shown exactly, but a pathological id must not flood a one-line message. */
function shownId(id: string): string {
  const safe = id.replace(/[\p{Cc}\u2028\u2029]/gu, '?');
  return safe.length > MAX_SHOWN_ID ? `${safe.slice(0, MAX_SHOWN_ID)}…` : safe;
}

/**
 * Push-style state machine shared by parseFasta and parseFastaText. It owns two growable byte
 * buffers (current header, current sequence) and an id-hash set; nothing else outlives a chunk.
 */
class FastaPushParser {
  private readonly limits: FastaLimits;
  private readonly source: string | undefined;
  private readonly seenIds: IdHashSet | undefined;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private readonly ascii = new TextDecoder('utf-8');

  private state: ParserState = ParserState.Preamble;
  /** Sniffing collects the first bytes so binary input is reported as such, not as "no header". */
  private sniffed = false;
  private sniffBuffer: Uint8Array[] = [];
  private sniffLength = 0;

  /** Absolute offset of the next chunk's first byte. */
  private base = 0;
  private totalBytes = 0;
  private line = 1;
  /** Absolute offset of the current line's first byte (columns are computed from it). */
  private lineStart = 0;
  private atLineStart = true;

  private header: Uint8Array = new Uint8Array(256);
  private headerLength = 0;
  private headerLine = 0;
  private recordId = '';
  private description = '';
  private records = 0;

  private sequence: Uint8Array = new Uint8Array(INITIAL_SEQUENCE_CAPACITY);
  private sequenceLength = 0;
  private nucleotideLetters = 0;
  /** A '*' was read; it is fine only if no residue follows it in this record. */
  private stopLine = 0;
  private stopColumn = 0;
  private totalResidues = 0;

  constructor(options: FastaParseOptions) {
    this.limits = resolveFastaLimits(options.limits);
    this.source = options.source;
    this.seenIds = options.duplicateIds === 'allow' ? undefined : new IdHashSet();
  }

  push(chunk: Uint8Array, out: ProteinRecord[]): void {
    this.totalBytes += chunk.length;
    if (this.totalBytes > this.limits.maxDecompressedBytes) {
      throw limitError(
        'input.too-large',
        `the input is larger than the limit of ${this.limits.maxDecompressedBytes} bytes`,
        'split the input into smaller files, or raise the maxDecompressedBytes limit',
        { source: this.source, byteOffset: this.limits.maxDecompressedBytes },
      );
    }
    if (!this.sniffed) {
      this.sniffBuffer.push(chunk);
      this.sniffLength += chunk.length;
      if (this.sniffLength < SNIFF_BYTES) {
        return;
      }
      this.consume(this.takeSniffed(), out);
      return;
    }
    this.consume(chunk, out);
  }

  finish(out: ProteinRecord[]): void {
    if (!this.sniffed) {
      this.consume(this.takeSniffed(), out);
    }
    if (this.state === ParserState.Header) {
      this.completeHeader();
      this.finishRecord(out);
    } else if (this.state === ParserState.Sequence) {
      this.finishRecord(out);
    } else if (this.records === 0) {
      const what =
        this.totalBytes === 0 ? 'the input is empty' : 'the input contains only blank lines';
      throw inputError(
        'fasta.empty-input',
        `${what}: no FASTA records found`,
        "pass protein FASTA: a header line '>id description' followed by sequence lines",
        { source: this.source },
      );
    }
  }

  private takeSniffed(): Uint8Array {
    this.sniffed = true;
    const prefix = concat(this.sniffBuffer, this.sniffLength);
    this.sniffBuffer = [];
    this.sniff(prefix);
    // A UTF-8 byte-order mark is legal text; it only hides the first '>'.
    if (prefix[0] === 0xef && prefix[1] === 0xbb && prefix[2] === 0xbf) {
      this.base = 3;
      this.lineStart = 3;
      return prefix.subarray(3);
    }
    return prefix;
  }

  private sniff(prefix: Uint8Array): void {
    const b0 = prefix[0];
    const b1 = prefix[1];
    const utf16 =
      (b0 === 0xff && b1 === 0xfe) ||
      (b0 === 0xfe && b1 === 0xff) ||
      (b0 === GT && b1 === 0) ||
      (b0 === 0 && b1 === GT);
    if (utf16) {
      throw inputError(
        'fasta.encoding',
        'the input is UTF-16 text; FASTA must be ASCII or UTF-8',
        "save it as UTF-8 or ASCII (e.g. 'iconv -f UTF-16 -t UTF-8 in.fa > out.fa')",
        { source: this.source, byteOffset: 0 },
      );
    }
    for (const magic of MAGICS) {
      if (startsWith(prefix, magic.bytes)) {
        throw inputError('fasta.binary', `the input is ${magic.what}, not FASTA text`, magic.hint, {
          source: this.source,
          byteOffset: 0,
        });
      }
    }
    // The first bytes only (the scanners reject a control byte anywhere else): the prefix is a
    // whole first read (up to a MB), and a callback per byte there cost ~40 ms of a CLI run.
    const end = Math.min(prefix.length, SNIFF_BYTES);
    for (let i = 0; i < end; i++) {
      if (isControlByte(prefix[i] ?? 0)) {
        throw this.binaryError(prefix[i] ?? 0, i);
      }
    }
  }

  private consume(chunk: Uint8Array, out: ProteinRecord[]): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.state === ParserState.Sequence) {
        i = this.scanSequence(chunk, i, out);
      } else if (this.state === ParserState.Header) {
        i = this.scanHeader(chunk, i);
      } else {
        i = this.scanPreamble(chunk, i);
      }
    }
    this.base += n;
  }

  /** Before the first header: blank lines are fine, anything else means this is not FASTA. */
  private scanPreamble(chunk: Uint8Array, start: number): number {
    for (let i = start; i < chunk.length; i++) {
      const b = chunk[i] ?? 0;
      const code = RESIDUE_CODES[b] ?? ByteClass.Invalid;
      if (code === ByteClass.Newline) {
        this.newLine(i);
        continue;
      }
      if (code === ByteClass.Skip && b !== 0x2d && b !== 0x2e) {
        continue;
      }
      if (code === ByteClass.Control) {
        throw this.binaryError(b, this.base + i);
      }
      const column = this.column(i);
      if (b === GT && column === 1) {
        this.startHeader();
        return i + 1;
      }
      const found = b === GT ? "'>' after spaces" : describeByte(b);
      throw inputError(
        'fasta.no-header',
        `the input does not start with a FASTA header: found ${found} before any line starting with '>'`,
        b === GT
          ? "remove the spaces before '>'; a header starts at the first column"
          : "add a header line such as '>protein_1' above the sequence; every record starts with '>' and its id",
        { source: this.source, line: this.line, position: column },
      );
    }
    return chunk.length;
  }

  private startHeader(): void {
    if (this.records >= this.limits.maxRecords) {
      throw limitError(
        'fasta.too-many-records',
        `the input has more than the limit of ${this.limits.maxRecords} records`,
        'split the input into smaller files, or raise the maxRecords limit',
        { source: this.source, line: this.line },
      );
    }
    this.records++;
    this.state = ParserState.Header;
    this.headerLength = 0;
    this.headerLine = this.line;
  }

  /** Copies the header line into its buffer; the line is short, so a plain loop is fine. */
  private scanHeader(chunk: Uint8Array, start: number): number {
    const newline = chunk.indexOf(NEWLINE, start);
    const end = newline === -1 ? chunk.length : newline;
    for (let i = start; i < end; i++) {
      const b = chunk[i] ?? 0;
      if (isControlByte(b)) {
        throw this.binaryError(b, this.base + i);
      }
    }
    const needed = this.headerLength + (end - start);
    // +1 leaves room for the '\r' of a CRLF line, stripped in completeHeader.
    if (needed > this.limits.maxHeaderLength + 1) {
      throw this.headerTooLong();
    }
    if (needed > this.header.length) {
      const grown = new Uint8Array(
        Math.min(Math.max(needed, this.header.length * 2), this.limits.maxHeaderLength + 1),
      );
      grown.set(this.header.subarray(0, this.headerLength));
      this.header = grown;
    }
    this.header.set(chunk.subarray(start, end), this.headerLength);
    this.headerLength = needed;
    if (newline === -1) {
      return chunk.length;
    }
    this.completeHeader();
    this.newLine(newline);
    this.state = ParserState.Sequence;
    this.atLineStart = true;
    return newline + 1;
  }

  private headerTooLong(): ArginatorError {
    return limitError(
      'fasta.header-too-long',
      `header line is longer than the limit of ${this.limits.maxHeaderLength} characters`,
      'shorten the description (everything after the first space), or raise the maxHeaderLength limit',
      { source: this.source, line: this.headerLine },
    );
  }

  private completeHeader(): void {
    const header = this.header;
    let end = this.headerLength;
    while (end > 0 && isAsciiWhitespace(header[end - 1] ?? 0)) {
      end--;
    }
    if (end > this.limits.maxHeaderLength) {
      throw this.headerTooLong();
    }
    let idEnd = 0;
    while (idEnd < end && !isAsciiWhitespace(header[idEnd] ?? 0)) {
      idEnd++;
    }
    if (idEnd === 0) {
      const text = shownId(this.decodeText(header.subarray(0, Math.min(end, 60))));
      throw inputError(
        'fasta.empty-id',
        `header '>${text}' has no id: the id must follow '>' directly`,
        "write the id right after '>' with no space, e.g. '>protein_1 description'",
        { source: this.source, line: this.headerLine },
      );
    }
    let descriptionStart = idEnd;
    while (descriptionStart < end && isAsciiWhitespace(header[descriptionStart] ?? 0)) {
      descriptionStart++;
    }
    this.recordId = this.decodeText(header.subarray(0, idEnd));
    this.description = this.decodeText(header.subarray(descriptionStart, end));
    if (this.seenIds !== undefined) {
      const first = this.seenIds.addOrFind(header, idEnd, this.headerLine);
      if (first !== 0) {
        throw inputError(
          'fasta.duplicate-id',
          `id '${shownId(this.recordId)}' was already used by the record at line ${first}`,
          `give each record a unique id (results are keyed by id): rename or remove one of the records at lines ${first} and ${this.headerLine}`,
          { source: this.source, line: this.headerLine, recordId: shownId(this.recordId) },
        );
      }
    }
  }

  /** Header text: UTF-8 if valid, else read as Windows-1252 so legacy descriptions survive. */
  private decodeText(bytes: Uint8Array): string {
    try {
      return this.utf8.decode(bytes);
    } catch {
      return decodeWindows1252(bytes);
    }
  }

  /**
   * The hot loop: one table lookup per byte, residues appended to a byte buffer. Everything rare
   * (a full buffer, '*', a bad byte, the end of a record) leaves the loop for sequenceEvent, so the
   * loop touches no field and no branch without type feedback: a rare branch inside it made V8
   * throw away and recompile the optimised loop several times per file (~20 ns per byte).
   */
  private scanSequence(chunk: Uint8Array, start: number, out: ProteinRecord[]): number {
    const n = chunk.length;
    let i = start;
    if (this.atLineStart) {
      if (chunk[i] === GT) {
        this.finishRecord(out);
        this.startHeader();
        return i + 1;
      }
      this.atLineStart = false;
    }
    // Locals, not imports or fields, inside the loop: V8 keeps them in registers.
    const codes = RESIDUE_CODES;
    const nucleotideBytes = NUCLEOTIDE_BYTES;
    const seq = this.sequence;
    let length = this.sequenceLength;
    let nucleotides = this.nucleotideLetters;
    // A stop already read: the next residue is an error (sequenceEvent reports it).
    const room = this.stopLine !== 0 ? length : Math.min(seq.length, this.limits.maxSequenceLength);
    let lines = 0;
    let lineStart = 0;
    for (; i < n; i++) {
      const b = chunk[i] as number;
      const code = codes[b] as number;
      if (code >= CODE_FIRST_RESIDUE) {
        if (length === room) {
          break;
        }
        seq[length++] = code;
        nucleotides += nucleotideBytes[b] as number;
      } else if (code === CODE_NEWLINE) {
        lines++;
        lineStart = i + 1;
        if (i + 1 < n && chunk[i + 1] === GT) {
          break;
        }
      } else if (code !== CODE_SKIP) {
        break;
      }
    }
    this.sequenceLength = length;
    this.nucleotideLetters = nucleotides;
    if (lines > 0) {
      this.line += lines;
      this.lineStart = this.base + lineStart;
    }
    if (i === n) {
      this.atLineStart = lines > 0 && lineStart === n;
      return n;
    }
    return this.sequenceEvent(chunk, i, out);
  }

  /** What stopped scanSequence at chunk[i] (its line is counted already); where to go on. */
  private sequenceEvent(chunk: Uint8Array, i: number, out: ProteinRecord[]): number {
    const b = chunk[i] as number;
    const code = RESIDUE_CODES[b] as number;
    if (code === CODE_NEWLINE) {
      // A newline followed by '>': the record ends, the next header starts.
      this.finishRecord(out);
      this.startHeader();
      return i + 2;
    }
    if (code >= CODE_FIRST_RESIDUE) {
      if (this.stopLine !== 0) {
        throw this.internalStopError();
      }
      const seq = this.growSequence(i);
      seq[this.sequenceLength++] = code;
      this.nucleotideLetters += NUCLEOTIDE_BYTES[b] as number;
      return i + 1;
    }
    if (code === CODE_STOP) {
      if (this.stopLine !== 0) {
        throw this.internalStopError();
      }
      this.stopLine = this.line;
      this.stopColumn = this.column(i);
      return i + 1;
    }
    throw this.badByteError(b, code, i);
  }

  private growSequence(at: number): Uint8Array {
    const length = this.sequenceLength;
    if (length >= this.limits.maxSequenceLength) {
      if (looksLikeNucleotides(this.nucleotideLetters, length)) {
        throw this.nucleotideError();
      }
      throw limitError(
        'fasta.too-long',
        `sequence is longer than the limit of ${this.limits.maxSequenceLength} residues (record starts at line ${this.headerLine})`,
        'split or remove this record, or raise the maxSequenceLength limit',
        this.here(at),
      );
    }
    const grown = new Uint8Array(Math.min(this.sequence.length * 2, this.limits.maxSequenceLength));
    grown.set(this.sequence.subarray(0, length));
    this.sequence = grown;
    return grown;
  }

  private finishRecord(out: ProteinRecord[]): void {
    const length = this.sequenceLength;
    if (length === 0) {
      throw inputError(
        'fasta.empty-record',
        'record has no sequence: its header is followed by another header or the end of the input',
        `add the residues on the lines after the header, or remove the header at line ${this.headerLine}`,
        { source: this.source, line: this.headerLine, recordId: shownId(this.recordId) },
      );
    }
    if (looksLikeNucleotides(this.nucleotideLetters, length)) {
      throw this.nucleotideError();
    }
    this.totalResidues += length;
    if (this.totalResidues > this.limits.maxTotalResidues) {
      throw limitError(
        'fasta.too-many-residues',
        `the input has more than the limit of ${this.limits.maxTotalResidues} residues in total`,
        'split the input into smaller files, or raise the maxTotalResidues limit',
        { source: this.source, line: this.headerLine, recordId: shownId(this.recordId) },
      );
    }
    out.push({
      id: this.recordId,
      description: this.description,
      sequence: this.ascii.decode(this.sequence.subarray(0, length)),
    });
    this.sequenceLength = 0;
    this.nucleotideLetters = 0;
    this.stopLine = 0;
  }

  private nucleotideError(): ArginatorError {
    const length = this.sequenceLength;
    const percent = Math.floor((100 * this.nucleotideLetters) / length);
    return inputError(
      'fasta.nucleotide',
      `sequence looks like DNA/RNA, not protein: ${percent}% of its ${length} letters are A, C, G, T, U or N`,
      "translate it to protein first (e.g. 'seqkit translate' or 'prodigal -a proteins.faa'); ARGinator reads protein FASTA only",
      { source: this.source, line: this.headerLine, recordId: shownId(this.recordId) },
    );
  }

  private internalStopError(): ArginatorError {
    return inputError(
      'fasta.invalid-residue',
      "stop '*' inside the sequence; only one '*' at the very end is allowed",
      "replace the '*' with X, or split the record at the stop",
      {
        source: this.source,
        line: this.stopLine,
        recordId: shownId(this.recordId),
        position: this.stopColumn,
      },
    );
  }

  private badByteError(byte: number, code: number, i: number): ArginatorError {
    if (code === ByteClass.Control) {
      return this.binaryError(byte, this.base + i);
    }
    const where = this.here(i);
    if (code === ByteClass.NonAscii) {
      return inputError(
        'fasta.invalid-residue',
        `non-ASCII ${describeByte(byte)} is not an amino acid`,
        'sequences must be plain ASCII letters; remove it (often a character pasted from a word processor) or replace it with X',
        where,
      );
    }
    if (code === ByteClass.HeaderMark) {
      return inputError(
        'fasta.invalid-residue',
        "'>' inside a sequence line is not an amino acid",
        "a header's '>' must be the first character of its line; remove the characters before it",
        where,
      );
    }
    const digit = byte >= 0x30 && byte <= 0x39;
    return inputError(
      'fasta.invalid-residue',
      `character ${describeByte(byte)} is not an amino acid`,
      digit
        ? 'remove the numbers (GenBank/EMBL-style numbered sequences are not FASTA) or replace them with X'
        : 'remove it or replace it with X',
      where,
    );
  }

  private binaryError(byte: number, offset: number): ArginatorError {
    return inputError(
      'fasta.binary',
      `found control ${describeByte(byte)}: the input looks binary, not FASTA text`,
      'pass a protein FASTA text file (optionally gzip-compressed); is this the right file?',
      { source: this.source, byteOffset: offset },
    );
  }

  private here(i: number): ErrorLocation {
    return {
      source: this.source,
      line: this.line,
      recordId: shownId(this.recordId),
      position: this.column(i),
    };
  }

  private newLine(i: number): void {
    this.line++;
    this.lineStart = this.base + i + 1;
  }

  /** 1-based byte column of chunk[i] in its line. */
  private column(i: number): number {
    return this.base + i - this.lineStart + 1;
  }
}

/** Windows-1252 code points for 0x80–0x9F (Node's 'windows-1252' decoder is plain Latin-1). */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152,
  0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
  0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) {
    text += String.fromCharCode(b >= 0x80 && b < 0xa0 ? (CP1252_HIGH[b - 0x80] ?? b) : b);
  }
  return text;
}

/** Joins byte chunks into one array of `length` bytes; a single chunk is returned as is, not copied. */
export function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) {
    return parts[0];
  }
  const all = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

/**
 * Set of 64-bit id hashes (two independent 32-bit hashes) with the line of each first
 * occurrence: 12 bytes per slot instead of a string per id, so millions of ids stay cheap.
 * Open addressing with linear probing; a slot is empty when its second hash is 0.
 * Two different ids collide with probability ~n²/2⁶⁵ (≈ 7e-5 for 50 million records).
 */
export class IdHashSet {
  private hashA: Uint32Array;
  private hashB: Uint32Array;
  private lines: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity) {
      capacity *= 2;
    }
    this.hashA = new Uint32Array(capacity);
    this.hashB = new Uint32Array(capacity);
    this.lines = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the set (for memory tests and docs). */
  get byteLength(): number {
    return this.hashA.byteLength + this.hashB.byteLength + this.lines.byteLength;
  }

  /**
   * Adds the id in bytes[0, end) first seen at `line`. Returns 0 if it was new, else the line of
   * its first occurrence (lines beyond 2³²−1 are stored saturated).
   */
  addOrFind(bytes: Uint8Array, end: number, line: number): number {
    // FNV-1a and a murmur-style multiply-xorshift: independent enough for a 64-bit key.
    let a = 0x811c9dc5;
    let b = 0x9747b28c ^ end;
    for (let i = 0; i < end; i++) {
      const byte = bytes[i] ?? 0;
      a = Math.imul(a ^ byte, 0x01000193);
      b = Math.imul(b ^ byte, 0x5bd1e995);
      b ^= b >>> 15;
    }
    b = Math.imul(b ^ (b >>> 16), 0x85ebca6b);
    b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
    b = (b ^ (b >>> 16)) >>> 0;
    a >>>= 0;
    if (b === 0) {
      b = 1;
    }
    let slot = (a ^ (a >>> 16)) & this.mask;
    for (;;) {
      const stored = this.hashB[slot] ?? 0;
      if (stored === 0) {
        break;
      }
      if (stored === b && this.hashA[slot] === a) {
        return this.lines[slot] ?? 0;
      }
      slot = (slot + 1) & this.mask;
    }
    this.hashA[slot] = a;
    this.hashB[slot] = b;
    this.lines[slot] = Math.min(line, 0xffffffff);
    this.count++;
    if (this.count * 4 > this.hashA.length * 3) {
      this.grow();
    }
    return 0;
  }

  private grow(): void {
    const oldA = this.hashA;
    const oldB = this.hashB;
    const oldLines = this.lines;
    const capacity = oldA.length * 2;
    this.hashA = new Uint32Array(capacity);
    this.hashB = new Uint32Array(capacity);
    this.lines = new Uint32Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < oldA.length; i++) {
      const b = oldB[i] ?? 0;
      if (b === 0) {
        continue;
      }
      const a = oldA[i] ?? 0;
      let slot = (a ^ (a >>> 16)) & this.mask;
      while ((this.hashB[slot] ?? 0) !== 0) {
        slot = (slot + 1) & this.mask;
      }
      this.hashA[slot] = a;
      this.hashB[slot] = b;
      this.lines[slot] = oldLines[i] ?? 0;
    }
  }
}
