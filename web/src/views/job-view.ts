// One job: live progress (SSE), cancel, then summary, downloads, the table and the map.
import {
  cancelJob,
  getJob,
  getQueryMap,
  getReferenceMap,
  apiKey,
  getResultsBlob,
  getResultsCsv,
  resultsUrl,
  retryWhileNotReady,
} from '../api/client.ts';
import type { ApiError } from '../api/client.ts';
import { JOB_STATUS_TEXT, TABLE_FORMAT_TEXT, TABLE_FORMATS } from '../api/contract.ts';
import { watchJob } from '../api/job-events.ts';
import type { Job } from '../api/types.ts';
import { h, on, replace } from '../dom.ts';
import { BINARY_LABELS, className, MULTICLASS_LABELS } from '../lib/classes.ts';
import { count, dateTime } from '../lib/format.ts';
import { parsePredictionCsv } from '../lib/prediction-rows.ts';
import { countByLabel } from '../lib/table-query.ts';
import { routeHash } from '../lib/route.ts';
import { swatch } from './evidence.ts';
import { createMapView } from './map-view.ts';
import type { MapView } from './map-view.ts';
import { showProblem } from './problem.ts';
import { createResultsTable } from './results-table.ts';
import type { ResultsTable } from './results-table.ts';

export function mountJob(root: HTMLElement, id: string, tab: 'table' | 'map'): () => void {
  const controller = new AbortController();
  const { signal } = controller;
  let closeEvents: (() => void) | null = null;

  const heading = h('h1', { tabindex: -1 }, 'Job');
  const meta = h('p', { class: 'muted' });
  const problem = h('div', { class: 'problem', role: 'alert', hidden: true });
  const progress = h('progress', {
    max: 100,
    value: 0,
    id: 'job-progress',
    'aria-describedby': 'job-progress-text',
  });
  const progressText = h('p', {
    id: 'job-progress-text',
    class: 'progress-text',
    role: 'status',
    'aria-live': 'polite',
  });
  const cancel = h('button', { type: 'button', class: 'danger' }, 'Cancel');
  const progressCard = h(
    'section',
    { class: 'card progress-card', 'aria-label': 'Progress', 'data-testid': 'progress' },
    h('label', { for: 'job-progress' }, 'Progress'),
    progress,
    progressText,
    h('div', { class: 'actions' }, cancel),
  );
  const output = h('div', { class: 'job-output' });
  replace(root, h('div', { class: 'job-head' }, heading, meta), problem, progressCard, output);

  const showJob = (job: Job): void => {
    heading.textContent = job.input_name ?? `Job ${job.id.slice(0, 8)}`;
    const state = JOB_STATUS_TEXT[job.status];
    replace(
      meta,
      h(
        'span',
        { class: `badge status-${job.status}`, title: state.meaning, 'data-testid': 'job-status' },
        state.label,
      ),
      ` ${job.task} · model ${job.model_version ?? '—'} · submitted ${dateTime(job.created_at)}`,
    );
    progress.value = job.progress;
    const proteins =
      job.proteins_total === null
        ? job.proteins_done === null
          ? ''
          : ` · ${count(job.proteins_done)} proteins`
        : ` · ${count(job.proteins_done ?? 0)} of ${count(job.proteins_total)} proteins`;
    progressText.textContent = `${state.progress} ${Math.round(job.progress)}%${proteins}`;
    cancel.hidden = !state.active;
    progressCard.classList.toggle('finished', !state.active);
    // An expired job's progress says nothing any more: its files are gone, whatever it reached.
    progressCard.hidden = job.status === 'expired';
    if (job.status === 'failed') {
      replace(
        problem,
        h('strong', {}, 'The job failed.'),
        ' ',
        job.error?.detail ?? 'No reason was given.',
      );
      problem.hidden = false;
    }
    if (job.status === 'cancelled') {
      replace(
        problem,
        h('strong', {}, 'Cancelled.'),
        ' ',
        h('a', { href: '#/' }, 'Classify again'),
      );
      problem.hidden = false;
    }
    if (job.status === 'expired') {
      replace(
        problem,
        h('strong', {}, 'Expired.'),
        ` This job finished${job.finished_at === null ? '' : ` on ${dateTime(job.finished_at)}`}; its results were deleted ${job.expires_at === null ? 'after the retention period' : `on ${dateTime(job.expires_at)}`}. `,
        h('a', { href: '#/' }, 'Classify the file again'),
      );
      problem.hidden = false;
    }
  };

  on(cancel, 'click', () => {
    cancel.disabled = true;
    cancelJob(id)
      .then(showJob)
      .catch((e: unknown) => showProblem(problem, e))
      .finally(() => {
        cancel.disabled = false;
      });
  });

  const finish = (job: Job): void => {
    showJob(job);
    if (job.status === 'completed') {
      void showResults(job, output, tab, signal).catch((e: unknown) => {
        if (!signal.aborted) {
          showProblem(problem, e);
        }
      });
    }
  };

  getJob(id, signal)
    .then((job) => {
      showJob(job);
      if (JOB_STATUS_TEXT[job.status].active) {
        closeEvents = watchJob(job, {
          onUpdate: showJob,
          onDone: finish,
          onLost: () => {
            // The stream broke: read the state once so the page is not left stale.
            getJob(id, signal)
              .then(finish)
              .catch((e: unknown) => showProblem(problem, e));
          },
        });
      } else {
        finish(job);
      }
    })
    .catch((e: unknown) => {
      if (!signal.aborted) {
        progressCard.hidden = true;
        showProblem(problem, e);
      }
    });

  heading.focus();
  return () => {
    controller.abort();
    closeEvents?.();
  };
}

async function showResults(
  job: Job,
  output: HTMLElement,
  tab: 'table' | 'map',
  signal: AbortSignal,
): Promise<void> {
  replace(output, h('p', { class: 'muted', role: 'status' }, 'Loading the results…'));
  const table = parsePredictionCsv(await getResultsCsv(job, signal));
  const labels =
    table.classLabels.length > 0
      ? table.classLabels
      : job.task === 'binary'
        ? [...BINARY_LABELS]
        : [...MULTICLASS_LABELS];
  const counts = countByLabel(table.rows, labels);
  let map: MapView | null = null;
  const results: ResultsTable = createResultsTable(table, labels, {
    onSelect: (row) => map?.highlight(row.protein_id),
  });

  const chips = h(
    'ul',
    { class: 'summary', 'aria-label': 'Proteins per call', 'data-testid': 'summary' },
    [...counts].map(([label, n]) => {
      const b = h(
        'button',
        { type: 'button', class: 'chip', title: `Show only ${className(label)}` },
        swatch(label),
        h('span', { class: 'chip-label' }, label),
        h('span', { class: 'chip-count' }, count(n)),
      );
      on(b, 'click', () => {
        selectTab('table');
        results.filterLabel(label);
      });
      return h('li', {}, b);
    }),
  );
  const novelty = job.summary?.novelty ?? {};
  const noveltyLine = Object.keys(novelty).length
    ? h(
        'p',
        { class: 'muted' },
        'Novelty: ',
        Object.entries(novelty)
          .map(([k, v], i) => [
            i > 0 ? ', ' : '',
            h('span', { class: `badge novelty-${k}` }, k),
            ` ${count(v)}`,
          ])
          .flat(),
      )
    : null;
  const downloads = h(
    'div',
    { class: 'downloads', role: 'group', 'aria-label': 'Download the table' },
    h('span', { class: 'muted' }, 'Download:'),
    TABLE_FORMATS.map((f) =>
      h(
        'a',
        {
          class: 'button',
          href: resultsUrl(job, f),
          download: `${downloadBase(job)}.${f}`,
          'data-format': f,
        },
        TABLE_FORMAT_TEXT[f],
      ),
    ),
  );
  // With an API key, a plain link would go without the header (401): fetch the file with it.
  for (const a of downloads.querySelectorAll<HTMLAnchorElement>('a[data-format]')) {
    on(a, 'click', (e) => {
      const format = a.dataset['format'];
      if (apiKey() === '' || (format !== 'csv' && format !== 'tsv' && format !== 'json')) {
        return;
      }
      e.preventDefault();
      void getResultsBlob(job, format).then(
        (blob) => {
          const url = URL.createObjectURL(blob);
          const link = h('a', { href: url, download: a.download });
          link.click();
          setTimeout(() => URL.revokeObjectURL(url), 60_000);
        },
        (err: unknown) => {
          downloads.append(
            h('span', { class: 'muted', role: 'alert' }, err instanceof Error ? err.message : ''),
          );
        },
      );
    });
  }

  const tabTable = h(
    'button',
    { type: 'button', role: 'tab', id: 'tab-table', 'aria-controls': 'panel-table' },
    `Table (${count(table.rows.length)})`,
  );
  const tabMap = h(
    'button',
    { type: 'button', role: 'tab', id: 'tab-map', 'aria-controls': 'panel-map' },
    'Map',
  );
  const panelTable = h(
    'div',
    { role: 'tabpanel', id: 'panel-table', 'aria-labelledby': 'tab-table' },
    results.element,
  );
  const panelMap = h(
    'div',
    { role: 'tabpanel', id: 'panel-map', 'aria-labelledby': 'tab-map' },
    h('p', { class: 'muted', role: 'status' }, 'Loading the map…'),
  );

  function selectTab(which: 'table' | 'map'): void {
    const isMap = which === 'map';
    tabTable.setAttribute('aria-selected', String(!isMap));
    tabMap.setAttribute('aria-selected', String(isMap));
    tabTable.tabIndex = isMap ? -1 : 0;
    tabMap.tabIndex = isMap ? 0 : -1;
    panelTable.hidden = isMap;
    panelMap.hidden = !isMap;
    // Keep the address shareable without re-mounting the view.
    history.replaceState(null, '', routeHash({ name: 'job', id: job.id, tab: which }));
    if (isMap) {
      map?.refresh();
    }
  }
  on(tabTable, 'click', () => selectTab('table'));
  on(tabMap, 'click', () => selectTab('map'));
  const tablist = h(
    'div',
    { role: 'tablist', class: 'tabs', 'aria-label': 'Results views' },
    tabTable,
    tabMap,
  );
  on(tablist, 'keydown', (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      const next = tabTable.getAttribute('aria-selected') === 'true' ? 'map' : 'table';
      selectTab(next);
      (next === 'map' ? tabMap : tabTable).focus();
    }
  });

  replace(
    output,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'summary-title' },
      h(
        'div',
        { class: 'summary-head' },
        h('h2', { id: 'summary-title' }, `${count(table.rows.length)} proteins`),
        downloads,
      ),
      chips,
      noveltyLine,
    ),
    h('section', { class: 'card' }, tablist, panelTable, panelMap),
  );
  selectTab(tab);

  try {
    const version = job.model_version ?? table.rows[0]?.model_version ?? '';
    // A completed job's map follows its results (and a model's map may still be fitted): 503
    // with Retry-After meanwhile, so the panel says so and asks again.
    const waiting = (e: ApiError, seconds: number): void =>
      replace(
        panelMap,
        h(
          'p',
          { class: 'muted', role: 'status', 'data-testid': 'map-pending' },
          e.problem.reason === 'job.map-pending'
            ? `The map is being computed (the results above are complete); trying again in ${seconds} s…`
            : `${e.problem.detail} — trying again in ${seconds} s…`,
        ),
      );
    const [refs, queries] = await Promise.all([
      retryWhileNotReady(() => getReferenceMap(version, signal), waiting, signal),
      retryWhileNotReady(() => getQueryMap(job, signal), waiting, signal),
    ]);
    map = createMapView(refs, queries, {
      title: job.input_name ?? job.id,
      serverPng: `${job.links.self}/map.png`,
      serverSvg: `${job.links.self}/map.svg`,
      onSelect: (proteinId) => {
        selectTab('table');
        results.selectById(proteinId);
        map?.highlight(proteinId);
      },
    });
    replace(panelMap, map.element);
    if (!panelMap.hidden) {
      map.refresh();
    }
  } catch (e) {
    if (!signal.aborted) {
      const region = h('div', { class: 'problem', role: 'alert' });
      replace(panelMap, region);
      showProblem(region, e);
    }
  }
}

function downloadBase(job: Job): string {
  const base = (job.input_name ?? 'predictions')
    .replace(/\.(gz)$/i, '')
    .replace(/\.[A-Za-z]+$/, '');
  return `${base}-predictions`;
}
