// Reads a W&B sweep file (YAML) into a SweepSpec: W&B's keys, defaults and distribution inference, with notes and warnings.
import YAML from 'yaml';
import { z } from 'zod';

import { ArginatorError } from '../../core/errors.ts';
import { DISTRIBUTIONS } from '../../core/sweep/types.ts';
import type {
  Distribution,
  HyperbandSpec,
  ParamSpec,
  ParamValue,
  SweepSpec,
} from '../../core/sweep/types.ts';

export interface ParsedSweep {
  readonly spec: SweepSpec;
  /** Keys read and ignored (program, command, entity, project), said once. */
  readonly notes: readonly string[];
  /** Likely mistakes that W&B would run anyway (log_uniform bounds given as plain values). */
  readonly warnings: readonly string[];
}

/** Keys of W&B's format that only matter to W&B's agent and cloud. */
const IGNORED_KEYS = ['program', 'command', 'entity', 'project'] as const;

const scalar: z.ZodType<ParamValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(scalar)]),
);

const paramSchema = z
  .object({
    distribution: z.enum(DISTRIBUTIONS).optional(),
    value: scalar.optional(),
    values: z.array(scalar).min(1).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    mu: z.number().optional(),
    sigma: z.number().gt(0).optional(),
    q: z.number().gt(0).optional(),
  })
  .strict();

const sweepSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    method: z.enum(['grid', 'random', 'bayes']),
    metric: z
      .object({
        name: z.string().min(1),
        goal: z.enum(['minimize', 'maximize']).default('minimize'),
        target: z.number().optional(),
      })
      .strict()
      .optional(),
    parameters: z.record(z.string(), z.unknown()),
    run_cap: z.int().gte(1).optional(),
    early_terminate: z
      .object({
        type: z.literal('hyperband'),
        min_iter: z.int().gte(1).optional(),
        max_iter: z.int().gte(1).optional(),
        s: z.int().gte(1).optional(),
        eta: z.number().gt(1).default(3),
        strict: z.boolean().default(false),
      })
      .strict()
      .optional(),
    program: z.unknown().optional(),
    command: z.unknown().optional(),
    entity: z.unknown().optional(),
    project: z.unknown().optional(),
  })
  .strict();

function configError(
  reason: string,
  message: string,
  hint: string,
  source: string,
): ArginatorError {
  return new ArginatorError('CONFIG', `sweep.${reason}`, message, hint, { source });
}

/** YAML integers come as bigint (intAsBigInt) so that `min: 1` and `min: 1.0` differ, as in W&B. */
function intsToNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return Number(value);
  }
  if (Array.isArray(value)) {
    return value.map(intsToNumbers);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, intsToNumbers(v)]));
  }
  return value;
}

function isIntLiteral(value: unknown): boolean {
  return typeof value === 'bigint';
}

function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .map(
      (i) => `${[prefix, ...i.path.map(String)].filter((p) => p !== '').join('.')}: ${i.message}`,
    )
    .join('; ');
}

/** W&B's fill_parameter: the distribution from the keys when none is named. */
function inferDistribution(raw: Record<string, unknown>): Distribution | undefined {
  if (raw['values'] !== undefined) {
    return 'categorical';
  }
  if (raw['value'] !== undefined) {
    return 'constant';
  }
  if (raw['min'] !== undefined && raw['max'] !== undefined) {
    return isIntLiteral(raw['min']) && isIntLiteral(raw['max']) ? 'int_uniform' : 'uniform';
  }
  return undefined;
}

function toParam(
  name: string,
  raw: Record<string, unknown>,
  source: string,
  warnings: string[],
): ParamSpec {
  const parsed = paramSchema.safeParse(intsToNumbers(raw));
  if (!parsed.success) {
    throw configError(
      'bad-parameter',
      `parameter '${name}': ${describeIssues(parsed.error, '')}`,
      'give value, values, or min/max (with an optional distribution: uniform, int_uniform, log_uniform_values, q_uniform, normal, ...) as in W&B',
      source,
    );
  }
  const p = parsed.data;
  const distribution = p.distribution ?? inferDistribution(raw);
  const bad = (what: string): never => {
    throw configError(
      'bad-parameter',
      `parameter '${name}' (${distribution ?? 'no distribution'}): ${what}`,
      "see docs/sweeps.md for each distribution's keys",
      source,
    );
  };
  const bounds = (): { min: number; max: number } => {
    if (p.min === undefined || p.max === undefined) {
      return bad('needs min and max');
    }
    if (!(p.min < p.max)) {
      return bad(`min (${p.min}) must be below max (${p.max})`);
    }
    return { min: p.min, max: p.max };
  };
  switch (distribution) {
    case undefined:
      return bad('give value, values, or min and max');
    case 'constant':
      return p.value === undefined ? bad('needs value') : { name, distribution, value: p.value };
    case 'categorical':
      return p.values === undefined
        ? bad('needs values')
        : { name, distribution, values: p.values };
    case 'int_uniform': {
      const b = bounds();
      if (!Number.isInteger(b.min) || !Number.isInteger(b.max)) {
        bad('min and max must be integers');
      }
      return { name, distribution, ...b };
    }
    case 'uniform':
    case 'inv_log_uniform':
      return { name, distribution, ...bounds() };
    case 'log_uniform':
    case 'q_log_uniform': {
      const b = bounds();
      // W&B reads these bounds as exponents: min 1e-5, max 1e-2 samples e^[1e-5, 1e-2] = [1.00001, 1.01005].
      if (b.min > 0 && b.max <= 1) {
        warnings.push(
          `parameter '${name}': ${distribution} bounds are natural-log exponents in W&B, so min ${b.min}, max ${b.max} samples values in [${Math.exp(b.min).toPrecision(6)}, ${Math.exp(b.max).toPrecision(6)}]; for values in [${b.min}, ${b.max}] use distribution: ${distribution}_values (or min: ${Math.log(b.min).toFixed(4)}, max: ${Math.log(b.max).toFixed(4)}). Running it as written, as W&B would.`,
        );
      }
      return distribution === 'log_uniform'
        ? { name, distribution, ...b }
        : { name, distribution, ...b, q: p.q ?? 1 };
    }
    case 'log_uniform_values':
    case 'inv_log_uniform_values':
    case 'q_log_uniform_values': {
      const b = bounds();
      if (b.min <= 0) {
        bad('min must be > 0 (the values are sampled on a log scale)');
      }
      return distribution === 'q_log_uniform_values'
        ? { name, distribution, ...b, q: p.q ?? 1 }
        : { name, distribution, ...b };
    }
    case 'q_uniform':
      return { name, distribution, ...bounds(), q: p.q ?? 1 };
    case 'normal':
    case 'log_normal':
      return { name, distribution, mu: p.mu ?? 0, sigma: p.sigma ?? 1 };
    case 'q_normal':
    case 'q_log_normal':
      return { name, distribution, mu: p.mu ?? 0, sigma: p.sigma ?? 1, q: p.q ?? 1 };
  }
}

/** Nested `parameters:` blocks (W&B's nested params) become dotted names, i.e. config paths. */
function flattenParameters(
  raw: Record<string, unknown>,
  prefix: string,
  source: string,
  warnings: string[],
  out: ParamSpec[],
): void {
  for (const [key, value] of Object.entries(raw)) {
    const name = `${prefix}${key}`;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw configError(
        'bad-parameter',
        `parameter '${name}' must be a mapping (value/values/min/max/distribution)`,
        `write e.g. ${name}: {values: [1, 2]}`,
        source,
      );
    }
    const obj = value as Record<string, unknown>;
    if ('parameters' in obj && Object.keys(obj).length === 1) {
      flattenParameters(
        obj['parameters'] as Record<string, unknown>,
        `${name}.`,
        source,
        warnings,
        out,
      );
    } else {
      out.push(toParam(name, obj, source, warnings));
    }
  }
}

/** Parses the text of a W&B sweep file; `source` names it in errors. */
export function parseSweepYaml(text: string, source: string): ParsedSweep {
  let raw: unknown;
  try {
    raw = YAML.parse(text, { intAsBigInt: true });
  } catch (e) {
    throw configError(
      'bad-yaml',
      `cannot read the sweep file as YAML: ${(e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''}`,
      'fix the YAML syntax',
      source,
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw configError(
      'bad-yaml',
      'the sweep file is not a mapping',
      'start from docs/sweeps.md',
      source,
    );
  }
  const rawObj = raw as Record<string, unknown>;
  const top = sweepSchema.safeParse(intsToNumbers(raw));
  if (!top.success) {
    throw configError(
      'bad-spec',
      describeIssues(top.error, ''),
      'a W&B sweep has method, metric {name, goal}, parameters, and optionally run_cap and early_terminate',
      source,
    );
  }
  const s = top.data;
  const notes: string[] = [];
  const ignored = IGNORED_KEYS.filter((k) => rawObj[k] !== undefined);
  if (ignored.length > 0) {
    notes.push(
      `ignored ${ignored.join(', ')}: W&B-agent settings; each trial runs 'arginator train' with the parameters as config overrides`,
    );
  }
  const warnings: string[] = [];
  const params: ParamSpec[] = [];
  const rawParams = rawObj['parameters'] as Record<string, unknown>;
  flattenParameters(rawParams, '', source, warnings, params);
  if (params.length === 0) {
    throw configError('no-parameters', 'parameters is empty', 'add at least one parameter', source);
  }
  params.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (s.method === 'bayes' && s.metric === undefined) {
    throw configError(
      'bayes-needs-metric',
      'method: bayes needs a metric',
      'add metric: {name: val_loss, goal: minimize}',
      source,
    );
  }
  if (s.method === 'bayes' && params.every((p) => p.distribution === 'constant')) {
    throw configError(
      'bayes-nothing-to-search',
      'method: bayes needs at least one parameter that is not constant',
      'give a parameter values or min/max',
      source,
    );
  }
  let earlyTerminate: HyperbandSpec | undefined;
  if (s.early_terminate !== undefined) {
    const e = s.early_terminate;
    if (s.metric === undefined) {
      throw configError(
        'hyperband-needs-metric',
        'early_terminate needs a metric',
        'add metric: {name: val_loss, goal: minimize}',
        source,
      );
    }
    if ((e.min_iter === undefined) === (e.max_iter === undefined)) {
      throw configError(
        'hyperband-bands',
        'early_terminate (hyperband) needs exactly one of min_iter and max_iter',
        'give min_iter (and eta), or max_iter with s',
        source,
      );
    }
    if (e.max_iter !== undefined && e.s === undefined) {
      throw configError(
        'hyperband-bands',
        'early_terminate with max_iter needs s (the number of brackets)',
        'add s: 2 (or use min_iter)',
        source,
      );
    }
    earlyTerminate = {
      type: 'hyperband',
      minIter: e.min_iter,
      maxIter: e.max_iter,
      s: e.s,
      eta: e.eta,
      strict: e.strict,
    };
  }
  return {
    spec: {
      name: s.name,
      description: s.description,
      method: s.method,
      metric: s.metric,
      parameters: params,
      runCap: s.run_cap,
      earlyTerminate,
    },
    notes,
    warnings,
  };
}
