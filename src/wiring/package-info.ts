// The package's own name, version and install folder (for the shipped dataset and configs).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { name: string; version: string };

export const PACKAGE_NAME = pkg.name;
export const PACKAGE_VERSION = pkg.version;
/** The package root: src/wiring/ and dist/wiring/ are both two levels below it. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The shipped dataset (data/default/README.md): FASTA with `>ID|LABEL` headers. */
export const DEFAULT_DATASET_FASTA = join(PACKAGE_ROOT, 'data', 'default', 'default.fasta.gz');
