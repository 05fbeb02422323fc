// Sends alert JSON to a webhook: bounded attempts with exponential backoff, a timeout per attempt, and logs that never show a secret.

export interface WebhookSettings {
  readonly url: string;
  /** Sent with every attempt (e.g. Authorization); never logged. */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Attempts per alert, the first one included. */
  readonly maxAttempts: number;
  /** Wait before the second attempt; doubled before each further one, up to maxBackoffMs. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

/** The logger's methods used (pino's: an object of fields, then the message). */
export interface WebhookLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export type Delivery =
  | { readonly state: 'delivered'; readonly attempts: number; readonly status: number }
  | { readonly state: 'gave-up'; readonly attempts: number; readonly reason: string }
  | { readonly state: 'cancelled'; readonly attempts: number };

export interface Webhook {
  /** Posts `body` (JSON); settles with how it went, never rejects. */
  send(body: unknown, fields?: Record<string, unknown>): Promise<Delivery>;
  /** Stops waiting retries and running attempts (shutdown): no timer or socket is left. */
  close(): void;
}

/**
 * The URL as logs show it: scheme, host and port only. Tokens live in user info, the query and,
 * for many receivers (Slack, Teams, Discord), the path, so none of those is shown.
 */
export function redactWebhookUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(not a URL)';
  }
}

/** Wait before attempt `n` (2, 3, ...): backoff, 2·backoff, 4·backoff, ... capped. */
export function backoffDelay(settings: WebhookSettings, attempt: number): number {
  return Math.min(settings.maxBackoffMs, settings.backoffMs * 2 ** Math.max(0, attempt - 2));
}

/** A failed attempt: why (for the log) and whether another attempt may pass. */
class Failure extends Error {
  readonly reason: string;
  readonly retry: boolean;
  constructor(reason: string, retry: boolean) {
    super(reason);
    this.name = 'WebhookFailure';
    this.reason = reason;
    this.retry = retry;
  }
}

/** 408, 429 and 5xx may pass on their own; other statuses will not (a wrong URL, a refused token). */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function networkReason(e: unknown): string {
  // undici's "fetch failed" carries the socket error as its cause: its code says enough (the
  // message may name the address; the URL is never in it, but the code is all that is logged).
  const cause = (e as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return code === undefined ? 'the request failed' : `the connection failed (${code})`;
}

/**
 * fetch refuses a URL with user info (https://user:token@host/...): it becomes a Basic
 * Authorization header instead, unless the headers already give one.
 */
function requestTarget(settings: WebhookSettings): {
  url: string;
  headers: Record<string, string>;
} {
  const url = new URL(settings.url);
  const headers: Record<string, string> = { ...settings.headers };
  const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
  if ((url.username !== '' || url.password !== '') && !hasAuth) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    headers['authorization'] = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  url.username = '';
  url.password = '';
  return { url: url.href, headers: { ...headers, 'content-type': 'application/json' } };
}

export function createWebhook(settings: WebhookSettings, log: WebhookLog): Webhook {
  const shown = redactWebhookUrl(settings.url);
  const target = requestTarget(settings);
  const closing = new AbortController();
  const closed = (): boolean => closing.signal.aborted;
  const timers = new Set<NodeJS.Timeout>();

  function wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (closing.signal.aborted) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        closing.signal.removeEventListener('abort', onClose);
        resolve();
      }, ms);
      const onClose = (): void => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve();
      };
      timers.add(timer);
      closing.signal.addEventListener('abort', onClose, { once: true });
    });
  }

  async function attempt(text: string): Promise<number> {
    const controller = new AbortController();
    const onClose = (): void => controller.abort();
    closing.signal.addEventListener('abort', onClose, { once: true });
    const state = { timedOut: false };
    const timer = setTimeout(() => {
      state.timedOut = true;
      controller.abort();
    }, settings.timeoutMs);
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: target.headers,
        body: text,
        signal: controller.signal,
        // A redirect would carry the headers (a token) elsewhere: it is a failure, not followed.
        redirect: 'manual',
      });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) {
        return res.status;
      }
      throw new Failure(
        `HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`,
        retryable(res.status),
      );
    } catch (e) {
      if (e instanceof Failure) {
        throw e;
      }
      if (state.timedOut) {
        throw new Failure(`no answer within ${settings.timeoutMs / 1000} s`, true);
      }
      throw new Failure(networkReason(e), !closed());
    } finally {
      clearTimeout(timer);
      closing.signal.removeEventListener('abort', onClose);
    }
  }

  return {
    async send(body, fields = {}) {
      const text = JSON.stringify(body);
      let reason = '';
      for (let n = 1; n <= settings.maxAttempts; n++) {
        if (closing.signal.aborted) {
          return { state: 'cancelled', attempts: n - 1 };
        }
        try {
          const status = await attempt(text);
          log.info({ ...fields, webhook: shown, attempt: n, status }, 'drift alert delivered');
          return { state: 'delivered', attempts: n, status };
        } catch (e) {
          const failure = e instanceof Failure ? e : new Failure(String(e), false);
          reason = failure.reason;
          if (closed()) {
            return { state: 'cancelled', attempts: n };
          }
          if (!failure.retry || n === settings.maxAttempts) {
            log.error(
              { ...fields, webhook: shown, attempts: n, reason },
              `drift alert given up after ${n} attempt${n === 1 ? '' : 's'}: ${reason}`,
            );
            return { state: 'gave-up', attempts: n, reason };
          }
          const delay = backoffDelay(settings, n + 1);
          log.warn(
            { ...fields, webhook: shown, attempt: n, reason, retry_in_ms: delay },
            `drift alert attempt ${n} of ${settings.maxAttempts} failed: ${reason}; retrying`,
          );
          await wait(delay);
        }
      }
      return { state: 'gave-up', attempts: settings.maxAttempts, reason };
    },
    close() {
      closing.abort();
      for (const t of timers) {
        clearTimeout(t);
      }
      timers.clear();
    },
  };
}
