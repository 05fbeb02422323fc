// The redis backend of the JobExecutor port: a job becomes a BullMQ flow (a merge parent waiting on chunk children) run by `arginator worker` processes.
import { FlowProducer, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';

import { cancelledError } from '../core/errors.ts';
import type { Job, JobSummary } from '../pipeline/jobs/job.ts';
import type { JobExecutor, JobFiles, JobRunOptions } from '../pipeline/jobs/ports.ts';
import { SHUTDOWN_REASON } from '../pipeline/jobs/ports.ts';
import { ChunkFiles } from './chunk-files.ts';
import type { ChunkData, MergeData, MergeResult, QueueSettings } from './queue-contract.ts';
import {
  CHUNK,
  chunkJobId,
  connectRedis,
  decodeChunkError,
  MERGE,
  QUEUE_NAME,
  queueKeys,
  reachable,
} from './queue-contract.ts';

/** The queue's gauges on /metrics (arginator_queue_*). */
export interface QueueCounts {
  /** Chunks and merges waiting for a worker (delayed retries included). */
  readonly waiting: number;
  readonly active: number;
  /** Jobs failed since the queue was created. */
  readonly failedTotal: number;
}

export interface RedisJobExecutor extends JobExecutor {
  counts(): Promise<QueueCounts>;
}

export interface RedisExecutorOptions {
  readonly settings: QueueSettings;
  readonly files: JobFiles;
  /** Told when a job's flow has completed (the service places it on its map). */
  readonly onCompleted?: ((job: Job) => void) | undefined;
  /**
   * How often a running job's state and progress are read from Redis (default 250 ms); its end is
   * seen at once (the queue's completed and failed events wake the wait).
   */
  readonly pollMs?: number | undefined;
}

/** Parent ids carry the attempt: a job run again after a crash gets a new flow (its finished chunks are reused from disk). */
export function parentJobId(job: Pick<Job, 'id' | 'attempts'>): string {
  return `${job.id}.a${job.attempts}`;
}

export async function createRedisExecutor(
  options: RedisExecutorOptions,
): Promise<RedisJobExecutor> {
  const { settings } = options;
  const redis: Redis = connectRedis(settings.url);
  await reachable(redis, settings.url);
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: settings.prefix });
  const flows = new FlowProducer({ connection: redis, prefix: settings.prefix });
  const keys = queueKeys(settings.prefix);
  const chunks = new ChunkFiles(options.files);
  const pollMs = options.pollMs ?? 250;
  const keep = { count: settings.keepFinished };
  // The parents' ends as events (a blocking stream read, so a connection of its own): a job is
  // seen completed when its merge finishes, not up to a poll later. A missed event (Redis away)
  // costs one poll.
  const eventsRedis: Redis = connectRedis(settings.url);
  const events = new QueueEvents(QUEUE_NAME, {
    connection: eventsRedis,
    prefix: settings.prefix,
  });
  events.on('error', () => undefined); // reconnects by itself; the poll goes on meanwhile
  const watched = new Map<string, { fired: boolean; wake: (() => void) | undefined }>();
  const ended = ({ jobId }: { jobId: string }): void => {
    const entry = watched.get(jobId);
    if (entry !== undefined) {
      entry.fired = true;
      entry.wake?.();
    }
  };
  events.on('completed', ended);
  events.on('failed', ended);
  await events.waitUntilReady();

  /** Until `pollMs` passed, the parent ended (an event) or the run is aborted. */
  const pause = (parentId: string, signal: AbortSignal): Promise<void> => {
    const entry = watched.get(parentId);
    if (entry === undefined || entry.fired || signal.aborted) {
      if (entry !== undefined) {
        entry.fired = false;
      }
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        entry.wake = undefined;
        entry.fired = false;
        resolve();
      };
      const timer = setTimeout(done, pollMs);
      signal.addEventListener('abort', done, { once: true });
      entry.wake = done;
    });
  };

  const addFlow = async (job: Job, parentId: string): Promise<void> => {
    const plan = await chunks.split(job.id, settings.chunkSize);
    const base = { jobId: job.id, task: job.task, modelVersion: job.modelVersion };
    const merge: MergeData = {
      ...base,
      chunks: plan.counts.length,
      proteins: job.proteinsTotal ?? 0,
    };
    await flows.add({
      name: MERGE,
      queueName: QUEUE_NAME,
      data: merge,
      opts: {
        jobId: parentId,
        attempts: settings.chunkAttempts,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: keep,
        removeOnFail: keep,
      },
      children: plan.counts.map((proteins, index) => {
        const data: ChunkData = { ...base, index, proteins };
        return {
          name: CHUNK,
          queueName: QUEUE_NAME,
          data,
          opts: {
            jobId: chunkJobId(parentId, index),
            // The failure policy, on every child: a chunk that fails for good fails its job at
            // once with its reason, instead of leaving the parent waiting for ever.
            failParentOnFailure: true,
            attempts: settings.chunkAttempts,
            backoff: { type: 'exponential', delay: 1000 },
            removeOnComplete: keep,
            removeOnFail: keep,
          },
        };
      }),
    });
  };

  /** The typed error of a failed flow: the failed chunk's own reason when the parent names it. */
  const failure = async (reason: string): Promise<Error> => {
    const child = /^child (\S+) failed/.exec(reason)?.[1];
    if (child !== undefined) {
      const id = child.slice(child.lastIndexOf(':') + 1);
      const failed = await queue.getJob(id);
      const index = /\.c(\d+)$/.exec(id)?.[1] ?? '?';
      return decodeChunkError(failed?.failedReason ?? reason, `chunk ${index} of the job`);
    }
    return decodeChunkError(reason, 'merging the chunks of the job');
  };

  const cancel = async (job: Job, parentId: string): Promise<void> => {
    // Running chunks see the key and stop; waiting ones are removed with the parent (a locked
    // chunk refuses removal: it then fails on the key, and its failure goes nowhere).
    await redis.set(keys.cancel(job.id), '1', 'EX', 86_400);
    await queue.remove(parentId, { removeChildren: true }).catch(() => undefined);
    await redis.del(keys.progress(job.id));
  };

  const progressOf = async (jobId: string): Promise<number> => {
    const values = await redis.hvals(keys.progress(jobId));
    return values.reduce((sum, v) => sum + Number(v), 0);
  };

  /** Adds the job's flow unless Redis holds it already, and follows it to its end. */
  const follow = async (job: Job, run: JobRunOptions, parentId: string): Promise<JobSummary> => {
    const { signal } = run;
    if ((await queue.getJobState(parentId)) === 'unknown') {
      await addFlow(job, parentId);
    }
    let reported = -1;
    for (;;) {
      if (signal.aborted) {
        if (signal.reason !== SHUTDOWN_REASON) {
          await cancel(job, parentId);
        }
        // A shutdown leaves the flow to the workers; the next start attaches to it again.
        throw cancelledError('The job');
      }
      const state = await queue.getJobState(parentId);
      if (state === 'completed') {
        const parent = await queue.getJob(parentId);
        await redis.del(keys.progress(job.id));
        // Every protein is done: the last chunks may have finished between two polls.
        const total = job.proteinsTotal;
        if (total !== null && reported !== total) {
          run.onProgress(total);
        }
        const summary = parent?.returnvalue as MergeResult | undefined;
        if (summary !== undefined) {
          options.onCompleted?.(job);
          return summary;
        }
        // Trimmed already: the merge recorded the summary next to the results.
        const again = await chunks.recorded(job.id);
        if (again === undefined) {
          throw decodeChunkError('the merged summary is missing', 'merging the chunks of the job');
        }
        options.onCompleted?.(job);
        return again;
      }
      if (state === 'failed') {
        const parent = await queue.getJob(parentId);
        await redis.incr(keys.failedTotal);
        await redis.del(keys.progress(job.id));
        throw await failure(parent?.failedReason ?? 'unknown reason');
      }
      if (state === 'unknown') {
        // Redis lost the flow (flushed, or it ran without AOF): add it again; finished chunks are on disk.
        await addFlow(job, parentId);
      }
      const done = await progressOf(job.id);
      if (done !== reported) {
        reported = done;
        run.onProgress(Math.min(done, job.proteinsTotal ?? done));
      }
      await pause(parentId, signal);
    }
  };

  return {
    async run(job: Job, run: JobRunOptions): Promise<JobSummary> {
      const { signal } = run;
      if (signal.aborted) {
        throw cancelledError('The job');
      }
      // Merged already (by a flow of an earlier attempt, before a crash): nothing to run.
      const recorded = await chunks.recorded(job.id);
      if (recorded !== undefined) {
        options.onCompleted?.(job);
        return recorded;
      }
      const parentId = parentJobId(job);
      watched.set(parentId, { fired: false, wake: undefined });
      try {
        return await follow(job, run, parentId);
      } finally {
        watched.delete(parentId);
      }
    },
    async counts(): Promise<QueueCounts> {
      const c = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
      const failedTotal = Number((await redis.get(keys.failedTotal)) ?? 0);
      return {
        waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0) + (c['delayed'] ?? 0),
        active: c['active'] ?? 0,
        failedTotal,
      };
    },
    async close(): Promise<void> {
      await events.close();
      eventsRedis.disconnect();
      await flows.close();
      await queue.close();
      redis.disconnect();
    },
  };
}
