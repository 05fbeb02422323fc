// A run's per-step curves (GET /v1/runs/{id}/metrics), polled every 2 s while the run is running.
import { getRunMetrics } from '../api/client.ts';
import { RUN_STATUS_TEXT } from '../api/contract.ts';
import type { RunMetricsJson, RunStatus } from '../api/types.ts';
import { h, replace } from '../dom.ts';
import { curveGeometry, curvePanels } from '../lib/curves.ts';
import type { Box } from '../lib/curves.ts';
import { decimal } from '../lib/format.ts';
import { showProblem } from './problem.ts';

/** Poll period while a run trains (docs/adr/0016-run-tracking-store.md: why polling, not SSE). */
export const CURVE_POLL_MS = 2000;

const SVG = 'http://www.w3.org/2000/svg';
const BOX: Box = { width: 420, height: 220, left: 48, right: 12, top: 12, bottom: 28 };

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

function panel(data: RunMetricsJson, title: string, keys: readonly string[]): HTMLElement {
  const g = curveGeometry(data.metrics, keys, BOX);
  const bottom = BOX.height - BOX.bottom;
  const chart = svg(
    'svg',
    {
      viewBox: `0 0 ${BOX.width} ${BOX.height}`,
      class: 'curves',
      role: 'img',
      'aria-label': `${title} by epoch`,
    },
    svg('line', { x1: BOX.left, y1: bottom, x2: BOX.width - BOX.right, y2: bottom, class: 'axis' }),
    svg('line', { x1: BOX.left, y1: BOX.top, x2: BOX.left, y2: bottom, class: 'axis' }),
    ...g.xTicks.map((t) =>
      svg('text', { x: t.x, y: bottom + 16, 'text-anchor': 'middle', class: 'tick' }, t.label),
    ),
    ...g.yTicks.map((t) =>
      svg('text', { x: BOX.left - 6, y: t.y + 4, 'text-anchor': 'end', class: 'tick' }, t.label),
    ),
    ...g.lines.map((l) =>
      svg('path', {
        d: l.d,
        stroke: l.colour,
        fill: 'none',
        'stroke-width': 2,
        'data-key': l.key,
        'data-points': l.points,
      }),
    ),
  );
  return h(
    'figure',
    { class: 'curve-panel' },
    h('figcaption', {}, title),
    chart,
    h(
      'ul',
      { class: 'curve-legend' },
      g.lines.map((l) =>
        h(
          'li',
          {},
          h('span', { class: 'curve-swatch', style: `background:${l.colour}` }),
          `${l.key} `,
          h(
            'span',
            { class: 'muted' },
            l.last === undefined ? '' : `${decimal(l.last.value, 4)} @ ${l.last.step}`,
          ),
        ),
      ),
    ),
  );
}

function render(card: HTMLElement, data: RunMetricsJson): void {
  const panels = curvePanels(Object.keys(data.metrics));
  const live = !RUN_STATUS_TEXT[data.status].final;
  replace(
    card,
    h(
      'h2',
      {},
      'Training curves ',
      h(
        'span',
        {
          class: `badge status-${data.status}`,
          title: RUN_STATUS_TEXT[data.status].meaning,
          'data-testid': 'curves-status',
        },
        live ? 'live' : data.status,
      ),
    ),
    panels.length === 0
      ? h('p', { class: 'muted' }, live ? 'Waiting for the first epoch…' : 'No per-step metrics.')
      : h(
          'div',
          { class: 'curve-panels' },
          panels.map((p) => panel(data, p.title, p.keys)),
        ),
  );
}

/**
 * Fills `card` with the curves and keeps them current while the run runs; `onFinal` is called
 * once when a run seen running ends (so the page can load its test metrics and plots).
 */
export function mountRunCurves(
  card: HTMLElement,
  id: string,
  signal: AbortSignal,
  onFinal: (status: RunStatus) => void,
): void {
  let sawRunning = false;
  const tick = (): void => {
    getRunMetrics(id, signal)
      .then((data) => {
        if (signal.aborted) {
          return;
        }
        render(card, data);
        if (!RUN_STATUS_TEXT[data.status].final) {
          sawRunning = true;
          const timer = setTimeout(tick, CURVE_POLL_MS);
          signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
        } else if (sawRunning) {
          onFinal(data.status);
        }
      })
      .catch((e: unknown) => {
        if (!signal.aborted) {
          const region = h('div', { class: 'problem', role: 'alert' });
          replace(card, h('h2', {}, 'Training curves'), region);
          showProblem(region, e);
        }
      });
  };
  tick();
}
