// The UMAP: reference classes as clouds, the job's queries on top; hover, click, zoom, export.
import type { QueryMap, ReferenceMap } from '../api/types.ts';
import { downloadBlob, h, on, replace } from '../dom.ts';
import { classColour } from '../lib/classes.ts';
import { dataBounds, PointGrid, project } from '../lib/map-geometry.ts';
import type { Point, Projection } from '../lib/map-geometry.ts';
import { mapSvg } from '../lib/map-svg.ts';
import { swatch } from './evidence.ts';

export interface MapViewOptions {
  readonly title: string;
  /** Server-rendered images of the same map (/v1/jobs/{id}/map.png, .svg). */
  readonly serverPng: string;
  readonly serverSvg: string;
  readonly onSelect: (queryId: string) => void;
}

export interface MapView {
  readonly element: HTMLElement;
  /** Redraws after the element became visible or changed size. */
  refresh(): void;
  /** Marks a query (e.g. the row selected in the table). */
  highlight(id: string | null): void;
}

const HOVER_RADIUS = 10;

export function createMapView(
  refs: ReferenceMap,
  queries: QueryMap,
  options: MapViewOptions,
): MapView {
  const canvas = h('canvas', {
    class: 'map-canvas',
    tabindex: 0,
    role: 'img',
    'data-testid': 'map-canvas',
    'aria-label': `UMAP of ${refs.references.length} reference proteins by class with ${queries.queries.length} query proteins on top. Arrow keys step through the queries, Enter selects one in the table.`,
  });
  const tooltip = h('div', {
    class: 'map-tooltip',
    role: 'status',
    'aria-live': 'polite',
    hidden: true,
  });
  const hidden = new Set<string>();
  const legend = h(
    'div',
    { class: 'map-legend', role: 'group', 'aria-label': 'Show or hide reference classes' },
    refs.labels.map((label) => {
      const b = h(
        'button',
        { type: 'button', class: 'toggle', 'aria-pressed': 'true' },
        swatch(label),
        label,
      );
      on(b, 'click', () => {
        if (hidden.has(label)) {
          hidden.delete(label);
        } else {
          hidden.add(label);
        }
        b.setAttribute('aria-pressed', String(!hidden.has(label)));
        draw();
      });
      return b;
    }),
    h(
      'span',
      { class: 'legend-query' },
      h('span', { class: 'query-mark', 'aria-hidden': 'true' }),
      `queries (${queries.queries.length})`,
    ),
  );
  const pngButton = h('button', { type: 'button' }, 'PNG');
  const svgButton = h('button', { type: 'button' }, 'SVG');
  const resetButton = h('button', { type: 'button' }, 'Reset zoom');
  const element = h(
    'section',
    { class: 'map', 'aria-label': 'UMAP map' },
    h(
      'div',
      { class: 'map-toolbar' },
      legend,
      h(
        'div',
        { class: 'map-actions' },
        resetButton,
        h('span', { class: 'muted' }, 'Export:'),
        pngButton,
        svgButton,
        h(
          'a',
          { href: options.serverPng, download: 'map.png', class: 'muted small' },
          'server PNG',
        ),
        h(
          'a',
          { href: options.serverSvg, download: 'map.svg', class: 'muted small' },
          'server SVG',
        ),
      ),
    ),
    h('div', { class: 'map-stage' }, canvas, tooltip),
    h(
      'p',
      { class: 'muted small' },
      'Scroll or pinch to zoom, drag to pan. Hover a query for its call; click it to open its row.',
    ),
  );

  const bounds = dataBounds([...refs.references, ...queries.queries]);
  let zoom = 1;
  let pan: Point = { x: 0, y: 0 };
  let proj: Projection | null = null;
  let queryPixels: Point[] = [];
  let grid: PointGrid | null = null;
  let hover = -1;
  let focused = -1;
  let highlighted: string | null = null;
  let size = { width: 0, height: 0 };

  function layout(): void {
    const rect = canvas.getBoundingClientRect();
    size = { width: Math.max(1, rect.width), height: Math.max(1, rect.height) };
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(size.width * dpr);
    canvas.height = Math.round(size.height * dpr);
  }

  function draw(): void {
    const ctx = canvas.getContext('2d');
    if (ctx === null || size.width <= 1) {
      return;
    }
    const dpr = canvas.width / size.width;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, size.width, size.height);
    proj = project(bounds, { ...size, padding: 20 }, zoom, pan);
    const p = proj;
    ctx.globalAlpha = 0.35;
    for (const r of refs.references) {
      if (hidden.has(r.label)) {
        continue;
      }
      const q = p.toPixel(r);
      ctx.fillStyle = classColour(r.label);
      ctx.beginPath();
      ctx.arc(q.x, q.y, 2.5, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    queryPixels = queries.queries.map((q) => p.toPixel(q));
    grid = new PointGrid(queryPixels, HOVER_RADIUS * 2);
    // Many queries: smaller marks so the reference clouds stay visible.
    const crowded = queries.queries.length > 2000;
    const radius = crowded ? 2.5 : 5;
    const stroke = crowded ? 0.6 : 1.5;
    queries.queries.forEach((q, i) => {
      const at = queryPixels[i];
      if (at === undefined) {
        return;
      }
      const marked = i === hover || i === focused || q.id === highlighted;
      ctx.fillStyle = classColour(q.predicted_label);
      ctx.strokeStyle = '#111111';
      ctx.lineWidth = marked ? 1.5 : stroke;
      ctx.beginPath();
      ctx.arc(at.x, at.y, marked ? 8 : radius, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
      if (marked) {
        ctx.beginPath();
        ctx.arc(at.x, at.y, 12, 0, Math.PI * 2);
        ctx.stroke();
      }
    });
  }

  function showTooltip(i: number): void {
    const q = queries.queries[i];
    const at = queryPixels[i];
    if (q === undefined || at === undefined) {
      tooltip.hidden = true;
      return;
    }
    replace(
      tooltip,
      h('strong', { class: 'mono' }, q.id),
      h('br'),
      swatch(q.predicted_label),
      `${q.predicted_label}${q.novelty === null ? '' : ` · ${q.novelty}`}`,
    );
    tooltip.hidden = false;
    // The point's position in canvas pixels (the tooltip may be shifted to stay inside).
    tooltip.dataset['x'] = at.x.toFixed(1);
    tooltip.dataset['y'] = at.y.toFixed(1);
    tooltip.style.left = `${Math.min(at.x + 14, size.width - 180)}px`;
    tooltip.style.top = `${Math.max(0, at.y - 10)}px`;
  }

  function pointerIndex(e: MouseEvent): number {
    const rect = canvas.getBoundingClientRect();
    return grid?.nearest({ x: e.clientX - rect.left, y: e.clientY - rect.top }, HOVER_RADIUS) ?? -1;
  }

  let drag: { x: number; y: number; moved: boolean } | null = null;
  on(canvas, 'pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY, moved: false };
    canvas.setPointerCapture(e.pointerId);
  });
  on(canvas, 'pointermove', (e) => {
    if (drag !== null && (e.buttons & 1) === 1) {
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (drag.moved || Math.abs(dx) + Math.abs(dy) > 3) {
        drag = { x: e.clientX, y: e.clientY, moved: true };
        pan = { x: pan.x + dx, y: pan.y + dy };
        tooltip.hidden = true;
        draw();
        return;
      }
    }
    const i = pointerIndex(e);
    canvas.style.cursor = i >= 0 ? 'pointer' : drag === null ? 'default' : 'grabbing';
    if (i !== hover) {
      hover = i;
      draw();
      if (i >= 0) {
        showTooltip(i);
      } else {
        tooltip.hidden = true;
      }
    }
  });
  on(canvas, 'pointerup', (e) => {
    const wasDrag = drag?.moved === true;
    drag = null;
    if (wasDrag) {
      return;
    }
    const i = pointerIndex(e);
    const q = queries.queries[i];
    if (q !== undefined) {
      options.onSelect(q.id);
    }
  });
  on(canvas, 'pointerleave', () => {
    hover = -1;
    tooltip.hidden = true;
    draw();
  });
  on(
    canvas,
    'wheel',
    (e) => {
      e.preventDefault();
      const rect = canvas.getBoundingClientRect();
      const at = {
        x: e.clientX - rect.left - size.width / 2,
        y: e.clientY - rect.top - size.height / 2,
      };
      const factor = Math.exp(-e.deltaY * 0.0015);
      const next = Math.min(40, Math.max(0.5, zoom * factor));
      const k = next / zoom;
      // Zoom about the pointer: the data point under it stays put.
      pan = { x: at.x - (at.x - pan.x) * k, y: at.y - (at.y - pan.y) * k };
      zoom = next;
      tooltip.hidden = true;
      draw();
    },
    { passive: false },
  );
  on(canvas, 'keydown', (e) => {
    const n = queries.queries.length;
    if (n === 0) {
      return;
    }
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') {
      e.preventDefault();
      focused = (focused + 1) % n;
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') {
      e.preventDefault();
      focused = (focused - 1 + n) % n;
    } else if (e.key === 'Enter' && focused >= 0) {
      e.preventDefault();
      const q = queries.queries[focused];
      if (q !== undefined) {
        options.onSelect(q.id);
      }
      return;
    } else {
      return;
    }
    draw();
    showTooltip(focused);
  });
  on(canvas, 'blur', () => {
    focused = -1;
    tooltip.hidden = true;
    draw();
  });
  on(resetButton, 'click', () => {
    zoom = 1;
    pan = { x: 0, y: 0 };
    draw();
  });
  on(pngButton, 'click', () => {
    canvas.toBlob((blob) => {
      if (blob !== null) {
        downloadBlob(blob, `${safeName(options.title)}-map.png`);
      }
    }, 'image/png');
  });
  on(svgButton, 'click', () => {
    const svg = mapSvg({
      title: options.title,
      labels: refs.labels,
      references: refs.references.filter((r) => !hidden.has(r.label)),
      queries: queries.queries,
      width: 960,
      height: 640,
    });
    downloadBlob(new Blob([svg], { type: 'image/svg+xml' }), `${safeName(options.title)}-map.svg`);
  });
  new ResizeObserver(() => {
    layout();
    draw();
  }).observe(canvas);

  return {
    element,
    refresh() {
      layout();
      draw();
    },
    highlight(id) {
      highlighted = id;
      draw();
    },
  };
}

function safeName(title: string): string {
  return title.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'arginator';
}
