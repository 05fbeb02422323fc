// Use case: submit a job. Writes and checks its input first, so bad input is refused before it is queued.
import type { Clock } from '../ports.ts';
import type { Job, JobTask } from './job.ts';
import type { JobFiles, JobStore } from './ports.ts';

/** What the input turned out to be, once written and checked. */
export interface PreparedInput {
  readonly task: JobTask;
  readonly inputName: string;
  readonly modelVersion: string;
  readonly proteins: number;
}

export interface SubmitRequest {
  readonly idempotencyKey: string | null;
  /** The submitting key's owner id (job.ts); null or left out: nobody's. */
  readonly owner?: string | null | undefined;
  /**
   * Writes the checked input to `path` and says what it is; throws an ArginatorError (BAD_INPUT,
   * LIMIT, USAGE) on bad input, and nothing is queued.
   */
  readonly writeInput: (path: string, signal: AbortSignal | undefined) => Promise<PreparedInput>;
}

export interface SubmitDeps {
  readonly store: JobStore;
  readonly files: JobFiles;
  readonly clock: Clock;
  readonly newId: () => string;
}

/** Creates a queued job, or returns the job already created with the same idempotency key. */
export async function submitJob(
  deps: SubmitDeps,
  request: SubmitRequest,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<{ job: Job; created: boolean }> {
  const { store, files } = deps;
  const owner = request.owner ?? null;
  if (request.idempotencyKey !== null) {
    const existing = store.findByIdempotencyKey(request.idempotencyKey, owner);
    if (existing !== undefined) {
      return { job: existing, created: false };
    }
  }
  const id = deps.newId();
  await files.create(id);
  let input: PreparedInput;
  try {
    input = await request.writeInput(files.inputPath(id), options.signal);
  } catch (e) {
    await files.remove(id);
    throw e;
  }
  let result: { job: Job; created: boolean };
  try {
    result = store.insert({
      id,
      task: input.task,
      inputName: input.inputName,
      modelVersion: input.modelVersion,
      proteinsTotal: input.proteins,
      createdAt: deps.clock.now().toISOString(),
      idempotencyKey: request.idempotencyKey,
      owner,
    });
  } catch (e) {
    // The store refused the row (disk full, database locked): its input must not stay behind.
    await files.remove(id);
    throw e;
  }
  if (!result.created) {
    // Another request with the same key won the race: its job stands, this input goes.
    await files.remove(id);
  }
  return result;
}
