// OpenAPI components of /v1/drift, built from the word lists of src/core/drift (the types are in drift-contract.ts).
import { COLUMN_TESTS } from '../core/drift/column-drift.ts';
import { DRIFT_CHECK_STATUSES, DRIFT_TRIGGERS } from '../core/drift/drift-contract.ts';

type Schema = Readonly<Record<string, unknown>>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const text: Schema = { type: 'string' };
const num: Schema = { type: 'number' };
const count: Schema = { type: 'integer', minimum: 0 };
const bool: Schema = { type: 'boolean' };
const time: Schema = { type: 'string', format: 'date-time' };
const shares: Schema = { type: 'object', additionalProperties: num };
const nullableTrigger: Schema = { allOf: [ref('DriftTrigger')], nullable: true };
const obj = (properties: Record<string, Schema>, description?: string): Schema => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
  ...(description === undefined ? {} : { description }),
});

const CURRENT = obj(
  { source: text, rows: count, seen: count },
  'the current set: rows compared (a seeded sample of seen beyond 20,000)',
);

const MULTIVARIATE_TEST = {
  type: 'object',
  properties: { test: text, statistic: num, threshold: num, drift: bool },
  additionalProperties: true,
};

export const DRIFT_SCHEMAS: Record<string, Schema> = {
  DriftTrigger: {
    type: 'string',
    enum: [...DRIFT_TRIGGERS],
    description: 'what made the report: arginator drift, POST /v1/drift or the scheduled check',
  },
  DriftCheckStatus: { type: 'string', enum: [...DRIFT_CHECK_STATUSES] },
  DriftFeature: obj({
    name: text,
    kind: { type: 'string', enum: ['numeric', 'categorical'] },
    description: text,
    test: { type: 'string', enum: [...COLUMN_TESTS] },
    statistic: {
      ...num,
      description:
        'KS and chi-square: the p-value; Wasserstein: distance / reference std; Jensen–Shannon: the distance',
    },
    raw: num,
    threshold: num,
    rule: text,
    drift: bool,
  }),
  DriftHistogram: {
    type: 'object',
    required: ['name', 'kind', 'reference', 'current'],
    properties: {
      name: text,
      kind: { type: 'string', enum: ['numeric', 'categorical'] },
      edges: {
        type: 'array',
        items: num,
        description: 'numeric: bin edges (one more than the counts)',
      },
      categories: { type: 'array', items: text, description: 'categorical: the categories' },
      reference: { type: 'array', items: count },
      current: { type: 'array', items: count },
    },
  },
  DriftReport: {
    type: 'object',
    required: ['id', 'createdAt', 'drift', 'share', 'features', 'multivariate', 'model'],
    properties: {
      id: text,
      createdAt: time,
      trigger: nullableTrigger,
      model: text,
      drift: {
        ...bool,
        description: 'dataset drift: at least shareThreshold of the features drift',
      },
      share: num,
      shareThreshold: num,
      driftedFeatures: count,
      features: { type: 'array', items: ref('DriftFeature') },
      multivariate: {
        type: 'object',
        properties: { classifier: MULTIVARIATE_TEST, mmd: MULTIVARIATE_TEST },
      },
      rows: obj({ reference: count, current: count }),
      pcaExplainedVariance: num,
      labels: obj({ reference: shares, current: shares }),
      novelty: {
        type: 'object',
        properties: { counts: { type: 'object', additionalProperties: count }, rate: num },
      },
      seed: count,
      reference: obj({ source: text, rows: count }),
      current: CURRENT,
      histograms: { type: 'array', items: ref('DriftHistogram') },
    },
  },
  DriftHistoryItem: obj({
    id: text,
    createdAt: time,
    trigger: nullableTrigger,
    model: text,
    drift: bool,
    share: num,
    driftedFeatures: count,
    featureCount: count,
    noveltyRate: { ...num, nullable: true },
    classifierAuc: num,
    current: CURRENT,
  }),
  DriftHistory: obj({ reports: { type: 'array', items: ref('DriftHistoryItem') } }),
  DriftCheck: obj({
    id: text,
    status: ref('DriftCheckStatus'),
    trigger: ref('DriftTrigger'),
    source: text,
    model: text,
    proteinsDone: count,
    proteinsTotal: count,
    createdAt: time,
    finishedAt: { ...time, nullable: true },
    reportId: { ...text, nullable: true },
    error: {
      type: 'object',
      nullable: true,
      properties: { code: text, reason: text, detail: text },
    },
    links: obj({ self: text, report: { ...text, nullable: true } }),
  }),
};
