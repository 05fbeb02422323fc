// `arginator start` (npm start): the main job. Trains the default model on the shipped dataset if none is
// registered, then serves the API and web UI (`--no-serve` stops after the model).
import { chooseTaskModel } from '../../pipeline/model-catalog.ts';
import { FsModelRegistry } from '../../store/fs-model-registry.ts';
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../load-config.ts';
import { flag, optionalPort, optionalString } from '../options.ts';
import { runTraining } from './train.ts';

export async function startCommand(
  _args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const { config } = await loadConfig([], options, io);
  // Fail before working: the serve options are checked before a model is trained, not after.
  if (options['serve'] !== false) {
    optionalPort(options);
    optionalString(options, 'host', '--host');
  }
  const registry = new FsModelRegistry(config.paths.models);
  const alias = `latest:${config.task.name}`;
  const index = await registry.index();
  const existing = index.aliases[alias];
  // What serves: the champion if one is promoted, else the latest model (docs/registry.md).
  const serving = chooseTaskModel(config.task.name, index);
  let version = serving?.version ?? existing;
  let trained = false;
  if (existing === undefined) {
    io.stderr.write(
      `no ${config.task.name} model is registered yet in ${config.paths.models}: training the default model on the shipped dataset\n`,
    );
    const outcome = await runTraining([], { ...options, json: false }, io, {}, registry);
    if (outcome.status === 'cancelled') {
      return 130;
    }
    version = outcome.modelVersion;
    trained = true;
  } else {
    io.stderr.write(`model ${existing} (${alias}) is registered: ${config.paths.models}\n`);
  }
  const servedAs = trained ? alias : (serving?.alias ?? alias);
  io.stderr.write(
    `ready: model ${version ?? '?'} (${servedAs}). See 'arginator runs show' for its metrics and plots.\n`,
  );
  if (flag(options, 'json')) {
    io.stdout.write(
      `${JSON.stringify({ model: version, alias: servedAs, trained, home: config.paths.home })}\n`,
    );
  }
  // cac turns --no-serve into serve: false.
  if (options['serve'] === false || io.signal.aborted) {
    return 0;
  }
  const { serveCommand } = await import('./serve.ts');
  return serveCommand([], options, io);
}
