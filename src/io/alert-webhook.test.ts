// The webhook against real receivers on 127.0.0.1: retried after failures, given up when bounded, never a secret in a log line.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import {
  backoffDelay,
  createWebhook,
  redactWebhookUrl,
  type WebhookLog,
  type WebhookSettings,
} from './alert-webhook.ts';

interface Received {
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

const servers: Server[] = [];

/** A receiver answering each request with the next status of `statuses` (the last one repeats); 0 = never answer. */
async function receiver(statuses: readonly number[]): Promise<{ port: number; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      got.push({
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body: JSON.parse(text) as unknown,
      });
      const status = statuses[Math.min(got.length, statuses.length) - 1] ?? 200;
      if (status !== 0) {
        res.writeHead(status).end('ok');
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, got };
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

function captureLog(): { log: WebhookLog; lines: string[] } {
  const lines: string[] = [];
  const line =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push(JSON.stringify({ level, ...fields, message }));
    };
  return { log: { info: line('info'), warn: line('warn'), error: line('error') }, lines };
}

const SECRETS = ['s3cr3t-pass', 's3cr3t-path', 's3cr3t-query', 's3cr3t-header'];

function settings(port: number, changes: Partial<WebhookSettings> = {}): WebhookSettings {
  return {
    url: `http://alerts:s3cr3t-pass@127.0.0.1:${port}/hooks/s3cr3t-path?token=s3cr3t-query`,
    headers: { authorization: 'Bearer s3cr3t-header' },
    timeoutMs: 2000,
    maxAttempts: 4,
    backoffMs: 5,
    maxBackoffMs: 20,
    ...changes,
  };
}

describe('alert webhook', () => {
  it('retries a receiver that fails twice, delivers once, and logs no secret', async () => {
    const { port, got } = await receiver([503, 500, 200]);
    const { log, lines } = captureLog();
    const webhook = createWebhook(settings(port), log);
    const delivery = await webhook.send({ text: 'drift', share: 0.6 }, { report_id: 'r1' });
    expect(delivery).toEqual({ state: 'delivered', attempts: 3, status: 200 });
    expect(got).toHaveLength(3);
    for (const r of got) {
      // The receiver gets everything the URL and headers carry ...
      expect(r.url).toBe('/hooks/s3cr3t-path?token=s3cr3t-query');
      expect(r.authorization).toBe('Bearer s3cr3t-header');
      expect(r.body).toEqual({ text: 'drift', share: 0.6 });
    }
    // ... the log none of it: two failed attempts, then the delivery.
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('HTTP 503');
    expect(lines[1]).toContain('HTTP 500');
    expect(lines[2]).toContain('drift alert delivered');
    for (const secret of [...SECRETS, 'alerts:']) {
      expect(lines.join('\n')).not.toContain(secret);
    }
    expect(lines[2]).toContain(`http://127.0.0.1:${port}/…`);
  });

  it('gives up after max_attempts on a receiver that never succeeds, with the reason logged', async () => {
    const { port, got } = await receiver([503]);
    const { log, lines } = captureLog();
    const delivery = await createWebhook(settings(port), log).send({ text: 'x' });
    expect(delivery).toEqual({ state: 'gave-up', attempts: 4, reason: 'HTTP 503' });
    expect(got).toHaveLength(4);
    const last = JSON.parse(lines.at(-1) ?? '{}') as { level: string; message: string };
    expect(last.level).toBe('error');
    expect(last.message).toBe('drift alert given up after 4 attempts: HTTP 503');
  });

  it('does not retry a status that will not pass on its own (a wrong URL, a refused token)', async () => {
    const { port, got } = await receiver([401]);
    const delivery = await createWebhook(settings(port), captureLog().log).send({});
    expect(delivery).toEqual({ state: 'gave-up', attempts: 1, reason: 'HTTP 401' });
    expect(got).toHaveLength(1);
  });

  it('counts a receiver that does not answer in time as failed, and a closed port as a connection failure', async () => {
    const silent = await receiver([0, 0, 200]);
    const slow = await createWebhook(
      settings(silent.port, { timeoutMs: 100 }),
      captureLog().log,
    ).send({});
    expect(slow).toEqual({ state: 'delivered', attempts: 3, status: 200 });

    const closed = await receiver([200]);
    const server = servers.pop() as Server;
    await new Promise((r) => server.close(r));
    const { log, lines } = captureLog();
    const refused = await createWebhook(settings(closed.port, { maxAttempts: 2 }), log).send({});
    expect(refused).toEqual({
      state: 'gave-up',
      attempts: 2,
      reason: 'the connection failed (ECONNREFUSED)',
    });
    expect(lines.join('\n')).not.toContain('s3cr3t');
  });

  it('close() ends a send waiting for its next attempt at once', async () => {
    const { port } = await receiver([503]);
    const webhook = createWebhook(
      settings(port, { backoffMs: 3_600_000, maxBackoffMs: 3_600_000 }),
      captureLog().log,
    );
    const sending = webhook.send({});
    // Closed while the hour-long backoff timer is pending: the send settles without waiting it out.
    await new Promise((r) => setTimeout(r, 100));
    webhook.close();
    expect(await sending).toEqual({ state: 'cancelled', attempts: 1 });
  });

  it('backs off exponentially up to the cap, and shows only the scheme, host and port of a URL', () => {
    const s = settings(1, { backoffMs: 2000, maxBackoffMs: 10_000 });
    expect([2, 3, 4, 5].map((n) => backoffDelay(s, n))).toEqual([2000, 4000, 8000, 10_000]);
    expect(redactWebhookUrl('https://u:p@hooks.slack.com/services/T0/B0/XyZ?x=1')).toBe(
      'https://hooks.slack.com/…',
    );
    expect(redactWebhookUrl('not a url')).toBe('(not a URL)');
  });
});
