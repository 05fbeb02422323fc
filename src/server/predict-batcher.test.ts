import { describe, expect, it } from 'vitest';

import { cancelledError } from '../core/errors.ts';
import type { Prediction } from '../core/model/predictor.ts';
import type { ProteinRecord } from '../core/sequence/protein-record.ts';
import type { PredictionModel } from '../pipeline/predict.ts';
import type { BatchPredictor } from './predict-batcher.ts';
import { createPredictBatcher } from './predict-batcher.ts';

/** A fake model: only its version matters to the batcher. */
const model = (version: string): PredictionModel => ({ version }) as unknown as PredictionModel;

const records = (prefix: string, n: number): ProteinRecord[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, description: '', sequence: 'MKT' }));

/** A predictor that labels each protein with its id and records every call; `gate` holds calls. */
function fakePredictor(): {
  predict: BatchPredictor;
  calls: { version: string; task: string; ids: string[] }[];
  release(): void;
} {
  const calls: { version: string; task: string; ids: string[] }[] = [];
  let waiting: (() => void)[] = [];
  return {
    calls,
    predict: async (m, task, rs) => {
      calls.push({ version: m.version, task, ids: rs.map((r) => r.id) });
      await new Promise<void>((r) => waiting.push(r));
      return rs.map((r) => ({ label: `${m.version}/${task}/${r.id}` }) as unknown as Prediction);
    },
    release() {
      const w = waiting;
      waiting = [];
      w.forEach((r) => r());
    },
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('createPredictBatcher', () => {
  it('runs a lone request at once, then batches what arrived meanwhile by model and task', async () => {
    const fake = fakePredictor();
    const batcher = createPredictBatcher({ predict: fake.predict, maxProteins: 5 });
    const first = batcher.predict(model('v1'), 'multiclass', records('a', 1));
    await tick();
    expect(fake.calls).toHaveLength(1);
    // Arrive while the first batch runs.
    const later = [
      batcher.predict(model('v1'), 'multiclass', records('b', 2)),
      batcher.predict(model('v1'), 'binary', records('c', 1)),
      batcher.predict(model('v1'), 'multiclass', records('d', 2)),
      batcher.predict(model('v1'), 'multiclass', records('e', 2)), // over the cap of 5: next batch
      batcher.predict(model('v2'), 'multiclass', records('f', 1)),
    ];
    expect(batcher.waiting).toBe(5);
    for (let i = 0; i < 5; i++) {
      fake.release();
      await tick();
      await tick();
    }
    const labels = (await Promise.all([first, ...later])).map((ps) => ps.map((p) => p.label));
    expect(labels).toEqual([
      ['v1/multiclass/a0'],
      ['v1/multiclass/b0', 'v1/multiclass/b1'],
      ['v1/binary/c0'],
      ['v1/multiclass/d0', 'v1/multiclass/d1'],
      ['v1/multiclass/e0', 'v1/multiclass/e1'],
      ['v2/multiclass/f0'],
    ]);
    expect(fake.calls).toEqual([
      { version: 'v1', task: 'multiclass', ids: ['a0'] },
      { version: 'v1', task: 'multiclass', ids: ['b0', 'b1', 'd0', 'd1'] },
      { version: 'v1', task: 'binary', ids: ['c0'] },
      { version: 'v1', task: 'multiclass', ids: ['e0', 'e1'] },
      { version: 'v2', task: 'multiclass', ids: ['f0'] },
    ]);
  });

  it('with a window, gathers requests that keep arriving into one batch, and runs a lone one soon', async () => {
    const fake = fakePredictor();
    const batcher = createPredictBatcher({
      predict: fake.predict,
      maxProteins: 4,
      windowMs: 400,
      quietMs: 60,
    });
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    const t0 = performance.now();
    const a = batcher.predict(model('v1'), 'multiclass', records('a', 1));
    await sleep(20);
    const b = batcher.predict(model('v1'), 'multiclass', records('b', 1));
    await sleep(20);
    expect(fake.calls).toHaveLength(0); // still arriving: gathered
    const c = batcher.predict(model('v1'), 'multiclass', records('c', 1));
    while (fake.calls.length === 0) {
      await sleep(5);
    }
    // Started once none arrived for the quiet time, long before the window closed.
    expect(performance.now() - t0).toBeLessThan(300);
    expect(fake.calls).toEqual([{ version: 'v1', task: 'multiclass', ids: ['a0', 'b0', 'c0'] }]);
    fake.release();
    await Promise.all([a, b, c]);
    // A full batch does not wait: four proteins at once start at the end of the turn.
    const full = batcher.predict(model('v1'), 'multiclass', records('d', 4));
    await tick();
    await tick();
    expect(fake.calls).toHaveLength(2);
    fake.release();
    await full;
    // Requests that keep arriving (faster than the quiet time) hold a batch back for the window at
    // most.
    const steady = fakePredictor();
    const windowed = createPredictBatcher({ predict: steady.predict, windowMs: 150, quietMs: 60 });
    const stream: Promise<readonly Prediction[]>[] = [];
    const start = performance.now();
    while (steady.calls.length === 0 && performance.now() - start < 2000) {
      stream.push(windowed.predict(model('v1'), 'multiclass', records(`s${stream.length}-`, 1)));
      await sleep(20);
    }
    const waited = performance.now() - start;
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(1000);
    expect(steady.calls[0]?.ids.length).toBeGreaterThanOrEqual(5);
    steady.release();
    for (let i = 0; i < 5; i++) {
      await sleep(1);
      steady.release();
    }
    await Promise.all(stream);
  });

  it('runs a request larger than the cap alone, and fails every request of a failed batch', async () => {
    const batcher = createPredictBatcher({
      predict: (_m, _t, rs) =>
        rs.length > 3
          ? Promise.reject(new Error('boom'))
          : Promise.resolve(rs.map(() => ({ label: 'x' }) as unknown as Prediction)),
      maxProteins: 2,
    });
    await expect(batcher.predict(model('v1'), 'multiclass', records('a', 4))).rejects.toThrow(
      'boom',
    );
    expect(await batcher.predict(model('v1'), 'multiclass', records('b', 3))).toHaveLength(3);
  });

  it('drops a waiting request whose client went away', async () => {
    const fake = fakePredictor();
    const batcher = createPredictBatcher({ predict: fake.predict });
    const first = batcher.predict(model('v1'), 'multiclass', records('a', 1));
    await tick();
    const controller = new AbortController();
    const gone = batcher.predict(model('v1'), 'multiclass', records('b', 1), controller.signal);
    const kept = batcher.predict(model('v1'), 'multiclass', records('c', 1));
    controller.abort();
    await expect(gone).rejects.toEqual(cancelledError('Prediction'));
    fake.release();
    await first;
    await tick();
    await tick();
    fake.release();
    expect((await kept).map((p) => p.label)).toEqual(['v1/multiclass/c0']);
    expect(fake.calls.map((c) => c.ids)).toEqual([['a0'], ['c0']]);
  });
});
