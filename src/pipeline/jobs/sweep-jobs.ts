// Use case: remove the files of finished jobs whose retention has passed; their records become `expired`.
import { throwIfAborted } from '../../core/errors.ts';
import type { Clock } from '../ports.ts';
import type { JobFiles, JobStore } from './ports.ts';

/** Returns the number of jobs expired. A crash between removing the files and marking the record is finished by the next sweep. */
export async function sweepJobs(
  store: JobStore,
  files: JobFiles,
  options: { clock: Clock; signal?: AbortSignal | undefined },
): Promise<number> {
  let swept = 0;
  for (const job of store.expiredAt(options.clock.now().toISOString())) {
    throwIfAborted(options.signal, 'Sweeping expired jobs');
    await files.remove(job.id);
    store.markExpired(job.id);
    swept++;
  }
  return swept;
}
