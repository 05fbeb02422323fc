// Parsing of command-line option values that cac leaves as strings or numbers.
import { ArginatorError, usageError } from '../core/errors.ts';
import type { FastaLimits, FastaParseOptions } from '../core/sequence/fasta-parser.ts';

export function optionalString(
  options: Readonly<Record<string, unknown>>,
  key: string,
  flag: string,
): string | undefined {
  const value = options[key];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string' || value === '') {
    throw usageError('cli.bad-option', `${flag} needs a value`, `write ${flag} VALUE`);
  }
  return value;
}

export function optionalPositiveInt(
  options: Readonly<Record<string, unknown>>,
  key: string,
  flag: string,
): number | undefined {
  const value = options[key];
  if (value === undefined) {
    return undefined;
  }
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw usageError(
      'cli.bad-option',
      `${flag} must be a positive integer, got '${typeof value === 'string' ? value : JSON.stringify(value)}'`,
      `e.g. ${flag} 2`,
    );
  }
  return n;
}

/** `--port N`: 0 to 65535 (0 picks a free port). Here, not in serve.ts, so `start` checks it before training. */
export function optionalPort(options: Readonly<Record<string, unknown>>): number | undefined {
  const value = options['port'];
  if (value === undefined) {
    return undefined;
  }
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw usageError(
      'cli.bad-port',
      `--port must be a whole number from 0 to 65535, got '${typeof value === 'string' ? value : JSON.stringify(value)}'`,
      'e.g. --port 8000 (0 picks a free port)',
    );
  }
  return n;
}

export function flag(options: Readonly<Record<string, unknown>>, key: string): boolean {
  return options[key] === true;
}

const LIMIT_FLAGS: readonly [keyof FastaLimits, string, string][] = [
  ['maxRecords', 'maxRecords', '--max-records'],
  ['maxSequenceLength', 'maxSequenceLength', '--max-sequence-length'],
  ['maxTotalResidues', 'maxTotalResidues', '--max-total-residues'],
  ['maxHeaderLength', 'maxHeaderLength', '--max-header-length'],
  ['maxDecompressedBytes', 'maxInputBytes', '--max-input-bytes'],
];

/**
 * The FASTA limits given on the command line. Duplicate ids stay an error: outputs are keyed
 * by protein id (one HDF5 dataset per id), so a repeated id cannot be written unambiguously.
 */
export function inputOptions(options: Readonly<Record<string, unknown>>): FastaParseOptions {
  const limits: Partial<FastaLimits> = {};
  for (const [limit, key, name] of LIMIT_FLAGS) {
    const value = optionalPositiveInt(options, key, name);
    if (value !== undefined) {
      limits[limit] = value;
    }
  }
  return { limits, duplicateIds: 'error' };
}

/** The hint of each FASTA limit error, naming the flag that raises it (the parser names its own setting). */
const LIMIT_HINTS: Readonly<Record<string, string>> = {
  'fasta.too-long':
    'split or remove this record, or raise the limit with --max-sequence-length <n>',
  'fasta.too-many-records':
    'split the input into smaller files, or raise the limit with --max-records <n>',
  'fasta.too-many-residues':
    'split the input into smaller files, or raise the limit with --max-total-residues <n>',
  'fasta.header-too-long':
    'shorten the description (everything after the first space), or raise the limit with --max-header-length <n>',
  'input.too-large':
    'check that the file is what you expect, split it, or raise the limit with --max-input-bytes <n>',
};

/** `e` with a hint that names this command's flag, for the FASTA limit errors; anything else as is. */
export function inFlagTerms(e: unknown): unknown {
  if (!(e instanceof ArginatorError) || e.code !== 'LIMIT') {
    return e;
  }
  const hint = LIMIT_HINTS[e.reason];
  return hint === undefined ? e : new ArginatorError(e.code, e.reason, e.message, hint, e.location);
}
