// Typed errors: each carries a code and a message that says what is wrong and how to fix it.

/** Error categories; mapped once to CLI exit codes (cli/bin.ts) and HTTP statuses (server). */
export const ERROR_CODES = [
  'BAD_INPUT', // the user's data is wrong (exit 3, HTTP 422)
  'LIMIT', // the user's data exceeds a configured limit (exit 3, HTTP 413)
  'USAGE', // wrong command-line usage (exit 2, HTTP 400)
  'CONFIG', // invalid configuration (exit 2, HTTP 400)
  'NOT_FOUND', // a named thing does not exist (exit 2, HTTP 404)
  'VALIDATION', // the data failed a configured validation rule (exit 4, HTTP 422; docs/validation.md)
  'CANCELLED', // the operation was aborted (exit 130, HTTP 499)
  'INTERNAL', // a bug or an environment failure (exit 1, HTTP 500)
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorLocation {
  /** File name or other source label, if known. */
  readonly source?: string | undefined;
  /** Protein id of the record concerned, if known. */
  readonly recordId?: string | undefined;
  /** 1-based line number in the (decompressed) text. */
  readonly line?: number | undefined;
  /** 1-based column or residue position. */
  readonly position?: number | undefined;
  /** 0-based byte offset in the (decompressed) input. */
  readonly byteOffset?: number | undefined;
}

export class ArginatorError extends Error {
  readonly code: ErrorCode;
  /** What the user should do about it. */
  readonly hint: string;
  readonly location: ErrorLocation;
  /** Stable machine-readable reason, e.g. 'fasta.no-header'. */
  readonly reason: string;

  constructor(
    code: ErrorCode,
    reason: string,
    message: string,
    hint: string,
    location: ErrorLocation = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ArginatorError';
    this.code = code;
    this.reason = reason;
    this.hint = hint;
    this.location = location;
  }

  /** One line for humans: where, what, and the fix. */
  oneLine(): string {
    const where = describeLocation(this.location);
    const prefix = where === '' ? '' : `${where}: `;
    const fix = this.hint === '' ? '' : ` Fix: ${this.hint}`;
    return `${prefix}${this.message}.${fix}`.replace(/\.\./g, '.');
  }
}

export function describeLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.source !== undefined) {
    parts.push(loc.source);
  }
  if (loc.line !== undefined) {
    parts.push(`line ${loc.line}`);
  }
  if (loc.recordId !== undefined) {
    parts.push(`record '${loc.recordId}'`);
  }
  if (loc.position !== undefined) {
    parts.push(`position ${loc.position}`);
  }
  if (loc.byteOffset !== undefined && loc.line === undefined) {
    parts.push(`byte ${loc.byteOffset}`);
  }
  return parts.join(', ');
}

/** Data that breaks a configured validation rule (exit code 4): the message names the report. */
export function validationError(reason: string, message: string, hint: string): ArginatorError {
  return new ArginatorError('VALIDATION', reason, message, hint);
}

/** Bad user data (exit code 3). */
export function inputError(
  reason: string,
  message: string,
  hint: string,
  location?: ErrorLocation,
  cause?: unknown,
): ArginatorError {
  return new ArginatorError('BAD_INPUT', reason, message, hint, location, { cause });
}

/** User data beyond a configured limit (exit code 3, HTTP 413). */
export function limitError(
  reason: string,
  message: string,
  hint: string,
  location?: ErrorLocation,
): ArginatorError {
  return new ArginatorError('LIMIT', reason, message, hint, location);
}

export function usageError(reason: string, message: string, hint: string): ArginatorError {
  return new ArginatorError('USAGE', reason, message, hint);
}

export function cancelledError(what: string): ArginatorError {
  return new ArginatorError('CANCELLED', 'cancelled', `${what} was cancelled`, '');
}

/** Throws a CANCELLED error if the signal has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'The operation'): void {
  if (signal?.aborted === true) {
    throw cancelledError(what);
  }
}

export function isArginatorError(e: unknown): e is ArginatorError {
  return e instanceof ArginatorError;
}
