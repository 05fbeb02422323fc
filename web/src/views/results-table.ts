// The results table: filter, sort, search; virtualised (fixed row height, one expanded row).
import { NOVELTY_CLASSES, NOVELTY_TEXT } from '../api/contract.ts';
import { h, on, replace, uniqueId } from '../dom.ts';
import { className } from '../lib/classes.ts';
import { count, percent, percentOfOne } from '../lib/format.ts';
import type { Novelty, PredictionRow, PredictionTable } from '../lib/prediction-rows.ts';
import { DEFAULT_QUERY, queryRows } from '../lib/table-query.ts';
import type { SortKey, TableQuery } from '../lib/table-query.ts';
import { rowTop, scrollToReveal, visibleWindow } from '../lib/virtual-window.ts';
import type { WindowInput } from '../lib/virtual-window.ts';
import { evidencePanel, swatch } from './evidence.ts';

export const ROW_HEIGHT = 36;
const OVERSCAN = 8;

interface Column {
  readonly key: SortKey;
  readonly title: string;
  readonly className: string;
  readonly cell: (row: PredictionRow) => Node | string;
}

const COLUMNS: readonly Column[] = [
  { key: 'index', title: '#', className: 'c-index num', cell: (r) => String(r.index + 1) },
  { key: 'protein_id', title: 'Protein', className: 'c-id mono', cell: (r) => r.protein_id },
  {
    key: 'predicted_label',
    title: 'Call',
    className: 'c-label',
    cell: (r) => {
      const span = h('span', { class: 'call', title: className(r.predicted_label) });
      span.append(swatch(r.predicted_label), r.predicted_label);
      return span;
    },
  },
  {
    key: 'confidence_score',
    title: 'Confidence',
    className: 'c-conf num',
    cell: (r) => percentOfOne(r.confidence_score),
  },
  {
    key: 'prob_betalactamase',
    title: 'P(β-lactamase)',
    className: 'c-pbl num',
    cell: (r) => percentOfOne(r.prob_betalactamase),
  },
  {
    key: 'nearest_reference',
    title: 'Nearest reference',
    className: 'c-ref mono',
    // The gene as labs name it (blaKPC-2) when the model knows it; the reference id on hover.
    cell: (r) =>
      r.nearest_reference === null
        ? '—'
        : h('span', { title: r.nearest_reference }, r.nearest_gene ?? r.nearest_reference),
  },
  {
    key: 'identity',
    title: 'Identity',
    className: 'c-ident num',
    cell: (r) => percent(r.identity),
  },
  { key: 'coverage', title: 'Coverage', className: 'c-cov num', cell: (r) => percent(r.coverage) },
  { key: 'novelty', title: 'Novelty', className: 'c-nov', cell: (r) => noveltyBadge(r.novelty) },
];

function noveltyBadge(n: Novelty | null): Node | string {
  return n === null ? '—' : h('span', { class: `badge novelty-${n}` }, n);
}

export interface ResultsTable {
  readonly element: HTMLElement;
  /** Shows, expands and focuses the row of this protein (clearing filters that hide it). */
  selectById(id: string): void;
  /** Filters to one label (from the summary chips); '' clears. */
  filterLabel(label: string): void;
}

export function createResultsTable(
  table: PredictionTable,
  labels: readonly string[],
  options: { readonly onSelect?: (row: PredictionRow) => void } = {},
): ResultsTable {
  const rows = table.rows;
  const gridId = uniqueId('results');
  let query: TableQuery = DEFAULT_QUERY;
  let order = queryRows(rows, query);
  let active = 0;
  let expanded = -1;
  let frame = 0;

  const search = h('input', {
    type: 'search',
    id: `${gridId}-search`,
    placeholder: 'protein id…',
    autocomplete: 'off',
  });
  const labelBox = h('div', { class: 'toggles', role: 'group', 'aria-label': 'Filter by call' });
  const labelButtons = labels.map((l) => {
    const b = h(
      'button',
      { type: 'button', class: 'toggle', 'aria-pressed': 'false', 'data-label': l },
      swatch(l),
      l,
    );
    on(b, 'click', () => toggleSet('labels', l));
    labelBox.append(b);
    return b;
  });
  const noveltyBox = h('div', {
    class: 'toggles',
    role: 'group',
    'aria-label': 'Filter by novelty',
  });
  const noveltyButtons = NOVELTY_CLASSES.map((n) => {
    const b = h(
      'button',
      { type: 'button', class: 'toggle', 'aria-pressed': 'false', 'data-novelty': n },
      NOVELTY_TEXT[n],
    );
    on(b, 'click', () => toggleSet('novelty', n));
    noveltyBox.append(b);
    return b;
  });
  const minConf = h('input', {
    type: 'number',
    id: `${gridId}-min`,
    min: 0,
    max: 100,
    step: 5,
    value: 0,
    inputmode: 'decimal',
  });
  const maxConf = h('input', {
    type: 'number',
    id: `${gridId}-max`,
    min: 0,
    max: 100,
    step: 5,
    value: 100,
    inputmode: 'decimal',
  });
  const reset = h('button', { type: 'button', class: 'link' }, 'Clear filters');
  const status = h('p', { class: 'table-status', role: 'status', 'aria-live': 'polite' });

  const headerCells = COLUMNS.map((c) => {
    const button = h('button', { type: 'button', class: 'sort', 'data-sort': c.key }, c.title);
    on(button, 'click', () => {
      const dir =
        query.sortKey === c.key
          ? query.sortDirection === 'asc'
            ? 'desc'
            : 'asc'
          : c.key === 'confidence_score' ||
              c.key === 'prob_betalactamase' ||
              c.key === 'identity' ||
              c.key === 'coverage'
            ? 'desc'
            : 'asc';
      update({ ...query, sortKey: c.key, sortDirection: dir });
    });
    return h('div', { role: 'columnheader', class: c.className, 'aria-sort': 'none' }, button);
  });
  const header = h(
    'div',
    { class: 'grid-header', role: 'rowgroup' },
    h('div', { class: 'grid-row', role: 'row', 'aria-rowindex': 1 }, headerCells),
  );
  const body = h('div', { class: 'grid-body', role: 'rowgroup' });
  const scroller = h(
    'div',
    {
      class: 'grid-scroller',
      role: 'grid',
      tabindex: 0,
      'aria-label': 'Predictions; arrow keys move, Enter shows the evidence',
      'aria-rowcount': rows.length + 1,
      'data-testid': 'results-grid',
    },
    header,
    body,
  );

  const element = h(
    'section',
    { class: 'results', 'aria-label': 'Results table' },
    h(
      'div',
      { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: search.id }, 'Search by id'), search),
      h('div', { class: 'field' }, h('span', { class: 'label' }, 'Call'), labelBox),
      h('div', { class: 'field' }, h('span', { class: 'label' }, 'Novelty'), noveltyBox),
      h(
        'div',
        { class: 'field conf' },
        h('span', { class: 'label', id: `${gridId}-conf` }, 'Confidence %'),
        h(
          'div',
          { class: 'range', role: 'group', 'aria-labelledby': `${gridId}-conf` },
          h('label', { for: minConf.id, class: 'visually-hidden' }, 'Minimum confidence, percent'),
          minConf,
          h('span', { 'aria-hidden': 'true' }, '–'),
          h('label', { for: maxConf.id, class: 'visually-hidden' }, 'Maximum confidence, percent'),
          maxConf,
        ),
      ),
      reset,
    ),
    status,
    scroller,
  );

  function toggleSet(which: 'labels' | 'novelty', value: string): void {
    if (which === 'labels') {
      const next = new Set(query.labels);
      if (next.has(value)) {
        next.delete(value);
      } else {
        next.add(value);
      }
      update({ ...query, labels: next });
    } else {
      const next = new Set(query.novelty);
      const n = value as Novelty;
      if (next.has(n)) {
        next.delete(n);
      } else {
        next.add(n);
      }
      update({ ...query, novelty: next });
    }
  }

  function update(next: TableQuery): void {
    const activeRow = order[active];
    query = next;
    order = queryRows(rows, query);
    expanded = -1;
    // Keep the same protein active if it is still shown.
    const keep = activeRow === undefined ? -1 : order.indexOf(activeRow);
    active = keep >= 0 ? keep : 0;
    syncControls();
    scroller.scrollTop = 0;
    render();
  }

  function syncControls(): void {
    for (const b of labelButtons) {
      b.setAttribute('aria-pressed', String(query.labels.has(b.dataset['label'] ?? '')));
    }
    for (const b of noveltyButtons) {
      b.setAttribute(
        'aria-pressed',
        String(query.novelty.has((b.dataset['novelty'] ?? '') as Novelty)),
      );
    }
    COLUMNS.forEach((c, i) => {
      const cell = headerCells[i];
      cell?.setAttribute(
        'aria-sort',
        query.sortKey === c.key
          ? query.sortDirection === 'asc'
            ? 'ascending'
            : 'descending'
          : 'none',
      );
    });
    scroller.setAttribute('aria-rowcount', String(order.length + 1));
    status.textContent =
      order.length === rows.length
        ? `${count(rows.length)} proteins`
        : `Showing ${count(order.length)} of ${count(rows.length)} proteins`;
  }

  function windowInput(): WindowInput {
    return {
      rowCount: order.length,
      rowHeight: ROW_HEIGHT,
      expanded,
      expandedExtra: expandedExtra(),
      scrollTop: scroller.scrollTop,
      viewportHeight: Math.max(ROW_HEIGHT, scroller.clientHeight - header.offsetHeight),
      overscan: OVERSCAN,
    };
  }

  function expandedExtra(): number {
    return scroller.clientWidth < 640 ? 420 : 184;
  }

  function render(): void {
    const input = windowInput();
    const win = visibleWindow(input);
    body.style.height = `${win.totalHeight}px`;
    const children: HTMLElement[] = [];
    for (let pos = win.start; pos < win.end; pos += 1) {
      const row = rows[order[pos] ?? -1];
      if (row === undefined) {
        continue;
      }
      children.push(renderRow(row, pos, input));
    }
    replace(body, children);
    if (order.length === 0) {
      body.style.height = `${ROW_HEIGHT * 2}px`;
      replace(body, h('p', { class: 'empty' }, 'No protein matches these filters.'));
      scroller.removeAttribute('aria-activedescendant');
    } else {
      scroller.setAttribute('aria-activedescendant', `${gridId}-r${active}`);
    }
  }

  function renderRow(row: PredictionRow, pos: number, input: WindowInput): HTMLElement {
    const isExpanded = pos === expanded;
    const el = h(
      'div',
      {
        class: `grid-row${pos === active ? ' active' : ''}${isExpanded ? ' expanded' : ''}`,
        role: 'row',
        id: `${gridId}-r${pos}`,
        'aria-rowindex': pos + 2,
        'aria-expanded': String(isExpanded),
        'aria-selected': String(pos === active),
        'data-protein-id': row.protein_id,
      },
      COLUMNS.map((c, i) =>
        h(
          'div',
          { role: 'gridcell', class: c.className },
          i === 0
            ? h('span', { class: 'chevron', 'aria-hidden': 'true' }, isExpanded ? '▾' : '▸')
            : null,
          c.cell(row),
        ),
      ),
    );
    el.style.top = `${rowTop(pos, input)}px`;
    if (isExpanded) {
      const panel = evidencePanel(row, table.classLabels);
      panel.style.height = `${input.expandedExtra}px`;
      el.append(panel);
    }
    on(el, 'click', (e) => {
      // Clicks inside the evidence (selecting text, say) do not collapse it.
      if (e.target instanceof Element && e.target.closest('.evidence') !== null) {
        return;
      }
      setActive(pos);
      toggle(pos);
      scroller.focus({ preventScroll: true });
    });
    return el;
  }

  function toggle(pos: number): void {
    expanded = expanded === pos ? -1 : pos;
    const row = rows[order[pos] ?? -1];
    if (expanded >= 0 && row !== undefined) {
      options.onSelect?.(row);
    }
    reveal(pos);
    render();
  }

  function setActive(pos: number): void {
    active = Math.max(0, Math.min(order.length - 1, pos));
  }

  function reveal(pos: number): void {
    scroller.scrollTop = scrollToReveal(pos, windowInput());
  }

  on(scroller, 'scroll', () => {
    if (frame === 0) {
      frame = requestAnimationFrame(() => {
        frame = 0;
        render();
      });
    }
  });
  on(scroller, 'keydown', (e) => {
    if (e.target !== scroller || order.length === 0) {
      return;
    }
    const page = Math.max(1, Math.floor(windowInput().viewportHeight / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: order.length - 1,
    };
    const target = moves[e.key];
    if (target !== undefined) {
      e.preventDefault();
      setActive(target);
      reveal(active);
      render();
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      toggle(active);
    } else if (e.key === 'Escape' && expanded >= 0) {
      e.preventDefault();
      expanded = -1;
      render();
    }
  });
  let searchTimer = 0;
  on(search, 'input', () => {
    clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => update({ ...query, search: search.value }), 120);
  });
  const readConf = (): void => {
    const lo = clampPercent(minConf.valueAsNumber, 0);
    const hi = clampPercent(maxConf.valueAsNumber, 100);
    update({ ...query, minConfidence: lo / 100, maxConfidence: hi / 100 });
  };
  on(minConf, 'change', readConf);
  on(maxConf, 'change', readConf);
  on(reset, 'click', () => {
    search.value = '';
    minConf.value = '0';
    maxConf.value = '100';
    update({ ...DEFAULT_QUERY, sortKey: query.sortKey, sortDirection: query.sortDirection });
  });
  new ResizeObserver(() => render()).observe(scroller);

  syncControls();
  render();

  return {
    element,
    selectById(id) {
      const index = rows.findIndex((r) => r.protein_id === id);
      if (index < 0) {
        return;
      }
      let pos = order.indexOf(index);
      if (pos < 0) {
        search.value = '';
        minConf.value = '0';
        maxConf.value = '100';
        update({ ...DEFAULT_QUERY, sortKey: query.sortKey, sortDirection: query.sortDirection });
        pos = order.indexOf(index);
      }
      setActive(pos);
      expanded = pos;
      reveal(pos);
      render();
      scroller.focus({ preventScroll: true });
    },
    filterLabel(label) {
      update({ ...query, labels: new Set(label === '' ? [] : [label]) });
    },
  };
}

function clampPercent(v: number, fallback: number): number {
  return Number.isFinite(v) ? Math.max(0, Math.min(100, v)) : fallback;
}
