// `arginator predict` names its evidence: a shipped KPC is EXACT to its reference, with gene, family, subclass and statistics.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { adjustedLambda, composition } from '../core/model/composition-statistics.ts';
import { bitScore, eValue } from '../core/model/named-evidence.ts';
import { createRng } from '../core/rng.ts';
import { alignLocal } from '../core/sequence/align.ts';
import { encodeForAlignment } from '../core/sequence/blosum62.ts';
import { readReferenceMetadata } from '../io/reference-metadata.ts';
import { REPO_ROOT, runCli } from '../wiring/test-support/run-cli.ts';
import type { NamedReference } from '../wiring/test-support/tiny-model.ts';
import { randomProtein, registerTinyModel } from '../wiring/test-support/tiny-model.ts';

const KPC = 'ncbi_WP_063860637.1'; // blaKPC-15, class A, CARBAPENEM
const TEM = 'ncbi_WP_063864793.1'; // blaTEM-101, class A, CEPHALOSPORIN

interface Row {
  protein_id: string;
  predicted_label: string;
  nearest_reference: string | null;
  nearest_gene: string | null;
  nearest_family: string | null;
  nearest_subclass: string | null;
  carbapenemase: string | null;
  bitscore: number | null;
  evalue: number | null;
  method: string;
}

let dir: string;
let home: string;
let version: string;
let kpc: string;
let databaseResidues: number;

/** The shipped sequences of `ids` (data/default/default.fasta.gz, headers `>ID|LABEL`). */
async function shippedSequences(ids: readonly string[]): Promise<Map<string, string>> {
  const text = gunzipSync(
    await readFile(join(REPO_ROOT, 'data/default/default.fasta.gz')),
  ).toString('utf8');
  const found = new Map<string, string>();
  for (const record of text.split('>').slice(1)) {
    const [header = '', ...lines] = record.split('\n');
    const id = header.split('|')[0] ?? '';
    if (ids.includes(id)) {
      found.set(id, lines.join('').trim());
    }
  }
  return found;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arginator-named-evidence-'));
  home = join(dir, 'home');
  const sequences = await shippedSequences([KPC, TEM]);
  const names = await readReferenceMetadata(join(REPO_ROOT, 'data/default/ncbi_metadata.tsv'));
  const named: NamedReference[] = [KPC, TEM].map((id) => {
    const n = names.get(id);
    const sequence = sequences.get(id);
    if (n === undefined || sequence === undefined) {
      throw new Error(`${id} is not in the shipped data`);
    }
    return { id, label: 0, sequence, ...n };
  });
  kpc = named[0]?.sequence ?? '';
  // The tiny model's 10 random references are 60 residues each.
  databaseResidues = 10 * 60 + named.reduce((s, r) => s + r.sequence.length, 0);
  version = await registerTinyModel(home, 'multiclass', { named, minSimilarity: 0.1 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('arginator predict: named evidence', () => {
  it('a shipped KPC is EXACT to its reference: blaKPC-15, blaKPC, CARBAPENEM; a random protein is NONE', async () => {
    const random = randomProtein(createRng(99), 300);
    const input = join(dir, 'queries.faa');
    await writeFile(input, `>kpc_query\n${kpc}\n>random_query\n${random}\n`);
    const r = await runCli(
      ['predict', input, '--model', version, '--format', 'json', '--threads', '1', '--quiet'],
      { env: { ARGINATOR_HOME: home } },
    );
    expect(r.code, r.stderr).toBe(0);
    const [hit, none] = JSON.parse(r.stdout) as Row[];

    expect(hit).toMatchObject({
      protein_id: 'kpc_query',
      predicted_label: 'A',
      nearest_reference: KPC,
      nearest_gene: 'blaKPC-15',
      nearest_family: 'blaKPC',
      nearest_subclass: 'CARBAPENEM',
      carbapenemase: 'yes',
      method: 'EXACT',
    });
    // The statistics of the self-alignment's raw score, over the model's references as database,
    // with λ adjusted to the two sequences' compositions (here one: the query is the reference).
    const kpcComposition = composition(encodeForAlignment(kpc));
    const bits = bitScore(
      alignLocal(kpc, kpc).score,
      adjustedLambda(kpcComposition, kpcComposition),
    );
    expect(hit?.bitscore).toBeCloseTo(bits, 9);
    expect((hit?.evalue ?? 0) / eValue(bits, kpc.length, databaseResidues)).toBeCloseTo(1, 9);
    expect(hit?.evalue).toBeLessThan(1e-100);

    // Similar to no reference: the decision rule leaves NBL, and no alignment is significant
    // (e-value > 1e-3), so there is no nearest reference at all, not a chance local match.
    expect(none).toMatchObject({
      protein_id: 'random_query',
      predicted_label: 'NBL',
      nearest_reference: null,
      identity: null,
      coverage: null,
      bitscore: null,
      evalue: null,
      carbapenemase: null,
      novelty: 'novel',
      method: 'NONE',
    });
  });

  it('writes the named columns after model_version in CSV', async () => {
    const input = join(dir, 'one.faa');
    await writeFile(input, `>kpc_query\n${kpc}\n`);
    const r = await runCli(['predict', input, '--model', version, '--threads', '1', '--quiet'], {
      env: { ARGINATOR_HOME: home },
    });
    expect(r.code, r.stderr).toBe(0);
    const [header = '', line = ''] = r.stdout.trim().split('\n');
    const columns = header.split(',');
    expect(columns.slice(columns.indexOf('model_version'))).toEqual([
      'model_version',
      'nearest_gene',
      'nearest_family',
      'nearest_subclass',
      'carbapenemase',
      'bitscore',
      'evalue',
      'method',
    ]);
    const cells = line.split(',');
    expect(cells.slice(-7, -3)).toEqual(['blaKPC-15', 'blaKPC', 'CARBAPENEM', 'yes']);
    expect(cells[cells.length - 3]).toMatch(/^\d+\.\d$/);
    expect(cells[cells.length - 2]).toMatch(/^\d\.\d\de-\d+$/);
    expect(cells[cells.length - 1]).toBe('EXACT');
  });
});
