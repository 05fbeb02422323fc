// Resolves `${a.b}` and `${vars.name}` references across the composed tree, reporting missing keys and cycles.
import type { ConfigProblem, ConfigValue } from './tree.ts';
import { childOf, closest, describeKind, isMap, joinPath, splitPath } from './tree.ts';

type Token = { readonly text: string } | { readonly ref: string };

const REF = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;
const FAILED: unique symbol = Symbol('failed');
type Resolved = ConfigValue | typeof FAILED;

export interface InterpolationResult {
  readonly value: ConfigValue;
  /** Paths whose interpolation failed (their raw text is left in `value`). */
  readonly failed: ReadonlySet<string>;
}

/**
 * Replaces every interpolation in `root`. `${x}` alone keeps x's type (a number stays a number);
 * inside a longer string x must be a scalar. `\${` is a literal `${`. Each problem is reported
 * once, at the key whose value holds the bad reference; keys that merely depend on it fail quietly.
 */
export function interpolate(
  root: ConfigValue,
  vars: Readonly<Record<string, string>>,
  problems: ConfigProblem[],
): InterpolationResult {
  const done = new Map<string, Resolved>();
  const failed = new Set<string>();
  const stack: string[] = [];

  const fail = (path: string, message?: string): typeof FAILED => {
    if (message !== undefined) {
      problems.push({ path, message });
    }
    failed.add(path);
    done.set(path, FAILED);
    return FAILED;
  };

  const resolveNode = (node: ConfigValue, path: readonly string[]): Resolved => {
    if (typeof node === 'string') {
      return hasInterpolation(node) ? resolveLeaf(path, node) : node.replaceAll('\\${', '${');
    }
    if (Array.isArray(node)) {
      const out: ConfigValue[] = [];
      let ok = true;
      for (const [i, item] of node.entries()) {
        const r = resolveNode(item, [...path, String(i)]);
        ok &&= r !== FAILED;
        out.push(r === FAILED ? item : r);
      }
      return ok ? out : FAILED;
    }
    if (isMap(node)) {
      const out: Record<string, ConfigValue> = {};
      let ok = true;
      for (const [key, item] of Object.entries(node)) {
        const r = resolveNode(item, [...path, key]);
        ok &&= r !== FAILED;
        out[key] = r === FAILED ? item : r;
      }
      return ok ? out : FAILED;
    }
    return node;
  };

  const resolveLeaf = (path: readonly string[], raw: string): Resolved => {
    const key = joinPath(path);
    const known = done.get(key);
    if (known !== undefined) {
      return known;
    }
    const at = stack.indexOf(key);
    if (at !== -1) {
      const cycle = [...stack.slice(at), key];
      for (const member of cycle) {
        failed.add(member);
      }
      return fail(cycle[0] ?? key, `interpolation cycle ${cycle.join(' -> ')}`);
    }
    const tokens = tokenize(raw);
    if (typeof tokens === 'string') {
      return fail(key, tokens);
    }
    stack.push(key);
    try {
      const parts: Resolved[] = [];
      for (const token of tokens) {
        parts.push('text' in token ? token.text : resolveRef(key, token.ref));
      }
      if (failed.has(key)) {
        return FAILED; // a cycle through this key was reported while resolving its references
      }
      if (parts.includes(FAILED)) {
        return fail(key);
      }
      const only = parts[0];
      const value: ConfigValue =
        tokens.length === 1 && only !== undefined && only !== FAILED
          ? only
          : concatenate(key, tokens, parts as ConfigValue[], problems);
      if (failed.has(key)) {
        return FAILED;
      }
      done.set(key, value);
      return value;
    } finally {
      stack.pop();
    }
  };

  const resolveRef = (from: string, ref: string): Resolved => {
    const segments = splitPath(ref);
    if (segments[0] === 'vars') {
      const name = segments.slice(1).join('.');
      const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
      if (value === undefined) {
        const names = Object.keys(vars).map((n) => `vars.${n}`);
        return fail(from, `\${${ref}}: unknown variable (available: ${names.join(', ')})`);
      }
      return value;
    }
    let node: ConfigValue = root;
    for (const [i, segment] of segments.entries()) {
      let child = childOf(node, segment);
      if (child === undefined) {
        const parent = joinPath(segments.slice(0, i));
        const guess = isMap(node) ? closest(segment, Object.keys(node)) : undefined;
        const hint =
          guess === undefined
            ? ''
            : ` (did you mean ${joinPath([...segments.slice(0, i), guess])}?)`;
        const where = i === 0 ? 'at the top level' : `under ${parent}`;
        return fail(from, `\${${ref}}: no key '${segment}' ${where}${hint}`);
      }
      // Only what the reference passes through or lands on is resolved, never its siblings:
      // `${paths.home}` must not resolve `paths.runs`, which may itself refer to `paths.home`.
      if (typeof child === 'string' && hasInterpolation(child) && i < segments.length - 1) {
        const resolved = resolveLeaf(segments.slice(0, i + 1), child);
        if (resolved === FAILED) {
          return fail(from);
        }
        child = resolved;
      }
      node = child;
    }
    const resolved = resolveNode(node, segments);
    return resolved === FAILED ? fail(from) : resolved;
  };

  resolveNode(root, []);
  // Failed leaves keep their raw text so the caller can still show the rest of the tree.
  const out = rebuild(root, [], done);
  return { value: out, failed };
}

function rebuild(
  node: ConfigValue,
  path: readonly string[],
  done: ReadonlyMap<string, Resolved>,
): ConfigValue {
  if (typeof node === 'string') {
    if (!hasInterpolation(node)) {
      return node.replaceAll('\\${', '${');
    }
    const r = done.get(joinPath(path));
    return r === undefined || r === FAILED ? node : r;
  }
  if (Array.isArray(node)) {
    return node.map((item, i) => rebuild(item, [...path, String(i)], done));
  }
  if (isMap(node)) {
    const out: Record<string, ConfigValue> = {};
    for (const [key, item] of Object.entries(node)) {
      out[key] = rebuild(item, [...path, key], done);
    }
    return out;
  }
  return node;
}

function concatenate(
  path: string,
  tokens: readonly Token[],
  parts: readonly ConfigValue[],
  problems: ConfigProblem[],
): string {
  let out = '';
  parts.forEach((part, i) => {
    const token = tokens[i];
    if (part !== null && typeof part === 'object') {
      const ref = token !== undefined && 'ref' in token ? token.ref : '?';
      problems.push({
        path,
        message: `\${${ref}} is ${describeKind(part)} and cannot be part of a string`,
      });
      return;
    }
    out += String(part);
  });
  return out;
}

/** True if the string holds an unescaped `${`. */
function hasInterpolation(s: string): boolean {
  return /(^|[^\\])\$\{/.test(s);
}

/** Splits a string into literal text and references, or returns why it is malformed. */
function tokenize(s: string): Token[] | string {
  const tokens: Token[] = [];
  let text = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('\\${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (!s.startsWith('${', i)) {
      text += s[i] ?? '';
      i++;
      continue;
    }
    const end = s.indexOf('}', i + 2);
    if (end === -1) {
      return `unterminated interpolation in '${s}' (missing })`;
    }
    const ref = s.slice(i + 2, end).trim();
    if (ref.includes('${')) {
      return `nested interpolation in '${s}' is not supported`;
    }
    if (ref.includes(':')) {
      return `\${${ref}}: resolvers such as oc.env are not supported; the caller passes values as \${vars.NAME}`;
    }
    if (!REF.test(ref)) {
      return `\${${ref}} is not a key path (write \${group.key} or \${vars.NAME})`;
    }
    if (text !== '') {
      tokens.push({ text });
      text = '';
    }
    tokens.push({ ref });
    i = end + 1;
  }
  if (text !== '') {
    tokens.push({ text });
  }
  return tokens;
}
