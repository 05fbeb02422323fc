// Test helpers shared by the cli and server tests: seeded random FASTA and a data directory with a tiny registered model.
// They live in wiring/ because both roots may import wiring and wiring imports neither root.
import { join } from 'node:path';

import { BINARY_LABELS, BINARY_POSITIVE, MULTICLASS_LABELS } from '../../core/domain.ts';
import type { Task } from '../../core/domain.ts';
import { builtinEmbedderFactory } from '../../core/embed/builtin-embedder.ts';
import { randomModelArtifact } from '../../core/model/test-support/random-model.ts';
import { createRng } from '../../core/rng.ts';
import { randomProtein } from '../../core/sequence/test-support/random-fasta.ts';
import { FsModelRegistry } from '../../store/fs-model-registry.ts';

// The random FASTA is core's (every layer's tests use it); re-exported for the roots' tests.
export { randomFasta, randomProtein } from '../../core/sequence/test-support/random-fasta.ts';

export const LABELS: string[] = [...MULTICLASS_LABELS];

/** A reference with names, added to the tiny model's random ones (e.g. a shipped KPC). */
export interface NamedReference {
  readonly id: string;
  /** Index into the model's labels. */
  readonly label: number;
  readonly sequence: string;
  readonly gene: string;
  readonly family: string;
  readonly subclass: string;
}

/**
 * Registers a small but real multiclass model (random MLP weights, 10 references) in
 * <home>/models, as `arginator train` would; returns its version.
 */
export async function registerTinyModel(
  home: string,
  task: Task = 'multiclass',
  options: {
    references?: boolean;
    /** Named references after the random ones; the model then stores names ('' for the random ones). */
    named?: readonly NamedReference[];
    /** The decision rule's floor (header.homology.minSimilarity); absent = no rule. */
    minSimilarity?: number;
    /** Seed of the random weights (default: the artifact's own): two seeds, two different models. */
    seed?: number;
  } = {},
): Promise<string> {
  const embedder = await builtinEmbedderFactory.create({});
  const rng = createRng(3);
  const labels = task === 'multiclass' ? LABELS : [...BINARY_LABELS];
  const refs = Array.from({ length: 10 }, () => randomProtein(rng, 60));
  const named = options.named ?? [];
  const blank = refs.map(() => '');
  const artifact = randomModelArtifact({
    embedder,
    labels,
    ...(task === 'binary' ? { positiveLabel: BINARY_POSITIVE } : {}),
    ...(options.references === false
      ? {}
      : {
          references: {
            ids: [...refs.map((_, i) => `ref${i}`), ...named.map((r) => r.id)],
            labels: [...refs.map((_, i) => i % labels.length), ...named.map((r) => r.label)],
            sequences: [...refs, ...named.map((r) => r.sequence)],
            ...(named.length === 0
              ? {}
              : {
                  metadata: {
                    genes: [...blank, ...named.map((r) => r.gene)],
                    families: [...blank, ...named.map((r) => r.family)],
                    subclasses: [...blank, ...named.map((r) => r.subclass)],
                  },
                }),
          },
        }),
    homology: {
      candidates: 1,
      alpha: 4,
      ...(options.minSimilarity === undefined ? {} : { minSimilarity: options.minSimilarity }),
    },
    temperature: 1.5,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  await embedder.close();
  const { version } = await new FsModelRegistry(join(home, 'models')).register({
    artifact,
    runId: 'test-run',
    task,
    metrics: {},
  });
  return version;
}
