// The UMAP view as a standalone SVG document (the export; the screen draws on a canvas).
import { classColour } from './classes.ts';
import { dataBounds, project } from './map-geometry.ts';

export interface MapReference {
  readonly id: string;
  readonly label: string;
  readonly x: number;
  readonly y: number;
}

export interface MapQuery {
  readonly id: string;
  readonly predicted_label: string;
  readonly novelty: string | null;
  readonly x: number;
  readonly y: number;
}

export interface MapSvgInput {
  readonly title: string;
  readonly labels: readonly string[];
  readonly references: readonly MapReference[];
  readonly queries: readonly MapQuery[];
  readonly width: number;
  readonly height: number;
}

/**
 * An SVG of the reference clouds, the queries on top (outlined) and a legend.
 * @example mapSvg({ title: 'job', labels: ['A'], references: [], queries: [], width: 400, height: 300 }).startsWith('<svg') // true
 */
export function mapSvg(input: MapSvgInput): string {
  const legendWidth = 170;
  const plotWidth = input.width - legendWidth;
  const proj = project(dataBounds([...input.references, ...input.queries]), {
    width: plotWidth,
    height: input.height,
    padding: 24,
  });
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${input.width}" height="${input.height}" viewBox="0 0 ${input.width} ${input.height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(input.title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  parts.push('<g fill-opacity="0.35">');
  for (const r of input.references) {
    const p = proj.toPixel(r);
    parts.push(
      `<circle cx="${fmt(p.x)}" cy="${fmt(p.y)}" r="2.5" fill="${classColour(r.label)}"><title>${escapeXml(`${r.id} (reference, ${r.label})`)}</title></circle>`,
    );
  }
  parts.push('</g><g stroke="#111111" stroke-width="1.2">');
  for (const q of input.queries) {
    const p = proj.toPixel(q);
    parts.push(
      `<circle cx="${fmt(p.x)}" cy="${fmt(p.y)}" r="5" fill="${classColour(q.predicted_label)}"><title>${escapeXml(`${q.id}: ${q.predicted_label}${q.novelty === null ? '' : `, ${q.novelty}`}`)}</title></circle>`,
    );
  }
  parts.push('</g>');
  let y = 28;
  const lx = plotWidth + 12;
  parts.push(`<text x="${lx}" y="${y}" font-weight="600">Reference classes</text>`);
  for (const label of input.labels) {
    y += 20;
    parts.push(
      `<circle cx="${lx + 6}" cy="${y - 4}" r="5" fill="${classColour(label)}" fill-opacity="0.6"/><text x="${lx + 18}" y="${y}">${escapeXml(label)}</text>`,
    );
  }
  y += 28;
  parts.push(
    `<circle cx="${lx + 6}" cy="${y - 4}" r="5" fill="#ffffff" stroke="#111111" stroke-width="1.2"/><text x="${lx + 18}" y="${y}">query (${input.queries.length})</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}

function fmt(v: number): string {
  return v.toFixed(1);
}

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
