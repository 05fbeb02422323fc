// Parses Hydra-style command-line overrides: group=option, key.path=value, +key=value, ++key=value, ~key.
import YAML from 'yaml';

import type { ConfigProblem, ConfigValue } from './tree.ts';
import { toConfigValue } from './tree.ts';

export type Override =
  /** `task=binary`: pick another option of a config group. */
  | {
      readonly kind: 'choose';
      readonly group: string;
      readonly option: string;
      readonly text: string;
    }
  /** `a.b=v` sets an existing key; `+a.b=v` adds a new one; `++a.b=v` sets or adds. */
  | {
      readonly kind: 'set' | 'add' | 'force';
      readonly path: string;
      readonly value: ConfigValue;
      readonly text: string;
    }
  /** `~a.b`: delete a key. */
  | { readonly kind: 'delete'; readonly path: string; readonly text: string };

export const OVERRIDE_FORMS =
  'group=option, key.path=value, +new.key=value, ++key.path=value or ~key.path';

/** Letters, digits, `_` and `-` per segment; later segments may be list indices (`splits.0`). */
const KEY_PATH = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;
export const NAME = /^[A-Za-z0-9_][\w-]*$/;

/**
 * Parses every override; `isGroup` tells a group choice (`task=binary`) from a top-level value.
 * Problems are collected rather than thrown so the user sees all of them at once.
 */
export function parseOverrides(
  texts: readonly string[],
  isGroup: (name: string) => boolean,
  problems: ConfigProblem[],
): Override[] {
  const out: Override[] = [];
  for (const text of texts) {
    const parsed = parseOverride(text, isGroup, problems);
    if (parsed !== undefined) {
      out.push(parsed);
    }
  }
  return out;
}

function parseOverride(
  text: string,
  isGroup: (name: string) => boolean,
  problems: ConfigProblem[],
): Override | undefined {
  const malformed = (why: string): undefined => {
    problems.push({ path: `'${text}'`, message: `${why}; accepted forms: ${OVERRIDE_FORMS}` });
    return undefined;
  };
  const prefix = text.startsWith('++')
    ? '++'
    : text.startsWith('+')
      ? '+'
      : text.startsWith('~')
        ? '~'
        : '';
  const rest = text.slice(prefix.length);
  const eq = rest.indexOf('=');
  const key = (eq === -1 ? rest : rest.slice(0, eq)).trim();
  if (!KEY_PATH.test(key)) {
    return malformed(key === '' ? 'missing key before =' : `'${key}' is not a key path`);
  }
  if (prefix === '~') {
    if (eq !== -1) {
      return malformed('~key.path deletes a key and takes no value');
    }
    return { kind: 'delete', path: key, text };
  }
  if (eq === -1) {
    return malformed('missing =value');
  }
  const raw = rest.slice(eq + 1);
  if (!key.includes('.') && isGroup(key)) {
    if (prefix !== '') {
      problems.push({
        path: key,
        message: `'${key}' is a config group; choose its option with ${key}=OPTION`,
      });
      return undefined;
    }
    const option = raw.trim();
    if (!NAME.test(option)) {
      problems.push({
        path: key,
        message: `'${option}' is not an option name (write ${key}=OPTION)`,
      });
      return undefined;
    }
    return { kind: 'choose', group: key, option, text };
  }
  const value = parseValue(key, raw, problems);
  if (value === undefined) {
    return undefined;
  }
  const kind = prefix === '++' ? 'force' : prefix === '+' ? 'add' : 'set';
  return { kind, path: key, value, text };
}

/** Values are YAML (`0.01`, `[0.8,0.1,0.1]`, `null`, `'a b'`); an empty value is the empty string. */
function parseValue(path: string, raw: string, problems: ConfigProblem[]): ConfigValue | undefined {
  if (raw.trim() === '') {
    return '';
  }
  let parsed: unknown;
  try {
    parsed = YAML.parse(raw);
  } catch (e) {
    const reason = (e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)).replace(
      /:$/,
      '',
    );
    problems.push({ path, message: `cannot parse the value '${raw}' as YAML: ${reason}` });
    return undefined;
  }
  return toConfigValue(parsed, path, problems);
}
