// The ops linters pass the repository's Dockerfiles, compose file and workflow, and fail on each kind of bad one.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { lintOps } from '../lint-ops.ts';
import { lintCompose } from './compose.ts';
import { lintDependabot } from './dependabot.ts';
import type { ComposeContext } from './compose.ts';
import { lintDockerfile, parseDockerfile, unpinnedReason } from './dockerfile.ts';
import type { Finding } from './finding.ts';
import { lintWorkflow } from './workflow.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');
const rules = (findings: readonly Finding[]): string[] => [...new Set(findings.map((f) => f.rule))];

const API = read('docker/api.Dockerfile');
const WORKER = read('docker/worker.Dockerfile');
const TRAIN = read('docker/train.Dockerfile');
const COMPOSE = read('compose.yaml');
const WORKFLOW = read('.github/workflows/ci.yml');
const DEPENDABOT = read('.github/dependabot.yml');
const context: ComposeContext = {
  readme: read('README.md'),
  dockerfiles: new Map([
    ['docker/api.Dockerfile', API],
    ['docker/worker.Dockerfile', WORKER],
    ['docker/train.Dockerfile', TRAIN],
  ]),
};

/** `text` with `from` replaced by `to`, failing the test if `from` is not there (a stale mutation). */
function mutate(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  expect(out, `mutation ${String(from)} applies`).not.toBe(text);
  return out;
}

const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('the repository lints clean', () => {
  it('docker/*.Dockerfile, compose.yaml, .github/workflows/ and dependabot.yml have no findings', async () => {
    const { findings, checked } = await lintOps(REPO);
    expect(findings).toEqual([]);
    expect(checked).toEqual({ dockerfiles: 3, compose: 1, workflows: 1, dependabot: 1 });
  });
});

describe('Dockerfiles', () => {
  it('FROM node:latest fails the pinned-base rule at its line (fixture)', () => {
    const findings = lintDockerfile(
      'latest.Dockerfile',
      read('fixtures/ops-lint/latest.Dockerfile'),
    );
    expect(rules(findings)).toEqual(['dockerfile/pinned-base']);
    expect(findings[0]?.line).toBe(2);
    expect(findings[0]?.message).toContain("not 'latest'");
  });

  it('a final stage that switches back to root fails the non-root rule (fixture)', () => {
    const findings = lintDockerfile('root.Dockerfile', read('fixtures/ops-lint/root.Dockerfile'));
    expect(rules(findings)).toEqual(['dockerfile/non-root']);
    expect(findings[0]?.line).toBe(13);
  });

  it('a release tag without a digest, a digest without a release tag and a build-arg base are not pinned', () => {
    expect(unpinnedReason('node:20.20.2-bookworm-slim')).toMatch(/no sha256 digest/);
    expect(unpinnedReason('node:20-bookworm-slim@sha256:' + 'a'.repeat(64))).toMatch(
      /not pinned to a release/,
    );
    expect(unpinnedReason('node@sha256:' + 'a'.repeat(64))).toMatch(/\(no tag\)/);
    expect(unpinnedReason('${NODE_IMAGE}')).toMatch(/build argument/);
    expect(unpinnedReason('node:20.20.2-bookworm-slim@sha256:' + 'a'.repeat(64))).toBeUndefined();
  });

  it('each image rule bites on a one-line change of the real api.Dockerfile', () => {
    const cases: [string, string][] = [
      [mutate(API, /^USER node$/m, ''), 'dockerfile/non-root'],
      [mutate(API, /^USER node$/m, 'USER 0:0'), 'dockerfile/non-root'],
      [mutate(API, /^HEALTHCHECK[^]*?\]\n/m, ''), 'dockerfile/healthcheck'],
      [mutate(API, /^HEALTHCHECK[^]*?\]\n/m, 'HEALTHCHECK NONE\n'), 'dockerfile/healthcheck'],
      [
        mutate(
          API,
          'USER node\n',
          'RUN apt-get update && apt-get install -y g++ make\nUSER node\n',
        ),
        'dockerfile/build-tools',
      ],
      [
        mutate(API, /^COPY --from=build \/app\/build\/Release.*\n/m, ''),
        'dockerfile/native-kernels',
      ],
      [mutate(API, /--interval=30s/, '--interva=30s'), 'dockerfile-utils'],
    ];
    for (const [text, rule] of cases) {
      expect(rules(lintDockerfile('api.Dockerfile', text)), rule).toEqual([rule]);
    }
  });

  it('a single-stage image fails the multi-stage rule', () => {
    const single = API.slice(API.indexOf('# ---- runtime')).replace(/COPY --from=build /g, 'COPY ');
    expect(rules(lintDockerfile('api.Dockerfile', single))).toContain('dockerfile/multi-stage');
  });

  it("dockerfile-utils' warnings fail too (instruction casing)", () => {
    const findings = lintDockerfile(
      'api.Dockerfile',
      mutate(API, /^WORKDIR \/app$/m, 'workdir /app'),
    );
    expect(rules(findings)).toEqual(['dockerfile-utils']);
    expect(findings[0]?.message).toMatch(/^warning: /);
  });

  it('parses continuations, comment lines inside them and parser directives like the builder', () => {
    const ins = parseDockerfile(
      '# syntax=docker/dockerfile:1\n# a comment\nFROM a:1.2.3 AS b\nRUN one \\\n# inside\n  two\nuser node\n',
    );
    expect(ins).toEqual([
      { keyword: 'FROM', args: 'a:1.2.3 AS b', line: 3 },
      { keyword: 'RUN', args: 'one  two', line: 4 },
      { keyword: 'USER', args: 'node', line: 7 },
    ]);
  });
});

describe('compose.yaml', () => {
  it('a file the compose-spec schema rejects fails with the lines of the bad keys (fixture)', () => {
    const text = read('fixtures/ops-lint/invalid-compose.yaml');
    const findings = lintCompose('invalid-compose.yaml', text, context);
    expect(rules(findings)).toEqual(['compose-spec']);
    const byLine = Object.fromEntries(findings.map((f) => [f.line, f.message]));
    expect(byLine[7]).toMatch(/healthcheck\/interval must match format "duration"/);
    expect(byLine[9]).toMatch(/must NOT have additional properties: 'replica'/);
  });

  it('YAML that does not parse fails', () => {
    const findings = lintCompose('compose.yaml', 'services:\n  api: [\n', context);
    expect(rules(findings)).toEqual(['compose/yaml']);
  });

  it('each project rule bites on a one-line change of the real compose.yaml', () => {
    const cases: [string, string][] = [
      [mutate(COMPOSE, '- noeviction', '- allkeys-lru'), 'compose/redis'],
      [mutate(COMPOSE, "- 'yes'", "- 'no'"), 'compose/redis'],
      [
        mutate(COMPOSE, "'worker', '--concurrency', '1', 'queue.backend=redis'", "'worker'"),
        'compose/queue',
      ],
      [mutate(COMPOSE, 'redis://redis:6379', 'redis://elsewhere:6379'), 'compose/queue'],
      [mutate(COMPOSE, /replicas: 2/, 'replicas: 1'), 'compose/workers'],
      [
        mutate(COMPOSE, 'dockerfile: docker/api.Dockerfile', 'dockerfile: docker/gone.Dockerfile'),
        'compose/dockerfile',
      ],
      [mutate(COMPOSE, "'127.0.0.1:8000:8000'", "'127.0.0.1:8080:8000'"), 'compose/readme'],
      [mutate(COMPOSE, "'--port', '8000'", "'--port', '9000'"), 'compose/ports'],
    ];
    for (const [text, rule] of cases) {
      expect(rules(lintCompose('compose.yaml', text, context)), rule).toContain(rule);
    }
  });

  it('the API and the workers must share one ARGINATOR_HOME volume', () => {
    const split = mutate(
      COMPOSE,
      /(worker:[^]*?volumes:\n\s+- )arginator-home:\/data/,
      '$1worker-home:/data',
    ).replace(/\nvolumes:\n/, '\nvolumes:\n  worker-home:\n');
    const findings = lintCompose('compose.yaml', split, context);
    expect(findings.map((f) => f.message)).toContain(
      'the API and the workers must share one ARGINATOR_HOME volume, not arginator-home and worker-home',
    );
  });

  it('the README must name every Dockerfile and the commands the services run', () => {
    const readme = mutate(context.readme, /docker\/worker\.Dockerfile/g, 'the worker image');
    const findings = lintCompose('compose.yaml', COMPOSE, { ...context, readme });
    expect(findings.map((f) => f.message)).toContain(
      'README.md does not mention docker/worker.Dockerfile',
    );
  });

  it("the worker image's HEALTHCHECK must run 'worker --check'", () => {
    const dockerfiles = new Map(context.dockerfiles);
    dockerfiles.set(
      'docker/worker.Dockerfile',
      mutate(WORKER, '"worker", "--check", ', '"--version", '),
    );
    const findings = lintCompose('compose.yaml', COMPOSE, { ...context, dockerfiles });
    expect(rules(findings)).toEqual(['compose/workers']);
  });
});

describe('workflows', () => {
  it('actionlint rejects a missing needed job and an undefined matrix property (fixture)', async () => {
    const text = read('fixtures/ops-lint/broken-workflow.yml');
    const findings = await lintWorkflow('broken-workflow.yml', text, { gate: false });
    expect(rules(findings)).toEqual(['actionlint/job-needs', 'actionlint/expression']);
    expect(findings.map((f) => f.line)).toEqual([6, 11]);
  });

  it('an action by a moving tag fails the pinned-action rule', async () => {
    const text = mutate(WORKFLOW, /actions\/setup-python@[0-9a-f]{40}/, 'actions/setup-python@v5');
    const findings = await lintWorkflow('ci.yml', text, { gate: true });
    expect(rules(findings)).toEqual(['workflow/pinned-action']);
  });

  it('the gate must run .ci/run, cover Linux/macOS/Windows × Node 20, 22 and cache npm', async () => {
    const cases: [string, RegExp][] = [
      [mutate(WORKFLOW, 'run: .ci/run', 'run: npm test'), /\.ci\/run/],
      [
        mutate(WORKFLOW, 'windows-2022', 'macos-13').replace(
          /- os: windows-2022/,
          '- os: macos-13',
        ),
        /no windows runner/,
      ],
      [mutate(WORKFLOW, /node: \['20', '22'\]/g, "node: ['22']"), /no Node 20/],
      [mutate(WORKFLOW, 'cache: npm', 'cache: yarn'), /cache: npm/],
    ];
    for (const [text, message] of cases) {
      const findings = await lintWorkflow('ci.yml', text, { gate: true });
      expect(findings.map((f) => f.message).join('\n'), String(message)).toMatch(message);
    }
  });
});

describe('dependabot.yml', () => {
  const dockerfiles = [...context.dockerfiles.keys()];
  it('must watch npm, the actions and the Dockerfiles, weekly and grouped', () => {
    const cases: [string, RegExp][] = [
      [
        mutate(DEPENDABOT, 'package-ecosystem: docker', 'package-ecosystem: pip'),
        /no docker updates for \/docker/,
      ],
      [
        mutate(DEPENDABOT, 'directory: /docker', 'directory: /images'),
        /no docker updates for \/docker/,
      ],
      [
        mutate(DEPENDABOT, 'package-ecosystem: github-actions', 'package-ecosystem: gitsubmodule'),
        /no github-actions updates/,
      ],
      [
        mutate(DEPENDABOT, /interval: weekly/, 'interval: daily'),
        /npm: schedule.interval must be weekly/,
      ],
      [
        mutate(DEPENDABOT, / {4}groups:\n\s+actions:\n\s+patterns: \['\*'\]\n/, ''),
        /github-actions: group the updates/,
      ],
    ];
    for (const [text, message] of cases) {
      const findings = lintDependabot('dependabot.yml', text, { dockerfiles });
      expect(findings.map((f) => f.message).join('\n'), String(message)).toMatch(message);
    }
  });
});

describe('npm run lint:ops', () => {
  it('exits 1 and prints file:line: message [rule] for a bad tree', () => {
    const root = mkdtempSync(join(tmpdir(), 'ops-lint-'));
    temp.push(root);
    cpSync(join(REPO, 'docker'), join(root, 'docker'), { recursive: true });
    cpSync(join(REPO, '.github'), join(root, '.github'), { recursive: true });
    writeFileSync(join(root, 'compose.yaml'), COMPOSE);
    writeFileSync(join(root, 'README.md'), context.readme);
    writeFileSync(
      join(root, 'docker', 'api.Dockerfile'),
      read('fixtures/ops-lint/latest.Dockerfile'),
    );
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'scripts/lint-ops.ts'), '--root', root],
      {
        cwd: REPO,
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain(
      "docker/api.Dockerfile:2: base image 'node:latest' is not pinned to a release",
    );
    expect(run.stderr).toMatch(
      /lint:ops: \d+ problem\(s\) in 3 Dockerfiles, 1 compose file, 1 workflows, 1 Dependabot config/,
    );
  });
});
