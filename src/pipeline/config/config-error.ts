// The one error resolution throws: code CONFIG (exit 2, HTTP 400), listing every problem as `dotted.path: message`.
import { ArginatorError } from '../../core/errors.ts';

export class ConfigError extends ArginatorError {
  /** Every problem found, each `dotted.path: message`, in the order found. */
  readonly errors: readonly string[];

  constructor(errors: readonly string[], hint = CONFIG_HINT) {
    const count = errors.length === 1 ? '1 problem' : `${errors.length} problems`;
    super(
      'CONFIG',
      'config.invalid',
      `invalid configuration (${count}):\n  ${errors.join('\n  ')}`,
      hint,
    );
    this.name = 'ConfigError';
    this.errors = errors;
  }
}

export const CONFIG_HINT =
  'change the values in configs/ or on the command line; docs/config.md lists every key and the override forms';

export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof ConfigError;
}
