// Combines classifier logits with homology evidence: logits + α·similarity, then temperature; α and T fitted on validation.
import { fitTemperature, temperatureNll } from '../metrics/temperature.ts';

/** α values tried; the validation NLL decides (a 1-parameter fit, like temperature scaling). */
export const FUSION_ALPHAS: readonly number[] = [0, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256];

export interface Fusion {
  readonly alpha: number;
  readonly temperature: number;
  /** Validation negative log-likelihood at the chosen (α, T). */
  readonly nll: number;
}

/** logits + α · similarity, row by row (n×k both). */
export function fuseLogits(
  logits: Float32Array,
  similarity: Float32Array,
  alpha: number,
): Float32Array {
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) {
    out[i] = (logits[i] as number) + alpha * (similarity[i] as number);
  }
  return out;
}

/** Chooses α from FUSION_ALPHAS and the temperature for it by validation NLL. */
export function fitFusion(
  logits: Float32Array,
  similarity: Float32Array,
  y: ArrayLike<number>,
  k: number,
): Fusion {
  let best: Fusion = { alpha: 0, temperature: 1, nll: Infinity };
  if (y.length === 0) {
    return { alpha: 0, temperature: 1, nll: 0 };
  }
  for (const alpha of FUSION_ALPHAS) {
    const fused = fuseLogits(logits, similarity, alpha);
    const temperature = fitTemperature(fused, y, k);
    const nll = temperatureNll(fused, y, k, temperature);
    if (nll < best.nll) {
      best = { alpha, temperature, nll };
    }
  }
  return best;
}
