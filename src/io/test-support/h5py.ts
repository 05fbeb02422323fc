// Tests that write fixtures with Debian's python3-h5py: where it is, and the original's class-folder maker.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { expect } from 'vitest';

export const PYTHON = '/usr/bin/python3';

/** fixtures/prott5-folder/make_folder.py: the original system's per-class HDF5 folder, written by h5py. */
export const MAKE_FOLDER = fileURLToPath(
  new URL('../../../fixtures/prott5-folder/make_folder.py', import.meta.url),
);

const HAVE_H5PY =
  spawnSync(PYTHON, ['-c', 'import h5py, numpy'], { encoding: 'utf8' }).status === 0;

/** False (and the test returns) without h5py; under CI=true that is a failure, not a skip. */
export function h5pyAvailable(): boolean {
  if (!HAVE_H5PY) {
    expect(process.env['CI'], `install python3-h5py so that ${PYTHON} can import h5py`).not.toBe(
      'true',
    );
  }
  return HAVE_H5PY;
}
