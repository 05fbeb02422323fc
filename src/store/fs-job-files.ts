// Job folders on disk: <home>/jobs/<job id>/{input.fasta, results.csv, results.tsv, results.json}.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { TableFormat } from '../core/domain.ts';
import { ArginatorError } from '../core/errors.ts';
import type { JobFiles } from '../pipeline/jobs/ports.ts';

/** Job ids are server-made UUIDs; anything else never reaches a path (no traversal by design). */
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isJobId(id: string): boolean {
  return JOB_ID.test(id);
}

export class FsJobFiles implements JobFiles {
  private readonly root: string;

  /** `root` is <home>/jobs. */
  constructor(root: string) {
    this.root = root;
  }

  dirOf(id: string): string {
    if (!isJobId(id)) {
      throw new ArginatorError(
        'INTERNAL',
        'jobs.bad-id',
        `'${id.slice(0, 60)}' is not a job id`,
        'job ids are UUIDs made by the server',
      );
    }
    return join(this.root, id);
  }

  inputPath(id: string): string {
    return join(this.dirOf(id), 'input.fasta');
  }

  resultPath(id: string, format: TableFormat): string {
    return join(this.dirOf(id), `results.${format}`);
  }

  async create(id: string): Promise<void> {
    await mkdir(this.dirOf(id), { recursive: true });
  }

  async remove(id: string): Promise<void> {
    await rm(this.dirOf(id), { recursive: true, force: true });
  }
}
