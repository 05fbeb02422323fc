// Entry of the browser UI: the shell (header, nav), hash routing and the server's readiness.
import './styles.css';
import { authHeaders, setApiKeyPrompt } from './api/client.ts';
import { h, replace } from './dom.ts';
import { parseRoute } from './lib/route.ts';
import type { Route } from './lib/route.ts';
import { promptForApiKey } from './views/api-key-prompt.ts';
import { mountClassify } from './views/classify-view.ts';
import { mountDrift } from './views/drift-view.ts';
import { mountJob } from './views/job-view.ts';
import { mountModels } from './views/models-view.ts';
import { mountCompare, mountRun, mountRuns } from './views/runs-view.ts';
import { mountSweep, mountSweeps } from './views/sweeps-view.ts';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const health = document.getElementById('server-state');
let unmount: (() => void) | null = null;

function navigate(hash: string): void {
  if (location.hash === hash) {
    render();
  } else {
    location.hash = hash;
  }
}

function section(route: Route): string {
  switch (route.name) {
    case 'classify':
    case 'job':
      return 'classify';
    case 'models':
      return 'models';
    case 'runs':
    case 'run':
    case 'compare':
      return 'runs';
    case 'sweeps':
    case 'sweep':
      return 'sweeps';
    case 'drift':
      return 'drift';
    case 'not-found':
      return '';
  }
}

function render(): void {
  if (main === null) {
    return;
  }
  unmount?.();
  unmount = null;
  const route = parseRoute(location.hash);
  for (const a of nav?.querySelectorAll('a') ?? []) {
    if (a.dataset['section'] === section(route)) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
  switch (route.name) {
    case 'classify':
      document.title = 'Classify · ARGinator';
      unmount = mountClassify(main, navigate);
      break;
    case 'job':
      document.title = 'Job · ARGinator';
      unmount = mountJob(main, route.id, route.tab);
      break;
    case 'models':
      document.title = 'Models · ARGinator';
      unmount = mountModels(main);
      break;
    case 'runs':
      document.title = 'Runs · ARGinator';
      unmount = mountRuns(main, navigate);
      break;
    case 'run':
      document.title = `Run ${route.id} · ARGinator`;
      unmount = mountRun(main, route.id);
      break;
    case 'compare':
      document.title = 'Compare runs · ARGinator';
      unmount = mountCompare(main, route.a, route.b);
      break;
    case 'sweeps':
      document.title = 'Sweeps · ARGinator';
      unmount = mountSweeps(main);
      break;
    case 'sweep':
      document.title = `Sweep ${route.id} · ARGinator`;
      unmount = mountSweep(main, route.id);
      break;
    case 'drift':
      document.title = route.id === null ? 'Drift · ARGinator' : `Drift ${route.id} · ARGinator`;
      unmount = mountDrift(main, route.id);
      break;
    case 'not-found':
      replace(
        main,
        h('h1', {}, 'Not found'),
        h(
          'p',
          {},
          'No page at ',
          h('code', {}, route.path),
          '. ',
          h('a', { href: '#/' }, 'Classify proteins'),
        ),
      );
      break;
  }
}

async function checkReady(): Promise<void> {
  if (health === null) {
    return;
  }
  try {
    // With server.open_probes false, /readyz needs the key too.
    const res = await fetch('/readyz', { headers: authHeaders() });
    const body = (await res.json()) as { model_version?: unknown; detail?: unknown };
    if (res.ok) {
      health.textContent = `model ${typeof body.model_version === 'string' ? body.model_version : 'ready'}`;
      health.className = 'server-state ok';
    } else {
      health.textContent = 'no model loaded';
      health.title = typeof body.detail === 'string' ? body.detail : '';
      health.className = 'server-state warn';
    }
  } catch {
    health.textContent = 'server unreachable';
    health.className = 'server-state warn';
  }
}

// A 401 from the API asks for the key once, then every request carries it (api/client.ts).
setApiKeyPrompt(promptForApiKey);
window.addEventListener('hashchange', render);
render();
void checkReady();
