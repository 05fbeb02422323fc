// Bench: the carbapenemase column on whole held-out families (cluster CV) against DIAMOND best hit's subclass.
// Run: npx tsx bench/carbapenemase-cv.ts [--reuse]   (shipped data, diamond on PATH; 5-8 min on 2 cores;
// --reuse reads the records bench/novelty-identity.ts left in bench/out/evidence-records.json)
//
// Proteins: the held-out β-lactamases (true class A–D) that data/default/ncbi_metadata.tsv gives a drug
// subclass; truth = their own subclass names CARBAPENEM. Ours = the `carbapenemase` column of the model
// trained on the other four folds (bench/lib/evidence-records.ts); DIAMOND = the subclass of its best
// hit among the same references, as is and with AMRFinderPlus's bar (≥ 90% identity over ≥ 90% of the
// reference). Writes bench/out/carbapenemase-cv.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { namesCarbapenem } from '../src/core/model/named-evidence.ts';
import { CLOSE_COVERAGE, CLOSE_IDENTITY } from '../src/core/model/named-evidence.ts';
import { readReferenceMetadata } from '../src/io/reference-metadata.ts';
import { subjectCoverage } from './lib/diamond-hits.ts';
import type { EvidenceRecord, Population } from './lib/evidence-records.ts';
import { collectEvidence } from './lib/evidence-records.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'bench/out');
const RECORDS = join(OUT, 'evidence-records.json');

const records: EvidenceRecord[] = process.argv.includes('--reuse')
  ? (
      JSON.parse(readFileSync(RECORDS, 'utf8'), (_, v: unknown) =>
        v === null ? Number.NaN : v,
      ) as { records: EvidenceRecord[] }
    ).records
  : (await collectEvidence({ proteome: false })).records;
const metadata = await readReferenceMetadata(join(ROOT, 'data/default/ncbi_metadata.tsv'));
const subclassOf = (id: string): string => metadata.get(id)?.subclass ?? '';

type Call = 'yes' | 'no' | 'uncertain' | 'not a β-lactamase call';
interface Method {
  readonly name: string;
  readonly call: (r: EvidenceRecord) => Call;
}
const diamond =
  (bar: boolean) =>
  (r: EvidenceRecord): Call => {
    const hit = r.hits[0];
    if (hit === undefined) {
      return 'uncertain';
    }
    if (bar && !(hit.pident >= 100 * CLOSE_IDENTITY && subjectCoverage(hit) >= CLOSE_COVERAGE)) {
      return 'uncertain';
    }
    const subclass = subclassOf(hit.target);
    return subclass === '' ? 'uncertain' : namesCarbapenem(subclass) ? 'yes' : 'no';
  };
const methods: Method[] = [
  {
    name: 'ours (`carbapenemase` column)',
    call: (r) =>
      r.carbapenemase === ''
        ? 'not a β-lactamase call'
        : (r.carbapenemase as 'yes' | 'no' | 'uncertain'),
  },
  { name: "DIAMOND best hit's subclass", call: diamond(false) },
  {
    name: `DIAMOND best hit's subclass, ≥ ${100 * CLOSE_IDENTITY}% identity over ≥ ${100 * CLOSE_COVERAGE}% of the reference`,
    call: diamond(true),
  },
];

const pct = (a: number, b: number): string => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)}%`);
const sections: { name: string; population: Population }[] = [
  { name: 'held-out families (cv-family)', population: 'cv-family' },
  {
    name: 'held-out family members, family among the references (cv-member)',
    population: 'cv-member',
  },
];
const lines = [
  '# Carbapenemase calls against the proteins’ own subclass (cluster CV)',
  '',
  'Held-out β-lactamases with a drug subclass in ncbi_metadata.tsv; truth: own subclass names CARBAPENEM.',
  'DIAMOND: blastp --very-sensitive, e ≤ 1e-3, against the same references; no hit or a hit without a subclass counts as uncertain.',
  '',
];
for (const { name, population } of sections) {
  const rs = records.filter(
    (r) => r.population === population && r.label !== 'NBL' && subclassOf(r.id) !== '',
  );
  const positives = rs.filter((r) => namesCarbapenem(subclassOf(r.id)));
  lines.push(
    `## ${name}: ${rs.length} proteins, ${positives.length} carbapenemases`,
    '',
    '| method | yes | no | uncertain | not a β-lactamase call | precision of yes | recall of yes | precision of no |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const m of methods) {
    const of = (c: Call): EvidenceRecord[] => rs.filter((r) => m.call(r) === c);
    const yes = of('yes');
    const no = of('no');
    const yesRight = yes.filter((r) => namesCarbapenem(subclassOf(r.id))).length;
    const noRight = no.filter((r) => !namesCarbapenem(subclassOf(r.id))).length;
    lines.push(
      `| ${m.name} | ${yes.length} | ${no.length} | ${of('uncertain').length} (${pct(of('uncertain').length, rs.length)}) | ${of('not a β-lactamase call').length} | ${pct(yesRight, yes.length)} | ${pct(yesRight, positives.length)} | ${pct(noRight, no.length)} |`,
    );
  }
  lines.push('');
}
const markdown = lines.join('\n');
process.stdout.write(markdown);
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'carbapenemase-cv.md'), markdown);
