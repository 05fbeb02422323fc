// submitJob with the real job store and files: a row the store refuses leaves no input folder behind.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { submitJob } from '../pipeline/jobs/submit-job.ts';
import { FsJobFiles } from './fs-job-files.ts';
import { SqliteJobStore } from './sqlite-job-store.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('submitJob', () => {
  it('removes the written input when the store cannot insert the job', async () => {
    const home = await mkdtemp(join(tmpdir(), 'arginator-submit-'));
    dirs.push(home);
    const store = new SqliteJobStore(join(home, 'jobs.sqlite'));
    const files = new FsJobFiles(join(home, 'jobs'));
    store.close(); // every insert now throws, as on a database that went away
    const submission = submitJob(
      {
        store,
        files,
        clock: { now: () => new Date(0) },
        newId: () => '00000000-0000-4000-8000-000000000001',
      },
      {
        idempotencyKey: null,
        owner: null,
        writeInput: async (path) => {
          await writeFile(path, '>q0\nMKV\n');
          return { task: 'binary', inputName: 'q.fa', modelVersion: 'v1', proteins: 1 };
        },
      },
    );
    await expect(submission).rejects.toThrow(/not open/);
    expect(await readdir(join(home, 'jobs'))).toEqual([]);
  });
});
