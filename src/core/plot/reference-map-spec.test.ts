// The reference map spec compiles cleanly, lists every class, caps drawn queries and says so.
import { compile, type TopLevelSpec } from 'vega-lite';
import type { LoggerInterface } from 'vega';
import { describe, expect, it } from 'vitest';

import type { JsonObject, VegaLiteSpec } from './chart-style.ts';
import { evenSample, referenceMapSpec } from './reference-map-spec.ts';

function compileMessages(spec: VegaLiteSpec): string[] {
  const messages: string[] = [];
  const logger: LoggerInterface = {
    level() {
      return logger;
    },
    error(...args: unknown[]) {
      messages.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args: unknown[]) {
      messages.push(`warn: ${args.map(String).join(' ')}`);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  compile(spec as unknown as TopLevelSpec, { logger });
  return messages;
}

const LABELS = ['A', 'B', 'C', 'D', 'NBL'];
const references = Array.from({ length: 50 }, (_, i) => ({
  id: `r${i}`,
  label: LABELS[i % 4] ?? 'A',
  x: i % 7,
  y: i % 5,
}));

describe('referenceMapSpec', () => {
  it('compiles without warnings, with and without queries', () => {
    expect(
      compileMessages(referenceMapSpec({ modelVersion: 'v1', labels: LABELS, references })),
    ).toEqual([]);
    const queries = [{ id: 'q1', label: 'NBL', novelty: 'novel', x: 1, y: 2 }];
    expect(
      compileMessages(
        referenceMapSpec({ modelVersion: 'v1', labels: LABELS, references, queries }),
      ),
    ).toEqual([]);
  });

  it('keeps every class in the legend domain, even one without references', () => {
    const spec = referenceMapSpec({ modelVersion: 'v1', labels: LABELS, references });
    const layer = (spec['layer'] as JsonObject[])[0] as JsonObject;
    const colour = (layer['encoding'] as JsonObject)['color'] as JsonObject;
    expect((colour['scale'] as JsonObject)['domain']).toEqual(LABELS);
    const encoding = layer['encoding'] as JsonObject;
    expect((encoding['x'] as JsonObject)['field']).toBe('x');
    expect((encoding['y'] as JsonObject)['field']).toBe('y');
    expect(JSON.stringify(spec['title'])).toContain('model v1');
  });

  it('draws at most maxQueries queries, evenly sampled, and says how many', () => {
    const queries = Array.from({ length: 10_000 }, (_, i) => ({
      id: `q${i}`,
      label: 'A',
      x: i,
      y: 0,
    }));
    const spec = referenceMapSpec({
      modelVersion: 'v2',
      labels: LABELS,
      references,
      queries,
      maxQueries: 1000,
    });
    const layers = spec['layer'] as JsonObject[];
    expect(layers).toHaveLength(2);
    expect(((layers[1]?.['data'] as JsonObject)['values'] as JsonObject[]).length).toBe(1000);
    const title = JSON.stringify(spec['title']);
    expect(title).toContain('10,000 queries');
    expect(title).toContain('1,000 drawn');
    expect(evenSample([1, 2, 3, 4], 2)).toEqual([1, 3]);
  });
});
