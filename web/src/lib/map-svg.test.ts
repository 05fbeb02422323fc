import { describe, expect, it } from 'vitest';

import { escapeXml, mapSvg } from './map-svg.ts';

describe('mapSvg', () => {
  it('draws references, outlined queries with titles and a legend, escaping ids', () => {
    const svg = mapSvg({
      title: 'job <1>',
      labels: ['A', 'NBL'],
      references: [
        { id: 'R1', label: 'A', x: 0, y: 0 },
        { id: 'R2', label: 'NBL', x: 1, y: 1 },
      ],
      queries: [{ id: 'q&1', predicted_label: 'A', novelty: 'known', x: 0.5, y: 0.5 }],
      width: 600,
      height: 400,
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>job &#60;1&#62;</title>');
    expect(svg.match(/<circle /g)?.length).toBe(2 + 1 + 2 + 1);
    expect(svg).toContain('q&#38;1: A, known');
    expect(svg).toContain('query (1)');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });

  it('escapes the five XML specials', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).not.toMatch(/[<>"'&](?!#)/);
  });
});
