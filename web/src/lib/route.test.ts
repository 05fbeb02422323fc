import { describe, expect, it } from 'vitest';

import { parseRoute, routeHash } from './route.ts';
import type { Route } from './route.ts';

describe('parseRoute / routeHash', () => {
  it('reads every route and writes it back', () => {
    const routes: Route[] = [
      { name: 'classify' },
      { name: 'job', id: '8c6f/0d', tab: 'table' },
      { name: 'job', id: 'abc', tab: 'map' },
      { name: 'models' },
      { name: 'runs' },
      { name: 'run', id: '20261126T045017Z-17b0c7' },
      { name: 'compare', a: 'r1', b: 'r2' },
      { name: 'sweeps' },
      { name: 'sweep', id: '20261201T201610Z-a8e70b' },
      { name: 'drift', id: null },
      { name: 'drift', id: '20261202T010000Z-abc123' },
    ];
    for (const r of routes) {
      expect(parseRoute(routeHash(r))).toEqual(r);
    }
  });

  it('treats an empty hash as classify and unknown paths as not found', () => {
    expect(parseRoute('')).toEqual({ name: 'classify' });
    expect(parseRoute('#/nope/x')).toEqual({ name: 'not-found', path: '/nope/x' });
    expect(parseRoute('#/jobs/a/b')).toEqual({ name: 'not-found', path: '/jobs/a/b' });
    expect(parseRoute('#/sweeps/a/b')).toEqual({ name: 'not-found', path: '/sweeps/a/b' });
    expect(parseRoute('#/drift/a/b')).toEqual({ name: 'not-found', path: '/drift/a/b' });
  });
});
