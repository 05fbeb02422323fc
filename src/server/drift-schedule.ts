// The scheduled drift check of `arginator serve`: every interval, the completed jobs of the last window; stopped with the server.
import { isArginatorError } from '../core/errors.ts';

/** What one tick did: queued a check, or skipped (why, for the log). */
export type TickOutcome =
  | { readonly state: 'submitted'; readonly checkId: string }
  | { readonly state: 'skipped'; readonly reason: string };

export interface ScheduleLog {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Timers of the schedule (injected by tests; default setTimeout/clearTimeout, unref'd). */
export interface ScheduleTimers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface DriftScheduleOptions {
  readonly intervalMs: number;
  /**
   * Builds and queues the check of the last window; throws a typed error when there is nothing to
   * check (no jobs, too few proteins, a check of the schedule still running, no model).
   */
  readonly tick: () => Promise<string>;
  readonly log: ScheduleLog;
  readonly timers?: ScheduleTimers | undefined;
}

export interface DriftSchedule {
  /** Runs one tick now (the timer's, without waiting; tests call it directly). */
  runOnce(): Promise<TickOutcome>;
  /** Stops the timer: nothing is scheduled after it returns (a tick in flight still ends). */
  stop(): void;
}

const NODE_TIMERS: ScheduleTimers = {
  set: (run, ms) => setTimeout(run, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A chain of timeouts, not an interval: the next tick is armed when the previous one has queued
 * its check (or skipped), so ticks never overlap however slow the job store or registry is.
 */
export function startDriftSchedule(options: DriftScheduleOptions): DriftSchedule {
  const timers = options.timers ?? NODE_TIMERS;
  let handle: unknown;
  let stopped = false;

  async function runOnce(): Promise<TickOutcome> {
    try {
      const checkId = await options.tick();
      options.log.info({ check_id: checkId }, 'scheduled drift check queued');
      return { state: 'submitted', checkId };
    } catch (e) {
      if (isArginatorError(e) && e.code !== 'INTERNAL') {
        options.log.info({ reason: e.reason }, `scheduled drift check skipped: ${e.message}`);
        return { state: 'skipped', reason: e.message };
      }
      options.log.error({ err: e }, 'scheduled drift check failed to start');
      return { state: 'skipped', reason: e instanceof Error ? e.message : String(e) };
    }
  }

  function arm(): void {
    if (stopped) {
      return;
    }
    handle = timers.set(() => {
      handle = undefined;
      void runOnce().finally(arm);
    }, options.intervalMs);
  }

  arm();
  return {
    runOnce,
    stop() {
      stopped = true;
      if (handle !== undefined) {
        timers.clear(handle);
        handle = undefined;
      }
    },
  };
}
