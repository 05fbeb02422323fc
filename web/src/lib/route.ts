// Hash routes of the single page: '#/', '#/jobs/ID', '#/jobs/ID/map', '#/models', '#/runs', '#/runs/ID', '#/compare/A/B', '#/sweeps', '#/sweeps/ID', '#/drift', '#/drift/ID'.

export type Route =
  | { readonly name: 'classify' }
  | { readonly name: 'job'; readonly id: string; readonly tab: 'table' | 'map' }
  | { readonly name: 'models' }
  | { readonly name: 'runs' }
  | { readonly name: 'run'; readonly id: string }
  | { readonly name: 'compare'; readonly a: string; readonly b: string }
  | { readonly name: 'sweeps' }
  | { readonly name: 'sweep'; readonly id: string }
  /** The drift page: the latest report (no id) or one report of its history. */
  | { readonly name: 'drift'; readonly id: string | null }
  | { readonly name: 'not-found'; readonly path: string };

/**
 * Reads a location hash.
 * @example parseRoute('#/jobs/abc/map') // { name: 'job', id: 'abc', tab: 'map' }
 */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+|\/+$/g, '');
  const parts = path === '' ? [] : path.split('/').map((p) => safeDecode(p));
  const [head, a, b] = parts;
  if (head === undefined || (head === 'classify' && parts.length === 1)) {
    return { name: 'classify' };
  }
  if (head === 'jobs' && a !== undefined && parts.length <= 3) {
    if (b === undefined || b === 'table' || b === 'map') {
      return { name: 'job', id: a, tab: b ?? 'table' };
    }
  }
  if (head === 'models' && parts.length === 1) {
    return { name: 'models' };
  }
  if (head === 'runs' && parts.length === 1) {
    return { name: 'runs' };
  }
  if (head === 'runs' && a !== undefined && parts.length === 2) {
    return { name: 'run', id: a };
  }
  if (head === 'sweeps' && parts.length === 1) {
    return { name: 'sweeps' };
  }
  if (head === 'sweeps' && a !== undefined && parts.length === 2) {
    return { name: 'sweep', id: a };
  }
  if (head === 'drift' && parts.length <= 2) {
    return { name: 'drift', id: a ?? null };
  }
  if (head === 'compare' && a !== undefined && b !== undefined && parts.length === 3) {
    return { name: 'compare', a, b };
  }
  return { name: 'not-found', path: `/${path}` };
}

/** The hash for a route (inverse of parseRoute). */
export function routeHash(route: Route): string {
  const e = encodeURIComponent;
  switch (route.name) {
    case 'classify':
      return '#/';
    case 'job':
      return route.tab === 'map' ? `#/jobs/${e(route.id)}/map` : `#/jobs/${e(route.id)}`;
    case 'models':
      return '#/models';
    case 'runs':
      return '#/runs';
    case 'run':
      return `#/runs/${e(route.id)}`;
    case 'compare':
      return `#/compare/${e(route.a)}/${e(route.b)}`;
    case 'sweeps':
      return '#/sweeps';
    case 'sweep':
      return `#/sweeps/${e(route.id)}`;
    case 'drift':
      return route.id === null ? '#/drift' : `#/drift/${e(route.id)}`;
    case 'not-found':
      return `#${route.path}`;
  }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
