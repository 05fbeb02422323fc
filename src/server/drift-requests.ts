// The current set of a service drift check: one job, the completed jobs of a window, or an upload; refused with a 4xx before any work starts.
import { ArginatorError } from '../core/errors.ts';
import type { Task } from '../core/domain.ts';
import { jobsInWindow, proteinsOf, type JobWindow } from '../pipeline/drift-jobs.ts';
import type { Job } from '../pipeline/jobs/job.ts';
import type { JobFiles, JobStore } from '../pipeline/jobs/ports.ts';
import type { DriftCheckRequest } from './drift-checks.ts';
import type { ModelProvider } from './model-provider.ts';

export interface DriftRequestDeps {
  readonly store: Pick<JobStore, 'withStatus'>;
  readonly files: Pick<JobFiles, 'inputPath'>;
  readonly models: Pick<ModelProvider, 'choose'>;
  /** Fewest proteins a check compares (monitoring.min_proteins). */
  readonly minProteins: number;
}

/** Refuses a current set under monitoring.min_proteins (422): its tests would say little. */
export function checkMinProteins(proteins: number, minProteins: number, what: string): void {
  if (proteins < minProteins) {
    throw new ArginatorError(
      'BAD_INPUT',
      'drift.too-few-proteins',
      `${what} has ${proteins} protein${proteins === 1 ? '' : 's'}; a drift check needs at least ${minProteins} (monitoring.min_proteins)`,
      'send more proteins, widen the window, or lower monitoring.min_proteins',
    );
  }
}

/** A completed job's proteins, predicted with the job's own model. */
export function jobCheck(
  deps: DriftRequestDeps,
  job: Job,
  trigger: DriftCheckRequest['trigger'],
): DriftCheckRequest {
  if (job.status !== 'completed') {
    throw new ArginatorError(
      'BAD_INPUT',
      'drift.job-not-completed',
      `job ${job.id} is ${job.status}; only a completed job's proteins are checked for drift`,
      job.status === 'queued' || job.status === 'running'
        ? 'wait for the job to complete (GET /v1/jobs/{id}) and send the check again'
        : 'submit the proteins again, or check another job',
    );
  }
  const proteins = proteinsOf([job]);
  checkMinProteins(proteins, deps.minProteins, `job ${job.id}`);
  return {
    trigger,
    source: `job ${job.id}`,
    modelVersion: job.modelVersion,
    task: job.task,
    inputs: [deps.files.inputPath(job.id)],
    proteins,
  };
}

/** The completed jobs of a window, predicted with `task`'s serving model. */
export async function windowCheck(
  deps: DriftRequestDeps,
  window: JobWindow & { readonly describe: string },
  task: Task,
  trigger: DriftCheckRequest['trigger'],
): Promise<DriftCheckRequest> {
  const jobs = jobsInWindow(deps.store, window);
  if (jobs.length === 0) {
    throw new ArginatorError(
      'NOT_FOUND',
      'drift.no-jobs',
      `no completed job was submitted ${window.describe}`,
      'widen the window (e.g. "window": "7d"), or send a job_id or a FASTA upload',
    );
  }
  const proteins = proteinsOf(jobs);
  const source = `${jobs.length} job${jobs.length === 1 ? '' : 's'} ${window.describe}`;
  checkMinProteins(proteins, deps.minProteins, `the window (${source})`);
  const choice = await deps.models.choose(task);
  return {
    trigger,
    source,
    modelVersion: choice.version,
    task,
    inputs: jobs.map((j) => deps.files.inputPath(j.id)),
    proteins,
  };
}
