import { describe, expect, it } from 'vitest';

import { dataBounds, PointGrid, project } from './map-geometry.ts';

describe('dataBounds', () => {
  it('spans the finite points and widens degenerate spans', () => {
    expect(
      dataBounds([
        { x: 1, y: 2 },
        { x: 3, y: -1 },
        { x: NaN, y: 0 },
      ]),
    ).toEqual({
      minX: 1,
      maxX: 3,
      minY: -1,
      maxY: 2,
    });
    expect(dataBounds([{ x: 5, y: 5 }])).toEqual({ minX: 4, maxX: 6, minY: 4, maxY: 6 });
    expect(dataBounds([])).toEqual({ minX: -1, maxX: 1, minY: -1, maxY: 1 });
  });
});

describe('project', () => {
  const bounds = { minX: 0, maxX: 10, minY: 0, maxY: 10 };
  const view = { width: 120, height: 120, padding: 10 };

  it('fits the data with one scale, y up, and inverts', () => {
    const p = project(bounds, view);
    expect(p.scale).toBe(10);
    expect(p.toPixel({ x: 0, y: 0 })).toEqual({ x: 10, y: 110 });
    expect(p.toPixel({ x: 10, y: 10 })).toEqual({ x: 110, y: 10 });
    expect(p.toData({ x: 60, y: 60 })).toEqual({ x: 5, y: 5 });
  });

  it('keeps the aspect ratio in a wide viewport (centred)', () => {
    const p = project(bounds, { width: 220, height: 120, padding: 10 });
    expect(p.scale).toBe(10);
    expect(p.toPixel({ x: 0, y: 10 })).toEqual({ x: 60, y: 10 });
  });

  it('zooms about the centre and pans in pixels', () => {
    const p = project(bounds, view, 2, { x: 5, y: -5 });
    expect(p.scale).toBe(20);
    expect(p.toPixel({ x: 5, y: 5 })).toEqual({ x: 65, y: 55 });
  });
});

describe('PointGrid', () => {
  it('finds the nearest point within the radius, across cell borders', () => {
    const pts = [
      { x: 0, y: 0 },
      { x: 19, y: 19 },
      { x: 21, y: 21 },
      { x: 100, y: 100 },
    ];
    const grid = new PointGrid(pts, 20);
    expect(grid.nearest({ x: 20.5, y: 20.5 }, 10)).toBe(2);
    expect(grid.nearest({ x: 18, y: 18 }, 10)).toBe(1);
    expect(grid.nearest({ x: 50, y: 50 }, 10)).toBe(-1);
    expect(grid.nearest({ x: 2, y: 1 }, 10)).toBe(0);
  });
});
