// `arginator config show [overrides...]`: prints the resolved config (YAML, or JSON with --json) without running anything.
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../load-config.ts';
import { flag } from '../options.ts';

/** `args` are the overrides, e.g. ['task=binary', 'experiment.lr=0.01']. */
export async function configShowCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const { config, text } = await loadConfig(args, options, io);
  io.stdout.write(flag(options, 'json') ? `${JSON.stringify(config, null, 2)}\n` : text);
  return 0;
}
