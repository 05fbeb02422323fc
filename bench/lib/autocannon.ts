// A minimal typed wrapper over autocannon 9's programmatic API (the package ships no types).
import { createRequire } from 'node:module';

export interface AutocannonOptions {
  readonly url: string;
  readonly connections: number;
  /** Seconds. */
  readonly duration?: number;
  /** Stop after this many requests (overrides duration). */
  readonly amount?: number;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Requests each connection sends in turn, looping (e.g. a different protein per request). */
  readonly requests?: readonly {
    readonly method?: 'GET' | 'POST';
    readonly body?: string;
    readonly headers?: Readonly<Record<string, string>>;
  }[];
  /** Seconds before a request counts as a timeout. */
  readonly timeout?: number;
  readonly title?: string;
}

/** Latency in milliseconds; requests per second (per 1-s sample). */
export interface Percentiles {
  readonly average: number;
  readonly mean: number;
  readonly stddev: number;
  readonly min: number;
  readonly max: number;
  readonly total: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

export interface AutocannonResult {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
  readonly statusCodeStats: Readonly<Record<string, { count: number }>>;
  readonly latency: Percentiles;
  readonly requests: Percentiles & { readonly sent: number };
}

type Callback = (err: Error | null | undefined, result: AutocannonResult) => void;
type Autocannon = (opts: AutocannonOptions, cb: Callback) => unknown;

const load = createRequire(import.meta.url);
const autocannon = load('autocannon') as Autocannon;

/** Runs one autocannon load and resolves with its aggregated result. */
export function runAutocannon(opts: AutocannonOptions): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => {
      if (err != null) {
        reject(err);
      } else {
        resolve(result);
      }
    });
  });
}
