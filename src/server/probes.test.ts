import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Service } from './service.ts';
import { makeHome, registerTinyModel, startService } from './test-support/service-fixture.ts';

/** Over the network (app.listen): the HTTP server answers the probes before fastify (probes.ts). */
describe('probes over HTTP', () => {
  let service: Service;
  let base = '';
  beforeAll(async () => {
    const home = await makeHome();
    await registerTinyModel(home);
    service = await startService(home);
    base = await service.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await service.app.close();
  });

  it('answers GET /healthz and a ready /readyz with the bodies of the routes, counted in the metrics', async () => {
    const live = await fetch(`${base}/healthz`);
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(live.headers.get('x-request-id')).toBeNull(); // not through fastify's hooks
    expect(await live.text()).toBe((await service.app.inject('/healthz')).body);

    // Before a model is loaded /readyz goes to its route (503, and it starts loading one).
    let ready = await fetch(`${base}/readyz`);
    for (let i = 0; i < 200 && ready.status === 503; i++) {
      expect(ready.headers.get('content-type')).toContain('application/problem+json');
      await new Promise((r) => setTimeout(r, 25));
      ready = await fetch(`${base}/readyz`);
    }
    expect(ready.status).toBe(200);
    expect(ready.headers.get('x-request-id')).toBeNull();
    const readyBody = await ready.text();
    expect(JSON.parse(readyBody)).toEqual({ status: 'ready', model_version: 'v1' });
    expect(readyBody).toBe((await service.app.inject('/readyz')).body);

    for (let i = 0; i < 3; i++) {
      await (await fetch(`${base}/healthz`)).text();
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    // 4 over the network and 1 through app.inject.
    expect(metrics).toContain(
      'arginator_http_requests_total{method="GET",route="/healthz",status="200"} 5',
    );
    expect(metrics).toMatch(
      /arginator_http_request_duration_seconds_count\{method="GET",route="\/readyz",status="200"\} 2\b/,
    );
  });

  it('leaves every other request to the app: HEAD, a query string, other methods', async () => {
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-request-id')).toMatch(/^req-/);
    const query = await fetch(`${base}/healthz?verbose=1`);
    expect(query.status).toBe(200);
    expect(query.headers.get('x-request-id')).toMatch(/^req-/);
    expect(await query.json()).toEqual({ status: 'ok' });
    const post = await fetch(`${base}/healthz`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(post.headers.get('content-type')).toContain('application/problem+json');
    const models = await fetch(`${base}/v1/models`);
    expect(models.status).toBe(200);
    expect(models.headers.get('x-request-id')).toMatch(/^req-/);
  });
});
