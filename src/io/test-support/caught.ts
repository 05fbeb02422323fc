// Awaits a promise that must reject with an ArginatorError and returns that error for assertions.
import { isArginatorError, type ArginatorError } from '../../core/errors.ts';

/** The ArginatorError `promise` rejects with; rethrows other errors and fails if it resolves. */
export async function caught(promise: Promise<unknown>): Promise<ArginatorError> {
  try {
    await promise;
  } catch (e) {
    if (isArginatorError(e)) {
      return e;
    }
    throw e;
  }
  throw new Error('expected an ArginatorError, but the call succeeded');
}
