// Composes configs/ Hydra-style: defaults list, group choices, value overrides, then interpolation and validation.
import YAML from 'yaml';

import { throwIfAborted } from '../../core/errors.ts';
import { ConfigError } from './config-error.ts';
import type { ConfigSource, ConfigVars } from './config-source.ts';
import { interpolate } from './interpolate.ts';
import type { Override } from './overrides.ts';
import { NAME, parseOverrides } from './overrides.ts';
import type { ResolvedConfig } from './schema.ts';
import { schemaHasPath, validateConfig } from './schema.ts';
import type { ConfigMap, ConfigProblem, ConfigValue } from './tree.ts';
import {
  childOf,
  clone,
  closest,
  describeKind,
  formatProblem,
  isMap,
  joinPath,
  lookup,
  mergeInto,
  splitPath,
  toConfigValue,
} from './tree.ts';

export interface ResolveResult {
  /** The validated config. Keys added with `+key=value` that the schema does not know are carried along as given. */
  readonly config: ResolvedConfig;
  /** The option chosen for each group, in defaults order, e.g. `{ task: 'binary', optimizer: 'sgd' }`. */
  readonly choices: Readonly<Record<string, string>>;
  /** The overrides as given, to be saved with a run next to the resolved config. */
  readonly overrides: readonly string[];
}

/** One entry of the root's `defaults:` list: a group's option, or `_self_` (the root's own keys). */
type DefaultsEntry = { readonly group: string; readonly option: string } | { readonly self: true };

/**
 * Resolves the config. Throws ConfigError (code CONFIG) listing every problem as
 * `dotted.path: message`; problems are collected per stage so one run shows all of them.
 */
export async function resolveConfig(
  source: ConfigSource,
  overrides: readonly string[],
  vars: ConfigVars,
  options: { readonly signal?: AbortSignal | undefined } = {},
): Promise<ResolveResult> {
  const { signal } = options;
  const label = source.label ?? 'configs';
  const problems: ConfigProblem[] = [];

  // Stage 1: read the root and every chosen option; a missing or broken file stops here.
  const root = parseYamlMap(await source.readRoot(signal), `${label}/config.yaml`, problems);
  const defaults = root === undefined ? [] : parseDefaults(root['defaults'], problems);
  const groups = new Set(defaults.flatMap((d) => ('group' in d ? [d.group] : [])));
  const parsed = parseOverrides(overrides, (name) => groups.has(name), problems);
  const chosen = defaults.map((d) => {
    if ('self' in d) {
      return d;
    }
    const last = parsed.findLast(
      (o): o is Extract<Override, { kind: 'choose' }> => o.kind === 'choose' && o.group === d.group,
    );
    return last === undefined ? d : { group: d.group, option: last.option };
  });
  const loaded = await Promise.all(
    chosen.map(async (d) =>
      'self' in d ? undefined : loadOption(source, label, d.group, d.option, problems, signal),
    ),
  );
  throwIfAborted(signal, 'Resolving the config');
  throwIfProblems(problems);

  // Stage 2: merge in defaults order; `_self_` (implicitly last) stands for the root's own keys.
  const self: ConfigMap = {};
  for (const [key, value] of Object.entries(root ?? {})) {
    if (key !== 'defaults') {
      self[key] = value;
    }
  }
  const order = chosen.some((d) => 'self' in d) ? chosen : [...chosen, { self: true as const }];
  const tree: ConfigMap = {};
  const choices: Record<string, string> = {};
  order.forEach((d, i) => {
    if ('self' in d) {
      mergeInto(tree, self);
      return;
    }
    choices[d.group] = d.option;
    mergeInto(tree, { [d.group]: loaded[i] ?? {} });
  });

  // Stage 3: value overrides in command-line order, then interpolation (so `experiment.lr=0.01`
  // reaches `optimizer.lr: ${experiment.lr}`), then the schema.
  const added: string[][] = [];
  for (const o of parsed) {
    applyOverride(tree, o, problems, added);
  }
  const { value, failed } = interpolate(tree, vars, problems);
  const extras = added.filter((p) => !schemaHasPath(p, value));
  const validated = isMap(value) ? withoutPaths(value, extras) : value;
  const validation = validateConfig(validated);
  if (!validation.ok) {
    for (const issue of validation.errors) {
      const path = joinPath(issue.path);
      // A key whose interpolation already failed would only repeat that problem as a type error.
      if (![...failed].some((f) => path === f || path.startsWith(`${f}.`))) {
        problems.push({ path, message: issue.message });
      }
    }
  }
  if (problems.length > 0 || !validation.ok) {
    // Validation problems under a failed interpolation were dropped, but that failure was reported.
    throw new ConfigError(problems.map(formatProblem));
  }
  const config = validation.config;
  for (const p of extras) {
    const found = lookup(value, p);
    if (found.found) {
      setPath(config, p, clone(found.value));
    }
  }
  return { config, choices, overrides: [...overrides] };
}

function throwIfProblems(problems: readonly ConfigProblem[]): void {
  if (problems.length > 0) {
    throw new ConfigError(problems.map(formatProblem));
  }
}

function parseYamlMap(
  text: string,
  file: string,
  problems: ConfigProblem[],
): ConfigMap | undefined {
  let parsed: unknown;
  try {
    parsed = YAML.parse(text);
  } catch (e) {
    const line = e instanceof YAML.YAMLError ? e.linePos?.[0]?.line : undefined;
    const reason = (e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)).replace(
      /:$/,
      '',
    );
    problems.push({
      path: file,
      message: `${line === undefined ? '' : `line ${line}: `}${reason}`,
    });
    return undefined;
  }
  if (parsed == null) {
    return {}; // an empty file is an empty option, e.g. a group option that only selects
  }
  if (!isMap(parsed)) {
    problems.push({ path: file, message: 'must be a YAML mapping (key: value lines)' });
    return undefined;
  }
  const converted = toConfigValue(parsed, '', problems);
  return isMap(converted) ? converted : undefined;
}

function parseDefaults(value: ConfigValue | undefined, problems: ConfigProblem[]): DefaultsEntry[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    problems.push({
      path: 'defaults',
      message: 'must be a list such as [task: multiclass, _self_]',
    });
    return [];
  }
  const out: DefaultsEntry[] = [];
  const seen = new Set<string>();
  value.forEach((entry, i) => {
    const at = `defaults.${i}`;
    if (entry === '_self_') {
      out.push({ self: true });
      return;
    }
    const pair = isMap(entry) ? Object.entries(entry) : [];
    const [group, option] = pair[0] ?? [];
    if (pair.length !== 1 || group === undefined || typeof option !== 'string') {
      problems.push({ path: at, message: 'expected `group: option` or `_self_`' });
      return;
    }
    if (!NAME.test(group) || !NAME.test(option)) {
      problems.push({
        path: at,
        message: `'${group}: ${option}' is not a valid group and option name`,
      });
      return;
    }
    if (seen.has(group)) {
      problems.push({ path: at, message: `group '${group}' is listed twice` });
      return;
    }
    seen.add(group);
    out.push({ group, option });
  });
  return out;
}

async function loadOption(
  source: ConfigSource,
  label: string,
  group: string,
  option: string,
  problems: ConfigProblem[],
  signal: AbortSignal | undefined,
): Promise<ConfigMap | undefined> {
  const text = await source.readGroupOption(group, option, signal);
  if (text === undefined) {
    const available = await source.listOptions(group, signal);
    problems.push({
      path: group,
      message:
        available.length === 0
          ? `no config group '${group}' (${label}/${group}/ is missing or has no .yaml files)`
          : `unknown option '${option}' (available: ${available.join(', ')})`,
    });
    return undefined;
  }
  return parseYamlMap(text, `${label}/${group}/${option}.yaml`, problems);
}

/** Applies one value override in place; `added` collects the top of each subtree `+` created. */
function applyOverride(
  tree: ConfigMap,
  o: Override,
  problems: ConfigProblem[],
  added: string[][],
): void {
  if (o.kind === 'choose') {
    return;
  }
  const segments = splitPath(o.path);
  const found = lookup(tree, segments);
  // A key the schema knows may be set even if no file wrote it (its schema default applies otherwise).
  const missing =
    !found.found && (o.kind === 'delete' || (o.kind === 'set' && !schemaHasPath(segments, tree)));
  if ((found.found && o.kind === 'add') || missing) {
    problems.push({ path: o.path, message: existenceMessage(tree, o, segments, found.found) });
    return;
  }
  if (!found.found && found.blockedBy !== undefined) {
    const parent = joinPath(segments.slice(0, found.depth));
    problems.push({
      path: o.path,
      message: `cannot go inside ${parent}: it is ${describeKind(found.blockedBy)}`,
    });
    return;
  }
  if (o.kind === 'delete') {
    const parent = lookup(tree, segments.slice(0, -1));
    const last = segments.at(-1) ?? '';
    if (parent.found && Array.isArray(parent.value)) {
      parent.value.splice(Number(last), 1);
    } else if (parent.found && isMap(parent.value)) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- deleting the key is the point of ~key
      delete parent.value[last];
    }
    return;
  }
  if (!found.found && o.kind !== 'set') {
    added.push(segments.slice(0, found.depth + 1));
  }
  setPath(tree, segments, o.value, problems, o.path);
}

function existenceMessage(
  tree: ConfigMap,
  o: Extract<Override, { kind: 'set' | 'add' | 'force' | 'delete' }>,
  segments: readonly string[],
  exists: boolean,
): string {
  const shown = o.text.slice(o.text.indexOf('=') + 1);
  if (exists) {
    return `already exists; to change it write ${o.path}=${shown} (+ only adds new keys)`;
  }
  const found = lookup(tree, segments);
  const depth = found.found ? segments.length : found.depth;
  const parent = lookup(tree, segments.slice(0, depth));
  const missing = segments[depth] ?? '';
  const guess =
    parent.found && isMap(parent.value) ? closest(missing, Object.keys(parent.value)) : undefined;
  const hint =
    guess === undefined ? '' : `did you mean ${joinPath([...segments.slice(0, depth), guess])}? `;
  if (o.kind === 'delete') {
    return `no such key to delete${guess === undefined ? '' : ` (${hint.trim()})`}`;
  }
  return `no such key (${hint}to add a new key write +${o.path}=${shown})`;
}

/** Sets a value, creating mappings along the way; list indices must already exist. */
function setPath(
  tree: ConfigMap,
  segments: readonly string[],
  value: ConfigValue,
  problems: ConfigProblem[] = [],
  shown = joinPath(segments),
): void {
  let node: ConfigValue = tree;
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (Array.isArray(node)) {
      const index = Number(segment);
      if (!/^\d+$/.test(segment) || index >= node.length) {
        problems.push({
          path: shown,
          message: `${joinPath(segments.slice(0, i))} has no item ${segment} (it has ${node.length})`,
        });
        return;
      }
      if (last) {
        node[index] = value;
        return;
      }
      node = node[index] ?? null;
      continue;
    }
    if (!isMap(node)) {
      return; // reported by the caller (blockedBy)
    }
    if (last) {
      node[segment] = value;
      return;
    }
    const child = childOf(node, segment);
    if (child === undefined) {
      const created: ConfigMap = {};
      node[segment] = created;
      node = created;
    } else {
      node = child;
    }
  }
}

/** A copy of `tree` without the given paths (keys `+` added that the schema does not know). */
function withoutPaths(tree: ConfigMap, paths: readonly (readonly string[])[]): ConfigMap {
  const copy = clone(tree);
  for (const p of paths) {
    const parent = lookup(copy, p.slice(0, -1));
    const last = p.at(-1);
    if (parent.found && isMap(parent.value) && last !== undefined) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- removing carried-through extras before validation
      delete parent.value[last];
    }
  }
  return copy;
}
