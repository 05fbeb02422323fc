// `npm run lint:ops`: lints the Dockerfiles (docker/), compose.yaml, .github/workflows/ and .github/dependabot.yml (no Docker engine or GitHub runner needed).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import { lintCompose } from './ops-lint/compose.ts';
import { lintDependabot } from './ops-lint/dependabot.ts';
import { lintDockerfile } from './ops-lint/dockerfile.ts';
import type { Finding } from './ops-lint/finding.ts';
import { formatFinding } from './ops-lint/finding.ts';
import { lintWorkflow } from './ops-lint/workflow.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

async function filesIn(dir: string, pattern: RegExp): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => pattern.test(f)).sort();
  } catch {
    return [];
  }
}

export interface OpsLintResult {
  readonly findings: readonly Finding[];
  readonly checked: { dockerfiles: number; compose: number; workflows: number; dependabot: number };
}

/** Lints the ops files of a repository tree (the real one, or a fixture tree in the tests). */
export async function lintOps(root: string): Promise<OpsLintResult> {
  const rel = (p: string): string => relative(root, p).split('\\').join('/');
  const findings: Finding[] = [];
  const dockerfiles = new Map<string, string>();
  for (const name of await filesIn(join(root, 'docker'), /\.Dockerfile$/)) {
    const path = join(root, 'docker', name);
    dockerfiles.set(rel(path), await readFile(path, 'utf8'));
  }
  for (const [path, text] of dockerfiles) {
    findings.push(...lintDockerfile(path, text));
  }
  let compose = 0;
  const composePath = join(root, 'compose.yaml');
  const composeText = await readFile(composePath, 'utf8').catch(() => undefined);
  if (composeText !== undefined) {
    compose = 1;
    const readme = await readFile(join(root, 'README.md'), 'utf8').catch(() => '');
    findings.push(...lintCompose(rel(composePath), composeText, { readme, dockerfiles }));
  }
  const workflowsDir = join(root, '.github', 'workflows');
  const workflows = await filesIn(workflowsDir, /\.ya?ml$/);
  for (const name of workflows) {
    const path = join(workflowsDir, name);
    const text = await readFile(path, 'utf8');
    findings.push(...(await lintWorkflow(rel(path), text, { gate: name === 'ci.yml' })));
  }
  const dependabotPath = join(root, '.github', 'dependabot.yml');
  const dependabotText = await readFile(dependabotPath, 'utf8').catch(() => undefined);
  if (dependabotText === undefined) {
    findings.push({
      file: '.github/dependabot.yml',
      line: 1,
      rule: 'ops/files',
      message: '.github/dependabot.yml is missing',
    });
  } else {
    findings.push(
      ...lintDependabot(rel(dependabotPath), dependabotText, {
        dockerfiles: [...dockerfiles.keys()],
      }),
    );
  }
  if (dockerfiles.size === 0) {
    findings.push({
      file: 'docker/',
      line: 1,
      rule: 'ops/files',
      message: 'no docker/*.Dockerfile found',
    });
  }
  if (compose === 0) {
    findings.push({
      file: 'compose.yaml',
      line: 1,
      rule: 'ops/files',
      message: 'compose.yaml is missing',
    });
  }
  if (workflows.length === 0) {
    findings.push({
      file: '.github/workflows/',
      line: 1,
      rule: 'ops/files',
      message: 'no workflow found',
    });
  }
  return {
    findings,
    checked: {
      dockerfiles: dockerfiles.size,
      compose,
      workflows: workflows.length,
      dependabot: dependabotText === undefined ? 0 : 1,
    },
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const at = argv.indexOf('--root');
  const root = at >= 0 && argv[at + 1] !== undefined ? resolve(argv[at + 1] ?? '.') : REPO;
  const { findings, checked } = await lintOps(root);
  for (const f of findings) {
    process.stderr.write(`${formatFinding(f)}\n`);
  }
  const summary = `${checked.dockerfiles} Dockerfiles, ${checked.compose} compose file, ${checked.workflows} workflows, ${checked.dependabot} Dependabot config`;
  if (findings.length > 0) {
    process.stderr.write(`lint:ops: ${findings.length} problem(s) in ${summary}\n`);
    return 1;
  }
  process.stdout.write(`lint:ops: ${summary}: clean\n`);
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
