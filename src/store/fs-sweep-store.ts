// Sweep folders on disk: <home>/sweeps/<id>/{state.json, sweep.yaml, report.md, report.html, plots/…}; state.json is written atomically.
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ArginatorError } from '../core/errors.ts';
import type { SweepReader, SweepState, SweepStore } from '../pipeline/sweep/run-sweep.ts';
import { writeFileAtomic } from './fs-run-tracker.ts';

const SAFE_ID = /^[A-Za-z0-9._-]+$/;

/** One folder or file name: no separators, and not '.' or '..' (which would leave the folder). */
function isSafeName(name: string): boolean {
  return SAFE_ID.test(name) && name !== '.' && name !== '..';
}

/** Sortable by time and unique across processes, like run ids. */
export function newSweepId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export class FsSweepStore implements SweepStore, SweepReader {
  readonly root: string;

  /** `root` is <home>/sweeps. */
  constructor(root: string) {
    this.root = root;
  }

  dirOf(id: string): string {
    if (!isSafeName(id)) {
      throw new ArginatorError(
        'USAGE',
        'sweep.bad-id',
        `'${id}' is not a sweep id`,
        "list sweeps with 'ls $ARGINATOR_HOME/sweeps'",
      );
    }
    return join(this.root, id);
  }

  async save(state: SweepState): Promise<void> {
    await writeFileAtomic(
      join(this.dirOf(state.id), 'state.json'),
      `${JSON.stringify(state, null, 2)}\n`,
    );
  }

  async writeFile(id: string, name: string, data: string | Uint8Array): Promise<string> {
    const path = join(this.dirOf(id), name);
    await writeFileAtomic(path, data);
    return path;
  }

  async load(id: string): Promise<SweepState> {
    let text: string;
    try {
      text = await readFile(join(this.dirOf(id), 'state.json'), 'utf8');
    } catch {
      const known = await this.list();
      throw new ArginatorError(
        'NOT_FOUND',
        'sweep.not-found',
        `no sweep '${id}' in ${this.root}`,
        known.length === 0
          ? "start one: 'arginator sweep SWEEP.yaml'"
          : `known sweeps: ${known.slice(-5).join(', ')}`,
      );
    }
    return JSON.parse(text) as SweepState;
  }

  async readFile(id: string, name: string): Promise<Uint8Array | undefined> {
    if (!isSafeName(name)) {
      return undefined;
    }
    return readFile(join(this.dirOf(id), name)).catch(() => undefined);
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(this.root)).filter(isSafeName).sort();
    } catch {
      return [];
    }
  }
}
