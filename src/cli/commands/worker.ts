// `arginator worker`: runs job chunks from the redis queue until Ctrl-C or SIGTERM; `--check` tests Redis and the model, for container healthchecks.
import { checkQueueWorker, startQueueWorker } from '../../server/main.ts';
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../load-config.ts';
import { flag, optionalPositiveInt } from '../options.ts';
import { queueSettingsOf } from '../queue-settings.ts';

export async function workerCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const concurrency = optionalPositiveInt(options, 'concurrency', '--concurrency') ?? 1;
  const { config } = await loadConfig(args, options, io);
  const settings = queueSettingsOf(config, io.env, 'arginator worker');
  const runtime = { runtime: config.model.runtime, quantize: config.model.onnx_quantize };
  if (flag(options, 'check')) {
    const { modelVersion } = await checkQueueWorker({
      settings,
      modelsDir: config.paths.models,
      runtime,
    });
    io.stdout.write(`ok: Redis answers, model ${modelVersion} loads\n`);
    return 0;
  }
  const worker = await startQueueWorker({
    settings,
    home: config.paths.home,
    modelsDir: config.paths.models,
    concurrency,
    init: { threads: config.server.embedder_threads ?? 1, runtime },
    log: (line) => io.stderr.write(`arginator worker: ${line}\n`),
  });
  io.stderr.write(
    `arginator worker: taking chunks (${concurrency} at a time) from the queue '${settings.prefix}'; Ctrl-C stops\n`,
  );
  if (!io.signal.aborted) {
    await new Promise<void>((resolve) =>
      io.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  }
  io.stderr.write('arginator worker: stopping (running chunks finish first)\n');
  await worker.close();
  return 0;
}
