// Reads a Hydra-style configs folder from disk for resolveConfig (the ConfigSource port).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ArginatorError, throwIfAborted } from '../core/errors.ts';
import type { ConfigSource } from '../pipeline/config/config-source.ts';

/** Group and option names become file names, so anything that could leave the folder is refused. */
const SAFE_NAME = /^[A-Za-z0-9_][\w-]*$/;

/** `label` is how errors name the folder (default: the path as given). */
export function fsConfigSource(dir: string, label: string = dir): ConfigSource {
  return {
    label,
    async readRoot(signal) {
      const file = join(dir, 'config.yaml');
      const text = await readText(file, signal);
      if (text === undefined) {
        throw new ArginatorError(
          'CONFIG',
          'config.no-root',
          `no config.yaml in ${label}`,
          'point to a configs folder holding config.yaml and one folder per group',
          { source: file },
        );
      }
      return text;
    },
    async readGroupOption(group, option, signal) {
      if (!SAFE_NAME.test(group) || !SAFE_NAME.test(option)) {
        return undefined;
      }
      return readText(join(dir, group, `${option}.yaml`), signal);
    },
    async listOptions(group, signal) {
      if (!SAFE_NAME.test(group)) {
        return [];
      }
      throwIfAborted(signal, 'Reading the config');
      try {
        const names = await readdir(join(dir, group));
        return names
          .filter((n) => n.endsWith('.yaml'))
          .map((n) => n.slice(0, -'.yaml'.length))
          .sort();
      } catch (e) {
        if (isNotFound(e)) {
          return [];
        }
        throw unreadable(join(dir, group), e);
      }
    },
  };
}

async function readText(
  file: string,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  try {
    return await readFile(file, { encoding: 'utf8', signal });
  } catch (e) {
    if (isNotFound(e)) {
      return undefined;
    }
    throwIfAborted(signal, 'Reading the config');
    throw unreadable(file, e);
  }
}

function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function unreadable(what: string, e: unknown): ArginatorError {
  const reason = e instanceof Error ? e.message : String(e);
  return new ArginatorError(
    'CONFIG',
    'config.unreadable',
    `cannot read ${what}: ${reason}`,
    'check that the configs folder and its files are readable',
    { source: what },
    { cause: e },
  );
}
