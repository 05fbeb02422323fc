// Per-step metric curves as plain geometry (SVG path data, ticks), so the view only builds elements.
import type { MetricPointJson } from '../api/types.ts';

export interface CurvePanel {
  readonly title: string;
  readonly keys: readonly string[];
}

/** Losses in one panel, validation scores in another (their scales differ by orders). */
export function curvePanels(keys: readonly string[]): CurvePanel[] {
  const sorted = [...keys].sort();
  const loss = sorted.filter((k) => k.endsWith('loss'));
  const scores = sorted.filter(
    (k) => k.startsWith('val_') && !k.endsWith('loss') && !k.endsWith('seconds'),
  );
  return [
    { title: 'Loss', keys: loss },
    { title: 'Validation scores', keys: scores },
  ].filter((p) => p.keys.length > 0);
}

export interface CurveLine {
  readonly key: string;
  readonly colour: string;
  /** SVG path data in the plot's pixel space. */
  readonly d: string;
  readonly points: number;
  readonly last: MetricPointJson | undefined;
}

export interface CurveGeometry {
  readonly lines: readonly CurveLine[];
  readonly xTicks: readonly { readonly x: number; readonly label: string }[];
  readonly yTicks: readonly { readonly y: number; readonly label: string }[];
}

const COLOURS = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#57606a'];

export interface Box {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function ticks(lo: number, hi: number, count: number): number[] {
  if (hi <= lo) {
    return [lo];
  }
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Number(t.toPrecision(12)));
  }
  return out;
}

/** Lines of `keys` over steps, scaled into `box`; finite values only. */
export function curveGeometry(
  series: Readonly<Record<string, readonly MetricPointJson[]>>,
  keys: readonly string[],
  box: Box,
): CurveGeometry {
  const all = keys.flatMap((k) => (series[k] ?? []).filter((p) => Number.isFinite(p.value)));
  if (all.length === 0) {
    return { lines: [], xTicks: [], yTicks: [] };
  }
  const steps = all.map((p) => p.step);
  const values = all.map((p) => p.value);
  const [x0, x1] = [Math.min(...steps), Math.max(...steps)];
  let [y0, y1] = [Math.min(...values), Math.max(...values)];
  if (y0 === y1) {
    [y0, y1] = [y0 - 0.5, y1 + 0.5];
  }
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const sx = (s: number): number =>
    box.left + (x1 === x0 ? plotW / 2 : ((s - x0) / (x1 - x0)) * plotW);
  const sy = (v: number): number => box.top + (1 - (v - y0) / (y1 - y0)) * plotH;
  const fmt = (n: number): string => n.toFixed(1);
  const lines = keys.map((key, i): CurveLine => {
    const points = [...(series[key] ?? [])]
      .filter((p) => Number.isFinite(p.value))
      .sort((a, b) => a.step - b.step);
    return {
      key,
      colour: COLOURS[i % COLOURS.length] ?? '#000000',
      d: points
        .map((p, j) => `${j === 0 ? 'M' : 'L'}${fmt(sx(p.step))},${fmt(sy(p.value))}`)
        .join(''),
      points: points.length,
      last: points.at(-1),
    };
  });
  const stepTicks = ticks(x0, x1, 5).filter((t) => Number.isInteger(t));
  return {
    lines,
    xTicks: stepTicks.map((t) => ({ x: sx(t), label: String(t) })),
    yTicks: ticks(y0, y1, 4).map((t) => ({ y: sy(t), label: String(t) })),
  };
}
