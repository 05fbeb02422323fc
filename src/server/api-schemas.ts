// The API's shared OpenAPI components (job, job states, tasks, table formats, evidence words), built from core/domain.ts.
import {
  CARBAPENEMASE_CALLS,
  EVIDENCE_METHODS,
  JOB_STATUSES,
  MULTICLASS_LABELS,
  NOVELTY_CLASSES,
  TABLE_FORMATS,
  TASKS,
} from '../core/domain.ts';
import { ERROR_CODES } from '../core/errors.ts';

/** The part of an OpenAPI 3.0 schema object these components use. */
export interface OpenApiSchema {
  type?: 'string' | 'integer' | 'object';
  enum?: string[];
  format?: string;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  description?: string;
  required?: string[];
  properties?: Record<string, OpenApiSchema | { $ref: string }>;
  additionalProperties?: OpenApiSchema;
  allOf?: { $ref: string }[];
}

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
/** OpenAPI 3.0 ignores siblings of `$ref`, so a nullable reference is an allOf of one. */
const nullableRef = (name: string): OpenApiSchema => ({ allOf: [ref(name)], nullable: true });
const text: OpenApiSchema = { type: 'string' };
const count: OpenApiSchema = { type: 'integer', minimum: 0 };
const counts: OpenApiSchema = { type: 'object', additionalProperties: count };
const time = (nullable: boolean): OpenApiSchema => ({
  type: 'string',
  format: 'date-time',
  nullable,
});

/**
 * `components.schemas` of /openapi.json (OpenAPI 3.0: `nullable`, no type arrays). The UI's guards
 * (web/src/api/guards.ts) accept exactly these enums; web/e2e/api-contract.e2e.test.ts checks that.
 */
export const API_SCHEMAS: Record<string, OpenApiSchema> = {
  JobStatus: {
    type: 'string',
    enum: [...JOB_STATUSES],
    description: 'expired: finished, and the results were deleted after server.retention_hours',
  },
  Task: { type: 'string', enum: [...TASKS] },
  TableFormat: { type: 'string', enum: [...TABLE_FORMATS] },
  Novelty: { type: 'string', enum: [...NOVELTY_CLASSES] },
  EvidenceMethod: {
    type: 'string',
    enum: [...EVIDENCE_METHODS],
    description:
      'How the nearest reference matched (docs/prediction.md): EXACT identical over the full length, CLOSE >= 90% identity and >= 90% reference coverage, PARTIAL >= 90% identity below 90% coverage, DISTANT a significant alignment (e-value <= 1e-3) below that, MODEL a beta-lactamase call without a significant alignment, NONE neither',
  },
  Carbapenemase: {
    type: 'string',
    enum: [...CARBAPENEMASE_CALLS],
    description:
      'For a beta-lactamase call: yes / no when the nearest reference is EXACT or CLOSE and its subclass does / does not name CARBAPENEM, else uncertain; null for other calls',
  },
  MulticlassLabel: { type: 'string', enum: [...MULTICLASS_LABELS] },
  JobError: {
    type: 'object',
    required: ['code', 'reason', 'detail'],
    properties: {
      code: { type: 'string', enum: [...ERROR_CODES] },
      reason: text,
      detail: text,
    },
  },
  Job: {
    type: 'object',
    required: ['id', 'status', 'task', 'progress', 'links'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      status: ref('JobStatus'),
      task: ref('Task'),
      progress: { type: 'integer', minimum: 0, maximum: 100 },
      proteins_done: count,
      proteins_total: { ...count, nullable: true },
      input_name: text,
      model_version: text,
      attempts: count,
      created_at: time(false),
      started_at: time(true),
      finished_at: time(true),
      expires_at: time(true),
      error: nullableRef('JobError'),
      summary: { type: 'object', nullable: true, properties: { counts, novelty: counts } },
      links: {
        type: 'object',
        properties: { self: text, events: text, results: text, map: text },
      },
    },
  },
};
