// The umap-js map fit: seeded and reproducible (also on a worker), and held-out points land in their own cluster.
import { describe, expect, it } from 'vitest';

import { reduceEmbeddings } from '../core/map/prepare.ts';
import { DEFAULT_MAP_PARAMS, type MapParams } from '../core/map/reference-map-codec.ts';
import { makeClusters, sliceClusters } from '../core/map/test-support/clusters.ts';
import { projectToLayout } from '../core/map/umap-transform.ts';
import { fitMapWithUmapJs } from './umap-js-layout.ts';
import { fitHeapLimit, fitMapOnWorker } from './umap-worker-fitter.ts';

const params: MapParams = { ...DEFAULT_MAP_PARAMS, pcaComponents: 20, fitEpochs: 200 };
// 6 clusters of 70 points in 64-d: the first 60 of each are references, the last 10 held out.
const all = makeClusters(6, 70, 64, 2026);
const refs = sliceClusters(all, 0, 360);
const heldOut = sliceClusters(all, 360, 420);
const input = { embeddings: refs.data, n: refs.n, dim: refs.dim, params };

describe('fitMapWithUmapJs', () => {
  it('gives identical coordinates for the same seed, different ones for another seed', async () => {
    const a = await fitMapWithUmapJs(input);
    const b = await fitMapWithUmapJs(input);
    expect(Array.from(b.layout.coords)).toEqual(Array.from(a.layout.coords));
    expect(Array.from(b.pca.basis)).toEqual(Array.from(a.pca.basis));
    const c = await fitMapWithUmapJs({ ...input, params: { ...params, seed: 7 } });
    expect(Array.from(c.layout.coords)).not.toEqual(Array.from(a.layout.coords));
    expect(a.layout.a).toBeGreaterThan(1);
    expect(a.layout.b).toBeGreaterThan(0.5);
  });

  it('separates the clusters and places held-out points next to their own cluster', async () => {
    const fit = await fitMapWithUmapJs(input);
    const { coords } = fit.layout;
    const reduced = reduceEmbeddings(fit.pca, heldOut.data, heldOut.n);
    for (const method of ['transform', 'interpolate'] as const) {
      const xy = projectToLayout(fit.layout, reduced, heldOut.ids, { method });
      let correct = 0;
      for (let i = 0; i < heldOut.n; i++) {
        // The 2-D nearest reference's cluster.
        let best = Infinity;
        let bestCluster = -1;
        for (let r = 0; r < refs.n; r++) {
          const d = Math.hypot(
            (xy[i * 2] as number) - (coords[r * 2] as number),
            (xy[i * 2 + 1] as number) - (coords[r * 2 + 1] as number),
          );
          if (d < best) {
            best = d;
            bestCluster = refs.cluster[r] ?? -1;
          }
        }
        correct += bestCluster === heldOut.cluster[i] ? 1 : 0;
      }
      expect(correct / heldOut.n).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('fits the same map on a worker thread', async () => {
    const inline = await fitMapWithUmapJs(input);
    const progress: number[] = [];
    const worker = await fitMapOnWorker(input, { onProgress: (f) => progress.push(f) });
    expect(Array.from(worker.layout.coords)).toEqual(Array.from(inline.layout.coords));
    expect(Array.from(worker.layout.reduced)).toEqual(Array.from(inline.layout.reduced));
    expect(progress.at(-1)).toBe(1);
  });

  it('caps the worker heap by input size, and retries without the cap when it runs out', async () => {
    expect(fitHeapLimit(input).maxOldGenerationSizeMb).toBe(96);
    const big = { ...input, n: 20_000, dim: 1390 };
    expect(fitHeapLimit(big).maxOldGenerationSizeMb).toBeGreaterThan(300);
    // A cap far too small for the fit: the worker dies of out-of-memory, the fit is redone uncapped.
    const inline = await fitMapWithUmapJs(input);
    const retried = await fitMapOnWorker(input, {
      resourceLimits: { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 },
    });
    expect(Array.from(retried.layout.coords)).toEqual(Array.from(inline.layout.coords));
  });

  it('stops a worker fit when the signal aborts', async () => {
    const controller = new AbortController();
    const promise = fitMapOnWorker(input, {
      signal: controller.signal,
      onProgress: () => {
        controller.abort();
      },
    });
    await expect(promise).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
