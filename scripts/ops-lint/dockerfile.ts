// Dockerfile checks: dockerfile-utils' validator (what `docker build` would reject) plus the project's image rules.
import { validate } from 'dockerfile-utils';

import type { Finding } from './finding.ts';

/** One instruction after joining continuation lines and dropping comments. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  /** 1-based line of the instruction's first line. */
  readonly line: number;
}

export interface Stage {
  readonly from: Instruction;
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

// LSP DiagnosticSeverity: 1 error, 2 warning, 3 information, 4 hint.
const SEVERITY_NAMES: Record<number, string> = { 1: 'error', 2: 'warning' };
const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** A release tag: an exact x.y.z version first (a variant such as -bookworm-slim may follow). */
const VERSION_TAG = /^v?\d+\.\d+\.\d+(?:[-._][0-9A-Za-z.-]+)?$/;
const BUILD_TOOLS = /(?<![\w.+-])(?:g\+\+|gcc|clang|make|python3|build-essential)(?![\w.+-])/;

/** Splits a Dockerfile into instructions the way the builder reads them (parser directives, `\` continuations, comments). */
export function parseDockerfile(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  let i = 0;
  // Parser directives: `# key=value` lines before anything else.
  for (; i < lines.length; i++) {
    const m = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(lines[i] ?? '');
    if (m === null) {
      break;
    }
    if (m[1]?.toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) {
      escape = m[2];
    }
  }
  const out: Instruction[] = [];
  let parts: string[] = [];
  let start = 0;
  for (; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    // Comment lines are removed, also inside a continued instruction.
    if (trimmed.startsWith('#') || (trimmed === '' && parts.length === 0)) {
      continue;
    }
    if (parts.length === 0) {
      start = i + 1;
    }
    const continued = trimmed.endsWith(escape);
    parts.push(continued ? trimmed.slice(0, -1) : trimmed);
    if (!continued) {
      const joined = parts.join(' ').trim();
      const m = /^(\S+)\s*(.*)$/s.exec(joined);
      if (m !== null) {
        out.push({ keyword: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim(), line: start });
      }
      parts = [];
    }
  }
  return out;
}

export function stagesOf(instructions: readonly Instruction[]): Stage[] {
  const stages: {
    from: Instruction;
    image: string;
    name: string | undefined;
    instructions: Instruction[];
  }[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      // FROM [--platform=...] image [AS name]
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const asAt = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({
        from: ins,
        image: words[0] ?? '',
        name: asAt >= 0 ? words[asAt + 1]?.toLowerCase() : undefined,
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return stages;
}

/** Why an image reference is not pinned to a release and a digest, or undefined when it is. */
export function unpinnedReason(image: string): string | undefined {
  if (image.includes('$')) {
    return `base image '${image}' comes from a build argument, so its pin cannot be checked: write the pinned reference in FROM`;
  }
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const slash = name.lastIndexOf('/');
  const colon = name.indexOf(':', slash + 1);
  const tag = colon >= 0 ? name.slice(colon + 1) : undefined;
  if (tag === undefined || tag === 'latest' || !VERSION_TAG.test(tag)) {
    return `base image '${image}' is not pinned to a release: use an exact version tag (e.g. node:20.20.2-bookworm-slim), not '${tag ?? '(no tag)'}'`;
  }
  if (digest === undefined || !DIGEST.test(digest)) {
    return `base image '${image}' has no sha256 digest: append @sha256:<digest> (docker buildx imagetools inspect ${name})`;
  }
  return undefined;
}

function isRootUser(spec: string): boolean {
  const user = spec.split(':')[0]?.trim() ?? '';
  return user === 'root' || user === '0';
}

/** The project's rules for an image Dockerfile (docs/adr/0024-ops-linters.md). */
export function projectRules(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  const add = (line: number, rule: string, message: string): void => {
    findings.push({ file, line, rule, message });
  };
  const stages = stagesOf(parseDockerfile(text));
  const final = stages.at(-1);
  if (final === undefined) {
    add(1, 'dockerfile/stages', 'no FROM instruction');
    return findings;
  }
  const names = new Set<string>();
  for (const stage of stages) {
    const ref = stage.image.toLowerCase();
    if (ref !== 'scratch' && !names.has(ref)) {
      const reason = unpinnedReason(stage.image);
      if (reason !== undefined) {
        add(stage.from.line, 'dockerfile/pinned-base', reason);
      }
    }
    if (stage.name !== undefined) {
      names.add(stage.name);
    }
  }
  if (stages.length < 2 || !final.instructions.some((i) => /--from=/.test(i.args))) {
    add(
      final.from.line,
      'dockerfile/multi-stage',
      'build in a separate stage and COPY --from it, so compilers and dev dependencies stay out of the image',
    );
  }
  const users = final.instructions.filter((i) => i.keyword === 'USER');
  const user = users.at(-1);
  if (user === undefined) {
    add(
      final.from.line,
      'dockerfile/non-root',
      'the final stage sets no USER, so it runs as root: add USER node',
    );
  } else if (isRootUser(user.args) || user.args.includes('$')) {
    add(
      user.line,
      'dockerfile/non-root',
      `the final stage runs as '${user.args}': use an unprivileged user (USER node)`,
    );
  }
  const health = final.instructions.filter((i) => i.keyword === 'HEALTHCHECK').at(-1);
  const exposes = final.instructions.some((i) => i.keyword === 'EXPOSE');
  if (health === undefined) {
    add(
      final.from.line,
      'dockerfile/healthcheck',
      'the final stage has no HEALTHCHECK: probe the service (or HEALTHCHECK NONE for a batch job)',
    );
  } else if (/^NONE\b/i.test(health.args) && exposes) {
    add(
      health.line,
      'dockerfile/healthcheck',
      'HEALTHCHECK NONE on an image that EXPOSEs a port: probe the service',
    );
  }
  for (const ins of final.instructions) {
    if (
      ins.keyword === 'RUN' &&
      /\b(?:apt-get|apt|apk)\s+(?:-\S+\s+)*(?:install|add)\b/.test(ins.args) &&
      BUILD_TOOLS.test(ins.args)
    ) {
      add(
        ins.line,
        'dockerfile/build-tools',
        'the final stage installs build tools: install them in the build stage only',
      );
    }
  }
  const builds = stages
    .slice(0, -1)
    .some((s) => s.instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args)));
  const ships = final.instructions.some(
    (i) => i.keyword === 'COPY' && i.args.includes('arginator_kernels.node'),
  );
  if (!builds || !ships) {
    add(
      final.from.line,
      'dockerfile/native-kernels',
      'the native kernels must be built in the image (npm ci in a build stage) and copied into the final stage (build/Release/arginator_kernels.node)',
    );
  }
  return findings;
}

/** dockerfile-utils' diagnostics of error or warning severity, then the project rules. */
export function lintDockerfile(file: string, text: string): Finding[] {
  const fromValidator = validate(text)
    .filter((d) => d.severity === undefined || d.severity <= 2)
    .map((d) => ({
      file,
      line: d.range.start.line + 1,
      rule: 'dockerfile-utils',
      message: `${SEVERITY_NAMES[d.severity ?? 1] ?? 'error'}: ${typeof d.message === 'string' ? d.message : d.message.value}`,
    }));
  return [...fromValidator, ...projectRules(file, text)];
}
