import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

import { clusterByIdentity } from './identity-clusters.ts';

/** Adjusted Rand index between two labelings (Hubert & Arabie). */
function adjustedRand(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const pairs = (v: number): number => (v * (v - 1)) / 2;
  const joint = new Map<string, number>();
  const a = new Map<number, number>();
  const b = new Map<number, number>();
  for (let i = 0; i < x.length; i++) {
    const xi = x[i] as number;
    const yi = y[i] as number;
    joint.set(`${xi} ${yi}`, (joint.get(`${xi} ${yi}`) ?? 0) + 1);
    a.set(xi, (a.get(xi) ?? 0) + 1);
    b.set(yi, (b.get(yi) ?? 0) + 1);
  }
  const sum = (m: Map<unknown, number>): number => [...m.values()].reduce((s, v) => s + pairs(v), 0);
  const index = sum(joint);
  const expected = (sum(a) * sum(b)) / pairs(x.length);
  const max = (sum(a) + sum(b)) / 2;
  return (index - expected) / (max - expected);
}

describe('clusterByIdentity on the shipped data vs cd-hit -c 0.4', () => {
  it('agrees closely with cd-hit and runs in well under a minute', () => {
    const root = new URL('../../../', import.meta.url).pathname;
    const fasta = gunzipSync(readFileSync(join(root, 'data/default/default.fasta.gz'))).toString(
      'utf8',
    );
    const records = fasta
      .split('>')
      .slice(1)
      .map((chunk) => {
        const nl = chunk.indexOf('\n');
        const [id = '', label = ''] = chunk.slice(0, nl).trim().split('|');
        return { id, label, seq: chunk.slice(nl + 1).replace(/\s+/g, '') };
      });
    const cdhit = new Map<string, number>();
    for (const line of readFileSync(join(root, 'data/default/derived/clusters-cdhit40.tsv'), 'utf8')
      .split('\n')
      .slice(1)) {
      const [id, c] = line.split('\t');
      if (id !== undefined && c !== undefined && id !== '') {
        cdhit.set(id, Number(c));
      }
    }
    const t0 = performance.now();
    const r = clusterByIdentity(records.map((p) => p.seq));
    const seconds = (performance.now() - t0) / 1000;
    const reference = records.map((p) => cdhit.get(p.id) ?? -1);
    const ari = adjustedRand(r.clusterOf, reference);
    // cd-hit clusters split by ours, and our clusters that merge several cd-hit clusters.
    const oursPerCdhit = new Map<number, Set<number>>();
    const cdhitPerOurs = new Map<number, Set<number>>();
    const labelsPerOurs = new Map<number, Set<string>>();
    records.forEach((p, i) => {
      const c = reference[i] as number;
      const o = r.clusterOf[i] as number;
      oursPerCdhit.set(c, (oursPerCdhit.get(c) ?? new Set()).add(o));
      cdhitPerOurs.set(o, (cdhitPerOurs.get(o) ?? new Set()).add(c));
      labelsPerOurs.set(o, (labelsPerOurs.get(o) ?? new Set()).add(p.label));
    });
    const split = [...oursPerCdhit.values()].filter((s) => s.size > 1).length;
    const merged = [...cdhitPerOurs.values()].filter((s) => s.size > 1).length;
    const mixed = [...labelsPerOurs.values()].filter((s) => s.size > 1).length;
    // Reported in docs/splits.md.
    console.log(
      `identity clusters: ${r.representatives.length} (cd-hit ${oursPerCdhit.size}), ARI ${ari.toFixed(3)}, ` +
        `cd-hit clusters split ${split}, ours merging cd-hit clusters ${merged}, label-mixed ${mixed}, ` +
        `${r.alignments} alignments, ${seconds.toFixed(1)} s`,
    );
    expect(records.length).toBe(4514);
    expect(ari).toBeGreaterThan(0.85);
    expect(Math.abs(r.representatives.length - 1982)).toBeLessThan(150);
    // 60 s on an idle 2-core machine is the budget; leave room for a shared CI runner.
    expect(seconds).toBeLessThan(120);
  }, 180_000);
});
