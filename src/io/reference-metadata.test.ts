// Tests for reading the references' names: the shipped table, and the errors of a malformed one.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isArginatorError } from '../core/errors.ts';
import { readReferenceMetadata } from './reference-metadata.ts';

const SHIPPED = fileURLToPath(new URL('../../data/default/ncbi_metadata.tsv', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arginator-ref-metadata-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function reason(text: string): Promise<string | undefined> {
  const path = join(dir, 'bad.tsv');
  await writeFile(path, text);
  const error: unknown = await readReferenceMetadata(path).catch((e: unknown) => e);
  return isArginatorError(error) ? error.reason : undefined;
}

describe('readReferenceMetadata', () => {
  it('reads every NCBI protein of the shipped table, empty subclasses kept empty', async () => {
    const names = await readReferenceMetadata(SHIPPED);
    expect(names.size).toBe(3200);
    expect(names.get('ncbi_WP_063860637.1')).toEqual({
      gene: 'blaKPC-15',
      family: 'blaKPC',
      subclass: 'CARBAPENEM',
    });
    expect(names.get('ncbi_WP_063108644.1')).toEqual({
      gene: 'blaCTX-M-140',
      family: 'blaCTX-M',
      subclass: '',
    });
  });

  it('refuses a table without the named columns, a ragged row and a repeated id', async () => {
    expect(await reason('id\tgene\nx\ty\n')).toBe('reference-metadata.bad-tsv');
    const header = 'id\tgene_symbol\tgene_family\tdrug_subclass\n';
    expect(await reason(`${header}a\tg\tf\n`)).toBe('reference-metadata.bad-tsv');
    expect(await reason(`${header}a\tg\tf\ts\na\tg\tf\ts\n`)).toBe(
      'reference-metadata.duplicate-id',
    );
    expect(await reason('')).toBe('reference-metadata.bad-tsv');
  });
});
