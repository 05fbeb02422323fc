// When a drift report is alerted on, and the alert's JSON body from a template with {{placeholders}}.
import type { DriftRunReport, DriftTrigger } from './drift-contract.ts';

export interface AlertRules {
  /** Alert when the report finds dataset drift. */
  readonly onDrift: boolean;
  /** Alert when the share of novel proteins is at or above this; undefined: never. */
  readonly noveltyRate: number | undefined;
}

export type AlertReason = 'drift' | 'novelty';

/** Why `report` is alerted on (empty: it is not). */
export function alertReasons(report: DriftRunReport, rules: AlertRules): AlertReason[] {
  const reasons: AlertReason[] = [];
  if (rules.onDrift && report.drift) {
    reasons.push('drift');
  }
  const rate = report.novelty?.rate;
  if (rules.noveltyRate !== undefined && rate !== undefined && rate >= rules.noveltyRate) {
    reasons.push('novelty');
  }
  return reasons;
}

type Value = string | number | boolean | null | readonly string[];

/** The placeholders a body template may use (docs/monitoring.md lists them). */
export const ALERT_VARIABLES = [
  'event',
  'reasons',
  'summary',
  'report_id',
  'report_path',
  'created_at',
  'trigger',
  'model',
  'drift',
  'share',
  'share_threshold',
  'drifted_features',
  'feature_count',
  'drifted',
  'novelty_rate',
  'novelty_threshold',
  'classifier_auc',
  'source',
  'proteins',
] as const;
export type AlertVariable = (typeof ALERT_VARIABLES)[number];

/** The default body: Slack's and Mattermost's `text`, plus the numbers for other receivers. */
export const DEFAULT_ALERT_BODY: unknown = {
  text: 'ARGinator: {{summary}}',
  event: '{{event}}',
  reasons: '{{reasons}}',
  report_id: '{{report_id}}',
  report_path: '{{report_path}}',
  created_at: '{{created_at}}',
  model: '{{model}}',
  drift: '{{drift}}',
  share: '{{share}}',
  drifted: '{{drifted}}',
  novelty_rate: '{{novelty_rate}}',
  classifier_auc: '{{classifier_auc}}',
  source: '{{source}}',
  proteins: '{{proteins}}',
};

export interface AlertContext {
  readonly id: string;
  readonly createdAt: string;
  readonly trigger: DriftTrigger | undefined;
  readonly report: DriftRunReport;
  readonly reasons: readonly AlertReason[];
  readonly rules: AlertRules;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

export function alertVariables(c: AlertContext): Record<AlertVariable, Value> {
  const r = c.report;
  const drifted = r.features.filter((f) => f.drift).map((f) => f.name);
  const parts = [
    ...(c.reasons.includes('drift')
      ? [`drift in ${r.driftedFeatures} of ${r.features.length} features (${pct(r.share)})`]
      : []),
    ...(c.reasons.includes('novelty') && r.novelty !== undefined
      ? [`novelty rate ${pct(r.novelty.rate)} (alert at ${pct(c.rules.noveltyRate ?? 0)})`]
      : []),
  ];
  return {
    event: c.reasons.join('+'),
    reasons: c.reasons,
    summary: `${parts.join('; ')} for model ${r.model} on ${r.current.source} (report ${c.id})`,
    report_id: c.id,
    report_path: `/v1/drift/reports/${c.id}`,
    created_at: c.createdAt,
    trigger: c.trigger ?? null,
    model: r.model,
    drift: r.drift,
    share: r.share,
    share_threshold: r.shareThreshold,
    drifted_features: r.driftedFeatures,
    feature_count: r.features.length,
    drifted,
    novelty_rate: r.novelty?.rate ?? null,
    novelty_threshold: c.rules.noveltyRate ?? null,
    classifier_auc: r.multivariate.classifier.statistic,
    source: r.current.source,
    proteins: r.current.seen,
  };
}

const WHOLE = /^\{\{\s*([a-z_]+)\s*\}\}$/;
const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

function isVariable(name: string): name is AlertVariable {
  return (ALERT_VARIABLES as readonly string[]).includes(name);
}

/** Placeholders of a template that are not variables (a config mistake, refused at start-up). */
export function unknownPlaceholders(template: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(PLACEHOLDER)) {
        if (!isVariable(m[1] as string)) {
          out.add(m[1] as string);
        }
      }
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v !== null && typeof v === 'object') {
      Object.entries(v).forEach(([k, x]) => {
        walk(k);
        walk(x);
      });
    }
  };
  walk(template);
  return [...out].sort();
}

/**
 * The body: a string that is one placeholder becomes the value itself (a number stays a number, a
 * list a list); placeholders inside longer strings become text (lists joined by ', ').
 */
export function renderAlertBody(
  template: unknown,
  vars: Readonly<Record<AlertVariable, Value>>,
): unknown {
  const text = (name: string): string => {
    const v = isVariable(name) ? vars[name] : '';
    return Array.isArray(v) ? v.join(', ') : String(v);
  };
  const render = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      if (whole !== null && isVariable(whole[1] as string)) {
        return vars[whole[1] as AlertVariable];
      }
      return v.replace(PLACEHOLDER, (_m, name: string) => text(name));
    }
    if (Array.isArray(v)) {
      return v.map(render);
    }
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          k.replace(PLACEHOLDER, (_m, name: string) => text(name)),
          render(x),
        ]),
      );
    }
    return v;
  };
  return render(template);
}
