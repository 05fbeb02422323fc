// The data directory (runs, models, jobs, caches): ARGINATOR_HOME or ./.arginator. The one place env is read for it.
import { resolve } from 'node:path';

export function resolveHome(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string {
  const fromEnv = env['ARGINATOR_HOME'];
  return resolve(cwd, fromEnv !== undefined && fromEnv !== '' ? fromEnv : '.arginator');
}
