// Shared look of every ARGinator chart: the spec type, class palette, sizes and base config.
import type { BinaryLabel, MulticlassLabel } from '../domain.ts';

/** A JSON value, so that specs stay plain data that survives JSON.stringify unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * A Vega-Lite v6 top-level specification as plain JSON. Core builds it without importing
 * vega-lite; the renderer adapter (src/io/render-chart.ts) compiles it.
 */
export interface VegaLiteSpec extends JsonObject {
  $schema: string;
  description: string;
}

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * Okabe–Ito colours (safe for the common colour-vision deficiencies). Each class keeps its
 * colour in every chart, so a reader learns it once.
 */
export const CLASS_COLOURS: Readonly<Record<MulticlassLabel | BinaryLabel, string>> = {
  A: '#0072B2', // blue
  B: '#E69F00', // orange
  C: '#009E73', // bluish green
  D: '#CC79A7', // reddish purple
  NBL: '#7A7A7A', // grey: not a beta-lactamase
  Betalactamase: '#D55E00', // vermillion
  'Non-Betalactamase': '#7A7A7A', // grey, like NBL
};

/** Colours for labels outside the known classes, handed out in order of first appearance. */
const EXTRA_COLOURS = ['#56B4E9', '#D55E00', '#000000', '#F0E442', '#8C6D31', '#999933'];

/** Colours for two-series comparisons (train/validation, reference/current, before/after). */
export const SERIES_COLOURS = {
  primary: '#0072B2',
  secondary: '#D55E00',
  tertiary: '#009E73',
  quaternary: '#CC79A7',
  neutral: '#7A7A7A',
} as const;

/** The colour of each label, in order; unknown labels get distinct fallback colours. */
export function classColours(labels: readonly string[]): string[] {
  let extra = 0;
  const assigned = new Map<string, string>();
  return labels.map((label) => {
    const known = (CLASS_COLOURS as Readonly<Record<string, string | undefined>>)[label];
    if (known !== undefined) {
      return known;
    }
    const seen = assigned.get(label);
    if (seen !== undefined) {
      return seen;
    }
    const colour = EXTRA_COLOURS[extra % EXTRA_COLOURS.length] ?? '#000000';
    extra += 1;
    assigned.set(label, colour);
    return colour;
  });
}

/** Sizes of one plotting area, in pixels, chosen to fit a report column at 2x zoom. */
export const PANEL = { width: 420, height: 300, square: 380 } as const;

/** Formats a number with a fixed number of decimals (deterministic, locale-free). */
export function fixed(value: number, decimals: number): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : 'n/a';
}

/** Base config: white background, readable text sizes, quiet grid, titles left-aligned. */
export function baseConfig(): JsonObject {
  return {
    background: 'white',
    padding: 12,
    font: 'sans-serif',
    view: { stroke: '#DDDDDD' },
    title: {
      fontSize: 15,
      subtitleFontSize: 12,
      subtitleColor: '#555555',
      anchor: 'start',
      offset: 10,
    },
    axis: {
      labelFontSize: 11,
      titleFontSize: 12,
      titleFontWeight: 'normal',
      gridColor: '#EEEEEE',
      domainColor: '#888888',
      tickColor: '#888888',
    },
    legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 400 },
    header: { labelFontSize: 12, titleFontSize: 12 },
  };
}

export interface TitleText {
  text: string;
  subtitle?: string | undefined;
}

/** A Vega-Lite title object, with the subtitle only when there is one. */
export function titleOf({ text, subtitle }: TitleText): JsonObject {
  return subtitle === undefined || subtitle === '' ? { text } : { text, subtitle };
}

/** Wraps a view (layer, concat, ...) into a top-level spec with schema, title and config. */
export function topLevel(title: TitleText, description: string, body: JsonObject): VegaLiteSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    description,
    title: titleOf(title),
    config: baseConfig(),
    ...body,
  };
}

/** True for a finite number (drops NaN and ±Infinity, which JSON cannot carry). */
export function isFiniteNumber(value: number | undefined | null): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
