// What createApp needs: the service's adapters and use cases, built by service.ts (or by tests).
import type { ResolvedConfig } from '../pipeline/config/schema.ts';
import type { DriftReportStore } from '../pipeline/drift.ts';
import type { JobFiles, JobStore } from '../pipeline/jobs/ports.ts';
import type { JobRunner } from '../pipeline/jobs/run-jobs.ts';
import type { ModelCatalog } from '../pipeline/model-catalog.ts';
import type { RunTracker } from '../pipeline/ports.ts';
import type { PromotionDeps } from '../pipeline/promotion-gate.ts';
import type { SweepReader } from '../pipeline/sweep/run-sweep.ts';
import type { DriftChecks } from './drift-checks.ts';
import type { JobEvents } from './job-events.ts';
import type { MapProvider } from './job-maps.ts';
import type { ServiceMetrics } from './metrics.ts';
import type { ModelProvider } from './model-provider.ts';
import type { PredictBatcher } from './predict-batcher.ts';

export type ServerSettings = ResolvedConfig['server'];

/** pino options: a level, and where lines go (stdout unless a stream is given, as tests do). */
export interface AppLogger {
  readonly level: string;
  readonly stream?: { write(line: string): void } | undefined;
}

export interface AppDeps {
  readonly settings: ServerSettings;
  /**
   * Keys accepted in X-API-Key (config plus ARGINATOR_API_KEYS), each seeing its own jobs; with
   * none here and in adminApiKeys, the API is open (api-keys.ts).
   */
  readonly apiKeys: readonly string[];
  /** Keys that see every job (server.admin_api_keys plus ARGINATOR_ADMIN_API_KEYS). */
  readonly adminApiKeys: readonly string[];
  readonly store: JobStore;
  readonly files: JobFiles;
  readonly runner: JobRunner;
  readonly events: JobEvents;
  readonly models: ModelProvider;
  /** Synchronous /v1/predict requests, micro-batched (on the prediction worker thread by default). */
  readonly predictions: PredictBatcher;
  /** Reference maps of models and jobs (UMAP). */
  readonly maps: MapProvider;
  /** The model catalog (registry), shared with the model provider and the maps. */
  readonly registry: ModelCatalog;
  /** What the promotion gate of POST /v1/models/{v}/promote uses (benchmark, settings, models). */
  readonly promotion: PromotionDeps;
  readonly runs: RunTracker;
  /** The sweep folders (<home>/sweeps), written by `arginator sweep`. */
  readonly sweeps: SweepReader;
  readonly metrics: ServiceMetrics;
  /** Recorded drift reports (docs/monitoring.md); absent: GET /v1/drift/latest answers 404. */
  readonly drift?: DriftReportStore | undefined;
  /**
   * Drift checks of the service (POST /v1/drift) with monitoring.* and where uploads wait for
   * their check; absent: POST /v1/drift answers 503 (the reports are still served).
   */
  readonly driftService?:
    | {
        readonly checks: DriftChecks;
        readonly settings: ResolvedConfig['monitoring'];
        readonly uploadsDir: string;
      }
    | undefined;
  /** Folder of the built web UI (index.html), if it exists. */
  readonly webDir: string | undefined;
  readonly newId: () => string;
  readonly now: () => Date;
  /** Fastify logger option: false in tests, pino options in `arginator serve`. */
  readonly logger: boolean | AppLogger;
}
