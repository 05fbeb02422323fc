// Live job progress over Server-Sent Events (GET /v1/jobs/{id}/events), not polling.
import { eventsUrl } from './client.ts';
import { JOB_STATUS_TEXT } from './contract.ts';
import { parseJob } from './guards.ts';
import type { Job } from './types.ts';

export interface JobEventHandlers {
  readonly onUpdate: (job: Job) => void;
  /** The final job (completed, failed, cancelled or expired); the stream is closed by then. */
  readonly onDone: (job: Job) => void;
  /** The stream broke for good (the browser gave up reconnecting). */
  readonly onLost: () => void;
}

/** Subscribes to a job's events; returns the function that closes the stream. */
export function watchJob(job: Job, handlers: JobEventHandlers): () => void {
  // With API keys, the key rides in the query: EventSource cannot set a header (client.ts).
  const source = new EventSource(eventsUrl(job));
  let closed = false;
  const close = (): void => {
    closed = true;
    source.close();
  };
  const read = (e: MessageEvent): Job | null => {
    try {
      return parseJob(JSON.parse(String(e.data)) as unknown);
    } catch {
      return null;
    }
  };
  source.addEventListener('progress', (e) => {
    const next = read(e);
    if (next === null) {
      return;
    }
    handlers.onUpdate(next);
    // A stream that ends without `done` still tells us the end through the status.
    if (JOB_STATUS_TEXT[next.status].final) {
      close();
      handlers.onDone(next);
    }
  });
  source.addEventListener('done', (e) => {
    const next = read(e);
    // Close before the server ends the stream, or EventSource would reconnect.
    close();
    if (next !== null) {
      handlers.onDone(next);
    }
  });
  source.addEventListener('error', () => {
    if (!closed && source.readyState === EventSource.CLOSED) {
      closed = true;
      handlers.onLost();
    }
  });
  return close;
}
