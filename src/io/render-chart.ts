// Renders Vega-Lite chart specs to SVG (vega, headless) and PNG (resvg), and writes them atomically.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import { View, parse, type LoggerInterface, type Spec as VegaSpec } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

import { ArginatorError, throwIfAborted as throwIfAbortedCore } from '../core/errors.ts';
import type { VegaLiteSpec } from '../core/plot/chart-style.ts';

/** vega/vega-lite log levels (vega-util): 0 none, 1 error, 2 warn. */
const LOG_WARN = 2;

/** A logger that collects messages instead of printing them (stdout/stderr belong to the CLI). */
class CollectingLogger implements LoggerInterface {
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  private currentLevel = LOG_WARN;

  level(level?: number): number | this {
    if (level === undefined) {
      return this.currentLevel;
    }
    this.currentLevel = level;
    return this;
  }
  error(...args: unknown[]): this {
    this.errors.push(args.map(String).join(' '));
    return this;
  }
  warn(...args: unknown[]): this {
    this.warnings.push(args.map(String).join(' '));
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

export interface CompiledChart {
  /** The Vega spec produced by vega-lite. */
  vega: VegaSpec;
  /** Warnings vega-lite reported while compiling (empty for a clean spec). */
  warnings: string[];
}

/** Compiles a Vega-Lite spec to Vega, collecting warnings rather than logging them. */
export function compileChart(spec: VegaLiteSpec): CompiledChart {
  const logger = new CollectingLogger();
  // The core builds specs as plain JSON; vega-lite's own type is the contract at this edge.
  const result = compile(spec as unknown as TopLevelSpec, { logger });
  return { vega: result.spec, warnings: [...logger.warnings, ...logger.errors] };
}

export interface RenderOptions {
  signal?: AbortSignal | undefined;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  throwIfAbortedCore(signal, 'Chart rendering');
}

function renderError(reason: string, message: string): ArginatorError {
  return new ArginatorError(
    'INTERNAL',
    reason,
    message,
    'this is a bug in the chart spec or renderer; please report it with the command you ran',
  );
}

/** Compiles and renders a spec headlessly (no canvas) to an SVG document. */
export async function renderSvg(spec: VegaLiteSpec, options: RenderOptions = {}): Promise<string> {
  throwIfAborted(options.signal);
  const { vega } = compileChart(spec);
  const logger = new CollectingLogger();
  const view = new View(parse(vega), { renderer: 'none', logger, logLevel: LOG_WARN });
  try {
    const svg = await view.toSVG();
    if (logger.errors.length > 0) {
      throw renderError(
        'chart.render-failed',
        `chart rendering reported errors: ${logger.errors.join('; ')}`,
      );
    }
    throwIfAborted(options.signal);
    return svg;
  } finally {
    view.finalize();
  }
}

export interface PngOptions extends RenderOptions {
  /** Zoom factor relative to the spec's pixel size (default 2, for sharp report images). */
  scale?: number | undefined;
}

/**
 * Fonts for resvg: vega writes the generic family `sans-serif` (its default and our config),
 * which resvg maps to DejaVu Sans, installed with fonts-dejavu on Debian.
 */
const FONT_OPTIONS: ResvgRenderOptions['font'] = {
  loadSystemFonts: true,
  defaultFontFamily: 'DejaVu Sans',
  sansSerifFamily: 'DejaVu Sans',
  serifFamily: 'DejaVu Serif',
  monospaceFamily: 'DejaVu Sans Mono',
};

/** Rasterises an SVG document to PNG bytes. */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  throwIfAborted(options.signal);
  const scale = options.scale ?? 2;
  if (!(scale > 0 && Number.isFinite(scale))) {
    throw renderError('chart.bad-scale', `PNG scale must be a positive number, got ${scale}`);
  }
  const image = await renderAsync(
    svg,
    {
      font: FONT_OPTIONS,
      fitTo: { mode: 'zoom', value: scale },
      background: 'white',
      shapeRendering: 2,
      textRendering: 1,
      logLevel: 'off',
    },
    options.signal ?? null,
  );
  return new Uint8Array(image.asPng());
}

/** Compiles, renders and rasterises a spec to PNG bytes. */
export async function renderPng(spec: VegaLiteSpec, options: PngOptions = {}): Promise<Uint8Array> {
  return svgToPng(await renderSvg(spec, options), options);
}

export interface WrittenChart {
  svgPath: string;
  pngPath: string;
}

/** Writes bytes to a temporary file next to `path`, then renames it into place. */
async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Writes `<basePath>.svg` and `<basePath>.png` (each atomically), creating the directory. */
export async function writeChart(
  basePath: string,
  spec: VegaLiteSpec,
  options: PngOptions = {},
): Promise<WrittenChart> {
  const svg = await renderSvg(spec, options);
  const png = await svgToPng(svg, options);
  const svgPath = `${basePath}.svg`;
  const pngPath = `${basePath}.png`;
  await mkdir(dirname(basePath), { recursive: true });
  throwIfAborted(options.signal);
  await writeAtomic(svgPath, svg);
  await writeAtomic(pngPath, png);
  return { svgPath, pngPath };
}
