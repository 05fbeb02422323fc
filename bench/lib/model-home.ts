// A data directory's registered multiclass model, for benches that need one (trained there first if missing).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const BIN = new URL('../../dist/cli/bin.js', import.meta.url).pathname;

/** The version and file of `latest:multiclass` in home's registry, or undefined if there is none. */
export function latestMulticlassModel(home: string): { version: string; path: string } | undefined {
  try {
    const registry = JSON.parse(readFileSync(join(home, 'models', 'registry.json'), 'utf8')) as {
      aliases: Record<string, string>;
      models: { version: string; file: string }[];
    };
    const version = registry.aliases['latest:multiclass'];
    const file = registry.models.find((m) => m.version === version)?.file;
    return version === undefined || file === undefined
      ? undefined
      : { version, path: join(home, 'models', file) };
  } catch {
    return undefined;
  }
}

/** The model of latestMulticlassModel, trained first with `arginator train` (built CLI) if missing. */
export function ensureMulticlassModel(home: string): { version: string; path: string } {
  const existing = latestMulticlassModel(home);
  if (existing !== undefined) {
    return existing;
  }
  console.error(`training a model in ${home} first (~40 s, not timed)`);
  execFileSync(process.execPath, [BIN, 'train', '--quiet'], {
    env: { ...process.env, ARGINATOR_HOME: home },
    stdio: 'inherit',
  });
  const trained = latestMulticlassModel(home);
  if (trained === undefined) {
    throw new Error(`training in ${home} registered no multiclass model`);
  }
  return trained;
}
