// Messages between the server and its drift worker thread (structured-clone data only).
import type { DriftHistogramJson, DriftRunReport } from '../core/drift/drift-contract.ts';
import type { JobTask } from '../pipeline/jobs/job.ts';
import type { SerialisedError } from './worker-protocol.ts';

/** One drift check: the FASTA files of its current set, predicted with one model. */
export interface DriftRunMessage {
  readonly type: 'run';
  readonly id: string;
  readonly modelVersion: string;
  readonly task: JobTask;
  readonly inputs: readonly string[];
  /** Where the current set comes from (a job, a window of jobs, an upload), for the report. */
  readonly source: string;
  readonly maxProteins: number;
  readonly seed: number;
}

export type ToDriftWorker = DriftRunMessage | { readonly type: 'cancel'; readonly id: string };

export type FromDriftWorker =
  | { readonly type: 'progress'; readonly id: string; readonly done: number }
  | {
      readonly type: 'done';
      readonly id: string;
      readonly report: DriftRunReport;
      readonly histograms: readonly DriftHistogramJson[];
    }
  | { readonly type: 'failed'; readonly id: string; readonly error: SerialisedError };
