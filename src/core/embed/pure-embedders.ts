// Embedders that are pure CPU work with no resources, so worker threads can build their own copies by name.
import { builtinEmbedderFactory } from './builtin-embedder.ts';
import type { EmbedderFactory } from './embedder.ts';

export const PURE_EMBEDDERS: readonly EmbedderFactory[] = [builtinEmbedderFactory];

export function isPureEmbedder(name: string): boolean {
  return PURE_EMBEDDERS.some((f) => f.name === name);
}
