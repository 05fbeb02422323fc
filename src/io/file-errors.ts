// Turns Node file-system errors (ENOENT, EISDIR, EACCES, ...) into input errors that say how to fix them.
import { resolve } from 'node:path';

import { inputError, type ArginatorError } from '../core/errors.ts';

/** What the caller expected at the path, so the messages can name it. */
export interface FileErrorText {
  /** Ends "'PATH' is a directory, not …", e.g. 'a FASTA file'. */
  notA: string;
  /** Hint when the path is a directory. */
  directoryHint: string;
  /** Hint when the file cannot be read for any other reason. */
  unreadableHint: string;
  /** Give EACCES/EPERM their own permission-denied message and chmod hint. */
  permissionDenied?: boolean;
}

/** The `code` of a Node system error (e.g. 'ENOENT'), if the value has a string one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return typeof error.code === 'string' ? error.code : undefined;
  }
  return undefined;
}

/** An input error for a failed open/read of `path`, keeping `error` as the cause. */
export function fileError(error: unknown, path: string, text: FileErrorText): ArginatorError {
  const code = errorCode(error);
  const location = { source: path };
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return inputError(
      'input.not-found',
      `file '${path}' does not exist (looked for ${resolve(path)})`,
      'check the spelling of the path and the current directory',
      location,
      error,
    );
  }
  if (code === 'EISDIR') {
    return inputError(
      'input.is-directory',
      `'${path}' is a directory, not ${text.notA}`,
      text.directoryHint,
      location,
      error,
    );
  }
  if (text.permissionDenied === true && (code === 'EACCES' || code === 'EPERM')) {
    return inputError(
      'input.unreadable',
      `file '${path}' cannot be read: permission denied`,
      `make it readable (e.g. 'chmod u+r ${path}') or run as a user who can read it`,
      location,
      error,
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return inputError(
    'input.unreadable',
    `file '${path}' cannot be read (${detail})`,
    text.unreadableHint,
    location,
    error,
  );
}
