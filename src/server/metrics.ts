// Prometheus metrics (prom-client, one registry per app): requests, latency, jobs, queue, proteins, model.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type { JobStatus } from '../pipeline/jobs/job.ts';
import { JOB_STATUSES } from '../pipeline/jobs/job.ts';

export interface ServiceMetrics {
  readonly registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  addProteins(count: number): void;
}

export function createMetrics(sources: {
  jobCounts: () => Record<JobStatus, number>;
  modelVersion: () => string | undefined;
}): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'arginator_process_' });
  const requests = new Counter({
    name: 'arginator_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'arginator_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
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
  // The children of each label set, looked up once: prom-client hashes the label object on every
  // inc/observe otherwise, a measurable share of a trivial request (bench/api-load.ts).
  // Bounded: routes are route patterns ('unmatched' for the rest) and statuses are few.
  const children = new Map<string, { count: Counter.Internal; time: Histogram.Internal<string> }>();
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let child = children.get(key);
      if (child === undefined) {
        const labels = { method, route, status: String(status) };
        child = { count: requests.labels(labels), time: latency.labels(labels) };
        children.set(key, child);
      }
      child.count.inc();
      child.time.observe(seconds);
    },
    addProteins(count) {
      proteins.inc(count);
    },
  };
}
