// The one mapping from error codes to process exit codes (docs/cli.md lists them).
import type { ErrorCode } from '../core/errors.ts';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;
export const EXIT_BAD_INPUT = 3;
/** A configured data-validation rule failed (`arginator validate`, `train` before training; docs/validation.md). */
export const EXIT_VALIDATION = 4;
export const EXIT_INTERRUPTED = 130;

const BY_CODE: Record<ErrorCode, number> = {
  BAD_INPUT: EXIT_BAD_INPUT,
  LIMIT: EXIT_BAD_INPUT,
  USAGE: EXIT_USAGE,
  CONFIG: EXIT_USAGE,
  NOT_FOUND: EXIT_USAGE,
  VALIDATION: EXIT_VALIDATION,
  CANCELLED: EXIT_INTERRUPTED,
  INTERNAL: EXIT_INTERNAL,
};

export function exitCodeFor(code: ErrorCode): number {
  return BY_CODE[code];
}
