// .github/dependabot.yml checks: the ecosystems the repository has (npm, its actions, the Dockerfiles' base image), weekly and grouped.
import { LineCounter, parseDocument } from 'yaml';

import type { Finding } from './finding.ts';

export interface DependabotContext {
  /** Repository-relative paths of the Dockerfiles (their folder must be watched by the docker ecosystem). */
  readonly dockerfiles: readonly string[];
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export function lintDependabot(file: string, text: string, context: DependabotContext): Finding[] {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => ({
      file,
      line: e.linePos?.[0].line ?? 1,
      rule: 'dependabot/yaml',
      message: e.message.split('\n')[0] ?? e.message,
    }));
  }
  const findings: Finding[] = [];
  const add = (line: number, message: string): void => {
    findings.push({ file, line, rule: 'dependabot', message });
  };
  const data = asRecord(doc.toJS());
  if (data['version'] !== 2) {
    add(1, 'version must be 2');
  }
  const updates = Array.isArray(data['updates']) ? (data['updates'] as unknown[]) : [];
  const seq = doc.get('updates', true) as { items?: { range?: [number, number, number] }[] };
  const lineOf = (i: number): number => {
    const start = seq.items?.[i]?.range?.[0];
    return start === undefined ? 1 : counter.linePos(start).line;
  };
  const watched = new Map<string, string[]>();
  updates.forEach((raw, i) => {
    const u = asRecord(raw);
    const ecosystem = String(u['package-ecosystem']);
    const dirs = Array.isArray(u['directories'])
      ? (u['directories'] as unknown[]).map(String)
      : [String(u['directory'])];
    watched.set(ecosystem, [...(watched.get(ecosystem) ?? []), ...dirs]);
    if (asRecord(u['schedule'])['interval'] !== 'weekly') {
      add(lineOf(i), `${ecosystem}: schedule.interval must be weekly`);
    }
    if (Object.keys(asRecord(u['groups'])).length === 0) {
      add(lineOf(i), `${ecosystem}: group the updates (groups:) so a week brings a few PRs`);
    }
  });
  const norm = (d: string): string => d.replace(/^\/+|\/+$/g, '');
  const need = (ecosystem: string, dir: string, why: string): void => {
    if (!(watched.get(ecosystem) ?? []).some((d) => norm(d) === norm(dir))) {
      add(1, `no ${ecosystem} updates for /${norm(dir)} (${why})`);
    }
  };
  need('npm', '/', 'package.json');
  need('github-actions', '/', '.github/workflows');
  for (const dir of new Set(context.dockerfiles.map((p) => p.slice(0, p.lastIndexOf('/') + 1)))) {
    need('docker', `/${dir}`, 'the Dockerfiles’ base image');
  }
  return findings;
}
