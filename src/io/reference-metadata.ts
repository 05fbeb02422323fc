// Reads the references' named metadata (gene symbol, family, drug subclass per protein id) for the model to store.
import { inputError } from '../core/errors.ts';
import type { ReferenceNames } from '../core/model/named-evidence.ts';
import { readTextLines, splitDelimitedLine } from './labelled-fasta.ts';

export type { ReferenceNames } from '../core/model/named-evidence.ts';

/** The columns read, by header name (data/default/ncbi_metadata.tsv; the others are ignored). */
export const METADATA_COLUMNS = {
  id: 'id',
  gene: 'gene_symbol',
  family: 'gene_family',
  subclass: 'drug_subclass',
} as const;

/**
 * id → names from a TSV with a header row naming at least the METADATA_COLUMNS (plain or gzip).
 * Ids absent from the table simply have no names; a malformed table is an input error.
 */
export async function readReferenceMetadata(
  path: string,
  signal?: AbortSignal,
): Promise<Map<string, ReferenceNames>> {
  const rows = new Map<string, ReferenceNames>();
  let index: Record<keyof typeof METADATA_COLUMNS, number> | undefined;
  let width = 0;
  let lineNumber = 0;
  const fix = `give a tab-separated table with a header row naming ${Object.values(METADATA_COLUMNS).join(', ')} (as data/default/ncbi_metadata.tsv), or set paths.reference_metadata=null`;
  for await (const raw of readTextLines(path, signal)) {
    lineNumber++;
    const location = { source: path, line: lineNumber };
    const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') {
      continue;
    }
    const fields = splitDelimitedLine(line, '\t', location);
    if (index === undefined) {
      const header = fields.map((f) => f.trim());
      const found = Object.fromEntries(
        Object.entries(METADATA_COLUMNS).map(([key, name]) => [key, header.indexOf(name)]),
      ) as Record<keyof typeof METADATA_COLUMNS, number>;
      const missing = Object.entries(METADATA_COLUMNS).filter(
        ([key]) => found[key as keyof typeof METADATA_COLUMNS] < 0,
      );
      if (missing.length > 0) {
        throw inputError(
          'reference-metadata.bad-tsv',
          `the reference metadata has no column ${missing.map(([, n]) => `'${n}'`).join(', ')}`,
          fix,
          location,
        );
      }
      index = found;
      width = header.length;
      continue;
    }
    if (fields.length !== width) {
      throw inputError(
        'reference-metadata.bad-tsv',
        `row has ${fields.length} tab-separated fields, but the header row has ${width}`,
        fix,
        location,
      );
    }
    const cell = (i: number): string => (fields[i] ?? '').trim();
    const id = cell(index.id);
    if (id === '') {
      throw inputError('reference-metadata.bad-tsv', `row has an empty 'id'`, fix, location);
    }
    if (rows.has(id)) {
      throw inputError(
        'reference-metadata.duplicate-id',
        `id '${id}' has two rows`,
        'keep one row per id',
        location,
      );
    }
    rows.set(id, {
      gene: cell(index.gene),
      family: cell(index.family),
      subclass: cell(index.subclass),
    });
  }
  if (index === undefined) {
    throw inputError('reference-metadata.bad-tsv', 'the reference metadata is empty', fix, {
      source: path,
    });
  }
  return rows;
}
