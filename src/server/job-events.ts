// In-process fan-out of job changes to SSE subscribers (the store stays the source of truth).
import { EventEmitter } from 'node:events';

import type { Job } from '../pipeline/jobs/job.ts';

export class JobEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open SSE stream; many clients may watch at once.
    this.emitter.setMaxListeners(0);
  }

  publish(job: Job): void {
    this.emitter.emit(job.id, job);
  }

  /** Calls `listener` on every change of job `id`; returns the unsubscribe function. */
  subscribe(id: string, listener: (job: Job) => void): () => void {
    this.emitter.on(id, listener);
    return () => this.emitter.off(id, listener);
  }
}
