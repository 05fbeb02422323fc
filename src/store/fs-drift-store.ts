// Drift reports on disk: <home>/drift/<id>.json for each check and latest.json, written atomically.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { DriftReportStore, StoredDriftReport } from '../pipeline/drift.ts';

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

export class FsDriftStore implements DriftReportStore {
  private readonly dir: string;

  /** `dir` is <home>/drift. */
  constructor(dir: string) {
    this.dir = dir;
  }

  async save(report: StoredDriftReport['report'], createdAt: Date): Promise<StoredDriftReport> {
    await mkdir(this.dir, { recursive: true });
    // Sortable by time, unique without coordination: 20261201T234500Z-1a2b3c.
    const stamp = createdAt
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const stored: StoredDriftReport = {
      id: `${stamp}-${randomBytes(3).toString('hex')}`,
      createdAt: createdAt.toISOString(),
      report,
    };
    const text = `${JSON.stringify(stored, null, 2)}\n`;
    await writeAtomic(join(this.dir, `${stored.id}.json`), text);
    await writeAtomic(join(this.dir, 'latest.json'), text);
    return stored;
  }

  async latest(): Promise<StoredDriftReport | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, 'latest.json'), 'utf8')) as StoredDriftReport;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw e;
    }
  }
}
