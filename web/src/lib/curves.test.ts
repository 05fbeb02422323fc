import { describe, expect, it } from 'vitest';

import { curveGeometry, curvePanels } from './curves.ts';

const box = { width: 120, height: 70, left: 10, right: 10, top: 10, bottom: 10 };
const pt = (step: number, value: number): { step: number; value: number; timestamp: number } => ({
  step,
  value,
  timestamp: 0,
});

describe('curves', () => {
  it('puts losses and validation scores in separate panels', () => {
    expect(
      curvePanels(['val_f1', 'train_loss', 'seconds', 'val_loss', 'val_accuracy', 'train_f1']),
    ).toEqual([
      { title: 'Loss', keys: ['train_loss', 'val_loss'] },
      { title: 'Validation scores', keys: ['val_accuracy', 'val_f1'] },
    ]);
    expect(curvePanels(['seconds'])).toEqual([]);
  });

  it('scales every line to the shared step and value range of its panel', () => {
    const g = curveGeometry(
      { a: [pt(3, 1), pt(1, 0)], b: [pt(2, 0.5), pt(2.5, Number.NaN)] },
      ['a', 'b'],
      box,
    );
    // Sorted by step: (1, 0) bottom-left, (3, 1) top-right; b's middle point in the centre.
    expect(g.lines.map((l) => l.d)).toEqual(['M10.0,60.0L110.0,10.0', 'M60.0,35.0']);
    expect(g.lines.map((l) => l.points)).toEqual([2, 1]);
    expect(g.lines[0]?.last).toEqual(pt(3, 1));
    expect(g.xTicks.map((t) => t.label)).toEqual(['1', '2', '3']);
    expect(g.yTicks[0]).toEqual({ y: 60, label: '0' });
  });

  it('draws nothing without finite points and a flat line in the middle', () => {
    expect(curveGeometry({}, ['a'], box).lines).toEqual([]);
    expect(curveGeometry({ a: [pt(1, 2)] }, ['a'], box).lines[0]?.d).toBe('M60.0,35.0');
  });
});
