// Protein residue alphabet and the byte-level sanitising rules every protein reader applies.

/** The 20 standard amino acids, in one-letter code. */
export const STANDARD_AMINO_ACIDS = 'ACDEFGHIKLMNPQRSTVWY';

/** The one letter that stands for "any / unknown residue". */
export const UNKNOWN_RESIDUE = 'X';

/**
 * Letters read as X: selenocysteine (U), pyrrolysine (O) and the ambiguity codes B (D/N),
 * Z (E/Q), J (I/L). The original Python system mapped U, Z, O, B to X; J is added because
 * embedders and the reference alignment only know the 20 standard letters plus X.
 */
export const LETTERS_MAPPED_TO_X = 'BJOUZ';

/** Alignment gap characters; removed, since the input is unaligned protein sequence. */
export const GAP_CHARACTERS = '-.';

/** Translation stop; removed once at the end of a sequence, an error anywhere else. */
export const STOP_CHARACTER = '*';

/** Letters of nucleotide sequences (DNA and RNA, plus N for unknown base). */
export const NUCLEOTIDE_LETTERS = 'ACGTUN';

/** A record at least this long ... */
export const NUCLEOTIDE_MIN_LENGTH = 20;
/** ... whose letters are at least this fraction ACGTUN is treated as DNA/RNA, not protein. */
export const NUCLEOTIDE_MIN_FRACTION = 0.9;

/**
 * Byte classes below 65 ('A'); every value >= 65 is the sanitised residue byte itself, so the
 * parser's hot loop needs one table lookup and one comparison per byte.
 */
export const ByteClass = {
  /** Whitespace other than newline (space, tab, CR, VT, FF) and gaps: dropped. */
  Skip: 0,
  Newline: 1,
  Stop: 2,
  /** Control bytes (NUL, ESC, ...): the input is binary, not text. */
  Control: 3,
  /** Printable ASCII that is not a residue: digits, punctuation. */
  Invalid: 4,
  /** Bytes >= 0x80: non-ASCII text (UTF-8, Windows-1252) or binary. */
  NonAscii: 5,
  /** '>' (only a header when it starts a line). */
  HeaderMark: 6,
} as const;

export type ByteClassCode = (typeof ByteClass)[keyof typeof ByteClass];

/** Smallest value in RESIDUE_CODES that is a residue rather than a ByteClass. */
export const FIRST_RESIDUE_CODE = 65;

function buildResidueCodes(): Uint8Array {
  const table = new Uint8Array(256).fill(ByteClass.NonAscii);
  for (let b = 0; b < 0x80; b++) {
    table[b] = b < 0x20 || b === 0x7f ? ByteClass.Control : ByteClass.Invalid;
  }
  for (const ch of ' \t\r\v\f' + GAP_CHARACTERS) {
    table[ch.charCodeAt(0)] = ByteClass.Skip;
  }
  table[0x0a] = ByteClass.Newline;
  table[STOP_CHARACTER.charCodeAt(0)] = ByteClass.Stop;
  table['>'.charCodeAt(0)] = ByteClass.HeaderMark;
  for (let upper = 65; upper <= 90; upper++) {
    const letter = String.fromCharCode(upper);
    const mapped = LETTERS_MAPPED_TO_X.includes(letter) ? UNKNOWN_RESIDUE.charCodeAt(0) : upper;
    table[upper] = mapped;
    table[upper + 32] = mapped;
  }
  return table;
}

/** Byte → sanitised residue byte (>= 65) or a ByteClass (< 65). */
export const RESIDUE_CODES: Uint8Array = buildResidueCodes();

function buildNucleotideBytes(): Uint8Array {
  const table = new Uint8Array(256);
  for (const ch of NUCLEOTIDE_LETTERS) {
    table[ch.charCodeAt(0)] = 1;
    table[ch.toLowerCase().charCodeAt(0)] = 1;
  }
  return table;
}

/** Byte → 1 if it is a nucleotide letter (either case), else 0; summed in the hot loop. */
export const NUCLEOTIDE_BYTES: Uint8Array = buildNucleotideBytes();

/** True for bytes that never occur in a text file (tab, LF, VT, FF and CR are text). */
export function isControlByte(byte: number): boolean {
  return RESIDUE_CODES[byte & 0xff] === ByteClass.Control;
}

/** True for ASCII whitespace, the only separators between a header's id and its description. */
export function isAsciiWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0b || byte === 0x0c;
}

/** True if the fraction of nucleotide letters says this is DNA/RNA rather than protein. */
export function looksLikeNucleotides(nucleotideLetters: number, length: number): boolean {
  return length >= NUCLEOTIDE_MIN_LENGTH && nucleotideLetters >= NUCLEOTIDE_MIN_FRACTION * length;
}

/** A byte as users should see it in a message: 'A' for printable ASCII, 0x00 otherwise. */
export function describeByte(byte: number): string {
  if (byte > 0x20 && byte < 0x7f) {
    return `'${String.fromCharCode(byte)}'`;
  }
  if (byte === 0x20) {
    return 'space';
  }
  return `byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

const SANITISED = /^[ACDEFGHIKLMNPQRSTVWXY]*$/;

/** True if `sequence` already obeys ProteinRecord.sequence's alphabet (for readers of other formats). */
export function isSanitisedSequence(sequence: string): boolean {
  return SANITISED.test(sequence);
}
