// `arginator config <action>`: cac matches one-word commands only, so this dispatches the config actions.
import { usageError } from '../../core/errors.ts';
import type { CliIo } from '../cli-io.ts';

const ACTIONS = ['show'];

export async function configCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'show') {
    return (await import('./config-show.ts')).configShowCommand(rest, options, io);
  }
  throw usageError(
    'cli.config-action',
    action === undefined ? 'config needs an action' : `unknown config action '${action}'`,
    `use one of: ${ACTIONS.join(', ')} (e.g. arginator config show task=binary)`,
  );
}
