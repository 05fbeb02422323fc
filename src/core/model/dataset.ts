// Dense, row-major examples as the trainers consume them.

/** n rows of dim float32 features, row-major, with integer labels 0..classes-1. */
export interface DenseDataset {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly n: number;
  readonly dim: number;
}

/** Rows `indices` of `data`, copied into a new contiguous dataset. */
export function takeRows(data: DenseDataset, indices: ArrayLike<number>): DenseDataset {
  const x = new Float32Array(indices.length * data.dim);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i] as number;
    x.set(data.x.subarray(row * data.dim, (row + 1) * data.dim), i * data.dim);
    y[i] = data.y[row] as number;
  }
  return { x, y, n: indices.length, dim: data.dim };
}
