import { describe, expect, it } from 'vitest';

import { JOB_STATUS_TEXT, JOB_STATUSES } from './contract.ts';
import {
  flattenNumbers,
  parseJob,
  parseModels,
  parseProblem,
  parseRunDetail,
  parseRunMetrics,
  ShapeError,
} from './guards.ts';
import type { GateReport } from './types.ts';

describe('parseJob', () => {
  it('reads the job of docs/api.md', () => {
    const job = parseJob({
      id: '8c6f',
      status: 'running',
      task: 'multiclass',
      progress: 42,
      proteins_done: 420,
      proteins_total: 1000,
      input_name: 'isolates.faa',
      model_version: 'v1',
      created_at: '2026-11-26T07:00:00.000Z',
      finished_at: null,
      error: null,
      summary: null,
      links: {
        self: '/v1/jobs/8c6f',
        events: '/v1/jobs/8c6f/events',
        results: '/v1/jobs/8c6f/results',
        map: '/v1/jobs/8c6f/map',
      },
    });
    expect(job).toMatchObject({
      id: '8c6f',
      status: 'running',
      progress: 42,
      proteins_total: 1000,
    });
    expect(job.links.events).toBe('/v1/jobs/8c6f/events');
  });

  it('derives links when absent and reads the failure', () => {
    const job = parseJob({
      id: 'x y',
      status: 'failed',
      error: { code: 'BAD_INPUT', reason: 'fasta.no-header', detail: 'line 1: no header' },
    });
    expect(job.links.results).toBe('/v1/jobs/x%20y/results');
    expect(job.error?.detail).toBe('line 1: no header');
  });

  it('refuses an unknown status', () => {
    expect(() => parseJob({ id: 'a', status: 'exploded' })).toThrow(ShapeError);
  });

  it('reads an expired job (results deleted, the record kept) with its expiry time', () => {
    const job = parseJob({
      id: 'old',
      status: 'expired',
      task: 'binary',
      finished_at: '2026-11-20T07:00:00.000Z',
      expires_at: '2026-11-27T07:00:00.000Z',
    });
    expect(job).toMatchObject({ status: 'expired', task: 'binary' });
    expect(job.expires_at).toBe('2026-11-27T07:00:00.000Z');
    expect(JOB_STATUS_TEXT[job.status]).toMatchObject({ final: true, active: false });
  });

  it('reads every state the contract lists, and only final ones end the event stream', () => {
    for (const status of JOB_STATUSES) {
      expect(parseJob({ id: 'a', status }).status).toBe(status);
    }
    expect(JOB_STATUSES.filter((s) => JOB_STATUS_TEXT[s].final)).toEqual([
      'completed',
      'failed',
      'cancelled',
      'expired',
    ]);
  });

  it('defaults a missing task to multiclass and refuses an unknown one', () => {
    expect(parseJob({ id: 'a', status: 'queued' }).task).toBe('multiclass');
    expect(() => parseJob({ id: 'a', status: 'queued', task: 'ternary' })).toThrow(
      /unknown task "ternary"/,
    );
  });
});

describe('parseProblem', () => {
  it('reads problem+json and falls back for other bodies', () => {
    expect(
      parseProblem(
        { status: 422, title: 'Bad input', detail: 'd', hint: 'h', reason: 'r', code: 'BAD_INPUT' },
        422,
        'x',
      ),
    ).toEqual({
      status: 422,
      title: 'Bad input',
      detail: 'd',
      hint: 'h',
      reason: 'r',
      code: 'BAD_INPUT',
    });
    expect(parseProblem(null, 502, '502 Bad Gateway')).toMatchObject({
      status: 502,
      detail: '502 Bad Gateway',
    });
  });
});

describe('runs', () => {
  it('flattens metrics and reads per-class scores and plots (camelCase run.json tolerated)', () => {
    const run = parseRunDetail({
      id: 'r1',
      status: 'completed',
      startedAt: '2026-11-26T04:50:17.316Z',
      summary: { test_f1: 0.75, model_version: 'v2' },
      metrics: {
        best_epoch: 1,
        test: {
          f1: 0.75,
          macro: { recall: 0.7 },
          perClass: [{ label: 'A', precision: 0.9, recall: 0.95, f1: 0.93, support: 20 }],
        },
      },
      plots: [{ name: 'roc', png: '/v1/runs/r1/plots/roc.png', svg: '/v1/runs/r1/plots/roc.svg' }],
    });
    expect(run.started_at).toBe('2026-11-26T04:50:17.316Z');
    expect(run.model_version).toBe('v2');
    expect(run.metrics).toMatchObject({ best_epoch: 1, 'test.f1': 0.75, 'test.macro.recall': 0.7 });
    expect(run.perClass[0]).toEqual({
      label: 'A',
      precision: 0.9,
      recall: 0.95,
      f1: 0.93,
      support: 20,
    });
    expect(run.plots[0]?.png).toBe('/v1/runs/r1/plots/roc.png');
  });

  it('flattenNumbers skips arrays and non-numbers', () => {
    expect(flattenNumbers({ a: 1, b: 'x', c: [1], d: { e: 2, f: null } })).toEqual({
      a: 1,
      'd.e': 2,
    });
  });
});

describe('parseRunMetrics', () => {
  it('reads the series of GET /v1/runs/{id}/metrics and drops unusable points', () => {
    expect(
      parseRunMetrics({
        run_id: 'r1',
        status: 'running',
        metrics: {
          val_f1: [{ step: 1, value: 0.5, timestamp: 10 }, { step: 2, value: null }, 'x'],
          bad: 'not a list',
        },
      }),
    ).toEqual({
      run_id: 'r1',
      status: 'running',
      metrics: { val_f1: [{ step: 1, value: 0.5, timestamp: 10 }] },
    });
  });

  it('refuses a status the contract does not know', () => {
    expect(() => parseRunMetrics({ run_id: 'r1', status: 'completed', metrics: {} })).toThrow(
      ShapeError,
    );
  });
});

describe('parseModels', () => {
  const gate: GateReport = {
    version: 'v2',
    alias: 'champion:multiclass',
    baseline: 'v1',
    at: '2026-12-01T20:00:00.000Z',
    passed: false,
    forced: true,
    reasons: ["test F1 0.8000 is more than 0.01 below v1's 0.9000"],
    quality: {
      split: 'default-cluster40-split.json',
      proteins: 738,
      metric: 'macro_f1',
      candidate: 0.8,
      baseline: 0.9,
      tolerance: 0.01,
      passed: false,
    },
    latency: {
      proteins: 16,
      runs: 5,
      candidateMs: 30,
      baselineMs: 28,
      maxMs: 2000,
      passed: true,
    },
  };

  it('reads aliases, tags and gate reports, and drops what is not of their shape', () => {
    const [model] = parseModels({
      models: [
        {
          version: 'v2',
          task: 'multiclass',
          aliases: ['latest:multiclass', 'champion:multiclass'],
          created_at: '2026-12-01T19:00:00.000Z',
          run_id: 'r2',
          metrics: { f1: 0.8 },
          tags: { stage: 'prod', bad: 3 },
          gates: [gate, { version: 'v2' }],
        },
      ],
    });
    expect(model?.aliases).toEqual(['latest:multiclass', 'champion:multiclass']);
    expect(model?.tags).toEqual({ stage: 'prod' });
    expect(model?.gates).toEqual([gate]);
  });

  it('reads a server from before the registry actions (no tags, no gates)', () => {
    const [model] = parseModels({ models: [{ version: 'v1', aliases: [] }] });
    expect(model).toMatchObject({ version: 'v1', tags: {}, gates: [] });
  });
});
