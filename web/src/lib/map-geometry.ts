// Pure geometry of the UMAP view: data bounds, data → pixel projection, nearest-point lookup.

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Bounds {
  readonly minX: number;
  readonly maxX: number;
  readonly minY: number;
  readonly maxY: number;
}

export interface Viewport {
  readonly width: number;
  readonly height: number;
  readonly padding: number;
}

/** The bounding box of all points, widened a little so a single point or a line is not degenerate. */
export function dataBounds(points: Iterable<Point>): Bounds {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      continue;
    }
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  if (minX > maxX) {
    return { minX: -1, maxX: 1, minY: -1, maxY: 1 };
  }
  const padX = maxX - minX === 0 ? 1 : 0;
  const padY = maxY - minY === 0 ? 1 : 0;
  return { minX: minX - padX, maxX: maxX + padX, minY: minY - padY, maxY: maxY + padY };
}

export interface Projection {
  /** Data → pixel (y grows downwards on screen, upwards in data). */
  readonly toPixel: (p: Point) => Point;
  /** Pixel → data. */
  readonly toData: (p: Point) => Point;
  /** Pixels per data unit (the same on both axes, so distances are not distorted). */
  readonly scale: number;
}

/**
 * A uniform-scale projection that fits `bounds` into the viewport minus padding, centred.
 * @example project({minX:0,maxX:10,minY:0,maxY:10},{width:120,height:120,padding:10}).toPixel({x:0,y:0}) // {x:10,y:110}
 */
export function project(
  bounds: Bounds,
  view: Viewport,
  zoom = 1,
  pan: Point = { x: 0, y: 0 },
): Projection {
  const w = Math.max(1, view.width - 2 * view.padding);
  const h = Math.max(1, view.height - 2 * view.padding);
  const spanX = bounds.maxX - bounds.minX;
  const spanY = bounds.maxY - bounds.minY;
  const scale = Math.min(w / spanX, h / spanY) * zoom;
  const cx = (bounds.minX + bounds.maxX) / 2;
  const cy = (bounds.minY + bounds.maxY) / 2;
  const ox = view.width / 2 + pan.x;
  const oy = view.height / 2 + pan.y;
  return {
    scale,
    toPixel: (p) => ({ x: ox + (p.x - cx) * scale, y: oy - (p.y - cy) * scale }),
    toData: (p) => ({ x: cx + (p.x - ox) / scale, y: cy - (p.y - oy) / scale }),
  };
}

/** A uniform grid over pixel positions for nearest-point lookups in constant time per query. */
export class PointGrid {
  private readonly cells = new Map<string, number[]>();
  private readonly points: readonly Point[];
  private readonly cellSize: number;

  constructor(points: readonly Point[], cellSize: number) {
    this.points = points;
    this.cellSize = cellSize;
    points.forEach((p, i) => {
      const key = this.key(Math.floor(p.x / cellSize), Math.floor(p.y / cellSize));
      const cell = this.cells.get(key);
      if (cell === undefined) {
        this.cells.set(key, [i]);
      } else {
        cell.push(i);
      }
    });
  }

  /**
   * Index of the nearest point within `radius` pixels of `at` (radius ≤ cellSize), or -1.
   * Ties go to the later point, which is drawn on top.
   */
  nearest(at: Point, radius: number): number {
    const cx = Math.floor(at.x / this.cellSize);
    const cy = Math.floor(at.y / this.cellSize);
    let best = -1;
    let bestD = radius * radius;
    for (let dx = -1; dx <= 1; dx += 1) {
      for (let dy = -1; dy <= 1; dy += 1) {
        for (const i of this.cells.get(this.key(cx + dx, cy + dy)) ?? []) {
          const p = this.points[i];
          if (p === undefined) {
            continue;
          }
          const d = (p.x - at.x) ** 2 + (p.y - at.y) ** 2;
          if (d < bestD || (d === bestD && i > best)) {
            best = i;
            bestD = d;
          }
        }
      }
    }
    return best;
  }

  private key(x: number, y: number): string {
    return `${x},${y}`;
  }
}
