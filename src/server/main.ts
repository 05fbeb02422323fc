// Starts the service and listens (`arginator serve`, `arginator start`); stops gracefully on abort.
import { ArginatorError } from '../core/errors.ts';
import type { ServiceOptions } from './service.ts';
import { createService } from './service.ts';

// The queue worker is the other process of the redis backend (`arginator worker`, docs/queue.md).
export { checkQueueWorker, startQueueWorker } from './queue-worker.ts';
export type { QueueWorker, QueueWorkerOptions } from './queue-worker.ts';

export interface ServeOptions extends ServiceOptions {
  readonly host: string;
  readonly port: number;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8000 */
  readonly url: string;
  /** Stops taking requests, lets running jobs finish (grace period) or re-queues them, closes the database. */
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { app } = await createService(options);
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (e) {
    await app.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new ArginatorError(
        'CONFIG',
        'server.listen',
        `cannot listen on ${options.host}:${options.port} (${code})`,
        code === 'EADDRINUSE'
          ? 'another program uses that port: pass --port with a free one (or stop the other program)'
          : 'pass a --host this machine has and a --port above 1023',
      );
    }
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
