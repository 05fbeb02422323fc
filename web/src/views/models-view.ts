// Models: every registered version with its aliases and test metrics.
import { getModels } from '../api/client.ts';
import { h, replace } from '../dom.ts';
import { dateTime, decimal } from '../lib/format.ts';
import { headlineMetrics } from '../lib/metrics.ts';
import { routeHash } from '../lib/route.ts';
import { showProblem } from './problem.ts';

export function mountModels(root: HTMLElement): () => void {
  const controller = new AbortController();
  const heading = h('h1', { tabindex: -1 }, 'Models');
  const body = h('div', { class: 'card' }, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  replace(root, heading, body);
  heading.focus();
  getModels(controller.signal)
    .then((models) => {
      if (models.length === 0) {
        replace(
          body,
          h(
            'p',
            {},
            'No model is registered yet. Train one with ',
            h('code', {}, 'arginator train'),
            '.',
          ),
        );
        return;
      }
      const metrics = headlineMetrics(models.map((m) => m.metrics));
      replace(
        body,
        h(
          'div',
          { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Models table' },
          h(
            'table',
            { class: 'data' },
            h('caption', { class: 'visually-hidden' }, 'Registered models, newest last'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Version'),
                h('th', { scope: 'col' }, 'Task'),
                h('th', { scope: 'col' }, 'Aliases'),
                h('th', { scope: 'col' }, 'Created'),
                h('th', { scope: 'col' }, 'Run'),
                metrics.map((m) => h('th', { scope: 'col', class: 'num' }, m.title)),
              ),
            ),
            h(
              'tbody',
              {},
              models.map((m) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, m.version),
                  h('td', {}, m.task),
                  h(
                    'td',
                    {},
                    m.aliases.map((a) => h('span', { class: 'badge' }, a)),
                  ),
                  h('td', {}, dateTime(m.created_at)),
                  h(
                    'td',
                    { class: 'mono' },
                    m.run_id === null
                      ? '—'
                      : h('a', { href: routeHash({ name: 'run', id: m.run_id }) }, m.run_id),
                  ),
                  metrics.map((x) =>
                    h('td', { class: 'num' }, decimal(m.metrics[x.key] ?? null, x.digits)),
                  ),
                ),
              ),
            ),
          ),
        ),
      );
    })
    .catch((e: unknown) => {
      if (!controller.signal.aborted) {
        const region = h('div', { class: 'problem', role: 'alert' });
        replace(body, region);
        showProblem(region, e);
      }
    });
  return () => controller.abort();
}
