// OpenAPI components of /v1/sweeps, built from the word lists of src/core/sweep/sweep-contract.ts (the types are there).
import { SWEEP_METHODS, SWEEP_STATUSES, TRIAL_STATES } from '../core/sweep/sweep-contract.ts';
import { RUN_STATUSES } from '../core/tracking/run-contract.ts';

/** The part of OpenAPI 3.0's schema object used here: arrays apart, as openapi-types has them. */
type Ref = { readonly $ref: string };
type OpenApiSchema =
  | {
      type?: 'string' | 'integer' | 'number' | 'boolean' | 'object';
      enum?: string[];
      format?: string;
      minimum?: number;
      nullable?: boolean;
      description?: string;
      required?: string[];
      properties?: Record<string, OpenApiSchema | Ref>;
      additionalProperties?: OpenApiSchema | Ref;
      allOf?: Ref[];
    }
  | { type: 'array'; items: OpenApiSchema | Ref; nullable?: boolean; description?: string };

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
const nullableRef = (name: string): OpenApiSchema => ({ allOf: [ref(name)], nullable: true });
const text: OpenApiSchema = { type: 'string' };
const nullableText: OpenApiSchema = { type: 'string', nullable: true };
const count: OpenApiSchema = { type: 'integer', minimum: 0 };
const num: OpenApiSchema = { type: 'number' };
const nullableNum: OpenApiSchema = { type: 'number', nullable: true };
const time = (nullable: boolean): OpenApiSchema => ({
  type: 'string',
  format: 'date-time',
  nullable,
});
const texts: OpenApiSchema = { type: 'array', items: text };
const params: OpenApiSchema = {
  type: 'object',
  description: 'parameter name (a config key) → value',
  additionalProperties: {},
};

const SUMMARY_PROPERTIES: Record<string, OpenApiSchema | { $ref: string }> = {
  id: text,
  name: nullableText,
  method: ref('SweepMethod'),
  metric: nullableRef('SweepMetric'),
  status: ref('SweepStatus'),
  error: { ...nullableText, description: 'why it is interrupted, when its process died' },
  created_at: time(false),
  updated_at: time(false),
  run_cap: count,
  parallel: count,
  seed: count,
  source: text,
  trials_total: count,
  trial_states: {
    type: 'object',
    description: 'trials by state (every state, 0 when none)',
    additionalProperties: count,
  },
  best: nullableRef('SweepBest'),
  end_reason: nullableText,
  run: {
    type: 'object',
    nullable: true,
    description: 'the sweep’s tracked run (kind sweep, the sweep’s id)',
    properties: { id: text, status: { type: 'string', enum: [...RUN_STATUSES] } },
  },
};

/** Merged into components.schemas by create-app.ts. */
export const SWEEP_SCHEMAS: Record<string, OpenApiSchema> = {
  SweepStatus: {
    type: 'string',
    enum: [...SWEEP_STATUSES],
    description:
      'interrupted: stopped before run_cap (Ctrl-C, a kill, a crash); arginator sweep --resume ID continues it',
  },
  TrialState: {
    type: 'string',
    enum: [...TRIAL_STATES],
    description: 'stopped: ended early by hyperband; killed: interrupted with its sweep',
  },
  SweepMethod: { type: 'string', enum: [...SWEEP_METHODS] },
  SweepMetric: {
    type: 'object',
    required: ['name', 'goal', 'target'],
    properties: {
      name: text,
      goal: { type: 'string', enum: ['minimize', 'maximize'] },
      target: nullableNum,
    },
  },
  SweepBest: {
    type: 'object',
    required: ['trial', 'value', 'run_id', 'params', 'overrides'],
    properties: { trial: count, value: num, run_id: nullableText, params, overrides: texts },
  },
  SweepSummary: {
    type: 'object',
    required: Object.keys(SUMMARY_PROPERTIES),
    properties: SUMMARY_PROPERTIES,
  },
  SweepTrial: {
    type: 'object',
    required: ['index', 'state', 'params', 'value', 'history', 'run_id', 'attempts'],
    properties: {
      index: count,
      state: ref('TrialState'),
      params,
      value: { ...nullableNum, description: 'the best value of the metric over its epochs' },
      history: { type: 'array', items: nullableNum, description: 'the metric after each epoch' },
      run_id: nullableText,
      attempts: count,
      started_at: time(true),
      finished_at: time(true),
      error: nullableText,
      stop_reason: nullableText,
      overrides: texts,
      suggestion: { type: 'object', nullable: true, additionalProperties: {} },
    },
  },
  Sweep: {
    type: 'object',
    description:
      'SweepSummary plus the configuration, the trials, parameter importance and the parallel-coordinates data',
    properties: {
      ...SUMMARY_PROPERTIES,
      description: nullableText,
      spec_text: text,
      parameters: { type: 'array', items: { type: 'object', additionalProperties: {} } },
      early_terminate: { type: 'object', nullable: true, additionalProperties: {} },
      base_overrides: texts,
      notes: texts,
      warnings: texts,
      trials: { type: 'array', items: ref('SweepTrial') },
      importance: {
        type: 'array',
        items: {
          type: 'object',
          properties: { name: text, importance: num, correlation: nullableNum },
        },
      },
      parallel_coordinates: {
        type: 'object',
        properties: {
          axes: {
            type: 'array',
            items: { type: 'object', properties: { name: text, low: text, high: text } },
          },
          trials: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                trial: count,
                positions: { type: 'array', items: num },
                labels: texts,
                value: num,
              },
            },
          },
        },
      },
      links: {
        type: 'object',
        properties: { self: text, report_md: text, report_html: text, run: nullableText },
      },
    },
  },
};
