import { describe, expect, it } from 'vitest';

import { createRng, type Rng } from '../rng.ts';
import {
  clusterByIdentity,
  clusterByIdentityAsync,
  clusterByIdentitySteps,
} from './identity-clusters.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';

function randomProtein(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    s += AA[Math.floor(rng() * AA.length)] as string;
  }
  return s;
}

function substitute(rng: Rng, s: string, rate: number): string {
  return s.replace(/./g, (c) => (rng() < rate ? (AA[Math.floor(rng() * 20)] as string) : c));
}

/** 6 families of 5 members (≈ 75% identical to their founder), plus 10 unrelated singletons. */
function families(): { seqs: string[]; family: number[] } {
  const rng = createRng(12);
  const seqs: string[] = [];
  const family: number[] = [];
  for (let f = 0; f < 6; f++) {
    const founder = randomProtein(rng, 200 + f * 10);
    for (let m = 0; m < 5; m++) {
      seqs.push(m === 0 ? founder : substitute(rng, founder, 0.3).slice(0, 200 + f * 10 - m));
      family.push(f);
    }
  }
  for (let s = 0; s < 10; s++) {
    seqs.push(randomProtein(rng, 150));
    family.push(100 + s);
  }
  return { seqs, family };
}

describe('clusterByIdentity', () => {
  it('recovers families and keeps unrelated proteins apart', () => {
    const { seqs, family } = families();
    const r = clusterByIdentity(seqs);
    expect(r.representatives.length).toBe(16);
    for (let i = 0; i < seqs.length; i++) {
      for (let j = 0; j < seqs.length; j++) {
        expect(r.clusterOf[i] === r.clusterOf[j]).toBe(family[i] === family[j]);
      }
    }
    // Representatives are the longest members, and are in their own cluster.
    r.representatives.forEach((rep, c) => expect(r.clusterOf[rep]).toBe(c));
  });

  it('splits everything at a threshold above the families’ identity', () => {
    const { seqs } = families();
    const r = clusterByIdentity(seqs, { threshold: 0.95 });
    expect(r.representatives.length).toBe(seqs.length);
  });

  it('yields progress, reports onProgress and is deterministic', async () => {
    const { seqs } = families();
    const progress: number[] = [];
    const steps = [...clusterByIdentitySteps(seqs, { yieldEvery: 10 })];
    expect(steps.map((s) => s.done)).toEqual([10, 20, 30]);
    const r = await clusterByIdentityAsync(seqs, () => Promise.resolve(), {
      onProgress: (done) => progress.push(done),
    });
    expect(progress.length).toBe(seqs.length);
    expect(r.clusterOf).toEqual(clusterByIdentity(seqs).clusterOf);
  });

  it('stops with a CANCELLED error when aborted', () => {
    const { seqs } = families();
    const controller = new AbortController();
    expect(() =>
      clusterByIdentity(seqs, {
        signal: controller.signal,
        onProgress: (done) => {
          if (done === 3) {
            controller.abort();
          }
        },
      }),
    ).toThrow(expect.objectContaining({ code: 'CANCELLED' }) as Error);
  });
});
