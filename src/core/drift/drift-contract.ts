// The JSON of /v1/drift, declared once for the server and the web UI (docs/monitoring.md, Service).
// Pure types and constants: the web bundle imports these types only (erased by the build).
import type { DriftReport } from './drift-report.ts';

export type { DriftReport, FeatureVerdict } from './drift-report.ts';

/** What made a report: `arginator drift`, POST /v1/drift, or the server's scheduled check. */
export const DRIFT_TRIGGERS = ['cli', 'api', 'schedule'] as const;
export type DriftTrigger = (typeof DRIFT_TRIGGERS)[number];

/** A drift check's states on the server (POST /v1/drift answers with one, queued). */
export const DRIFT_CHECK_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
] as const;
export type DriftCheckStatus = (typeof DRIFT_CHECK_STATUSES)[number];

/** A drift report with where its sides came from (what `runDrift` returns and `arginator drift --json` prints). */
export type DriftRunReport = DriftReport & {
  readonly model: string;
  readonly reference: { readonly source: string; readonly rows: number };
  readonly current: { readonly source: string; readonly rows: number; readonly seen: number };
};

/**
 * One feature's reference and current distributions as counts: shared equal-width bins for a
 * numeric feature (`edges` has one more entry than the counts), the categories for a categorical one.
 */
export type DriftHistogramJson =
  | {
      readonly name: string;
      readonly kind: 'numeric';
      readonly edges: readonly number[];
      readonly reference: readonly number[];
      readonly current: readonly number[];
    }
  | {
      readonly name: string;
      readonly kind: 'categorical';
      readonly categories: readonly string[];
      readonly reference: readonly number[];
      readonly current: readonly number[];
    };

/** GET /v1/drift/latest and /v1/drift/reports/{id}: the report, its id, time, trigger and histograms. */
export type DriftReportJson = DriftRunReport & {
  readonly id: string;
  readonly createdAt: string;
  readonly trigger: DriftTrigger | null;
  /** Per-feature histograms; empty for reports recorded before they were kept. */
  readonly histograms: readonly DriftHistogramJson[];
};

/** One report in GET /v1/drift (newest first): the decision without the per-feature details. */
export interface DriftHistoryItemJson {
  readonly id: string;
  readonly createdAt: string;
  readonly trigger: DriftTrigger | null;
  readonly model: string;
  readonly drift: boolean;
  readonly share: number;
  readonly driftedFeatures: number;
  readonly featureCount: number;
  readonly noveltyRate: number | null;
  readonly classifierAuc: number;
  readonly current: DriftRunReport['current'];
}

export interface DriftHistoryJson {
  readonly reports: readonly DriftHistoryItemJson[];
}

/** A drift check on the server: GET /v1/drift/checks/{id}; `reportId` once it has completed. */
export interface DriftCheckJson {
  readonly id: string;
  readonly status: DriftCheckStatus;
  readonly trigger: DriftTrigger;
  readonly source: string;
  readonly model: string;
  readonly proteinsDone: number;
  readonly proteinsTotal: number;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly reportId: string | null;
  readonly error: {
    readonly code: string;
    readonly reason: string;
    readonly detail: string;
  } | null;
  readonly links: { readonly self: string; readonly report: string | null };
}
