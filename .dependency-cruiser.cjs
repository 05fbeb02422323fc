/** Layer arrows of docs/architecture.md, checked in `npm run check`. */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment:
        'src/core imports nothing of ours outside core, and no Node built-ins or packages with effects.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { pathNot: ['^src/core/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'adapters-only-to-core',
      comment:
        'io, embedders and kernels are adapters to bytes and runtimes; they depend on core only.',
      severity: 'error',
      from: { path: '^src/(io|embedders|kernels)/' },
      to: { path: '^src/(pipeline|store|queue|server|cli)/' },
    },
    {
      name: 'pipeline-uses-ports-not-adapters',
      comment:
        'use cases depend on core and on the ports they declare, never on adapters or roots.',
      severity: 'error',
      from: { path: '^src/pipeline/' },
      to: { path: '^src/(io|embedders|kernels|store|queue|server|cli)/' },
    },
    {
      name: 'store-queue-implement-ports',
      severity: 'error',
      from: { path: '^src/(store|queue)/' },
      to: { path: '^src/(server|cli)/' },
    },
    {
      name: 'only-roots-use-wiring',
      comment:
        'wiring/ is composition shared by the cli and server roots; nothing else may import it.',
      severity: 'error',
      from: { path: '^src/(core|io|embedders|kernels|pipeline|store|queue)/' },
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
      severity: 'error',
      from: { path: '^src/server/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'cli-does-not-import-server-internals',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/server/(?!main|create-app)' },
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
    exclude: { path: '(\\.test\\.ts$|/test-support/)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
