// The queue settings of `serve` and `worker`: config group `queue` plus ARGINATOR_REDIS_URL, checked once for both.
import { ArginatorError } from '../core/errors.ts';
import type { ResolvedConfig } from '../pipeline/config/schema.ts';
import type { QueueSettings } from '../queue/queue-contract.ts';

/** The Redis URL: ARGINATOR_REDIS_URL over queue.url (the variable never selects the backend). */
export function redisUrlOf(
  config: ResolvedConfig,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const fromEnv = env['ARGINATOR_REDIS_URL']?.trim();
  return fromEnv === undefined || fromEnv === '' ? (config.queue.url ?? undefined) : fromEnv;
}

/** The redis backend's settings; CONFIG error with the fix when no URL is set. */
export function queueSettingsOf(
  config: ResolvedConfig,
  env: Readonly<Record<string, string | undefined>>,
  what: string,
): QueueSettings {
  const url = redisUrlOf(config, env);
  if (url === undefined) {
    throw new ArginatorError(
      'CONFIG',
      'queue.no-url',
      `${what} needs the Redis URL of the queue, and neither queue.url nor ARGINATOR_REDIS_URL is set`,
      'set ARGINATOR_REDIS_URL=redis://HOST:6379 (or queue.url=redis://HOST:6379)',
    );
  }
  const q = config.queue;
  return {
    url,
    prefix: q.prefix,
    chunkSize: q.chunk_size,
    chunkAttempts: q.chunk_attempts,
    lockSeconds: q.lock_seconds,
    maxStalls: q.max_stalls,
    keepFinished: q.keep_finished,
  };
}

/** What `serve` passes to the service: the embedded default, or the redis backend when queue.backend=redis. */
export function serveQueueOf(
  config: ResolvedConfig,
  env: Readonly<Record<string, string | undefined>>,
):
  | { readonly backend: 'embedded' }
  | { readonly backend: 'redis'; readonly settings: QueueSettings; readonly maxInFlight: number } {
  if (config.queue.backend === 'embedded') {
    return { backend: 'embedded' };
  }
  return {
    backend: 'redis',
    settings: queueSettingsOf(config, env, 'queue.backend=redis'),
    maxInFlight: config.queue.max_in_flight,
  };
}
