// Resolves the configuration for a command: the shipped configs/ (or --config-dir) plus overrides.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type YamlModule from 'yaml';

import type { ResolvedConfig } from '../pipeline/config/schema.ts';
import { fsConfigSource } from '../store/fs-config-source.ts';
import {
  FsResolvedConfigCache,
  recordingSource,
  resolvedConfigKey,
} from '../store/fs-resolved-config-cache.ts';
import { resolveHome } from '../wiring/home.ts';
import { PACKAGE_ROOT } from '../wiring/package-info.ts';
import type { CliIo } from './cli-io.ts';
import { optionalString } from './options.ts';

// yaml (CommonJS, ~40 ms to load) only for the commands that print or save the config as YAML.
const require = createRequire(import.meta.url);

export interface LoadedConfig {
  readonly config: ResolvedConfig;
  readonly choices: Readonly<Record<string, string>>;
  readonly overrides: readonly string[];
  /** The resolved config as YAML, headed by the group choices (made when first read). */
  readonly text: string;
}

export interface LoadConfigOptions {
  /**
   * Reuse the result of an earlier resolution of the same files, overrides and vars, kept in
   * <home>/cache/config (store/fs-resolved-config-cache.ts): the short commands (predict) then load
   * neither YAML nor zod. Off by default: long-running commands resolve once anyway.
   */
  readonly cache?: boolean;
}

export async function loadConfig(
  overrides: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
  load: LoadConfigOptions = {},
): Promise<LoadedConfig> {
  const configDir = optionalString(options, 'configDir', '--config-dir');
  const dir = configDir === undefined ? join(PACKAGE_ROOT, 'configs') : resolve(io.cwd, configDir);
  const source = fsConfigSource(dir, configDir ?? 'configs');
  const home = resolveHome(io.env, io.cwd);
  const vars = { home, package_root: PACKAGE_ROOT, cwd: io.cwd };
  const cache = load.cache === true ? new FsResolvedConfigCache(join(home, 'cache')) : undefined;
  const key =
    cache === undefined
      ? undefined
      : resolvedConfigKey({ dir, overrides, vars, code: await resolverFingerprint() });
  const cached =
    cache === undefined || key === undefined ? undefined : await cache.read(key, source, io.signal);
  let resolved = cached;
  if (resolved === undefined) {
    // Loaded here: the resolver brings yaml and zod, which a cache hit never needs.
    const { resolveConfig } = await import('../pipeline/config/resolve-config.ts');
    const recorder = recordingSource(source);
    resolved = await resolveConfig(recorder.source, overrides, vars, { signal: io.signal });
    if (cache !== undefined && key !== undefined) {
      await cache.write(key, recorder.reads, { ...resolved, overrides });
    }
  }
  const { config, choices } = resolved;
  let text: string | undefined;
  return {
    config,
    choices,
    overrides: [...overrides],
    get text(): string {
      if (text === undefined) {
        const YAML = require('yaml') as typeof YamlModule;
        const chosen = Object.entries(choices)
          .map(([group, option]) => `${group}=${option}`)
          .join(' ');
        text = `# choices: ${chosen}\n${YAML.stringify(config, { lineWidth: 0 })}`;
      }
      return text;
    },
  };
}

let fingerprint: Promise<string> | undefined;

/**
 * A hash of the config resolver's modules (pipeline/config: rules, schema, defaults) and of the
 * domain constants the schema uses, as they are on disk next to this module (dist/*.js installed,
 * src/*.ts under tsx), so an edited schema never meets a result cached by the old one.
 */
function resolverFingerprint(): Promise<string> {
  fingerprint ??= (async () => {
    const here = fileURLToPath(import.meta.url);
    const ext = here.slice(here.lastIndexOf('.'));
    const configDir = fileURLToPath(new URL('../pipeline/config/', import.meta.url));
    const names = (await readdir(configDir))
      .filter((n) => n.endsWith(ext) && !n.includes('.test.'))
      .sort();
    const files = [
      ...names.map((n) => join(configDir, n)),
      fileURLToPath(new URL(`../core/domain${ext}`, import.meta.url)),
    ];
    const hash = createHash('sha256');
    for (const file of files) {
      hash
        .update(file)
        .update('\0')
        .update(await readFile(file))
        .update('\0');
    }
    return hash.digest('hex');
  })();
  return fingerprint;
}
