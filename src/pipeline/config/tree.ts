// The plain-data config tree and the path operations overrides and interpolation need.

export type ConfigValue = null | boolean | number | string | ConfigValue[] | ConfigMap;
export interface ConfigMap {
  [key: string]: ConfigValue;
}

/** A problem found while composing, reported as `path: message`. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.path === '' ? '(root)' : p.path}: ${p.message}`;
}

export function isMap(v: unknown): v is ConfigMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function joinPath(segments: readonly (string | number)[]): string {
  return segments.join('.');
}

export function describeKind(v: ConfigValue): string {
  if (v === null) {
    return 'null';
  }
  if (Array.isArray(v)) {
    return 'a list';
  }
  if (isMap(v)) {
    return 'a mapping';
  }
  return `a ${typeof v}`;
}

/**
 * Checks that parsed YAML is plain config data (no dates, no non-string keys) and copies it,
 * so later in-place edits never touch what a source or test handed in.
 */
export function toConfigValue(
  v: unknown,
  path: string,
  problems: ConfigProblem[],
): ConfigValue | undefined {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      problems.push({ path, message: `${String(v)} is not a finite number` });
      return undefined;
    }
    return v;
  }
  if (Array.isArray(v)) {
    const out: ConfigValue[] = [];
    v.forEach((item: unknown, i) => {
      out.push(toConfigValue(item, joinPath([path, i].filter((s) => s !== '')), problems) ?? null);
    });
    return out;
  }
  if (isMap(v) && Object.getPrototypeOf(v) === Object.prototype) {
    const out: ConfigMap = {};
    for (const [key, item] of Object.entries(v)) {
      const converted = toConfigValue(item, path === '' ? key : `${path}.${key}`, problems);
      if (converted !== undefined) {
        out[key] = converted;
      }
    }
    return out;
  }
  problems.push({ path, message: `unsupported YAML value (${typeof v})` });
  return undefined;
}

/** Deep merge: mappings merge key by key, anything else (lists included) is replaced, as in Hydra. */
export function mergeInto(target: ConfigMap, source: ConfigMap): ConfigMap {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isMap(current) && isMap(value)) {
      mergeInto(current, value);
    } else {
      target[key] = clone(value);
    }
  }
  return target;
}

export function clone<T extends ConfigValue>(v: T): T {
  return structuredClone(v);
}

/** Splits `a.b.0` into segments; list indices stay strings and are interpreted against the data. */
export function splitPath(path: string): string[] {
  return path.split('.');
}

export type Lookup =
  | { readonly found: true; readonly value: ConfigValue }
  | {
      readonly found: false;
      /** Number of leading segments that do exist. */
      readonly depth: number;
      /** The value that could not be descended into (a scalar), if that is why. */
      readonly blockedBy?: ConfigValue;
    };

export function childOf(node: ConfigValue, segment: string): ConfigValue | undefined {
  if (Array.isArray(node)) {
    if (!/^\d+$/.test(segment)) {
      return undefined;
    }
    return node[Number(segment)];
  }
  if (isMap(node)) {
    return Object.hasOwn(node, segment) ? node[segment] : undefined;
  }
  return undefined;
}

export function lookup(root: ConfigValue, segments: readonly string[]): Lookup {
  let node: ConfigValue = root;
  for (const [i, segment] of segments.entries()) {
    const child = childOf(node, segment);
    if (child === undefined) {
      const blocked = !Array.isArray(node) && !isMap(node);
      return blocked ? { found: false, depth: i, blockedBy: node } : { found: false, depth: i };
    }
    node = child;
  }
  return { found: true, value: node };
}

/** The key of `candidates` closest to `key` (at most 2 edits away), for "did you mean" hints. */
export function closest(key: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(
        Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
