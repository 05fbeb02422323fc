import { describe, expect, it } from 'vitest';

import { configSchema } from '../pipeline/config/schema.ts';
import type { ResolvedConfig } from '../pipeline/config/schema.ts';
import { queueSettingsOf, serveQueueOf } from './queue-settings.ts';

/** Only the queue group matters here; the rest of a resolved config is never read. */
function withQueue(queue: Record<string, unknown>): ResolvedConfig {
  return { queue: configSchema.shape.queue.parse(queue) } as ResolvedConfig;
}

describe('queue settings', () => {
  it('keeps the embedded default, even when ARGINATOR_REDIS_URL is set', () => {
    expect(serveQueueOf(withQueue({}), { ARGINATOR_REDIS_URL: 'redis://h:6379' })).toEqual({
      backend: 'embedded',
    });
  });

  it('takes the URL from ARGINATOR_REDIS_URL over queue.url when the backend is redis', () => {
    const config = withQueue({ backend: 'redis', url: 'redis://config:6379', chunk_size: 50 });
    const fromEnv = serveQueueOf(config, { ARGINATOR_REDIS_URL: 'redis://env:6379' });
    expect(fromEnv).toMatchObject({
      backend: 'redis',
      settings: { url: 'redis://env:6379', chunkSize: 50, prefix: 'arginator' },
      maxInFlight: 100,
    });
    expect(queueSettingsOf(config, {}, 'x').url).toBe('redis://config:6379');
  });

  it('refuses the redis backend without a URL, with the fix', () => {
    expect(() => serveQueueOf(withQueue({ backend: 'redis' }), {})).toThrow(
      expect.objectContaining({ code: 'CONFIG', reason: 'queue.no-url' }),
    );
  });
});
