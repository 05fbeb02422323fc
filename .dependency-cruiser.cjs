/** Layer arrows of docs/architecture.md, checked in `npm run check`; scripts/dependency-rules.test.ts proves each bites. */

// Tests and test helpers: *.test.ts files, test-support/ folders, and the browser e2e harness.
const TEST = '(\\.test\\.ts$|/test-support/|^web/e2e/)';
// Code that ships: src/ and the browser bundle (web/src) outside tests, and the install script.
const SHIPPED = '^(src/|web/src/|scripts/build-native\\.mjs$)';
// Every folder under src/ the rules below know. `queue/` holds the job queue port's redis adapter
// (issue 16).
const LAYERS = 'core|io|embedders|native|umap|pipeline|store|queue|wiring|server|cli';

module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment:
        'src/core imports only src/core: no other layer, no Node built-ins, no packages, not even types.',
      severity: 'error',
      from: { path: '^src/core/', pathNot: TEST },
      to: { pathNot: '^src/core/' },
    },
    {
      name: 'core-tests-stay-in-core',
      comment:
        'Tests of core may use Node and test tooling, but of our code only core (and its test-support).',
      severity: 'error',
      from: { path: '^src/core/.*(/test-support/|\\.test\\.ts$)' },
      to: { path: '^src/(?!core/)' },
    },
    {
      name: 'adapters-only-to-core',
      comment:
        'io, embedders, native and umap are adapters to bytes and runtimes; each depends on core and itself only.',
      severity: 'error',
      from: { path: '^src/(io|embedders|native|umap)/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/$1/'] },
    },
    {
      name: 'pipeline-uses-ports-not-adapters',
      comment:
        'use cases depend on core and on the ports they declare, never on adapters or roots.',
      severity: 'error',
      from: { path: '^src/pipeline/' },
      to: { path: '^src/(io|embedders|native|umap|store|queue|server|cli)/' },
    },
    {
      name: 'store-queue-implement-ports',
      comment: 'store and queue implement pipeline ports; they never reach the roots.',
      severity: 'error',
      from: { path: '^src/(store|queue)/' },
      to: { path: '^src/(server|cli)/' },
    },
    {
      name: 'only-roots-use-wiring',
      comment:
        'wiring/ is composition shared by the cli and server roots; nothing else may import it.',
      severity: 'error',
      from: { path: '^src/(core|io|embedders|native|umap|pipeline|store|queue)/' },
      to: { path: '^src/wiring/' },
    },
    {
      name: 'wiring-is-not-a-root',
      severity: 'error',
      from: { path: '^src/wiring/' },
      to: { path: '^src/(cli|server)/' },
    },
    {
      name: 'roots-do-not-import-each-other',
      comment:
        'server never imports cli. Helpers that tests of both roots share live in wiring/test-support.',
      severity: 'error',
      from: { path: '^src/server/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'cli-does-not-import-server-internals',
      comment: 'cli starts the server through main/create-app only (tests and test-support too).',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/server/(?!main\\.ts$|create-app\\.ts$)' },
    },
    {
      name: 'every-src-file-in-a-layer',
      comment: `A file under src/ outside the known layers (${LAYERS}) would escape every rule above: add the layer here first.`,
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${LAYERS})/` },
      to: {},
    },
    {
      name: 'src-does-not-import-web-bench-scripts',
      comment:
        'bench/ and scripts/ may import src/, and web/ talks to the API only; src/ never imports any of them.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(web|bench|scripts)/' },
    },
    {
      name: 'web-imports-nothing-from-src-at-run-time',
      comment:
        'The browser bundle talks to the API only; no code of src/ is bundled (team contract).',
      severity: 'error',
      from: { path: '^web/', pathNot: '^web/e2e/' },
      to: { path: '^src/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-types-only-from-core',
      comment:
        'web may `import type` from src/core (pure, browser-safe, erased by the build), from no other layer.',
      severity: 'error',
      from: { path: '^web/', pathNot: '^web/e2e/' },
      to: { path: '^src/(?!core/)' },
    },
    {
      name: 'web-is-browser-code',
      comment: 'web/src is the browser bundle: nothing of bench/ or scripts/, not the e2e harness.',
      severity: 'error',
      from: { path: '^web/src/', pathNot: TEST },
      to: { path: '^(bench/|scripts/|web/e2e/)', dependencyTypes: ['local'] },
    },
    {
      name: 'web-has-no-node-built-ins',
      comment: 'web/src runs in the browser, where Node built-ins do not exist.',
      severity: 'error',
      from: { path: '^web/src/', pathNot: TEST },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'not-to-test-support',
      comment: 'Shipped code never imports test helpers; tests, bench/ and scripts/ may.',
      severity: 'error',
      from: { path: SHIPPED, pathNot: TEST },
      to: { path: TEST },
    },
    {
      name: 'not-to-dev-dependency',
      comment:
        'What src/ (and the install script) imports must be a dependency: devDependencies are absent where the package is installed. Tests, bench/, scripts/ and build configs may use them; web/src is bundled at build time.',
      severity: 'error',
      from: { path: '^(src/|scripts/build-native\\.mjs$)', pathNot: TEST },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-orphans',
      comment:
        'A module nothing imports and that imports nothing is dead (config files and type declarations aside).',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: [
          '(^|/)[.][^/]+[.](?:js|cjs|mjs|ts|cts|mts|json)$',
          '[.]d[.]ts$',
          '(^|/)tsconfig[.]json$',
          '(^|/)(?:vite|vitest|eslint)[.]config[.](?:js|cjs|mjs|ts)$',
        ],
      },
      to: {},
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|web/dist|bench/out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
