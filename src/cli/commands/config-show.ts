// `arginator config show [overrides...]`: prints the resolved config (YAML, or JSON with --json) without running anything.
import { join, resolve } from 'node:path';

import YAML from 'yaml';

import { resolveConfig } from '../../pipeline/config/resolve-config.ts';
import { fsConfigSource } from '../../store/fs-config-source.ts';
import { resolveHome } from '../../wiring/home.ts';
import { PACKAGE_ROOT } from '../../wiring/package-info.ts';
import type { CliIo } from '../cli-io.ts';
import { flag, optionalString } from '../options.ts';

/** `args` are the overrides, e.g. ['task=binary', 'experiment.lr=0.01']. */
export async function configShowCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const configDir = optionalString(options, 'configDir', '--config-dir');
  const source =
    configDir === undefined
      ? fsConfigSource(join(PACKAGE_ROOT, 'configs'), 'configs')
      : fsConfigSource(resolve(io.cwd, configDir), configDir);
  const { config, choices } = await resolveConfig(
    source,
    args,
    { home: resolveHome(io.env, io.cwd), package_root: PACKAGE_ROOT, cwd: io.cwd },
    { signal: io.signal },
  );
  if (flag(options, 'json')) {
    io.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    return 0;
  }
  const chosen = Object.entries(choices)
    .map(([group, option]) => `${group}=${option}`)
    .join(' ');
  io.stdout.write(`# choices: ${chosen}\n${YAML.stringify(config, { lineWidth: 0 })}`);
  return 0;
}
