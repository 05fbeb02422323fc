// Describes every key of the config schema (type, constraints, default, description) for generated docs.
import { z } from 'zod';

import { configSchema } from './schema.ts';

export interface KeyDoc {
  /** The key inside its group, e.g. `lr`. */
  readonly key: string;
  /** Human-readable type and constraints, e.g. `number > 0`. */
  readonly type: string;
  readonly description: string;
  /** The schema default, if the key may be left out. */
  readonly schemaDefault?: unknown;
  /** For groups whose options differ in keys (optimizer, split): the options that have it. */
  readonly options?: readonly string[];
}

export interface GroupDoc {
  readonly group: string;
  readonly description: string;
  readonly keys: readonly KeyDoc[];
}

type JsonSchema = Readonly<Record<string, unknown>>;

/** One entry per top-level group, in schema order. */
export function describeConfigSchema(): GroupDoc[] {
  return Object.entries(configSchema.shape).map(([group, schema]) => {
    const description = schema.description ?? '';
    if (schema instanceof z.ZodDiscriminatedUnion) {
      const keys = new Map<string, KeyDoc>();
      for (const option of schema.options) {
        if (!(option instanceof z.ZodObject)) {
          continue;
        }
        const name = optionName(option);
        for (const doc of describeObject(option)) {
          const seen = keys.get(doc.key);
          keys.set(doc.key, { ...(seen ?? doc), options: [...(seen?.options ?? []), name] });
        }
      }
      const names = [...(keys.get('name')?.options ?? [])];
      const docs = [...keys.values()].map((k) =>
        k.key === 'name' ? { ...k, type: `one of ${names.join(', ')}` } : k,
      );
      return { group, description, keys: docs };
    }
    // A group every key of which has a default may be left out of a config tree (.prefault({})).
    const object = schema instanceof z.ZodPrefault ? schema.unwrap() : schema;
    return {
      group,
      description,
      keys: object instanceof z.ZodObject ? describeObject(object) : [],
    };
  });
}

function optionName(option: z.ZodObject): string {
  const name = (option.shape as Record<string, z.ZodType | undefined>)['name'];
  return name instanceof z.ZodLiteral ? String(name.value) : '?';
}

function describeObject(schema: z.ZodObject): KeyDoc[] {
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => {
    const json = z.toJSONSchema(field, { unrepresentable: 'any' }) as JsonSchema;
    const doc: KeyDoc = { key, type: typeOf(json), description: field.description ?? '' };
    return 'default' in json ? { ...doc, schemaDefault: json['default'] } : doc;
  });
}

function typeOf(s: JsonSchema): string {
  const anyOf = s['anyOf'];
  if (Array.isArray(anyOf)) {
    return (anyOf as JsonSchema[]).map(typeOf).join(' or ');
  }
  if ('const' in s) {
    return JSON.stringify(s['const']);
  }
  const enumValues = s['enum'];
  if (Array.isArray(enumValues)) {
    return `one of ${enumValues.map((v) => String(v)).join(', ')}`;
  }
  switch (s['type']) {
    case 'null':
      return 'null';
    case 'boolean':
      return 'boolean';
    case 'string':
      return s['minLength'] === 1 ? 'non-empty string' : 'string';
    case 'number':
    case 'integer':
      return [s['type'] === 'integer' ? 'integer' : 'number', ...bounds(s)].join(' ');
    case 'array': {
      const prefix = s['prefixItems'];
      if (Array.isArray(prefix)) {
        return `list of ${prefix.length} (${typeOf((prefix as JsonSchema[])[0] ?? {})})`;
      }
      const items = s['items'];
      return `list of ${typeOf(typeof items === 'object' && items !== null ? (items as JsonSchema) : {})}`;
    }
    default:
      return 'any';
  }
}

function bounds(s: JsonSchema): string[] {
  const out: string[] = [];
  const lower = s['exclusiveMinimum'] ?? s['minimum'];
  const upper = s['exclusiveMaximum'] ?? s['maximum'];
  if (typeof lower === 'number' && lower > Number.MIN_SAFE_INTEGER) {
    out.push(`${'exclusiveMinimum' in s ? '>' : '>='} ${lower}`);
  }
  if (typeof upper === 'number' && upper < Number.MAX_SAFE_INTEGER) {
    out.push(`${out.length > 0 ? 'and ' : ''}${'exclusiveMaximum' in s ? '<' : '<='} ${upper}`);
  }
  return out;
}
