// Prometheus metrics (prom-client, one registry per app): requests, latency, jobs, queue, proteins, model.
import type {
  LabelValues,
  MetricObjectWithValues,
  MetricType,
  MetricValue,
  MetricValueWithName,
} from 'prom-client';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type { JobStatus } from '../pipeline/jobs/job.ts';
import { JOB_STATUSES } from '../pipeline/jobs/job.ts';

/** The HTTP series of one route pattern: look it up once (when the route is registered), use per request. */
export interface RouteMetrics {
  observe(method: string, status: number, seconds: number): void;
}

export interface ServiceMetrics {
  readonly registry: Registry;
  /** The recorder of a route pattern ('unmatched' for requests that matched no route). */
  route(route: string): RouteMetrics;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  addProteins(count: number): void;
}

type HttpLabel = 'method' | 'route' | 'status';
const HTTP_LABELS: HttpLabel[] = ['method', 'route', 'status'];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One label set of the HTTP request series: its count, latency sum and latency histogram. */
interface Series {
  readonly labels: Readonly<Record<HttpLabel, string>>;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last slot is above the largest bound. */
  readonly buckets: Float64Array;
}

/**
 * The request counter and latency histogram, recorded without prom-client's per-call work: its
 * `inc`/`observe` (even on a child of fixed labels) validate and hash the label object on every
 * call, a measurable share of a trivial request (bench/api-load.ts). Here a route's recorder is
 * found once, and a request costs two small Map lookups (method, status) and a bucket search.
 * Exported through prom-client (the two classes below) in its exact format.
 */
class HttpSeries {
  /** In creation order: the order of the exported series. */
  readonly all: Series[] = [];
  private readonly routes = new Map<string, RouteMetrics>();

  route(route: string): RouteMetrics {
    let recorder = this.routes.get(route);
    if (recorder === undefined) {
      const byMethod = new Map<string, Map<number, Series>>();
      recorder = {
        observe: (method, status, seconds) => {
          let byStatus = byMethod.get(method);
          if (byStatus === undefined) {
            byStatus = new Map();
            byMethod.set(method, byStatus);
          }
          let series = byStatus.get(status);
          if (series === undefined) {
            series = {
              labels: { method, route, status: String(status) },
              count: 0,
              sum: 0,
              buckets: new Float64Array(HTTP_BUCKETS.length + 1),
            };
            byStatus.set(status, series);
            this.all.push(series);
          }
          series.count += 1;
          series.sum += seconds;
          let b = 0;
          while (b < HTTP_BUCKETS.length && seconds > (HTTP_BUCKETS[b] as number)) {
            b++;
          }
          series.buckets[b] = (series.buckets[b] ?? 0) + 1;
        },
      };
      this.routes.set(route, recorder);
    }
    return recorder;
  }

  reset(): void {
    for (const s of this.all) {
      s.count = 0;
      s.sum = 0;
      s.buckets.fill(0);
    }
  }
}

/** A bucket's labels as prom-client writes them: `le` first. */
function withLe(
  le: number | string,
  labels: Readonly<Record<HttpLabel, string>>,
): LabelValues<HttpLabel> {
  return { le, ...labels } as LabelValues<HttpLabel>;
}

class HttpRequestCounter extends Counter<HttpLabel> {
  private readonly http: HttpSeries;

  constructor(http: HttpSeries, registry: Registry) {
    super({
      name: 'arginator_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: HTTP_LABELS,
      registers: [registry],
    });
    this.http = http;
  }

  /** prom-client's own (name, help, type; no values: nothing is recorded through it) and ours. */
  override async get(): Promise<MetricObjectWithValues<MetricValue<HttpLabel>>> {
    const base = await super.get();
    return { ...base, values: this.http.all.map((s) => ({ labels: s.labels, value: s.count })) };
  }

  override reset(): void {
    super.reset();
    // prom-client's constructor calls reset() before this class has set `http`.
    (this.http as HttpSeries | undefined)?.reset();
  }
}

class HttpRequestHistogram extends Histogram<HttpLabel> {
  private readonly http: HttpSeries;

  constructor(http: HttpSeries, registry: Registry) {
    super({
      name: 'arginator_http_request_duration_seconds',
      help: 'HTTP request latency by method, route and status',
      labelNames: HTTP_LABELS,
      buckets: HTTP_BUCKETS,
      registers: [registry],
    });
    this.http = http;
  }

  override get(): Promise<MetricObjectWithValues<MetricValueWithName<HttpLabel>>> {
    const name = 'arginator_http_request_duration_seconds';
    const values: MetricValueWithName<HttpLabel>[] = [];
    for (const s of this.http.all) {
      let acc = 0;
      HTTP_BUCKETS.forEach((le, b) => {
        acc += s.buckets[b] ?? 0;
        values.push({ metricName: `${name}_bucket`, labels: withLe(le, s.labels), value: acc });
      });
      values.push(
        { metricName: `${name}_bucket`, labels: withLe('+Inf', s.labels), value: s.count },
        { metricName: `${name}_sum`, labels: s.labels, value: s.sum },
        { metricName: `${name}_count`, labels: s.labels, value: s.count },
      );
    }
    return Promise.resolve({
      name,
      help: 'HTTP request latency by method, route and status',
      // prom-client's typings declare a numeric enum; at run time (and in the output) it is this string.
      type: 'histogram' as unknown as MetricType,
      aggregator: 'sum',
      collect: () => undefined,
      values,
    });
  }

  /**
   * The registry prefers this to get() for the text format; prom-client's own version reads the
   * (empty) series it would have recorded. The values are the same as get()'s.
   */
  getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<HttpLabel>>> {
    return this.get();
  }

  override reset(): void {
    super.reset();
    // prom-client's constructor calls reset() before this class has set `http`.
    (this.http as HttpSeries | undefined)?.reset();
  }
}

/** The redis queue's numbers the queue series show (queue/redis-job-executor.ts). */
export interface QueueCountValues {
  readonly waiting: number;
  readonly active: number;
  readonly failedTotal: number;
}

/** The numbers of the latest drift check that the gauges show (pipeline/drift.ts). */
export interface DriftGaugeValues {
  readonly share: number;
  readonly drift: boolean;
  readonly noveltyRate: number | undefined;
  readonly classifierAuc: number;
  readonly model: string;
}

export function createMetrics(sources: {
  jobCounts: () => Record<JobStatus, number>;
  modelVersion: () => string | undefined;
  /** The redis queue's counts (arginator_queue_*), read at scrape time; absent: the embedded backend, no series. */
  queueCounts?: (() => Promise<QueueCountValues | undefined>) | undefined;
  /** The latest recorded drift check, read at scrape time; absent or undefined: no drift series. */
  latestDrift?: (() => Promise<DriftGaugeValues | undefined>) | undefined;
}): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'arginator_process_' });
  const http = new HttpSeries();
  new HttpRequestCounter(http, registry);
  new HttpRequestHistogram(http, registry);
  const proteins = new Counter({
    name: 'arginator_proteins_processed_total',
    help: 'Proteins predicted by completed jobs and synchronous requests',
    registers: [registry],
  });
  new Gauge({
    name: 'arginator_jobs',
    help: 'Jobs by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = sources.jobCounts();
      for (const state of JOB_STATUSES) {
        this.set({ state }, counts[state]);
      }
    },
  });
  new Gauge({
    name: 'arginator_queue_depth',
    help: 'Jobs waiting to run',
    registers: [registry],
    collect() {
      this.set(sources.jobCounts().queued);
    },
  });
  new Gauge({
    name: 'arginator_model_info',
    help: 'The model loaded for predictions (value 1, version in the label)',
    labelNames: ['version'],
    registers: [registry],
    collect() {
      this.reset();
      const version = sources.modelVersion();
      if (version !== undefined) {
        this.set({ version }, 1);
      }
    },
  });
  const { queueCounts } = sources;
  if (queueCounts !== undefined) {
    // One read of Redis per scrape, shared by the three series; Redis away: no samples, not an error.
    let pending: ReturnType<typeof queueCounts> | undefined;
    const read = (): ReturnType<typeof queueCounts> => {
      pending ??= queueCounts()
        .catch(() => undefined)
        .finally(() => {
          setImmediate(() => {
            pending = undefined;
          });
        });
      return pending;
    };
    const gauge = (name: string, help: string, value: (c: QueueCountValues) => number): void => {
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          const counts = await read();
          if (counts !== undefined) {
            this.set(value(counts));
          }
        },
      });
    };
    gauge(
      'arginator_queue_waiting',
      'Chunks and merges waiting in the redis queue for a worker (retries included)',
      (c) => c.waiting,
    );
    gauge(
      'arginator_queue_active',
      'Chunks and merges the queue workers are running',
      (c) => c.active,
    );
    new Counter({
      name: 'arginator_queue_failed_total',
      help: 'Jobs failed in the redis queue since it was created (kept in Redis, shared by the API processes)',
      registers: [registry],
      async collect() {
        const counts = await read();
        if (counts !== undefined) {
          // The count lives in Redis: the series shows it, whichever API process is scraped.
          this.reset();
          this.inc(counts.failedTotal);
        }
      },
    });
  }
  const { latestDrift } = sources;
  if (latestDrift !== undefined) {
    // One read of the latest report per scrape, shared by the four gauges.
    let pending: Promise<DriftGaugeValues | undefined> | undefined;
    const read = (): Promise<DriftGaugeValues | undefined> => {
      pending ??= latestDrift()
        .catch(() => undefined)
        .finally(() => {
          setImmediate(() => {
            pending = undefined;
          });
        });
      return pending;
    };
    const driftGauge = (
      name: string,
      help: string,
      value: (d: DriftGaugeValues) => number | undefined,
    ): void => {
      new Gauge({
        name,
        help,
        labelNames: ['model'],
        registers: [registry],
        async collect() {
          this.reset();
          const latest = await read();
          const v = latest === undefined ? undefined : value(latest);
          if (latest !== undefined && v !== undefined && Number.isFinite(v)) {
            this.set({ model: latest.model }, v);
          }
        },
      });
    };
    driftGauge(
      'arginator_drift_share',
      'Share of drift features that drift in the latest drift check (dataset drift at 0.5)',
      (d) => d.share,
    );
    driftGauge(
      'arginator_drift_detected',
      'Whether the latest drift check found dataset drift (1) or not (0)',
      (d) => (d.drift ? 1 : 0),
    );
    driftGauge(
      'arginator_novelty_rate',
      'Share of the proteins of the latest drift check that are novel (no close reference)',
      (d) => d.noveltyRate,
    );
    driftGauge(
      'arginator_drift_classifier_auc',
      'ROC AUC of the reference-vs-current classifier in the latest drift check (drift above 0.55)',
      (d) => d.classifierAuc,
    );
  }
  return {
    registry,
    route: (route) => http.route(route),
    observeRequest(method, route, status, seconds) {
      http.route(route).observe(method, status, seconds);
    },
    addProteins(count) {
      proteins.inc(count);
    },
  };
}
