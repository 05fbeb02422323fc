// Runs: the list (pick two to compare), one run with its metrics and plots, and two side by side.
import { getRun, getRuns } from '../api/client.ts';
import type { RunDetail, RunPlot } from '../api/types.ts';
import { h, on, replace } from '../dom.ts';
import { dateTime, decimal } from '../lib/format.ts';
import { compareMetrics, headlineMetrics } from '../lib/metrics.ts';
import { routeHash } from '../lib/route.ts';
import { swatch } from './evidence.ts';
import { showProblem } from './problem.ts';
import { mountRunCurves } from './run-curves.ts';

function failInto(body: HTMLElement, signal: AbortSignal) {
  return (e: unknown): void => {
    if (!signal.aborted) {
      const region = h('div', { class: 'problem', role: 'alert' });
      replace(body, region);
      showProblem(region, e);
    }
  };
}

export function mountRuns(root: HTMLElement, navigate: (hash: string) => void): () => void {
  const controller = new AbortController();
  const heading = h('h1', { tabindex: -1 }, 'Training runs');
  const body = h('div', { class: 'card' }, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  replace(root, heading, body);
  heading.focus();
  getRuns(controller.signal)
    .then((runs) => {
      if (runs.length === 0) {
        replace(
          body,
          h('p', {}, 'No runs yet. Train a model with ', h('code', {}, 'arginator train'), '.'),
        );
        return;
      }
      const chosen: string[] = [];
      const compare = h(
        'button',
        { type: 'button', class: 'primary', disabled: true },
        'Compare the two selected runs',
      );
      const hint = h(
        'p',
        { class: 'muted', role: 'status', 'aria-live': 'polite' },
        'Select two runs to compare them side by side.',
      );
      const metrics = headlineMetrics(runs.map((r) => r.summary));
      const boxes = runs.map((r) => {
        const box = h('input', {
          type: 'checkbox',
          id: `cmp-${r.id}`,
          value: r.id,
          'aria-label': `Select run ${r.id} for comparison`,
        });
        on(box, 'change', () => {
          if (box.checked) {
            chosen.push(r.id);
            if (chosen.length > 2) {
              const dropped = chosen.shift();
              const other = boxes.find((b) => b.value === dropped);
              if (other !== undefined) {
                other.checked = false;
              }
            }
          } else {
            chosen.splice(chosen.indexOf(r.id), 1);
          }
          compare.disabled = chosen.length !== 2;
          hint.textContent =
            chosen.length === 2
              ? `Ready to compare ${chosen[0] ?? ''} and ${chosen[1] ?? ''}.`
              : 'Select two runs to compare them side by side.';
        });
        return box;
      });
      on(compare, 'click', () => {
        const [a, b] = chosen;
        if (a !== undefined && b !== undefined) {
          navigate(routeHash({ name: 'compare', a, b }));
        }
      });
      replace(
        body,
        h(
          'div',
          { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Runs table' },
          h(
            'table',
            { class: 'data' },
            h('caption', { class: 'visually-hidden' }, 'Training runs, newest first'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Compare')),
                h('th', { scope: 'col' }, 'Run'),
                h('th', { scope: 'col' }, 'Kind'),
                h('th', { scope: 'col' }, 'Status'),
                h('th', { scope: 'col' }, 'Started'),
                h('th', { scope: 'col' }, 'Model'),
                metrics.map((m) => h('th', { scope: 'col', class: 'num' }, m.title)),
              ),
            ),
            h(
              'tbody',
              {},
              runs.map((r, i) =>
                h(
                  'tr',
                  {},
                  h('td', {}, boxes[i]),
                  h(
                    'th',
                    { scope: 'row', class: 'mono' },
                    h('a', { href: routeHash({ name: 'run', id: r.id }) }, r.id),
                  ),
                  h(
                    'td',
                    {},
                    r.kind,
                    r.parent_run_id === null
                      ? null
                      : h('span', { class: 'muted small mono' }, ` of ${r.parent_run_id}`),
                  ),
                  h('td', {}, h('span', { class: `badge status-${r.status}` }, r.status)),
                  h('td', {}, dateTime(r.started_at)),
                  h('td', {}, r.model_version ?? '—'),
                  metrics.map((m) =>
                    h('td', { class: 'num' }, decimal(r.summary[m.key] ?? null, m.digits)),
                  ),
                ),
              ),
            ),
          ),
        ),
        h('div', { class: 'actions' }, compare, hint),
      );
    })
    .catch(failInto(body, controller.signal));
  return () => controller.abort();
}

export function mountRun(root: HTMLElement, id: string): () => void {
  const controller = new AbortController();
  const heading = h('h1', { tabindex: -1, class: 'mono' }, id);
  const facts = h('div', {}, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  // The curves sit under the facts and stay when the run is reloaded after it ends.
  const curves = h(
    'section',
    { class: 'card', 'aria-label': 'Training curves', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'Loading curves…'),
  );
  const rest = h('div');
  const body = h('div', {}, facts, curves, rest);
  replace(root, h('p', {}, h('a', { href: '#/runs' }, '← All runs')), heading, body);
  heading.focus();
  const load = (): void => {
    getRun(id, controller.signal)
      .then((run) => {
        replace(facts, runFacts(run));
        replace(rest, metricsCard([run]), perClassCard([run]), plotsCard([run]));
      })
      .catch(failInto(body, controller.signal));
  };
  load();
  mountRunCurves(curves, id, controller.signal, load);
  return () => controller.abort();
}

export function mountCompare(root: HTMLElement, a: string, b: string): () => void {
  const controller = new AbortController();
  const heading = h('h1', { tabindex: -1 }, 'Compare runs');
  const body = h('div', {}, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  replace(root, h('p', {}, h('a', { href: '#/runs' }, '← All runs')), heading, body);
  heading.focus();
  Promise.all([getRun(a, controller.signal), getRun(b, controller.signal)])
    .then((runs) => {
      replace(
        body,
        h(
          'div',
          { class: 'compare-heads' },
          runs.map((r) => runFacts(r)),
        ),
        metricsCard(runs),
        perClassCard(runs),
        plotsCard(runs),
      );
    })
    .catch(failInto(body, controller.signal));
  return () => controller.abort();
}

function runFacts(run: RunDetail): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-label': `Run ${run.id}` },
    h('h2', { class: 'mono' }, h('a', { href: routeHash({ name: 'run', id: run.id }) }, run.id)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Kind'),
      h('dd', {}, run.kind),
      sweepLink(run),
      h('dt', {}, 'Status'),
      h('dd', {}, h('span', { class: `badge status-${run.status}` }, run.status)),
      h('dt', {}, 'Started'),
      h('dd', {}, dateTime(run.started_at)),
      h('dt', {}, 'Finished'),
      h('dd', {}, dateTime(run.finished_at)),
      h('dt', {}, 'Model'),
      h('dd', {}, run.model_version ?? '—'),
      run.command === null
        ? null
        : [h('dt', {}, 'Command'), h('dd', {}, h('code', {}, `arginator ${run.command}`))],
    ),
  );
}

/** A sweep run is its sweep (same id); a trial's parent is its sweep: both link to the sweep page. */
function sweepLink(run: RunDetail): HTMLElement[] | null {
  const id = run.kind === 'sweep' ? run.id : run.kind === 'sweep-trial' ? run.parent_run_id : null;
  return id === null
    ? null
    : [h('dt', {}, 'Sweep'), h('dd', {}, h('a', { href: routeHash({ name: 'sweep', id }) }, id))];
}

function metricsCard(runs: readonly RunDetail[]): HTMLElement {
  const [first, second] = runs;
  if (first === undefined) {
    return h('div');
  }
  const lines = headlineMetrics(runs.map((r) => r.metrics));
  if (second === undefined) {
    return h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Test metrics'),
      h(
        'dl',
        { class: 'metric-tiles' },
        lines.map((l) =>
          h(
            'div',
            {},
            h('dt', {}, l.title),
            h('dd', {}, decimal(first.metrics[l.key] ?? null, l.digits)),
          ),
        ),
      ),
    );
  }
  const rows = compareMetrics(first.metrics, second.metrics);
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, 'Metrics'),
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Metrics compared' },
      h(
        'table',
        { class: 'data' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Metric'),
            h('th', { scope: 'col', class: 'num mono' }, first.id),
            h('th', { scope: 'col', class: 'num mono' }, second.id),
            h('th', { scope: 'col', class: 'num' }, 'Δ (right − left)'),
          ),
        ),
        h(
          'tbody',
          {},
          lines.map((l) => {
            const r = byKey.get(l.key);
            const d = r?.delta ?? null;
            return h(
              'tr',
              {},
              h('th', { scope: 'row' }, l.title),
              h('td', { class: 'num' }, decimal(r?.a ?? null, l.digits)),
              h('td', { class: 'num' }, decimal(r?.b ?? null, l.digits)),
              h(
                'td',
                { class: `num ${d === null || d === 0 ? '' : d > 0 ? 'up' : 'down'}` },
                d === null ? '—' : `${d > 0 ? '+' : ''}${d.toFixed(l.digits)}`,
              ),
            );
          }),
        ),
      ),
    ),
  );
}

function perClassCard(runs: readonly RunDetail[]): HTMLElement | null {
  const labels = [...new Set(runs.flatMap((r) => r.perClass.map((c) => c.label)))];
  if (labels.length === 0) {
    return null;
  }
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, 'Per class (test set)'),
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Per-class scores' },
      h(
        'table',
        { class: 'data' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Class'),
            runs.flatMap((r) =>
              ['Precision', 'Recall', 'F1', 'Support'].map((t) =>
                h(
                  'th',
                  { scope: 'col', class: 'num' },
                  runs.length > 1 ? `${t} · ${r.id.slice(-6)}` : t,
                ),
              ),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          labels.map((label) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, swatch(label), label),
              runs.flatMap((r) => {
                const c = r.perClass.find((x) => x.label === label);
                return [
                  h('td', { class: 'num' }, decimal(c?.precision ?? null)),
                  h('td', { class: 'num' }, decimal(c?.recall ?? null)),
                  h('td', { class: 'num' }, decimal(c?.f1 ?? null)),
                  h('td', { class: 'num' }, c === undefined ? '—' : String(c.support)),
                ];
              }),
            ),
          ),
        ),
      ),
    ),
  );
}

function plotsCard(runs: readonly RunDetail[]): HTMLElement {
  const names = [...new Set(runs.flatMap((r) => r.plots.map((p) => p.name)))];
  if (names.length === 0) {
    return h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Plots'),
      h('p', { class: 'muted' }, 'This run has no plots.'),
    );
  }
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, 'Plots'),
    names.map((name) =>
      h(
        'figure',
        { class: `plot-row cols-${runs.length}` },
        h('figcaption', {}, prettyPlotName(name)),
        h(
          'div',
          { class: 'plot-cells' },
          runs.map((r) =>
            plotCell(
              r,
              r.plots.find((p) => p.name === name),
              name,
              runs.length > 1,
            ),
          ),
        ),
      ),
    ),
  );
}

function plotCell(
  run: RunDetail,
  plot: RunPlot | undefined,
  name: string,
  labelled: boolean,
): HTMLElement {
  if (plot === undefined) {
    return h(
      'div',
      { class: 'plot missing' },
      h('p', { class: 'muted' }, `no ${name} plot in ${run.id}`),
    );
  }
  const png =
    plot.png ?? `/v1/runs/${encodeURIComponent(run.id)}/plots/${encodeURIComponent(name)}.png`;
  const svg =
    plot.svg ?? `/v1/runs/${encodeURIComponent(run.id)}/plots/${encodeURIComponent(name)}.svg`;
  return h(
    'div',
    { class: 'plot' },
    labelled ? h('p', { class: 'mono small' }, run.id) : null,
    h('img', { src: png, alt: `${prettyPlotName(name)} of run ${run.id}`, loading: 'lazy' }),
    h(
      'p',
      { class: 'small' },
      h('a', { href: png, download: `${run.id}-${name}.png` }, 'PNG'),
      ' · ',
      h('a', { href: svg, download: `${run.id}-${name}.svg` }, 'SVG'),
    ),
  );
}

function prettyPlotName(name: string): string {
  const known: Record<string, string> = {
    'loss-curves': 'Loss curves',
    'confusion-matrix': 'Confusion matrix',
    roc: 'ROC curves',
    pr: 'Precision–recall curves',
    reliability: 'Reliability (calibration)',
  };
  return known[name] ?? name;
}
