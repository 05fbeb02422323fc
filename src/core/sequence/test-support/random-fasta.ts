// Seeded random proteins and FASTA text for tests of every layer (pure: the rng is passed in or seeded).
import { createRng } from '../../rng.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';

export function randomProtein(rng: () => number, length: number): string {
  return Array.from({ length }, () => AA[Math.floor(rng() * AA.length)] ?? 'A').join('');
}

/** `n` random proteins as FASTA (seeded), ids q0…q{n-1}. */
export function randomFasta(n: number, seed = 7, length = 120): string {
  const rng = createRng(seed);
  return Array.from(
    { length: n },
    (_, i) => `>q${i} protein ${i}\n${randomProtein(rng, length + (i % 37))}\n`,
  ).join('');
}
