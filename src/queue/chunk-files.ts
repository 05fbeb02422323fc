// A chunked job's files under the shared job folder: chunk inputs, chunk results (written atomically, keyed by job and chunk), and the merge.
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { TABLE_FORMATS } from '../core/domain.ts';
import type { TableFormat } from '../core/domain.ts';
import { mergeTables, sumCounts } from '../core/queue/chunks.ts';
import type { JobSummary } from '../pipeline/jobs/job.ts';
import type { JobFiles } from '../pipeline/jobs/ports.ts';

/** What a classified chunk came to (its commit marker, written after its tables). */
export interface ChunkSummary extends JobSummary {
  readonly proteins: number;
}

/** The split of a job's input: proteins per chunk, in order. */
export interface ChunkPlan {
  readonly chunkSize: number;
  readonly counts: readonly number[];
}

const GT = 0x3e; // '>'
const NL = 0x0a; // '\n'

export class ChunkFiles {
  readonly files: JobFiles;

  constructor(files: JobFiles) {
    this.files = files;
  }

  dir(jobId: string): string {
    return join(this.files.dirOf(jobId), 'chunks');
  }

  input(jobId: string, index: number): string {
    return join(this.dir(jobId), `${index}.fasta`);
  }

  table(jobId: string, index: number, format: TableFormat): string {
    return join(this.dir(jobId), `${index}.${format}`);
  }

  /** The chunk's embeddings for the job's map (job-map-spill.ts records, concatenated by the merge). */
  mapInput(jobId: string, index: number): string {
    return join(this.dir(jobId), `${index}.map-input.bin`);
  }

  done(jobId: string, index: number): string {
    return join(this.dir(jobId), `${index}.done.json`);
  }

  plan(jobId: string): string {
    return join(this.dir(jobId), 'plan.json');
  }

  /** The merged job's summary, written after its tables: a merge run again returns it. */
  merged(jobId: string): string {
    return join(this.files.dirOf(jobId), 'merged.json');
  }

  /**
   * Cuts the job's input.fasta into chunk files of `chunkSize` records, byte for byte (a record
   * starts at a line beginning with '>'; bytes before the first record are dropped, the server
   * writes none). The input is read in large blocks and scanned for headers, no line splitting:
   * the split is on every job's critical path. Done once: a plan written earlier with the same
   * size is reused (an API restart runs the job again).
   */
  async split(jobId: string, chunkSize: number): Promise<ChunkPlan> {
    const existing = await readJson<ChunkPlan>(this.plan(jobId));
    if (existing?.chunkSize === chunkSize) {
      return existing;
    }
    await rm(this.dir(jobId), { recursive: true, force: true });
    await mkdir(this.dir(jobId), { recursive: true });
    const counts: number[] = [];
    let pieces: Buffer[] = [];
    let inChunk = 0;
    const cut = async (): Promise<void> => {
      const index = counts.length;
      await writeFile(`${this.input(jobId, index)}.tmp`, Buffer.concat(pieces));
      await rename(`${this.input(jobId, index)}.tmp`, this.input(jobId, index));
      counts.push(inChunk);
      pieces = [];
      inChunk = 0;
    };
    let lineStart = true; // the next byte begins a line
    for await (const block of createReadStream(this.files.inputPath(jobId), {
      highWaterMark: 1 << 20,
    }) as AsyncIterable<Buffer>) {
      let from = 0; // start of the bytes of `block` not yet given to a chunk (or dropped)
      for (let at = block.indexOf(GT); at >= 0; at = block.indexOf(GT, at + 1)) {
        if (!(at === 0 ? lineStart : block[at - 1] === NL)) {
          continue; // a '>' inside a line
        }
        if (inChunk === 0 && counts.length === 0) {
          from = at; // the first record: what came before it is not part of any
        } else if (inChunk === chunkSize) {
          pieces.push(block.subarray(from, at));
          from = at;
          await cut();
        }
        inChunk++;
      }
      if (inChunk > 0) {
        pieces.push(block.subarray(from));
      }
      lineStart = block[block.length - 1] === NL;
    }
    if (inChunk > 0) {
      await cut();
    }
    const plan: ChunkPlan = { chunkSize, counts };
    await writeAtomically(this.plan(jobId), JSON.stringify(plan));
    return plan;
  }

  /** The summary a merge recorded, if the job's chunks were merged already. */
  async recorded(jobId: string): Promise<JobSummary | undefined> {
    return readJson<JobSummary>(this.merged(jobId));
  }

  async readDone(jobId: string, index: number): Promise<ChunkSummary | undefined> {
    return readJson<ChunkSummary>(this.done(jobId, index));
  }

  async writeDone(jobId: string, index: number, summary: ChunkSummary): Promise<void> {
    await writeAtomically(this.done(jobId, index), JSON.stringify(summary));
  }

  /**
   * Merges the chunks' tables in chunk order into the job's result files, each written to a temp
   * file and renamed, and moves the chunks' map inputs into the job's `mapParts` folder (read in
   * chunk order by the map: no copy of ~5.6 kB per protein on the job's critical path); then
   * records the summary and removes the chunks. Run again after a crash, it redoes what was not
   * recorded, or returns the recorded summary.
   */
  async merge(jobId: string, chunks: number, mapParts: string): Promise<JobSummary> {
    const recorded = await readJson<JobSummary>(this.merged(jobId));
    if (recorded !== undefined) {
      return recorded;
    }
    const summaries: ChunkSummary[] = [];
    for (let k = 0; k < chunks; k++) {
      const s = await this.readDone(jobId, k);
      if (s === undefined) {
        throw new Error(`chunk ${k} of job ${jobId} has no recorded result`);
      }
      summaries.push(s);
    }
    const indices = Array.from({ length: chunks }, (_, k) => k);
    for (const format of TABLE_FORMATS) {
      const path = this.files.resultPath(jobId, format);
      // One chunk's table in memory at a time (a chunk is chunk_size rows).
      const texts = (function* (self: ChunkFiles) {
        for (const k of indices) {
          yield readFileSync(self.table(jobId, k, format));
        }
      })(this);
      await writeStreamAtomically(path, mergeTables(format, texts));
    }
    await this.moveMapInputs(jobId, chunks, mapParts);
    const summary: JobSummary = {
      counts: sumCounts(summaries.map((s) => s.counts)),
      novelty: sumCounts(summaries.map((s) => s.novelty)),
    };
    await writeAtomically(this.merged(jobId), JSON.stringify(summary));
    await rm(this.dir(jobId), { recursive: true, force: true });
    return summary;
  }

  /**
   * The chunks' map inputs as `<mapParts>/<k>.bin`, all or none: moved one by one into a temp
   * folder (a merge run again, or twice at once, finds a part moved already), which is renamed
   * into place when it holds every chunk's. A chunk without one leaves the job without map input,
   * as a job whose embeddings were lost (its map is then recorded as unavailable).
   */
  private async moveMapInputs(jobId: string, chunks: number, mapParts: string): Promise<void> {
    if (await isDirectory(mapParts)) {
      return;
    }
    const temp = `${mapParts}.tmp`;
    await mkdir(temp, { recursive: true });
    let complete = true;
    for (let k = 0; k < chunks; k++) {
      const part = join(temp, `${k}.bin`);
      try {
        await rename(this.mapInput(jobId, k), part);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw e;
        }
        // Moved by an earlier (or a concurrent) run of this merge, or never written.
        complete &&= await exists(part);
      }
    }
    if (!complete) {
      await rm(temp, { recursive: true, force: true });
      return;
    }
    try {
      await rename(temp, mapParts);
    } catch (e) {
      // A concurrent run of this merge renamed it first.
      if (!(await isDirectory(mapParts))) {
        throw e;
      }
    }
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Written to a temp file of this process and renamed: readers see all of it or nothing. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

async function writeStreamAtomically(
  path: string,
  pieces: Iterable<string | Uint8Array>,
): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(temp);
  try {
    for (const piece of pieces) {
      if (!out.write(piece)) {
        await once(out, 'drain');
      }
    }
    await new Promise<void>((ok, fail) =>
      out.end((e?: Error | null) => (e == null ? ok() : fail(e))),
    );
  } catch (e) {
    out.destroy();
    await rm(temp, { force: true });
    throw e;
  }
  await rename(temp, path);
}
