// Proves every rule of .dependency-cruiser.cjs still bites: a tiny repository breaks each once and keeps each allowed arrow once.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { cruise } from 'dependency-cruiser';
import type { IConfiguration, ICruiseResult } from 'dependency-cruiser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const config = createRequire(import.meta.url)('../.dependency-cruiser.cjs') as IConfiguration;

/** One file per entry: its path in the fixture repository and what it imports. */
const FILES: Record<string, string> = {
  'package.json': JSON.stringify({
    name: 'fixture',
    type: 'module',
    dependencies: { 'run-pkg': '1.0.0' },
    devDependencies: { 'dev-pkg': '1.0.0' },
  }),
  'node_modules/run-pkg/package.json': JSON.stringify({ name: 'run-pkg', main: 'index.js' }),
  'node_modules/run-pkg/index.js': 'export const run = 1;\n',
  'node_modules/dev-pkg/package.json': JSON.stringify({ name: 'dev-pkg', main: 'index.js' }),
  'node_modules/dev-pkg/index.js': 'export const dev = 1;\n',

  // Targets: imported by the files below, importing nothing themselves.
  'src/core/k.ts': 'export const k = 1;\n',
  'src/core/test-support/core-helper.ts': 'export const coreHelper = 1;\n',
  'src/io/io-b.ts': 'export const ioB = 1;\n',
  'src/io/test-support/io-helper.ts': 'export const ioHelper = 1;\n',
  'src/embedders/e.ts': 'export const e = 1;\n',
  'src/native/n.ts': 'export const n = 1;\n',
  'src/pipeline/p.ts': 'export type P = number;\nexport const p = 1;\n',
  'src/store/s.ts': 'export const s = 1;\n',
  'src/wiring/w.ts': 'export const w = 1;\n',
  'src/server/main.ts': 'export const main = 1;\n',
  'src/server/internal.ts': 'export const internal = 1;\n',
  'src/server/test-support/server-helper.ts': 'export const serverHelper = 1;\n',
  'src/cli/c.ts': 'export const c = 1;\n',
  'src/cli/test-support/cli-helper.ts': 'export const cliHelper = 1;\n',
  'bench/lib/b.ts': 'export const b = 1;\n',
  'scripts/lib/sc.ts': 'export const sc = 1;\n',
  'web/e2e/harness.ts': 'export const harness = 1;\n',

  // Each file below breaks exactly the rules listed for it in VIOLATIONS (or none, when allowed).
  'src/core/type-from-io.ts':
    "import type { ioB } from '../io/io-b.ts';\nexport type T = typeof ioB;\n",
  'src/core/uses-fs.ts':
    "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  'src/core/uses-package.ts': "import type { run } from 'run-pkg';\nexport type R = typeof run;\n",
  'src/core/ok.test.ts':
    "import { readFileSync } from 'node:fs';\nimport { dev } from 'dev-pkg';\n" +
    "import { coreHelper } from './test-support/core-helper.ts';\nimport { k } from './k.ts';\n" +
    'export const all = [readFileSync, dev, coreHelper, k];\n',
  'src/core/reaches-store.test.ts': "import { s } from '../store/s.ts';\nexport const x = s;\n",
  'src/io/to-pipeline.ts': "import { p } from '../pipeline/p.ts';\nexport const x = p;\n",
  'src/io/to-embedders.ts': "import { e } from '../embedders/e.ts';\nexport const x = e;\n",
  'src/umap/to-native.ts': "import { n } from '../native/n.ts';\nexport const x = n;\n",
  'src/pipeline/to-native.ts': "import { n } from '../native/n.ts';\nexport const x = n;\n",
  'src/io/ok.ts':
    "import { ioB } from './io-b.ts';\nimport { k } from '../core/k.ts';\nimport { run } from 'run-pkg';\n" +
    'export const all = [ioB, k, run];\n',
  'src/io/to-test-support.ts':
    "import { ioHelper } from './test-support/io-helper.ts';\nexport const x = ioHelper;\n",
  'src/io/ok.test.ts':
    "import { ioHelper } from './test-support/io-helper.ts';\nimport { coreHelper } from '../core/test-support/core-helper.ts';\n" +
    "import { dev } from 'dev-pkg';\nexport const all = [ioHelper, coreHelper, dev];\n",
  'src/io/to-scripts.test.ts':
    "import { sc } from '../../scripts/lib/sc.ts';\nexport const x = sc;\n",
  'src/pipeline/to-store.ts': "import { s } from '../store/s.ts';\nexport const x = s;\n",
  'src/queue/to-server.ts': "import { main } from '../server/main.ts';\nexport const x = main;\n",
  'src/store/to-wiring.ts': "import { w } from '../wiring/w.ts';\nexport const x = w;\n",
  'src/store/to-dev-dependency.ts': "import { dev } from 'dev-pkg';\nexport const x = dev;\n",
  'src/store/cycle-a.ts':
    "import { b } from './cycle-b.ts';\nexport const a = (): number => b();\n",
  'src/store/cycle-b.ts':
    "import { a } from './cycle-a.ts';\nexport const b = (): number => a();\n",
  'src/store/lonely.ts': 'export const lonely = 1;\n',
  'src/wiring/to-cli.ts': "import { c } from '../cli/c.ts';\nexport const x = c;\n",
  'src/server/to-cli.ts': "import { c } from '../cli/c.ts';\nexport const x = c;\n",
  'src/server/to-cli-helper.test.ts':
    "import { cliHelper } from '../cli/test-support/cli-helper.ts';\nexport const x = cliHelper;\n",
  'src/server/unresolvable.ts': "import { gone } from './missing.ts';\nexport const x = gone;\n",
  'src/cli/ok.ts':
    "import { main } from '../server/main.ts';\nimport { w } from '../wiring/w.ts';\nexport const all = [main, w];\n",
  'src/cli/to-server-internal.ts':
    "import { internal } from '../server/internal.ts';\nexport const x = internal;\n",
  'src/cli/to-server-helper.test.ts':
    "import { serverHelper } from '../server/test-support/server-helper.ts';\nexport const x = serverHelper;\n",
  'src/cli/to-bench.ts': "import { b } from '../../bench/lib/b.ts';\nexport const x = b;\n",
  'src/util/outside-layers.ts': "import { k } from '../core/k.ts';\nexport const x = k;\n",
  'web/src/value-from-core.ts': "import { k } from '../../src/core/k.ts';\nexport const x = k;\n",
  'web/src/ok.ts':
    "import type { k } from '../../src/core/k.ts';\nimport { run } from 'run-pkg';\n" +
    'export type K = typeof k;\nexport const x = run;\n',
  'web/src/type-from-pipeline.ts':
    "import type { P } from '../../src/pipeline/p.ts';\nexport type Q = P;\n",
  'web/src/to-bench.ts': "import { b } from '../../bench/lib/b.ts';\nexport const x = b;\n",
  'web/src/to-e2e.ts': "import { harness } from '../e2e/harness.ts';\nexport const x = harness;\n",
  'web/src/uses-fs.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  'bench/ok.ts':
    "import { coreHelper } from '../src/core/test-support/core-helper.ts';\nimport { c } from '../src/cli/c.ts';\n" +
    "import { dev } from 'dev-pkg';\nimport { b } from './lib/b.ts';\nexport const all = [coreHelper, c, dev, b];\n",
  'scripts/ok.ts':
    "import { s } from '../src/store/s.ts';\nimport { dev } from 'dev-pkg';\nimport { sc } from './lib/sc.ts';\n" +
    'export const all = [s, dev, sc];\n',
  'scripts/build-native.mjs': "import { dev } from 'dev-pkg';\nexport const x = dev;\n",
};

/**
 * Every violation the fixture must produce, as `rule: from -> to`, and nothing else (Node built-ins
 * are named without `node:`; a cycle is reported once, at the first module of the cruise that closes it).
 */
const VIOLATIONS = [
  'core-is-pure: src/core/type-from-io.ts -> src/io/io-b.ts',
  'core-is-pure: src/core/uses-fs.ts -> fs',
  'core-is-pure: src/core/uses-package.ts -> node_modules/run-pkg/index.js',
  'core-tests-stay-in-core: src/core/reaches-store.test.ts -> src/store/s.ts',
  'adapters-only-to-core: src/io/to-pipeline.ts -> src/pipeline/p.ts',
  'adapters-only-to-core: src/io/to-embedders.ts -> src/embedders/e.ts',
  'adapters-only-to-core: src/umap/to-native.ts -> src/native/n.ts',
  'pipeline-uses-ports-not-adapters: src/pipeline/to-store.ts -> src/store/s.ts',
  'pipeline-uses-ports-not-adapters: src/pipeline/to-native.ts -> src/native/n.ts',
  'store-queue-implement-ports: src/queue/to-server.ts -> src/server/main.ts',
  'only-roots-use-wiring: src/store/to-wiring.ts -> src/wiring/w.ts',
  'wiring-is-not-a-root: src/wiring/to-cli.ts -> src/cli/c.ts',
  'roots-do-not-import-each-other: src/server/to-cli.ts -> src/cli/c.ts',
  'roots-do-not-import-each-other: src/server/to-cli-helper.test.ts -> src/cli/test-support/cli-helper.ts',
  'cli-does-not-import-server-internals: src/cli/to-server-internal.ts -> src/server/internal.ts',
  'cli-does-not-import-server-internals: src/cli/to-server-helper.test.ts -> src/server/test-support/server-helper.ts',
  'every-src-file-in-a-layer: src/util/outside-layers.ts -> src/core/k.ts',
  'src-does-not-import-web-bench-scripts: src/cli/to-bench.ts -> bench/lib/b.ts',
  'src-does-not-import-web-bench-scripts: src/io/to-scripts.test.ts -> scripts/lib/sc.ts',
  'web-imports-nothing-from-src-at-run-time: web/src/value-from-core.ts -> src/core/k.ts',
  'web-types-only-from-core: web/src/type-from-pipeline.ts -> src/pipeline/p.ts',
  'web-is-browser-code: web/src/to-bench.ts -> bench/lib/b.ts',
  'web-is-browser-code: web/src/to-e2e.ts -> web/e2e/harness.ts',
  'web-has-no-node-built-ins: web/src/uses-fs.ts -> fs',
  'not-to-test-support: src/io/to-test-support.ts -> src/io/test-support/io-helper.ts',
  'not-to-test-support: web/src/to-e2e.ts -> web/e2e/harness.ts',
  'not-to-dev-dependency: src/store/to-dev-dependency.ts -> node_modules/dev-pkg/index.js',
  'not-to-dev-dependency: scripts/build-native.mjs -> node_modules/dev-pkg/index.js',
  'not-to-unresolvable: src/server/unresolvable.ts -> ./missing.ts',
  'no-orphans: src/store/lonely.ts -> src/store/lonely.ts',
  'no-circular: src/store/cycle-a.ts -> src/store/cycle-b.ts',
];

let root = '';
let result: ICruiseResult;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'arginator-depcruise-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  // The repository's tsconfig.json would resolve paths of the repository, not of the fixture.
  const options = { ...config.options };
  delete options.tsConfig;
  const output = await cruise(['src', 'web', 'bench', 'scripts'], {
    ...options,
    baseDir: root,
    validate: true,
    ruleSet: { forbidden: config.forbidden ?? [] },
  });
  result = output.output as ICruiseResult;
}, 60_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('.dependency-cruiser.cjs', () => {
  it('reports each broken arrow of the fixture, and no allowed one', () => {
    const found = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
    expect([...found].sort()).toEqual([...VIOLATIONS].sort());
  });

  it('has a breaking case above for every rule it declares', () => {
    const named = new Set(VIOLATIONS.map((v) => v.slice(0, v.indexOf(':'))));
    expect((config.forbidden ?? []).map((r) => r.name).filter((n) => !named.has(n ?? ''))).toEqual(
      [],
    );
  });
});
