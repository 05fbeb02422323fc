// Resolved configs cached as JSON: <cache>/config/<key>.json, so a short command skips YAML and the schema.
// Resolving parses every chosen YAML file and validates the tree with zod: loading those two
// libraries and running them costs ~0.2 s, most of a one-protein `arginator predict`. The key
// covers what the caller passes (folder, overrides, vars, the resolver's code); the entry lists every
// file the resolution read with its hash, and is used only while each still reads the same.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import type { ConfigSource } from '../pipeline/config/config-source.ts';
import type { ResolveResult } from '../pipeline/config/resolve-config.ts';
import { writeFileAtomic } from './fs-run-tracker.ts';

const KEY = /^[a-f0-9]{64}$/;
const FORMAT = 1;

/** One answer of the config source during a resolution: which call, and a hash of what it gave. */
type Read = readonly [call: 'root' | 'option' | 'list', args: readonly string[], hash: string];

interface Entry {
  readonly format: typeof FORMAT;
  readonly reads: readonly Read[];
  readonly config: ResolveResult['config'];
  readonly choices: ResolveResult['choices'];
}

/** The entry, if the JSON has its shape (the config itself was validated when it was stored). */
function asEntry(json: unknown): Entry | undefined {
  if (typeof json !== 'object' || json === null) {
    return undefined;
  }
  const { format, reads, config, choices } = json as Record<string, unknown>;
  const readsOk =
    Array.isArray(reads) &&
    reads.length > 0 &&
    reads.every(
      (r: unknown) =>
        Array.isArray(r) &&
        r.length === 3 &&
        (r[0] === 'root' || r[0] === 'option' || r[0] === 'list') &&
        Array.isArray(r[1]) &&
        r[1].every((a: unknown) => typeof a === 'string') &&
        typeof r[2] === 'string',
    );
  if (
    format !== FORMAT ||
    !readsOk ||
    typeof config !== 'object' ||
    config === null ||
    typeof choices !== 'object' ||
    choices === null
  ) {
    return undefined;
  }
  return json as Entry;
}

function hashOf(value: string | readonly string[] | undefined): string {
  return value === undefined
    ? 'missing'
    : createHash('sha256')
        .update(typeof value === 'string' ? value : JSON.stringify(value))
        .digest('hex');
}

/** The source, and every answer it gave (in order) once the resolution is over. */
export function recordingSource(source: ConfigSource): {
  readonly source: ConfigSource;
  readonly reads: readonly Read[];
} {
  const reads: Read[] = [];
  return {
    reads,
    source: {
      label: source.label,
      async readRoot(signal) {
        const text = await source.readRoot(signal);
        reads.push(['root', [], hashOf(text)]);
        return text;
      },
      async readGroupOption(group, option, signal) {
        const text = await source.readGroupOption(group, option, signal);
        reads.push(['option', [group, option], hashOf(text)]);
        return text;
      },
      async listOptions(group, signal) {
        const names = await source.listOptions(group, signal);
        reads.push(['list', [group], hashOf(names)]);
        return names;
      },
    },
  };
}

/** The cache key of a resolution: everything it depends on besides the files it reads. */
export function resolvedConfigKey(parts: {
  /** The configs folder, absolute. */
  readonly dir: string;
  readonly overrides: readonly string[];
  readonly vars: Readonly<Record<string, string>>;
  /** A fingerprint of the resolver's and schema's code (a change of defaults or rules). */
  readonly code: string;
}): string {
  const vars = Object.entries(parts.vars).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([FORMAT, parts.dir, parts.overrides, vars, parts.code]))
    .digest('hex');
}

export class FsResolvedConfigCache {
  private readonly dir: string;

  constructor(cacheDir: string) {
    this.dir = join(cacheDir, 'config');
  }

  /**
   * The cached result, or undefined when missing, damaged, or when any file it was resolved from
   * reads differently now (then the caller resolves again). Source errors are the caller's: they
   * surface from the resolution it then runs.
   */
  async read(
    key: string,
    source: ConfigSource,
    signal?: AbortSignal,
  ): Promise<Omit<ResolveResult, 'overrides'> | undefined> {
    if (!KEY.test(key)) {
      return undefined;
    }
    let entry: Entry | undefined;
    try {
      entry = asEntry(JSON.parse(await readFile(join(this.dir, `${key}.json`), 'utf8')));
    } catch {
      return undefined;
    }
    if (entry === undefined) {
      return undefined;
    }
    const reads = entry.reads;
    try {
      const now = await Promise.all(
        reads.map(async ([call, args]) => {
          if (call === 'root') {
            return hashOf(await source.readRoot(signal));
          }
          if (call === 'option') {
            return hashOf(await source.readGroupOption(args[0] ?? '', args[1] ?? '', signal));
          }
          return hashOf(await source.listOptions(args[0] ?? '', signal));
        }),
      );
      if (now.some((hash, i) => hash !== reads[i]?.[2])) {
        return undefined;
      }
    } catch {
      return undefined;
    }
    return { config: entry.config, choices: entry.choices };
  }

  /**
   * Stores a result with the reads it came from; one that JSON cannot carry exactly (an Infinity,
   * an undefined) is not stored, nor is a failed write an error (only a cache).
   */
  async write(key: string, reads: readonly Read[], result: ResolveResult): Promise<void> {
    if (!KEY.test(key) || reads.length === 0) {
      return;
    }
    const entry: Entry = { format: FORMAT, reads, config: result.config, choices: result.choices };
    const text = JSON.stringify(entry);
    const back = JSON.parse(text) as Entry;
    if (
      !isDeepStrictEqual(back.config, result.config) ||
      !isDeepStrictEqual(back.choices, result.choices)
    ) {
      return;
    }
    try {
      await writeFileAtomic(join(this.dir, `${key}.json`), `${text}\n`);
    } catch {
      // The next run resolves again.
    }
  }
}
