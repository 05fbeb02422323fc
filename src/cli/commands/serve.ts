// `arginator serve`: the HTTP API and the web UI, until Ctrl-C or SIGTERM (then a graceful stop).
import { join } from 'node:path';

import { startServer } from '../../server/main.ts';
import { benchmarkSource, gateSettings } from '../../wiring/gate-benchmark.ts';
import { PACKAGE_ROOT } from '../../wiring/package-info.ts';
import type { CliIo } from '../cli-io.ts';
import { loadConfig } from '../load-config.ts';
import { optionalPort, optionalString } from '../options.ts';
import { serveQueueOf } from '../queue-settings.ts';

/** Serves until `io.signal` aborts. `overrides` are config overrides (e.g. server.workers=2). */
export async function serveCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const { config } = await loadConfig(args, options, io);
  const s = config.server;
  const fromEnv = (name: string): string[] =>
    (io.env[name] ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '');
  const server = await startServer({
    host: optionalString(options, 'host', '--host') ?? s.host,
    port: optionalPort(options) ?? s.port,
    home: config.paths.home,
    modelsDir: config.paths.models,
    runsDir: config.paths.runs,
    settings: s,
    apiKeys: [...s.api_keys, ...fromEnv('ARGINATOR_API_KEYS')],
    adminApiKeys: [...s.admin_api_keys, ...fromEnv('ARGINATOR_ADMIN_API_KEYS')],
    webDir: s.web_dir ?? join(PACKAGE_ROOT, 'web', 'dist'),
    runtime: { runtime: config.model.runtime, quantize: config.model.onnx_quantize },
    queue: serveQueueOf(config, io.env),
    logger: { level: io.env['ARGINATOR_LOG_LEVEL'] ?? 'info' },
    gate: {
      settings: gateSettings(config.registry),
      benchmark: benchmarkSource(config),
    },
    monitoring: config.monitoring,
    // A webhook URL often holds a token: the environment keeps it out of config files.
    driftWebhookUrl: io.env['ARGINATOR_DRIFT_WEBHOOK_URL'] || undefined,
  });
  io.stderr.write(
    `arginator: serving ${server.url} (web UI at /, API docs at ${server.url}/docs); Ctrl-C stops\n`,
  );
  if (!io.signal.aborted) {
    await new Promise<void>((resolve) =>
      io.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  }
  io.stderr.write('arginator: stopping (running jobs finish or are re-queued)\n');
  await server.close();
  return 0;
}
