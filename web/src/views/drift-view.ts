// Drift: the latest report (or one of its history) — decision, per-feature tests, multivariate tests, histograms — and the history.
import {
  getDriftCheck,
  getDriftHistory,
  getDriftLatest,
  getDriftReport,
  startDriftCheck,
} from '../api/client.ts';
import { DRIFT_CHECK_STATUS_TEXT, DRIFT_TRIGGER_TEXT } from '../api/contract.ts';
import type { DriftHistogramJson, DriftHistoryItemJson, DriftReportJson } from '../api/types.ts';
import { h, on, replace } from '../dom.ts';
import { histogramBars, type BarBox } from '../lib/drift-bars.ts';
import { dateTime, percentOfOne } from '../lib/format.ts';
import { routeHash } from '../lib/route.ts';
import { showProblem } from './problem.ts';

/** Reports listed in the history. */
export const DRIFT_HISTORY_LIMIT = 50;
/** Poll period of a running check (as the sweeps and run curves: docs/adr/0016). */
export const DRIFT_CHECK_POLL_MS = 1000;
const WINDOWS = ['24h', '7d', '30d'] as const;

const SVG = 'http://www.w3.org/2000/svg';
const BOX: BarBox = { width: 260, height: 130, left: 6, right: 6, top: 6, bottom: 6 };

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

/** A statistic for people: 4 significant digits, an exponent for the very small (as the HTML report). */
function stat(v: number): string {
  if (!Number.isFinite(v)) {
    return String(v);
  }
  return v !== 0 && Math.abs(v) < 1e-4 ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
}

const TEST_TEXT: Readonly<Record<DriftReportJson['features'][number]['test'], string>> = {
  ks: 'Kolmogorov–Smirnov (p)',
  'chi-square': 'chi-square (p)',
  wasserstein: 'Wasserstein / std',
  'jensen-shannon': 'Jensen–Shannon',
};

function verdict(drift: boolean, testid: string): HTMLElement {
  return h(
    'span',
    { class: `badge ${drift ? 'status-failed' : 'status-completed'}`, 'data-testid': testid },
    drift ? 'drift' : 'no drift',
  );
}

function decision(r: DriftReportJson): HTMLElement {
  const { classifier, mmd } = r.multivariate;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'drift-decision' },
    h('h2', { id: 'drift-decision' }, 'Decision ', verdict(r.drift, 'drift-decision')),
    h(
      'p',
      { 'data-testid': 'drift-share' },
      `${r.driftedFeatures} of ${r.features.length} features drift (${percentOfOne(r.share)}); dataset drift at ≥ ${percentOfOne(r.shareThreshold, 0)}.`,
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Report'),
      h('dd', { class: 'mono', 'data-testid': 'drift-report-id' }, r.id),
      h('dt', {}, 'Made'),
      h(
        'dd',
        {},
        `${dateTime(r.createdAt)}${r.trigger === null ? '' : ` by ${DRIFT_TRIGGER_TEXT[r.trigger]}`}`,
      ),
      h('dt', {}, 'Model'),
      h('dd', {}, r.model),
      h('dt', {}, 'Reference'),
      h('dd', {}, `${r.reference.source} (${r.reference.rows})`),
      h('dt', {}, 'Current'),
      h(
        'dd',
        { 'data-testid': 'drift-current' },
        `${r.current.source} (${r.current.rows} proteins${r.current.seen > r.current.rows ? ` sampled from ${r.current.seen}` : ''})`,
      ),
      h('dt', {}, 'Domain classifier'),
      h(
        'dd',
        { 'data-testid': 'drift-classifier' },
        `ROC AUC ${stat(classifier.statistic)}: ${classifier.drift ? 'drift' : 'no drift'} (at > ${classifier.threshold})`,
      ),
      h('dt', {}, 'MMD'),
      h(
        'dd',
        {},
        `p = ${stat(mmd.statistic)}: ${mmd.drift ? 'drift' : 'no drift'} (at ≤ ${mmd.threshold})`,
      ),
      ...(r.novelty === undefined
        ? []
        : [
            h('dt', {}, 'Novelty rate'),
            h(
              'dd',
              { 'data-testid': 'drift-novelty' },
              `${percentOfOne(r.novelty.rate)} (${Object.entries(r.novelty.counts)
                .map(([k, n]) => `${k} ${n}`)
                .join(', ')})`,
            ),
          ]),
    ),
  );
}

function featureTable(r: DriftReportJson): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'drift-features' },
    h('h2', { id: 'drift-features' }, 'Features'),
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Feature tests' },
      h(
        'table',
        { class: 'data drift-features' },
        h(
          'caption',
          { class: 'visually-hidden' },
          'Each feature: its test, statistic, threshold and verdict',
        ),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Feature', 'Test', 'Statistic', 'Threshold', 'Verdict'].map((t) =>
              h(
                'th',
                { scope: 'col', class: t === 'Statistic' || t === 'Threshold' ? 'num' : null },
                t,
              ),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          r.features.map((f) =>
            h(
              'tr',
              { 'data-feature': f.name, class: f.drift ? 'drifted' : null },
              h('th', { scope: 'row', title: f.description }, f.name),
              h('td', {}, TEST_TEXT[f.test]),
              h('td', { class: 'num' }, stat(f.statistic)),
              h(
                'td',
                { class: 'num', title: f.rule },
                `${f.rule.startsWith('p') ? '≤ ' : '≥ '}${f.threshold}`,
              ),
              h('td', {}, verdict(f.drift, 'feature-verdict')),
            ),
          ),
        ),
      ),
    ),
  );
}

function histogramFigure(hist: DriftHistogramJson, drift: boolean | undefined): HTMLElement {
  const bars = histogramBars(hist, BOX);
  const plot = svg(
    'svg',
    {
      class: 'drift-histogram',
      viewBox: `0 0 ${BOX.width} ${BOX.height}`,
      role: 'img',
      'aria-label': `${hist.name}: reference and current distributions`,
    },
    svg('line', {
      class: 'axis',
      x1: BOX.left,
      x2: BOX.width - BOX.right,
      y1: BOX.height - BOX.bottom,
      y2: BOX.height - BOX.bottom,
    }),
    ...bars.map((b) =>
      svg(
        'rect',
        { class: b.side, x: b.x, y: b.y, width: b.width, height: b.height },
        svg('title', {}, `${b.side} ${b.bin}: ${percentOfOne(b.share)}`),
      ),
    ),
  );
  return h(
    'figure',
    { class: 'drift-figure', 'data-histogram': hist.name },
    plot,
    h('figcaption', {}, hist.name, drift === undefined ? '' : ` · ${drift ? 'drift' : 'no drift'}`),
  );
}

function histograms(r: DriftReportJson): HTMLElement {
  const verdicts = new Map(r.features.map((f) => [f.name, f.drift]));
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'drift-histograms' },
    h('h2', { id: 'drift-histograms' }, 'Histograms'),
    r.histograms.length === 0
      ? h('p', { class: 'muted' }, 'This report was recorded without histograms.')
      : [
          h(
            'p',
            { class: 'legend' },
            h('span', { class: 'swatch reference' }),
            ' reference ',
            h('span', { class: 'swatch current' }),
            ' current (share of each side per bin)',
          ),
          h(
            'div',
            { class: 'drift-grid' },
            r.histograms.map((x) => histogramFigure(x, verdicts.get(x.name))),
          ),
        ],
  );
}

function historyTable(items: readonly DriftHistoryItemJson[], shown: string | null): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'drift-history' },
    h('h2', { id: 'drift-history' }, 'History'),
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Drift history' },
      h(
        'table',
        { class: 'data drift-history' },
        h('caption', { class: 'visually-hidden' }, 'Drift reports, newest first'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Report', 'Made', 'By', 'Model', 'Decision', 'Share', 'Novelty', 'AUC', 'Current'].map(
              (t) =>
                h(
                  'th',
                  { scope: 'col', class: ['Share', 'Novelty', 'AUC'].includes(t) ? 'num' : null },
                  t,
                ),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          items.map((x) =>
            h(
              'tr',
              { 'data-report': x.id, 'aria-current': x.id === shown ? 'true' : null },
              h(
                'th',
                { scope: 'row', class: 'mono' },
                h('a', { href: routeHash({ name: 'drift', id: x.id }) }, x.id),
              ),
              h('td', {}, dateTime(x.createdAt)),
              h('td', {}, x.trigger === null ? '—' : DRIFT_TRIGGER_TEXT[x.trigger]),
              h('td', {}, x.model),
              h('td', {}, verdict(x.drift, 'history-decision')),
              h('td', { class: 'num' }, percentOfOne(x.share)),
              h('td', { class: 'num' }, x.noveltyRate === null ? '—' : percentOfOne(x.noveltyRate)),
              h('td', { class: 'num' }, stat(x.classifierAuc)),
              h('td', {}, x.current.source),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * "Check now": POST /v1/drift over a window of jobs, its progress polled until it ends; `onDone`
 * shows the new report.
 */
function checkCard(signal: AbortSignal, onDone: () => void): HTMLElement {
  const select = h(
    'select',
    { id: 'drift-window', name: 'window' },
    WINDOWS.map((w) => h('option', { value: w }, `the last ${w}`)),
  );
  const button = h(
    'button',
    { type: 'button', class: 'primary', 'data-testid': 'drift-run' },
    'Check now',
  );
  const state = h('p', {
    role: 'status',
    'aria-live': 'polite',
    'data-testid': 'drift-check-state',
  });
  const problem = h('div', { class: 'problem', role: 'alert', hidden: true });
  const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  on(button, 'click', () => {
    button.disabled = true;
    problem.hidden = true;
    state.textContent = 'Starting…';
    void (async () => {
      try {
        let check = await startDriftCheck(select.value, signal);
        while (!DRIFT_CHECK_STATUS_TEXT[check.status].final && !signal.aborted) {
          state.textContent = `${DRIFT_CHECK_STATUS_TEXT[check.status].text} ${check.proteinsDone} of ${check.proteinsTotal} proteins (${check.source})`;
          await wait(DRIFT_CHECK_POLL_MS);
          check = await getDriftCheck(check.id, signal);
        }
        state.textContent =
          check.status === 'completed'
            ? `Done: ${check.source}, report ${check.reportId ?? ''}`
            : `${DRIFT_CHECK_STATUS_TEXT[check.status].text}: ${check.error?.detail ?? ''}`;
        if (check.status === 'completed') {
          onDone();
        }
      } catch (e) {
        if (!signal.aborted) {
          state.textContent = '';
          problem.hidden = false;
          showProblem(problem, e);
        }
      } finally {
        button.disabled = false;
      }
    })();
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'drift-check' },
    h('h2', { id: 'drift-check' }, 'Check the completed jobs of'),
    h(
      'p',
      {},
      h('label', { for: 'drift-window', class: 'visually-hidden' }, 'Window'),
      select,
      ' ',
      button,
    ),
    state,
    problem,
  );
}

/** The drift page: `id` null shows the latest report. */
export function mountDrift(root: HTMLElement, id: string | null): () => void {
  const controller = new AbortController();
  const heading = h('h1', { tabindex: -1 }, id === null ? 'Drift' : `Drift report ${id}`);
  const body = h('div', {}, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  const { signal } = controller;
  const load = (shown: string | null): void => {
    Promise.all([
      shown === null ? getDriftLatest(signal) : getDriftReport(shown, signal),
      getDriftHistory(DRIFT_HISTORY_LIMIT, signal),
    ])
      .then(([report, history]) => {
        if (signal.aborted) {
          return;
        }
        if (report === null) {
          replace(
            body,
            h(
              'div',
              { class: 'card' },
              h(
                'p',
                { 'data-testid': 'drift-empty' },
                'No drift check has been recorded yet. Check now, run ',
                h('code', {}, 'arginator drift --since 24h'),
                ', or turn on the scheduled check (monitoring.schedule_enabled).',
              ),
            ),
          );
          return;
        }
        replace(
          body,
          shown === null
            ? null
            : h(
                'p',
                {},
                h('a', { href: routeHash({ name: 'drift', id: null }) }, '← the latest report'),
              ),
          decision(report),
          featureTable(report),
          histograms(report),
          historyTable(history, report.id),
        );
      })
      .catch((e: unknown) => {
        if (!signal.aborted) {
          const region = h('div', { class: 'problem', role: 'alert' });
          replace(body, region);
          showProblem(region, e);
        }
      });
  };
  replace(
    root,
    heading,
    checkCard(signal, () => {
      // A new report: the latest one (this page's, or the latest page's after leaving a history entry).
      if (id === null) {
        load(null);
      } else {
        location.hash = routeHash({ name: 'drift', id: null });
      }
    }),
    body,
  );
  heading.focus();
  load(id);
  return () => controller.abort();
}
