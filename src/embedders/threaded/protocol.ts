// Messages between the threaded embedder and its workers.
import type { EmbedderOptions } from '../../core/embed/embedder.ts';

export interface WorkerInit {
  readonly name: string;
  readonly options: EmbedderOptions;
}

export interface WorkerRequest {
  readonly id: number;
  readonly sequences: readonly string[];
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly dim: number; readonly data: Float32Array }
  | { readonly id: number; readonly ok: false; readonly message: string };
