// Resolves the configuration for a command: the shipped configs/ (or --config-dir) plus overrides.
import { join, resolve } from 'node:path';

import YAML from 'yaml';

import { resolveConfig } from '../pipeline/config/resolve-config.ts';
import type { ResolvedConfig } from '../pipeline/config/schema.ts';
import { fsConfigSource } from '../store/fs-config-source.ts';
import { resolveHome } from '../wiring/home.ts';
import { PACKAGE_ROOT } from '../wiring/package-info.ts';
import type { CliIo } from './cli-io.ts';
import { optionalString } from './options.ts';

export interface LoadedConfig {
  readonly config: ResolvedConfig;
  readonly choices: Readonly<Record<string, string>>;
  readonly overrides: readonly string[];
  /** The resolved config as YAML, headed by the group choices. */
  readonly text: string;
}

export async function loadConfig(
  overrides: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<LoadedConfig> {
  const configDir = optionalString(options, 'configDir', '--config-dir');
  const source =
    configDir === undefined
      ? fsConfigSource(join(PACKAGE_ROOT, 'configs'), 'configs')
      : fsConfigSource(resolve(io.cwd, configDir), configDir);
  const { config, choices } = await resolveConfig(
    source,
    overrides,
    { home: resolveHome(io.env, io.cwd), package_root: PACKAGE_ROOT, cwd: io.cwd },
    { signal: io.signal },
  );
  const chosen = Object.entries(choices)
    .map(([group, option]) => `${group}=${option}`)
    .join(' ');
  const text = `# choices: ${chosen}\n${YAML.stringify(config, { lineWidth: 0 })}`;
  return { config, choices, overrides, text };
}
