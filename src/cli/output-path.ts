// Checks that an --out file can be written before any costly work, so a typo in a folder fails in a second.
import { access, constants, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

import { usageError } from '../core/errors.ts';

/**
 * Resolves once the folder that will hold `path` exists and is writable (outputs are written to
 * a temp file beside `path`, then renamed). `given` is the path as typed, for the message.
 */
export async function assertOutputFolder(
  path: string,
  given: string,
  flagName: string,
): Promise<void> {
  const folder = dirname(path);
  const info = await stat(folder).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw usageError(
      'cli.out-folder-missing',
      `${flagName} ${given}: the folder ${folder} does not exist`,
      `create it first (mkdir -p ${folder}) or write somewhere else`,
    );
  }
  try {
    await access(folder, constants.W_OK);
  } catch {
    throw usageError(
      'cli.out-folder-read-only',
      `${flagName} ${given}: the folder ${folder} is not writable`,
      'write somewhere you have write permission, or fix the folder permissions',
    );
  }
}
