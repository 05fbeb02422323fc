// Drift reports on disk: <home>/drift/<id>.json for each check and latest.json, written atomically.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { DriftRunReport } from '../core/drift/drift-contract.ts';
import type { DriftReportExtras, DriftReportStore, StoredDriftReport } from '../pipeline/drift.ts';

/** The ids this store makes (20261201T234500Z-1a2b3c): anything else is not looked up on disk. */
const REPORT_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

async function readReport(path: string): Promise<StoredDriftReport | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as StoredDriftReport;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw e;
  }
}

export function isDriftReportId(id: string): boolean {
  return REPORT_ID.test(id);
}

export class FsDriftStore implements DriftReportStore {
  private readonly dir: string;

  /** `dir` is <home>/drift. */
  constructor(dir: string) {
    this.dir = dir;
  }

  async save(
    report: DriftRunReport,
    createdAt: Date,
    extras: DriftReportExtras = {},
  ): Promise<StoredDriftReport> {
    await mkdir(this.dir, { recursive: true });
    // Sortable by time, unique without coordination: 20261201T234500Z-1a2b3c. The suffix starts with
    // the milliseconds (10 of its 24 bits, then 14 random), so reports of one second sort in order too.
    const stamp = createdAt
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const suffix = (
      createdAt.getUTCMilliseconds() * 2 ** 14 +
      (randomBytes(2).readUInt16BE(0) & 0x3fff)
    )
      .toString(16)
      .padStart(6, '0');
    const stored: StoredDriftReport = {
      id: `${stamp}-${suffix}`,
      createdAt: createdAt.toISOString(),
      report,
      ...(extras.trigger === undefined ? {} : { trigger: extras.trigger }),
      ...(extras.histograms === undefined ? {} : { histograms: extras.histograms }),
    };
    const text = `${JSON.stringify(stored, null, 2)}\n`;
    await writeAtomic(join(this.dir, `${stored.id}.json`), text);
    await writeAtomic(join(this.dir, 'latest.json'), text);
    return stored;
  }

  latest(): Promise<StoredDriftReport | undefined> {
    return readReport(join(this.dir, 'latest.json'));
  }

  async get(id: string): Promise<StoredDriftReport | undefined> {
    return isDriftReportId(id) ? readReport(join(this.dir, `${id}.json`)) : undefined;
  }

  async history(limit: number): Promise<StoredDriftReport[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return [];
      }
      throw e;
    }
    // The ids sort by time; only the newest `limit` files are read.
    const ids = names
      .filter((n) => n.endsWith('.json') && isDriftReportId(n.slice(0, -5)))
      .map((n) => n.slice(0, -5))
      .sort()
      .reverse()
      .slice(0, limit);
    const reports = await Promise.all(ids.map((id) => readReport(join(this.dir, `${id}.json`))));
    return reports.filter((r): r is StoredDriftReport => r !== undefined);
  }
}
