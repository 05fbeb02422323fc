// Parsing of command-line option values that cac leaves as strings or numbers.
import { usageError } from '../core/errors.ts';
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
