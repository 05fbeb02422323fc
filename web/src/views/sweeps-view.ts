// Sweeps: the list, and one sweep (best trial, parallel coordinates, parameter importance, trials), polled every 2 s while it runs.
import { getSweep, getSweeps } from '../api/client.ts';
import { SWEEP_STATUS_TEXT, TRIAL_STATE_TEXT } from '../api/contract.ts';
import type { SweepJson, SweepSummaryJson, SweepTrialJson } from '../api/types.ts';
import { h, replace } from '../dom.ts';
import type { Box } from '../lib/curves.ts';
import { dateTime } from '../lib/format.ts';
import { routeHash } from '../lib/route.ts';
import { importanceBars, parallelGeometry } from '../lib/sweep-plot.ts';
import { showProblem } from './problem.ts';

/** Poll period while a sweep runs: as the run curves (docs/adr/0016: why polling, not SSE). */
export const SWEEP_POLL_MS = 2000;

const SVG = 'http://www.w3.org/2000/svg';
// Wide margins: the axis names are centred on the outer axes.
const PLOT: Box = { width: 820, height: 300, left: 100, right: 100, top: 34, bottom: 40 };

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string | number>>,
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    el.setAttribute(k, String(v));
  }
  for (const c of children) {
    el.append(c);
  }
  return el;
}

/** A parameter or metric value as the tables show it (4 significant digits). */
function show(v: unknown): string {
  if (typeof v === 'number') {
    return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
  }
  return v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
}

function statusBadge(status: SweepSummaryJson['status'], live: boolean): HTMLElement {
  return h(
    'span',
    {
      class: `badge status-${status}`,
      title: SWEEP_STATUS_TEXT[status].meaning,
      'data-testid': 'sweep-status',
    },
    live ? 'live' : status,
  );
}

function failInto(body: HTMLElement, signal: AbortSignal) {
  return (e: unknown): void => {
    if (!signal.aborted) {
      const region = h('div', { class: 'problem', role: 'alert' });
      replace(body, region);
      showProblem(region, e);
    }
  };
}

export function mountSweeps(root: HTMLElement): () => void {
  const controller = new AbortController();
  const heading = h('h1', { tabindex: -1 }, 'Sweeps');
  const body = h('div', { class: 'card' }, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  replace(root, heading, body);
  heading.focus();
  getSweeps(controller.signal)
    .then((sweeps) => {
      if (sweeps.length === 0) {
        replace(
          body,
          h(
            'p',
            {},
            'No sweeps yet. Run one with ',
            h('code', {}, 'arginator sweep SWEEP.yaml'),
            ' (W&B’s sweep format).',
          ),
        );
        return;
      }
      replace(
        body,
        h(
          'div',
          { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Sweeps table' },
          h(
            'table',
            { class: 'data sweeps' },
            h('caption', { class: 'visually-hidden' }, 'Sweeps, newest first'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Sweep', 'Name', 'Method', 'Metric', 'Status', 'Trials', 'Best', 'Created'].map(
                  (t) => h('th', { scope: 'col', class: t === 'Best' ? 'num' : null }, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              sweeps.map((s) =>
                h(
                  'tr',
                  {},
                  h(
                    'th',
                    { scope: 'row', class: 'mono' },
                    h('a', { href: routeHash({ name: 'sweep', id: s.id }) }, s.id),
                  ),
                  h('td', {}, s.name ?? '—'),
                  h('td', {}, s.method),
                  h('td', {}, s.metric === null ? '—' : `${s.metric.name} (${s.metric.goal})`),
                  h('td', {}, statusBadge(s.status, false)),
                  h('td', { class: 'num' }, `${s.trials_total} / ${s.run_cap}`),
                  h('td', { class: 'num' }, s.best === null ? '—' : show(s.best.value)),
                  h('td', {}, dateTime(s.created_at)),
                ),
              ),
            ),
          ),
        ),
      );
    })
    .catch(failInto(body, controller.signal));
  return () => controller.abort();
}

export function mountSweep(root: HTMLElement, id: string): () => void {
  const controller = new AbortController();
  const signal = controller.signal;
  const heading = h('h1', { tabindex: -1, class: 'mono' }, id);
  const body = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  replace(root, h('p', {}, h('a', { href: '#/sweeps' }, '← All sweeps')), heading, body);
  heading.focus();
  const tick = (): void => {
    getSweep(id, signal)
      .then((sweep) => {
        if (signal.aborted) {
          return;
        }
        const live = !SWEEP_STATUS_TEXT[sweep.status].final;
        renderSweep(body, sweep, live);
        if (live) {
          const timer = setTimeout(tick, SWEEP_POLL_MS);
          signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
        }
      })
      .catch(failInto(body, signal));
  };
  tick();
  return () => controller.abort();
}

function renderSweep(body: HTMLElement, sweep: SweepJson, live: boolean): void {
  replace(
    body,
    factsCard(sweep, live),
    bestCard(sweep),
    parallelCard(sweep),
    importanceCard(sweep),
    trialsCard(sweep),
  );
}

function factsCard(s: SweepJson, live: boolean): HTMLElement {
  const states = Object.entries(s.trial_states)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return h(
    'section',
    { class: 'card', 'aria-label': `Sweep ${s.id}` },
    h('h2', {}, s.name ?? 'Sweep', ' ', statusBadge(s.status, live)),
    s.description === null ? null : h('p', {}, s.description),
    s.error === null ? null : h('p', { class: 'problem', role: 'alert' }, s.error),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Method'),
      h('dd', {}, s.method),
      h('dt', {}, 'Metric'),
      h(
        'dd',
        {},
        s.metric === null
          ? '—'
          : `${s.metric.name} (${s.metric.goal}${s.metric.target === null ? '' : `, target ${show(s.metric.target)}`})`,
      ),
      h('dt', {}, 'Trials'),
      h(
        'dd',
        { 'data-testid': 'sweep-trials' },
        `${s.trials_total} of ${s.run_cap}${states === '' ? '' : ` (${states})`}`,
      ),
      h('dt', {}, 'Parallel'),
      h('dd', {}, String(s.parallel)),
      h('dt', {}, 'Seed'),
      h('dd', {}, String(s.seed)),
      h('dt', {}, 'Created'),
      h('dd', {}, dateTime(s.created_at)),
      h('dt', {}, 'Updated'),
      h('dd', {}, dateTime(s.updated_at)),
      s.end_reason === null ? null : [h('dt', {}, 'Ended'), h('dd', {}, s.end_reason)],
      h('dt', {}, 'Sweep file'),
      h('dd', {}, h('code', {}, s.source)),
      s.base_overrides.length === 0
        ? null
        : [h('dt', {}, 'Base overrides'), h('dd', {}, h('code', {}, s.base_overrides.join(' ')))],
      s.run === null
        ? null
        : [
            h('dt', {}, 'Tracked run'),
            h('dd', {}, h('a', { href: routeHash({ name: 'run', id: s.run.id }) }, s.run.id)),
          ],
      h('dt', {}, 'Report'),
      h(
        'dd',
        {},
        h('a', { href: s.links.report_html, target: '_blank', rel: 'noopener' }, 'HTML'),
        ' · ',
        h('a', { href: s.links.report_md, download: `sweep-${s.id}.md` }, 'Markdown'),
      ),
    ),
    [...s.notes.map((n) => `note: ${n}`), ...s.warnings.map((w) => `warning: ${w}`)].map((line) =>
      h('p', { class: 'muted small' }, line),
    ),
  );
}

function bestCard(s: SweepJson): HTMLElement {
  const b = s.best;
  return h(
    'section',
    { class: 'card', 'aria-label': 'Best trial', 'data-testid': 'sweep-best' },
    h('h2', {}, 'Best trial'),
    b === null
      ? h('p', { class: 'muted' }, 'No trial has ended with a value yet.')
      : [
          h(
            'p',
            {},
            `Trial ${b.trial}: `,
            h(
              'strong',
              { 'data-testid': 'sweep-best-value' },
              `${s.metric?.name ?? 'metric'} ${show(b.value)}`,
            ),
            b.run_id === null
              ? null
              : [
                  ' · run ',
                  h(
                    'a',
                    { href: routeHash({ name: 'run', id: b.run_id }), class: 'mono' },
                    b.run_id,
                  ),
                ],
          ),
          h(
            'dl',
            { class: 'facts' },
            Object.entries(b.params).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, show(v))]),
          ),
          h(
            'p',
            { class: 'small' },
            'Reproduce: ',
            h('code', {}, `arginator train ${b.overrides.join(' ')}`),
          ),
        ],
  );
}

function parallelCard(s: SweepJson): HTMLElement {
  const g = parallelGeometry(s.parallel_coordinates, s.metric, s.best?.trial ?? null, PLOT);
  const card = h(
    'section',
    { class: 'card', 'aria-label': 'Parallel coordinates' },
    h('h2', {}, 'Parallel coordinates'),
  );
  if (g.lines.length === 0) {
    card.append(h('p', { class: 'muted' }, 'Lines appear as trials end.'));
    return card;
  }
  const chart = svg(
    'svg',
    {
      viewBox: `0 0 ${PLOT.width} ${PLOT.height}`,
      class: 'parallel',
      role: 'img',
      'aria-label': `Parallel coordinates of ${g.lines.length} ended trials`,
    },
    ...g.lines.map((l) =>
      svg(
        'path',
        {
          d: l.d,
          stroke: l.colour,
          fill: 'none',
          'stroke-width': l.best ? 3 : 1.5,
          'data-trial': l.trial,
          ...(l.best ? { class: 'best' } : {}),
        },
        svg('title', {}, l.title),
      ),
    ),
    ...g.axes.flatMap((a) => [
      svg('line', { x1: a.x, y1: g.top, x2: a.x, y2: g.bottom, class: 'axis' }),
      svg('text', { x: a.x, y: g.top - 18, 'text-anchor': 'middle', class: 'axis-name' }, a.name),
      svg('text', { x: a.x, y: g.top - 5, 'text-anchor': 'middle', class: 'tick' }, a.high),
      svg('text', { x: a.x, y: g.bottom + 14, 'text-anchor': 'middle', class: 'tick' }, a.low),
    ]),
  );
  card.append(
    h('div', { class: 'parallel-wrap' }, chart),
    h(
      'p',
      { class: 'muted small' },
      'One line per ended trial; axes are the parameters’ CDF positions (the space the search samples), the metric last. Darker is better; the best trial is bold.',
    ),
  );
  return card;
}

function importanceCard(s: SweepJson): HTMLElement {
  const bars = importanceBars(s.importance);
  return h(
    'section',
    { class: 'card', 'aria-label': 'Parameter importance' },
    h('h2', {}, 'Parameter importance'),
    bars.length === 0
      ? h('p', { class: 'muted' }, 'Shown once 4 trials have ended.')
      : [
          h(
            'div',
            { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Importance table' },
            h(
              'table',
              { class: 'data importance' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, 'Parameter'),
                  h('th', { scope: 'col' }, 'Importance'),
                  h('th', { scope: 'col' }, 'Correlation'),
                ),
              ),
              h(
                'tbody',
                {},
                bars.map((b) =>
                  h(
                    'tr',
                    {},
                    h('th', { scope: 'row', class: 'mono' }, b.name),
                    h(
                      'td',
                      {},
                      h(
                        'span',
                        { class: 'bar-track' },
                        h('span', {
                          class: 'bar',
                          style: `width:${b.importanceWidth.toFixed(1)}%`,
                        }),
                      ),
                      ` ${b.importance.toFixed(3)}`,
                    ),
                    h(
                      'td',
                      {},
                      h(
                        'span',
                        { class: 'bar-track' },
                        h('span', {
                          class: `bar ${b.correlation !== null && b.correlation < 0 ? 'negative' : ''}`,
                          style: `width:${b.correlationWidth.toFixed(1)}%`,
                        }),
                      ),
                      ` ${b.correlation === null ? 'n/a' : b.correlation.toFixed(3)}`,
                    ),
                  ),
                ),
              ),
            ),
          ),
          h(
            'p',
            { class: 'muted small' },
            'Permutation importance of a random forest fitted on the ended trials (shares), and the Pearson correlation of each parameter with the metric.',
          ),
        ],
  );
}

function trialsCard(s: SweepJson): HTMLElement {
  const names = s.parameters.map((p) => p.name);
  const bestIndex = s.best?.trial ?? null;
  const row = (t: SweepTrialJson): HTMLElement =>
    h(
      'tr',
      { class: t.index === bestIndex ? 'best' : null, 'data-trial': t.index },
      h('th', { scope: 'row', class: 'num' }, String(t.index)),
      h(
        'td',
        {},
        h(
          'span',
          {
            class: `badge status-${t.state}`,
            title: t.stop_reason ?? t.error ?? TRIAL_STATE_TEXT[t.state],
          },
          t.state,
        ),
      ),
      h('td', { class: 'num' }, show(t.value)),
      h('td', { class: 'num' }, String(t.history.length)),
      names.map((n) => h('td', { class: 'num' }, show(t.params[n]))),
      h(
        'td',
        { class: 'mono small' },
        t.run_id === null
          ? '—'
          : h('a', { href: routeHash({ name: 'run', id: t.run_id }) }, t.run_id),
      ),
    );
  return h(
    'section',
    { class: 'card', 'aria-label': 'Trials' },
    h('h2', {}, 'Trials'),
    s.trials.length === 0
      ? h('p', { class: 'muted' }, 'No trial has started yet.')
      : h(
          'div',
          { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Trials table' },
          h(
            'table',
            { class: 'data trials' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col', class: 'num' }, 'Trial'),
                h('th', { scope: 'col' }, 'State'),
                h('th', { scope: 'col', class: 'num' }, s.metric?.name ?? 'Metric'),
                h('th', { scope: 'col', class: 'num' }, 'Epochs'),
                names.map((n) => h('th', { scope: 'col', class: 'num mono' }, n)),
                h('th', { scope: 'col' }, 'Run'),
              ),
            ),
            h('tbody', {}, s.trials.map(row)),
          ),
        ),
  );
}
