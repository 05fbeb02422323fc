// The classifier part of a prediction as a port: raw embeddings in, logits out (standardisation included), so another runtime (ONNX) can compute it.

/**
 * What createPredictor otherwise computes in process with the Kernels: standardise each row with
 * the model's mean and std, run the MLP (or logistic regression) and return its logits. Homology
 * evidence fusion, the temperature, the class mask and the calibrator stay in the predictor.
 */
export interface ClassifierRuntime {
  /** e.g. 'onnx fp32', for logs and benches. */
  readonly name: string;
  /** Logits (n×classes, row-major) of n rows of raw embeddings (n×dim, row-major). Synchronous. */
  logits(embeddings: Float32Array, n: number): Float32Array;
}
