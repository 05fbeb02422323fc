// Which reports are alerted on, and the body a template makes (typed values, text, unknown placeholders).
import { describe, expect, it } from 'vitest';

import { createRng } from '../rng.ts';
import {
  alertReasons,
  alertVariables,
  DEFAULT_ALERT_BODY,
  renderAlertBody,
  unknownPlaceholders,
} from './drift-alert.ts';
import type { DriftRunReport } from './drift-contract.ts';
import { computeDriftReport } from './drift-report.ts';

/** A real report of two seeded samples, the current one shifted by `shift`, 10 of 40 novel. */
function report(shift: number): DriftRunReport {
  const rng = createRng(9);
  const dim = 6;
  const rows = (n: number, s: number): Float32Array =>
    Float32Array.from({ length: n * dim }, () => rng() + s);
  const { report: r } = computeDriftReport({
    reference: { embeddings: rows(80, 0), rows: 80, labels: Array(80).fill('A') as string[] },
    current: {
      embeddings: rows(40, shift),
      rows: 40,
      labels: Array(40).fill('A') as string[],
      novelty: [...(Array(30).fill('known') as string[]), ...(Array(10).fill('novel') as string[])],
    },
    dim,
    pcaComponents: 3,
  });
  return {
    ...r,
    model: 'v3',
    reference: { source: "model v3's training proteins", rows: 80 },
    current: { source: 'job 1', rows: 40, seen: 40 },
  };
}

describe('drift alerts', () => {
  const drifted = report(0.6);
  const steady = report(0);

  it('alerts on drift and on a novelty rate at or above the threshold, each when configured', () => {
    expect(drifted.drift).toBe(true);
    expect(steady.drift).toBe(false);
    expect(alertReasons(drifted, { onDrift: true, noveltyRate: undefined })).toEqual(['drift']);
    expect(alertReasons(drifted, { onDrift: false, noveltyRate: undefined })).toEqual([]);
    expect(alertReasons(steady, { onDrift: true, noveltyRate: undefined })).toEqual([]);
    expect(alertReasons(steady, { onDrift: true, noveltyRate: 0.25 })).toEqual(['novelty']);
    expect(alertReasons(steady, { onDrift: true, noveltyRate: 0.26 })).toEqual([]);
    expect(alertReasons(drifted, { onDrift: true, noveltyRate: 0.1 })).toEqual([
      'drift',
      'novelty',
    ]);
  });

  it('renders the template: a whole placeholder keeps its type, placeholders in text become text', () => {
    const rules = { onDrift: true, noveltyRate: 0.2 };
    const vars = alertVariables({
      id: 'r1',
      createdAt: '2026-12-02T00:00:00.000Z',
      trigger: 'schedule',
      report: drifted,
      reasons: alertReasons(drifted, rules),
      rules,
    });
    const body = renderAlertBody(
      {
        text: 'share {{share}} on {{ model }}: {{reasons}}',
        share: '{{share}}',
        drift: '{{drift}}',
        reasons: '{{reasons}}',
        nested: [{ auc: '{{classifier_auc}}' }],
        '{{event}}': 'key',
        fixed: 3,
      },
      vars,
    );
    expect(body).toEqual({
      text: `share ${drifted.share} on v3: drift, novelty`,
      share: drifted.share,
      drift: true,
      reasons: ['drift', 'novelty'],
      nested: [{ auc: drifted.multivariate.classifier.statistic }],
      'drift+novelty': 'key',
      fixed: 3,
    });
    const standard = renderAlertBody(DEFAULT_ALERT_BODY, vars) as Record<string, unknown>;
    expect(standard['text']).toMatch(
      /^ARGinator: drift in \d+ of \d+ features .*novelty rate 25\.0%/,
    );
    expect(standard['report_path']).toBe('/v1/drift/reports/r1');
    expect(standard['novelty_rate']).toBe(0.25);
  });

  it('finds unknown placeholders (refused at start-up), in keys and values', () => {
    expect(unknownPlaceholders(DEFAULT_ALERT_BODY)).toEqual([]);
    expect(unknownPlaceholders({ a: '{{shares}}', '{{nope}}': ['{{model}}'] })).toEqual([
      'nope',
      'shares',
    ]);
  });
});
