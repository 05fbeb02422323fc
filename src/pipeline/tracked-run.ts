// Runs a unit of work (an evaluation, a promotion gate, a sweep trial) as one tracked run of the store.
import { ArginatorError } from '../core/errors.ts';
import type { RunHandle, RunInit, RunRecord, RunTracker } from './ports.ts';

export interface TrackedOutcome<T> {
  readonly value: T;
  readonly record: RunRecord;
}

/**
 * Starts a run, gives it to `body`, and finishes it: `finished` with `body`'s summary, `killed`
 * when `signal` aborted it, `failed` (and rethrown) on any other error. Every run kind gets the
 * same record (params, tags, parent, environment, duration) this way.
 */
export async function withTrackedRun<T>(
  runs: RunTracker,
  init: RunInit,
  body: (run: RunHandle) => Promise<{ value: T; summary?: Record<string, unknown> }>,
  signal?: AbortSignal,
): Promise<TrackedOutcome<T>> {
  const run = await runs.start(init);
  try {
    const { value, summary } = await body(run);
    const record = await run.finish(signal?.aborted === true ? 'killed' : 'finished', {
      ...(summary === undefined ? {} : { summary }),
    });
    return { value, record };
  } catch (e) {
    const message =
      e instanceof ArginatorError ? e.oneLine() : e instanceof Error ? e.message : String(e);
    await run.finish(signal?.aborted === true ? 'killed' : 'failed', { error: message });
    throw e;
  }
}
