import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { createMetrics } from './metrics.ts';

const OBSERVATIONS: [string, string, number, number][] = [
  ['GET', '/healthz', 200, 0.0004],
  ['GET', '/healthz', 200, 0.001],
  ['POST', '/v1/predict', 200, 0.03],
  ['GET', '/healthz', 200, 0.2],
  ['POST', '/v1/predict', 413, 12],
  ['GET', 'unmatched', 404, 0.002],
];

/** The same observations through prom-client's own Counter and Histogram. */
async function promClientText(): Promise<string> {
  const registry = new Registry();
  const labelNames = ['method', 'route', 'status'];
  const requests = new Counter({
    name: 'arginator_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'arginator_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  for (const [method, route, status, seconds] of OBSERVATIONS) {
    const labels = { method, route, status: String(status) };
    requests.inc(labels);
    latency.observe(labels, seconds);
  }
  return registry.metrics();
}

describe('HTTP request metrics', () => {
  it('export exactly what prom-client would (text and JSON), recorded through route recorders', async () => {
    const metrics = createMetrics({
      jobCounts: () => ({
        queued: 0,
        running: 0,
        completed: 0,
        failed: 0,
        cancelled: 0,
        expired: 0,
      }),
      modelVersion: () => undefined,
    });
    const health = metrics.route('/healthz');
    for (const [method, route, status, seconds] of OBSERVATIONS) {
      if (route === '/healthz') {
        health.observe(method, status, seconds);
      } else {
        metrics.observeRequest(method, route, status, seconds);
      }
    }
    const http = (text: string): string =>
      text
        .split('\n\n')
        .filter((block) => block.includes('arginator_http_'))
        .map((block) => block.trim())
        .join('\n\n');
    const ours = http(await metrics.registry.metrics());
    expect(ours).toContain(
      'arginator_http_requests_total{method="GET",route="/healthz",status="200"} 3',
    );
    expect(ours).toBe(http(await promClientText()));

    const json = await metrics.registry.getMetricsAsJSON();
    const histogram = json.find((m) => m.name === 'arginator_http_request_duration_seconds');
    expect(histogram?.type).toBe('histogram');
    expect(histogram?.values[0]).toEqual({
      metricName: 'arginator_http_request_duration_seconds_bucket',
      labels: { le: 0.001, method: 'GET', route: '/healthz', status: '200' },
      value: 2,
    });

    metrics.registry.resetMetrics();
    expect(await metrics.registry.metrics()).toContain(
      'arginator_http_requests_total{method="GET",route="/healthz",status="200"} 0',
    );
  });
});
